/**
 * The sync engine behind `Sync.run`, generic over its targets (`target/Target.ts`): takes the sync's lock, resumes
 * the jobs a previous run left in flight, reads the source while each target's chunks go out as journaled vendor
 * jobs (`engine/reading.ts`), then deletes what left the source where configured (`engine/deleting.ts`), lets each
 * target finish (Ocamba's resync) and records the run. Its counters live in `Ref`s (`engine/runCounters.ts`, each
 * target's `tally`), and its progress is a stream (`engine/progress.ts`).
 *
 * @internal
 */
import { createHash, randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, rmdir } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, extname, join } from "node:path"
import * as Mapping from "@profilesync/core/Mapping"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Sync from "../Sync.ts"
import * as SyncState from "../SyncState.ts"
import { deleteMissing } from "./engine/deleting.ts"
import * as Progress from "./engine/progress.ts"
import { read } from "./engine/reading.ts"
import * as Report from "./engine/report.ts"
import * as RunCounters from "./engine/runCounters.ts"
import { SyncError, SyncErrorReason, stateFailed, syncError } from "./syncError.ts"
import * as Rejects from "./syncRejects.ts"
import * as SyncSource from "./syncSource.ts"
import * as SourceSchema from "./syncSourceSchema.ts"
import { write } from "./target/job.ts"
import type { Polling, RunContext, Target, TargetName } from "./target/Target.ts"
import * as Tally from "./target/tally.ts"
import * as Targets from "./target/targets.ts"

const defaultPolling: Polling = { initialDelay: 500, maxDelay: 15_000, timeout: 60 * 60 * 1000 }

/** The lock every run of a sync takes, in every process and on every machine sharing the state store. */
export const lockName = (sync: string): string => `profilesync-sync:${sync}`

/** Where the rejects of a dry run go, so a preview never overwrites the last real run's file. */
const dryRunPath = (path: string): string => {
  const extension = extname(path)
  return `${path.slice(0, path.length - extension.length)}.dry-run${extension === "" ? ".ndjson" : extension}`
}

const invalidOptions = (message: string) => Effect.fail(syncError(SyncErrorReason.InvalidOptions({ message })))

/** A dry run writes nothing, so it needs no lock: this stands in for one. */
const noLock: SyncState.Lock = {
  name: "dry run",
  owner: "dry run",
  acquiredAt: new Date(0),
  lost: Effect.never,
  ensureHeld: Effect.void
}

/** @internal */
export const run = (
  options: Sync.RunOptions
): Effect.Effect<Sync.RunReport, SyncError, SyncState.SyncState | Targets.TargetServices> =>
  Effect.suspend(() => {
    const config = options.config
    const configured = Targets.targetOrder.filter((target) => config.targets[target] !== undefined)
    const requested = options.targets ?? configured
    const unknown = requested.filter((target) => !configured.includes(target))
    if (unknown.length > 0) {
      return invalidOptions(
        `the config "${config.name}" has no ${unknown.join(" or ")} target (configured: ${configured.join(", ")})`
      )
    }
    const selected = configured.filter((target) => requested.includes(target))
    if (selected.length === 0) return invalidOptions("no target selected: `targets` is empty")
    // Every vendor request of the run carries the sync's name, which is how the report counts them.
    const label = options.dryRun === true ? `${config.name} (dry run)` : config.name
    return Effect.scoped(runScoped(options, selected, label)).pipe(
      Effect.tagMetrics("sync", label),
      Effect.tap((report) => Effect.annotateCurrentSpan(reportAttributes(report))),
      Effect.tapError((error) =>
        Effect.annotateCurrentSpan({
          "profilesync.error": error.reason._tag,
          ...(error.report === undefined ? {} : reportAttributes(error.report))
        })
      ),
      // The run's span: its chunks, vendor jobs and vendor calls are beneath it. Free when no tracer is installed.
      Effect.withSpan("profilesync.sync.run", {
        attributes: {
          "profilesync.sync": config.name,
          "profilesync.dry_run": options.dryRun === true,
          "profilesync.targets": selected.join(",")
        }
      })
    )
  })

/** What a trace reader asks of a finished run: its id, status, duration, and rows by outcome per target. */
const reportAttributes = (report: Sync.RunReport): Record<string, string | number> => {
  const attributes: Record<string, string | number> = {
    "profilesync.run": report.runId,
    "profilesync.status": report.status,
    "profilesync.rows_read": report.read,
    "profilesync.rows_rejected": report.rejected,
    "profilesync.duration_seconds": report.durationMilliseconds / 1000
  }
  for (const [target, counts] of Object.entries(report.targets)) {
    if (counts === undefined) continue
    for (const outcome of ["created", "updated", "unchanged", "deleted", "failed", "deadLettered"] as const) {
      attributes[`profilesync.${target}.${outcome}`] = counts[outcome]
    }
    attributes[`profilesync.${target}.vendor_calls`] = report.vendorCalls[target as TargetName] ?? 0
  }
  return attributes
}

const lockFailed = (sync: string) => (error: SyncState.SyncStateError) =>
  error.reason._tag === "Locked"
    ? syncError(
        SyncErrorReason.Locked({
          sync,
          owner: error.reason.owner,
          since: error.reason.since,
          expiresAt: error.reason.expiresAt
        })
      )
    : stateFailed(error)

const runScoped = (
  options: Sync.RunOptions,
  selected: ReadonlyArray<TargetName>,
  label: string
): Effect.Effect<Sync.RunReport, SyncError, SyncState.SyncState | Targets.TargetServices | Scope.Scope> =>
  Effect.gen(function* () {
    const config = options.config
    const sync = config.name
    const dryRun = options.dryRun === true
    const state = yield* SyncState.SyncState
    const startedAt = yield* Clock.currentTimeMillis
    const totalsBefore = yield* Report.vendorTotals(label)
    // A config the engine cannot read fails before any lock or run record.
    const opened = yield* SyncSource.open(config)
    const mapper = Mapping.makeMapper(config)
    // So does a source without a mapped column, or with one whose type changed: nothing is sent.
    const schema = yield* SourceSchema.check({
      config,
      mapper,
      opened,
      state,
      acceptTypeChanges: options.acceptSchemaChanges === true
    })
    if (schema?.newColumns !== undefined && schema.newColumns.length > 0) {
      yield* Effect.logWarning("the source has columns the last successful run did not have").pipe(
        Effect.annotateLogs({ sync, source: opened.source.name, newColumns: schema.newColumns.join(", ") })
      )
    }

    let lock = noLock
    let runId: string = randomUUID()
    if (!dryRun) {
      lock = yield* Effect.mapError(state.acquireLock(lockName(sync)), lockFailed(sync))
      runId = (yield* write({ lock }, state.startRun({ sync, targets: selected, dryRun: false }))).id
    }

    const counters = yield* RunCounters.make
    const consumers = [
      ...(options.progress === undefined ? [] : [options.progress]),
      ...(options.onProgress === undefined ? [] : [Progress.callback(options.onProgress)])
    ]
    const endProgress = yield* Progress.attach(counters, consumers)

    // Per sync and state store: only runs holding this sync's lock in this store ever touch the directory, so a
    // run can remove what its crashed predecessors left there without touching another store's files.
    const store = createHash("sha256").update(Report.statePathOf(config.state)).digest("hex").slice(0, 12)
    const directory = join(tmpdir(), "profilesync", `${sync}-${store}`)
    if (!dryRun) {
      // Registered after the lock, so it runs before the lock is released; `rmdir` only removes an empty directory,
      // so files of jobs left in flight stay for the next run.
      yield* Effect.addFinalizer(() => Effect.promise(() => rmdir(directory).catch(() => undefined)))
    }
    const millis = (duration: Duration.DurationInput) => Duration.toMillis(Duration.decode(duration))
    const polling: Polling = {
      initialDelay: millis(options.polling?.initialDelay ?? defaultPolling.initialDelay),
      maxDelay: millis(options.polling?.maxDelay ?? defaultPolling.maxDelay),
      timeout: millis(options.polling?.timeout ?? defaultPolling.timeout)
    }
    // Completes when the stop signal arrives: reading stops, and no chunk waits for a breaker any more.
    const stopped = yield* Deferred.make<void>()
    const context: RunContext = {
      config,
      runId,
      dryRun,
      state,
      lock,
      mapper,
      polling,
      deadline: startedAt + polling.timeout,
      stopped: Deferred.await(stopped),
      directory,
      progress: counters.progress,
      jobDone: Effect.zipRight(
        counters.update((run) => ({ ...run, chunksDone: run.chunksDone + 1 })),
        counters.progress("confirming")
      )
    }
    const targets: Array<Target> = []
    for (const name of selected) {
      const make = Targets.make(name, context)
      if (make !== undefined) targets.push(yield* make)
    }
    let rejectsWriter: Rejects.RejectsWriter | undefined

    const buildReport = (status: Sync.RunReport["status"]) =>
      Report.build({
        runId,
        config,
        dryRun,
        label,
        startedAt,
        totalsBefore,
        counters,
        targets,
        rejects: rejectsWriter,
        schema,
        status
      })

    const finishRun = (report: Sync.RunReport, extra: Record<string, unknown> = {}) =>
      dryRun
        ? Effect.void
        : state.finishRun(runId, {
            status: report.status === "interrupted" ? "interrupted" : report.status,
            counts: Report.countsOf(report),
            report: { ...report, ...extra }
          })

    const main = Effect.gen(function* () {
      const stopSignal = options.stopSignal
      if (stopSignal !== undefined) {
        yield* Effect.forkScoped(Effect.zipRight(stopSignal, Deferred.succeed(stopped, undefined)))
      }

      // --- 1. what a previous run left in flight, and dead letters handed back ---
      const waiting = new Map<string, Set<string>>(targets.map((target) => [target.name, new Set<string>()]))
      if (!dryRun) {
        yield* Effect.tryPromise({
          try: () => mkdir(directory, { recursive: true }),
          catch: (cause) => syncError(SyncErrorReason.FileFailed({ path: directory, detail: String(cause) }))
        })
        for (const job of yield* write(context, state.inFlightJobs(sync))) {
          const target = targets.find((candidate) => candidate.name === job.target)
          if (target !== undefined) yield* resumeJob(target, job)
        }
        // Rows of jobs still in flight or in doubt after resuming: sending them again could import them twice, so
        // the diff leaves them to the run that settles their job.
        const inFlight = yield* write(context, state.inFlightJobs(sync))
        for (const target of targets) yield* target.cleanUp(inFlight)
        for (const job of inFlight) for (const row of job.rows) waiting.get(job.target)?.add(row.key)
      }
      if (options.replayDeadLetters === true) {
        for (const target of targets) {
          const replayed = dryRun
            ? yield* write(context, state.deadLetters(sync, { target: target.name, limit: 1_000_000 }))
            : yield* write(context, state.replayDeadLetters(sync, { target: target.name }))
          yield* target.tally.add({ deadLettersReplayed: replayed.length })
        }
      }

      // --- 2. properties and fields: planned up front in a dry run, before a target's first chunk otherwise ---
      const ready = new Map<string, Effect.Effect<boolean>>()
      for (const target of targets) ready.set(target.name, yield* Effect.cached(target.prepare))
      if (dryRun) for (const prepared of ready.values()) yield* prepared

      // --- 3. read, diff, send ---
      const rejects = !dryRun
        ? yield* Rejects.make(config.rejects.path, (lines) => write({ lock }, state.recordRejects(sync, runId, lines)))
        : existsSync(dirname(config.rejects.path))
          ? yield* Rejects.make(dryRunPath(config.rejects.path))
          : Rejects.makeUnwritten()
      rejectsWriter = rejects
      const { sourceKeys, stopping } = yield* read({
        context,
        counters,
        targets,
        ready,
        waiting,
        opened,
        rejects,
        stopped,
        replayAll: dryRun && options.replayDeadLetters === true
      })

      // --- 4. what left the source: only after a complete read ---
      if (!stopping) {
        yield* deleteMissing({
          context,
          targets,
          unkeyed: (yield* counters.get).unkeyed,
          allowMassDelete: options.allowMassDelete === true,
          waiting,
          sourceKeys
        })
      }

      // --- 5. what each target does once its rows are in (Ocamba's resync) ---
      if (!dryRun) for (const target of targets) yield* target.afterRun

      const tallies = yield* Effect.forEach(targets, (target) => target.tally.get)
      const status = Report.statusOf(
        stopping,
        tallies.map((tally) => ({ stopped: tally.stopped, failed: tally.counts.failed, errors: tally.errors.length }))
      )
      const report = yield* buildReport(status)
      yield* write(context, finishRun(report))
      // Row history past its retention goes once per run, in one statement.
      if (!dryRun) yield* write(context, state.pruneHistory(sync, { keepDays: config.history.keepDays }))
      yield* counters.progress("done")
      return report
    })

    return yield* main.pipe(
      Effect.catchAll((error) =>
        Effect.gen(function* () {
          const report = yield* buildReport("failed")
          yield* Effect.ignore(finishRun(report, { error: error.message }))
          return yield* Effect.fail(new SyncError({ reason: error.reason, report }))
        })
      ),
      Effect.onInterrupt(() =>
        Effect.flatMap(buildReport("interrupted"), (report) => Effect.ignore(finishRun(report)))
      ),
      Effect.ensuring(endProgress)
    )
  })

/**
 * Ends a job a previous run left in flight (see each target's `resume`). The job's rows are counted by the diff
 * that follows, once: what the job confirmed is handed to it (created or updated), never counted here as well; the
 * rest of what the job did (its vendor id, errors, deletes, dead letters) is added to the target's tally.
 */
const resumeJob = (target: Target, job: SyncState.Job): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    yield* target.tally.add({ resumedJobs: 1 })
    const standIn = yield* Tally.make(target.name, { resumedRows: target.tally.resumedRows })
    yield* target.resume(job, standIn)
    const done = yield* standIn.get
    yield* target.tally.vendorJob(...done.vendorJobs)
    for (const message of done.errors) yield* target.tally.note(message)
    if (done.stopped) yield* target.tally.halt
    yield* target.tally.add({
      deleted: done.counts.deleted,
      pendingDeletes: done.counts.pendingDeletes,
      deadLettered: done.counts.deadLettered,
      confirmed: done.counts.confirmed
    })
  })
