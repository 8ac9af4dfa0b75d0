/**
 * The sync engine behind `Sync.run`: takes the sync's lock, resumes the jobs a previous run left in flight, streams
 * the source in batches (map, reject, de-duplicate, mark seen, look up, diff), fills per-target chunks and sends each
 * as a journaled vendor job while reading goes on, then deletes what left the source (where configured), resyncs
 * Ocamba and records the run.
 *
 * @internal
 */
import { createHash, randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, readdir, rm, rmdir } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, dirname, extname, join } from "node:path"
import * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import * as OcambaClient from "@profilesync/core/OcambaClient"
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberSet from "effect/FiberSet"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Source from "../Source.ts"
import type * as Sync from "../Sync.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import * as SyncState from "../SyncState.ts"
import {
  type ChunkRow,
  chunkFile,
  makeCopernicaChunker,
  makeOcambaChunker,
  removeFile,
  type Chunk as SyncChunk
} from "./syncChunks.ts"
import * as Collisions from "./syncCollisions.ts"
import * as DeleteGuard from "./syncDeleteGuard.ts"
import { makeImportIds } from "./syncDoubt.ts"
import { SyncError, SyncErrorReason, stateFailed, syncError } from "./syncError.ts"
import {
  deleteMissing,
  type JobContext,
  type Polling,
  resumeJob,
  runCopernicaChunk,
  runOcambaChunk,
  settleDoubtful,
  TargetRun,
  write
} from "./syncJobs.ts"
import * as Rejects from "./syncRejects.ts"
import * as SyncSource from "./syncSource.ts"

type TargetName = Sync.TargetName

/** Source rows per batch: one state lookup and one `markSeen` per target per batch. */
const batchSize = 1000

/** Jobs a target may have at the vendor at once: reading waits (and memory stays flat) when they are all out. */
const jobsInFlight: Readonly<Record<TargetName, number>> = { ocamba: 2, copernica: 4 }

const defaultPolling: Polling = { initialDelay: 500, maxDelay: 15_000, timeout: 60 * 60 * 1000 }

const targetOrder: ReadonlyArray<TargetName> = ["ocamba", "copernica"]

/** The lock every run of a sync takes, in every process and on every machine sharing the state store. */
export const lockName = (sync: string): string => `profilesync-sync:${sync}`

const requestsMetric = "profilesync_vendor_requests_total"

/** HTTP requests each vendor received from effects tagged `sync = label` (retries included). */
const vendorRequests = (label: string): Effect.Effect<Record<TargetName, number>> =>
  Effect.map(Metric.snapshot, (pairs) => {
    const counts: Record<TargetName, number> = { ocamba: 0, copernica: 0 }
    for (const pair of pairs) {
      if (pair.metricKey.name !== requestsMetric) continue
      const tags = pair.metricKey.tags
      if (!tags.some((tag) => tag.key === "sync" && tag.value === label)) continue
      const vendor = tags.find((tag) => tag.key === "vendor")?.value
      const metricState = pair.metricState
      if ((vendor === "ocamba" || vendor === "copernica") && MetricState.isCounterState(metricState)) {
        counts[vendor] += Number(metricState.count)
      }
    }
    return counts
  })

/** Where the rejects of a dry run go, so a preview never overwrites the last real run's file. */
const dryRunPath = (path: string): string => {
  const extension = extname(path)
  return `${path.slice(0, path.length - extension.length)}.dry-run${extension === "" ? ".ndjson" : extension}`
}

/** @internal */
export const statePathOf = (state: SyncConfig.State): string =>
  state.sqlite !== undefined
    ? state.sqlite
    : `postgres (${state.postgres?.urlEnv !== undefined ? `urlEnv ${state.postgres.urlEnv}` : `urlFile ${state.postgres?.urlFile ?? ""}`})`

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
): Effect.Effect<
  Sync.RunReport,
  SyncError,
  SyncState.SyncState | OcambaClient.OcambaClient | CopernicaClient.CopernicaClient
> =>
  Effect.suspend(() => {
    const config = options.config
    const configured = targetOrder.filter((target) => config.targets[target] !== undefined)
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
    return Effect.scoped(runScoped(options, selected, label)).pipe(Effect.tagMetrics("sync", label))
  })

const runScoped = (
  options: Sync.RunOptions,
  selected: ReadonlyArray<TargetName>,
  label: string
): Effect.Effect<
  Sync.RunReport,
  SyncError,
  SyncState.SyncState | OcambaClient.OcambaClient | CopernicaClient.CopernicaClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const config = options.config
    const sync = config.name
    const dryRun = options.dryRun === true
    const state = yield* SyncState.SyncState
    const ocamba = yield* OcambaClient.OcambaClient
    const copernica = yield* CopernicaClient.CopernicaClient
    const startedAt = yield* Clock.currentTimeMillis
    const requestsBefore = yield* vendorRequests(label)
    // A config the engine cannot read fails before any lock or run record.
    const opened = yield* SyncSource.open(config)
    const mapper = Mapping.makeMapper(config)

    let lock = noLock
    let runId: string = randomUUID()
    if (!dryRun) {
      lock = yield* state.acquireLock(lockName(sync)).pipe(
        Effect.mapError((error) =>
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
        )
      )
      runId = (yield* write({ lock }, state.startRun({ sync, targets: selected, dryRun: false }))).id
    }

    const targets: Partial<Record<TargetName, TargetRun>> = {}
    for (const name of selected) targets[name] = new TargetRun(name)
    const targetRuns = selected.map((name) => targets[name]!)
    const selectedSet: ReadonlySet<TargetName> = new Set(selected)

    // --- progress and the report ---
    let rowsRead = 0
    let rowsRejected = 0
    // The rows every selected target refused, by the kind of each row's first reason: they add up to `rowsRejected`.
    const rejectReasons: Record<string, number> = {}
    const rejectEverywhere = (summary: string) => {
      rowsRejected++
      rejectReasons[summary] = (rejectReasons[summary] ?? 0) + 1
      for (const target of targetRuns) target.rejected++
    }
    let duplicates = 0
    // Rows whose key is unknown (unreadable, keyless, or a key field refused): while there are any, nothing is absent.
    let unkeyed = 0
    let chunksDone = 0
    let chunksPlanned = 0
    let chunksTotal: number | undefined
    let rejectsWriter: Rejects.RejectsWriter | undefined

    const progress = (phase: Sync.Progress["phase"], target?: TargetName): Effect.Effect<void> =>
      Effect.sync(() => {
        const listener = options.onProgress
        if (listener === undefined) return
        try {
          listener({
            phase,
            ...(target === undefined ? {} : { target }),
            rowsRead,
            rowsRejected,
            chunksDone,
            ...(chunksTotal === undefined ? {} : { chunksTotal })
          })
        } catch {
          // A progress bar that throws must not stop a sync.
        }
      })

    const buildReport = (status: Sync.RunReport["status"]): Effect.Effect<Sync.RunReport> =>
      Effect.gen(function* () {
        const finishedAt = yield* Clock.currentTimeMillis
        const requestsAfter = yield* vendorRequests(label)
        const targetReports: Partial<Record<TargetName, Sync.TargetReport>> = {}
        const vendorCalls: Partial<Record<TargetName, number>> = {}
        for (const target of targetRuns) {
          targetReports[target.name] = target.report()
          vendorCalls[target.name] = requestsAfter[target.name] - requestsBefore[target.name]
        }
        const rejectLines = rejectsWriter?.lines() ?? 0
        return {
          runId,
          sync,
          status,
          dryRun,
          startedAt: new Date(startedAt).toISOString(),
          finishedAt: new Date(finishedAt).toISOString(),
          durationMilliseconds: finishedAt - startedAt,
          read: rowsRead,
          rejected: rowsRejected,
          ...(rejectLines > 0 && rejectsWriter?.path !== undefined ? { rejectsFile: rejectsWriter.path } : {}),
          rejectReasons: { ...rejectReasons },
          duplicates,
          targets: targetReports,
          vendorCalls,
          statePath: statePathOf(config.state)
        }
      })

    const countsOf = (report: Sync.RunReport): Record<string, number> => {
      const counts: Record<string, number> = {
        read: report.read,
        rejected: report.rejected,
        duplicates: report.duplicates
      }
      for (const [name, target] of Object.entries(report.targets)) {
        for (const [counter, value] of Object.entries(target ?? {})) {
          if (typeof value === "number") counts[`${name}.${counter}`] = value
        }
      }
      for (const [name, calls] of Object.entries(report.vendorCalls)) counts[`${name}.vendorCalls`] = calls ?? 0
      return counts
    }

    const finishRun = (report: Sync.RunReport, extra: Record<string, unknown> = {}) =>
      dryRun
        ? Effect.void
        : state.finishRun(runId, {
            status: report.status === "interrupted" ? "interrupted" : report.status,
            counts: countsOf(report),
            report: { ...report, ...extra }
          })

    // Per sync and state store: only runs holding this sync's lock in this store ever touch the directory, so a
    // run can remove what its crashed predecessors left there without touching another store's files.
    const store = createHash("sha256").update(statePathOf(config.state)).digest("hex").slice(0, 12)
    const directory = join(tmpdir(), "profilesync", `${sync}-${store}`)
    if (!dryRun) {
      // Registered after the lock, so it runs before the lock is released; `rmdir` only removes an empty directory,
      // so files of jobs left in flight stay for the next run.
      yield* Effect.addFinalizer(() => Effect.promise(() => rmdir(directory).catch(() => undefined)))
    }
    const context: JobContext = {
      config,
      runId,
      state,
      lock,
      ocamba,
      copernica,
      mapper,
      polling: {
        initialDelay: Duration.toMillis(Duration.decode(options.polling?.initialDelay ?? defaultPolling.initialDelay)),
        maxDelay: Duration.toMillis(Duration.decode(options.polling?.maxDelay ?? defaultPolling.maxDelay)),
        timeout: Duration.toMillis(Duration.decode(options.polling?.timeout ?? defaultPolling.timeout))
      },
      directory,
      targets,
      progress,
      jobDone: Effect.zipRight(
        Effect.sync(() => {
          chunksDone++
        }),
        progress("confirming")
      ),
      importIds: yield* makeImportIds(copernica),
      doubtful: []
    }
    // Rows of jobs still in flight or in doubt after resuming: sending them again could import them twice, so the
    // diff leaves them to the run that settles their job.
    const waiting: Record<TargetName, Set<string>> = { ocamba: new Set(), copernica: new Set() }

    const main = Effect.gen(function* () {
      const stopped = yield* Deferred.make<void>()
      const stopSignal = options.stopSignal
      if (stopSignal !== undefined) {
        yield* Effect.forkScoped(Effect.zipRight(stopSignal, Deferred.succeed(stopped, undefined)))
      }
      // A job that fails with a state error ends the run: reading stops at once.
      const fatal = yield* Deferred.make<void, SyncError>()

      // --- 1. what a previous run left in flight, and dead letters handed back ---
      if (!dryRun) {
        yield* Effect.tryPromise({
          try: () => mkdir(directory, { recursive: true }),
          catch: (cause) => syncError(SyncErrorReason.FileFailed({ path: directory, detail: String(cause) }))
        })
        const inFlight = yield* write(context, state.inFlightJobs(sync))
        for (const job of inFlight) {
          if (selectedSet.has(job.target as TargetName)) yield* resumeJob(context, job)
        }
        for (const job of yield* removeStaleFiles(context)) {
          if (selectedSet.has(job.target as TargetName)) {
            for (const row of job.rows) waiting[job.target as TargetName].add(row.key)
          }
        }
      }
      for (const target of targetRuns) {
        if (options.replayDeadLetters !== true) continue
        target.deadLettersReplayed = dryRun
          ? (yield* write(context, state.deadLetters(sync, { target: target.name, limit: 1_000_000 }))).length
          : (yield* write(context, state.replayDeadLetters(sync, { target: target.name }))).length
      }

      // --- 2. properties and fields: planned up front in a dry run, before a target's first chunk otherwise ---
      const ready: Partial<Record<TargetName, Effect.Effect<boolean>>> = {}
      for (const target of targetRuns) ready[target.name] = yield* Effect.cached(prepare(context, target, dryRun))
      if (dryRun) for (const target of targetRuns) yield* ready[target.name]!

      // --- 3. read, diff, send ---
      const rejects = !dryRun
        ? yield* Rejects.make(config.rejects.path, (lines) => write({ lock }, state.recordRejects(sync, runId, lines)))
        : existsSync(dirname(config.rejects.path))
          ? yield* Rejects.make(dryRunPath(config.rejects.path))
          : Rejects.makeUnwritten()
      rejectsWriter = rejects
      // Rows a vendor would merge into one profile are known only after a whole pass over the source.
      const collisions = yield* Collisions.scan(opened.source, mapper, config, selected).pipe(
        Effect.mapError((error) => syncError(SyncErrorReason.SourceFailed({ reason: error.reason })))
      )
      const ocambaChunker =
        targets.ocamba === undefined
          ? undefined
          : makeOcambaChunker({ mapper, directory: dryRun ? undefined : directory, runId })
      const copernicaChunker =
        targets.copernica === undefined ? undefined : makeCopernicaChunker({ mapper, sync, runId })
      const permits = {
        ocamba: yield* Effect.makeSemaphore(jobsInFlight.ocamba),
        copernica: yield* Effect.makeSemaphore(jobsInFlight.copernica)
      }
      const fibers = yield* FiberSet.make<void, never>()
      const fieldOfColumn = (column: string) =>
        Object.entries(config.fields).find(([name, field]) => (field.column ?? name) === column)?.[0]
      // The first row of each key: later rows with the key are duplicates (about 100 bytes per key).
      const firstRowOf = new Map<string, number>()
      // Dry run: how many keys of the source the state has confirmed rows for, to count deletions without marking.
      const confirmedSeen: Record<TargetName, number> = { ocamba: 0, copernica: 0 }
      const replayAll = dryRun && options.replayDeadLetters === true
      let headerChecked = !opened.hasHeader

      const dispatch = (chunk: SyncChunk): Effect.Effect<void, SyncError> =>
        Effect.gen(function* () {
          const target = targets[chunk.target]!
          chunksPlanned++
          if (dryRun) {
            target.chunks++
            return
          }
          const notSent = Effect.gen(function* () {
            target.failed += chunk.rows.length
            if (chunk.target === "ocamba") yield* removeFile(chunk.file)
          })
          if (target.stopped || !(yield* ready[chunk.target]!)) return yield* notSent
          const permit = permits[chunk.target]
          yield* permit.take(1)
          // Another job may have stopped the target while this one waited for its turn.
          if (target.stopped) return yield* Effect.zipRight(permit.release(1), notSent)
          const job = yield* write(
            context,
            state.journalJob({
              sync,
              target: chunk.target,
              runId,
              chunk: chunk.number,
              rows: chunk.rows.map(({ hash, key }) => ({ key, hash }))
            })
          ).pipe(Effect.onError(() => permit.release(1)))
          target.chunks++
          const send =
            chunk.target === "ocamba" ? runOcambaChunk(context, job, chunk) : runCopernicaChunk(context, job, chunk)
          yield* FiberSet.run(
            fibers,
            send.pipe(
              Effect.catchAll((error) => Deferred.fail(fatal, error)),
              Effect.asVoid,
              Effect.ensuring(permit.release(1))
            )
          )
        })

      const addRow = (
        name: TargetName,
        row: ChunkRow,
        valid: Mapping.ValidRow,
        line: number
      ): Effect.Effect<void, SyncError> =>
        Effect.gen(function* () {
          const target = targets[name]!
          if (name === "ocamba") {
            const chunker = ocambaChunker!
            let added = chunker.add(row, valid.profile)
            if (added === "Full") {
              const sealed = yield* chunker.seal
              if (sealed !== undefined) yield* dispatch(sealed)
              added = chunker.add(row, valid.profile)
            }
            if (typeof added === "object") {
              target.rejectHere("row too large for an Ocamba import file")
              rejects.add(
                {
                  row: valid.rowNumber,
                  line,
                  key: valid.key,
                  code: "RowTooLarge",
                  field: null,
                  column: null,
                  value: "",
                  reason: `the row needs ${added.bytes} bytes in an Ocamba import file, over maxFileBytes (${config.targets.ocamba!.maxFileBytes})`,
                  targets: ["ocamba"]
                },
                "row too large for an Ocamba import file"
              )
              return
            }
          } else {
            const chunker = copernicaChunker!
            if (chunker.add(row, valid.profile) === "Full") {
              const taken = chunker.take()
              if (taken !== undefined) yield* dispatch(taken)
              chunker.add(row, valid.profile)
            }
          }
          // A dry run counts what it would send; a real run counts what the vendor confirms.
          if (dryRun) {
            if (row.created) target.created++
            else target.updated++
          }
        })

      const processBatch = (items: Chunk.Chunk<Source.SourceItem>): Effect.Effect<void, SyncError> =>
        Effect.gen(function* () {
          const accepted: Array<{
            readonly row: Mapping.ValidRow
            readonly line: number
            readonly targets: ReadonlyArray<TargetName>
          }> = []
          const seen: Array<string> = []
          for (const item of items) {
            rowsRead++
            if (item._tag === "SourceRowRejected") {
              unkeyed++
              const { line, summary } = Rejects.fromSourceRejection(item, selected, fieldOfColumn)
              rejects.add(line, summary)
              rejectEverywhere(summary)
              continue
            }
            if (!headerChecked) {
              headerChecked = true
              const missing = mapper.missingColumns(Object.keys(item.values))
              if (missing.length > 0) {
                return yield* Effect.fail(
                  syncError(SyncErrorReason.MissingColumns({ source: opened.source.name, columns: missing }))
                )
              }
            }
            const mapped = mapper.mapRow({ rowNumber: item.rowNumber, values: item.values })
            const key = mapped.key
            if (DeleteGuard.keyUncertain(mapped, config.key)) unkeyed++
            if (key !== undefined) {
              const first = firstRowOf.get(key)
              if (first !== undefined) {
                duplicates++
                rejectEverywhere("duplicate key")
                const field = key.slice(0, key.indexOf(":"))
                rejects.add(
                  {
                    row: item.rowNumber,
                    line: item.line,
                    key,
                    code: "DuplicateKey",
                    field,
                    column: config.fields[field]?.column ?? field,
                    value: key.slice(field.length + 1),
                    reason: `duplicate key: row ${first} has the same key, and the first row with a key wins`,
                    targets: selected
                  },
                  "duplicate key"
                )
                continue
              }
              firstRowOf.set(key, item.rowNumber)
              seen.push(key)
            }
            const reasons = mapped._tag === "Rejected" ? mapped.reasons : mapped.rejections
            // The first reason of the row, and per target the first that concerns it: each row counts once.
            let firstReason: string | undefined
            const firstReasonFor = new Map<TargetName, string>()
            for (const reason of reasons) {
              const relevant = reason.targets.filter((target) => selectedSet.has(target))
              if (relevant.length === 0) continue
              const summary = Rejects.summaryOf(reason.field, reason.message)
              firstReason ??= summary
              for (const target of relevant) if (!firstReasonFor.has(target)) firstReasonFor.set(target, summary)
              rejects.add(
                {
                  row: item.rowNumber,
                  line: item.line,
                  ...(key === undefined ? {} : { key }),
                  code: "InvalidValue",
                  field: reason.field,
                  column: reason.column,
                  value: reason.value,
                  reason: reason.message,
                  targets: relevant
                },
                summary
              )
            }
            const takers = mapped._tag === "Valid" ? mapped.targets.filter((target) => selectedSet.has(target)) : []
            const accepting =
              mapped._tag === "Valid" && takers.length > 0
                ? collisions.filter({ rowNumber: item.rowNumber, line: item.line, key: mapped.key }, takers, rejects)
                : takers
            for (const target of takers) {
              if (accepting.includes(target)) continue
              firstReason ??= Collisions.collisionSummary
              if (!firstReasonFor.has(target)) firstReasonFor.set(target, Collisions.collisionSummary)
            }
            if (mapped._tag === "Rejected" || accepting.length === 0) {
              rejectEverywhere(firstReason ?? "no selected target takes the row")
              continue
            }
            for (const target of targetRuns) {
              if (!accepting.includes(target.name)) {
                target.rejectHere(firstReasonFor.get(target.name) ?? `not a row for ${target.name}`)
              }
            }
            accepted.push({ row: mapped, line: item.line, targets: accepting })
          }

          for (const target of targetRuns) {
            const name = target.name
            // Every key the source holds is seen, sent or not: what is not seen is what left the source.
            if (!dryRun) yield* write(context, state.markSeen(sync, name, runId, seen))
            const keys = dryRun
              ? seen
              : accepted.filter((entry) => entry.targets.includes(name)).map((entry) => entry.row.key)
            const known =
              keys.length === 0
                ? new Map<string, SyncState.RecordState>()
                : yield* write(context, state.lookup(sync, name, keys))
            if (dryRun) for (const record of known.values()) if (Option.isSome(record.hash)) confirmedSeen[name]++
            for (const entry of accepted) {
              if (!entry.targets.includes(name)) continue
              const hash = mapper.contentHash(entry.row.profile, name)
              const record = known.get(entry.row.key)
              if (record !== undefined && Option.contains(record.hash, hash)) {
                // Confirmed by a resumed job in this run: counted as that job's outcome, once.
                const resumedCreated = target.confirmedByResumedJobs.get(entry.row.key)
                if (resumedCreated === undefined) target.unchanged++
                else if (resumedCreated) target.created++
                else target.updated++
                continue
              }
              if (record?.deadLettered === true && Option.contains(record.failedHash, hash) && !replayAll) {
                target.skippedDeadLetters++
                continue
              }
              if (!dryRun && (target.stopped || waiting[name].has(entry.row.key))) {
                target.failed++
                continue
              }
              const created = record === undefined || Option.isNone(record.hash)
              yield* addRow(name, { key: entry.row.key, hash, created }, entry.row, entry.line)
            }
            if (name === "ocamba") yield* ocambaChunker!.flush
          }
          yield* rejects.flush
          yield* progress("reading")
        })

      // Rows of chunks not sent count as failed: they go next run, and the report still accounts for every row read.
      const discardChunks = Effect.gen(function* () {
        if (ocambaChunker !== undefined) targets.ocamba!.failed += yield* ocambaChunker.discard
        const unsent = copernicaChunker?.take()
        if (unsent !== undefined) targets.copernica!.failed += unsent.rows.length
      })

      const reading = Effect.gen(function* () {
        // A stop before reading (during resumption) reads nothing.
        if (yield* Deferred.isDone(stopped)) return
        yield* opened.source.rows.pipe(
          Stream.mapError((error) => syncError(SyncErrorReason.SourceFailed({ reason: error.reason }))),
          Stream.rechunk(batchSize),
          Stream.interruptWhen(Deferred.await(stopped)),
          Stream.interruptWhen(Deferred.await(fatal)),
          Stream.runForEachChunk(processBatch)
        )
      })
      const read = yield* Effect.either(reading)
      if (ocambaChunker !== undefined) targets.ocamba!.neutralised = ocambaChunker.neutralised()
      if (copernicaChunker !== undefined) targets.copernica!.neutralised = copernicaChunker.neutralised()
      const stopping = yield* Deferred.isDone(stopped)
      if (Either.isLeft(read) || stopping) {
        // Rows of chunks not sent yet go next run; jobs already at the vendor are seen through and saved.
        yield* discardChunks
      } else {
        const lastOcamba = ocambaChunker === undefined ? undefined : yield* ocambaChunker.seal
        if (lastOcamba !== undefined) yield* dispatch(lastOcamba)
        const lastCopernica = copernicaChunker?.take()
        if (lastCopernica !== undefined) yield* dispatch(lastCopernica)
      }
      // Every job is out now: those done, and those still at the vendor (a dry run only counts what it would send).
      chunksTotal = dryRun ? chunksPlanned : chunksDone + (yield* FiberSet.size(fibers))
      yield* FiberSet.awaitEmpty(fibers)
      // Imports in doubt get a second look now that every other chunk is out.
      yield* settleDoubtful(context)
      yield* rejects.close
      const failure = yield* Deferred.poll(fatal)
      if (Option.isSome(failure)) yield* failure.value
      if (Either.isLeft(read)) return yield* Effect.fail(read.left)

      // --- 4. what left the source: only after a complete read ---
      if (!stopping) {
        for (const target of targetRuns) {
          const copernicaTarget = config.targets.copernica
          const deletes = target.name === "copernica" && copernicaTarget?.deleteMissing === true
          const verdict = (candidates: number, known: number) =>
            DeleteGuard.judge({
              candidates,
              known,
              unkeyed,
              maxShare: copernicaTarget?.maxDeleteShare ?? 0,
              allowMassDelete: options.allowMassDelete === true
            })
          if (dryRun) {
            // The run id is unknown to the store, so this counts every confirmed row of the target.
            const confirmed = yield* write(context, state.countDeletionCandidates(sync, target.name, runId))
            const missing = Math.max(0, confirmed - confirmedSeen[target.name])
            const judged = deletes ? verdict(missing, confirmed) : undefined
            if (judged?._tag === "Allowed") target.deleted = missing
            else target.pendingDeletes = missing
            if (judged?._tag === "Refused") target.note(`a real run would refuse: ${judged.message}`)
          } else if (deletes && !target.stopped) {
            const candidates = yield* write(context, state.countDeletionCandidates(sync, target.name, runId))
            // No run marks keys seen under this id, so every confirmed row of the target counts.
            const known = yield* write(context, state.countDeletionCandidates(sync, target.name, `${runId}/known`))
            const judged = verdict(candidates, known)
            if (judged._tag === "Allowed") yield* deleteMissing(context)
            else {
              target.pendingDeletes += candidates
              target.note(judged.message)
            }
          } else {
            target.pendingDeletes += yield* write(context, state.countDeletionCandidates(sync, target.name, runId))
          }
        }
      }

      // --- 5. Ocamba resync, when it received something ---
      const ocambaRun = targets.ocamba
      const resync = config.targets.ocamba === undefined ? undefined : Mapping.resyncRequest(config.targets.ocamba)
      if (!dryRun && ocambaRun !== undefined && ocambaRun.confirmed > 0 && resync !== undefined) {
        yield* progress("resyncing", "ocamba")
        const resynced = yield* Effect.either(ocamba.resync(resync.resync))
        if (Either.isLeft(resynced)) ocambaRun.note(`Ocamba resync failed: ${resynced.left.message}`)
      }

      const status: Sync.RunReport["status"] = stopping
        ? "interrupted"
        : targetRuns.every((target) => target.stopped)
          ? "failed"
          : targetRuns.some((target) => target.stopped || target.failed > 0 || target.errors.length > 0)
            ? "partial"
            : "succeeded"
      const report = yield* buildReport(status)
      yield* write(context, finishRun(report))
      yield* progress("done")
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
      Effect.onInterrupt(() => Effect.flatMap(buildReport("interrupted"), (report) => Effect.ignore(finishRun(report))))
    )
  })

/**
 * Plans a target's properties or fields and (unless `dryRun`) creates and updates what the config wants; `false`
 * when the target cannot be synced (a conflict a person must resolve, or the vendor failed).
 */
const prepare = (context: JobContext, target: TargetRun, dryRun: boolean): Effect.Effect<boolean> => {
  const config = context.config
  if (target.name === "ocamba") {
    const ocambaTarget = config.targets.ocamba!
    return Effect.gen(function* () {
      yield* context.progress("planning", "ocamba")
      const existing = yield* context.ocamba.allProperties
      const plan = Mapping.planOcambaProperties(ocambaTarget, existing)
      const problems = [
        ...plan.conflicts.map((conflict) => `${conflict.label}: ${conflict.message}`),
        ...plan.systemMissing.map((label) => `${label}: Ocamba has no system property with this label`)
      ]
      if (problems.length > 0) {
        target.stop(`Ocamba properties need a decision before anything is sent: ${problems.join("; ")}`)
        return false
      }
      if (dryRun) {
        target.propertiesCreated = plan.create.length
        target.propertiesUpdated = plan.update.length
        return true
      }
      for (const body of plan.create) {
        yield* context.ocamba.createProperty(body)
        target.propertiesCreated++
      }
      for (const update of plan.update) {
        yield* context.ocamba.updateProperty(update.id, update.patch)
        target.propertiesUpdated++
      }
      return true
    }).pipe(
      Effect.catchAll((error) =>
        Effect.sync(() => {
          target.stop(`Ocamba: preparing the properties failed (${error.message})`)
          return false
        })
      )
    )
  }
  const copernicaTarget = config.targets.copernica!
  return Effect.gen(function* () {
    yield* context.progress("planning", "copernica")
    const existing = yield* context.copernica.allFields(copernicaTarget.database)
    const plan = Mapping.planCopernicaFields(config, existing)
    if (plan.conflicts.length > 0) {
      target.stop(
        `Copernica fields need a decision before anything is sent: ${plan.conflicts
          .map((conflict) => `${conflict.label}: ${conflict.message}`)
          .join("; ")}`
      )
      return false
    }
    if (dryRun) {
      target.fieldsCreated = plan.create.length
      return true
    }
    for (const body of plan.create) {
      yield* context.copernica.createField(copernicaTarget.database, body)
      target.fieldsCreated++
    }
    return true
  }).pipe(
    Effect.catchAll((error) =>
      Effect.sync(() => {
        target.stop(`Copernica: preparing the fields failed (${error.message})`)
        return false
      })
    )
  )
}

/** Removes import files no job in flight needs (what crashed runs left behind); answers the jobs in flight. */
const removeStaleFiles = (context: JobContext): Effect.Effect<ReadonlyArray<SyncState.Job>, SyncError> =>
  Effect.gen(function* () {
    const inFlight = yield* write(context, context.state.inFlightJobs(context.config.name))
    const keep = new Set(
      inFlight
        .filter((job) => job.target === "ocamba")
        .map((job) => basename(chunkFile(context.directory, job.runId, job.chunk)))
    )
    const names = yield* Effect.promise(() => readdir(context.directory).catch(() => [] as Array<string>))
    for (const name of names) {
      if (/-ocamba-\d+\.csv$/.test(name) && !keep.has(name)) {
        yield* Effect.promise(() => rm(join(context.directory, name), { force: true }).catch(() => undefined))
      }
    }
    return inFlight
  })
