/**
 * The reading pass of a run: the source streamed in batches of 1,000 rows, each row mapped (a bad row goes to the
 * rejects file and the others go on), de-duplicated by key and marked seen; each batch's keys looked up in the
 * state and every row compared by content hash per target; new and changed rows added to the targets' chunks,
 * which are sent while reading goes on. Once the source is read (or the run stops), the last chunks go (or are
 * dropped), every job is seen through and jobs in doubt get a last look.
 *
 * @internal
 */
import type * as Mapping from "@profilesync/core/Mapping"
import type * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Source from "../../Source.ts"
import type * as SyncState from "../../SyncState.ts"
import * as Collisions from "../syncCollisions.ts"
import * as DeleteGuard from "../syncDeleteGuard.ts"
import { type SyncError, SyncErrorReason, syncError } from "../syncError.ts"
import * as FirstRows from "../syncFirstRows.ts"
import * as Rejects from "../syncRejects.ts"
import type { OpenedSource } from "../syncSource.ts"
import { columnPath } from "../syncSourceSchema.ts"
import { write } from "../target/job.ts"
import type { RunContext, Target, TargetName } from "../target/Target.ts"
import type { Counts } from "../target/tally.ts"
import * as LanesModule from "./lanes.ts"
import { bump, type Lane, type Lanes } from "./lanes.ts"
import { type BatchCounts, emptyBatch, type RunCounters } from "./runCounters.ts"

/** Source rows per batch: one state lookup per target per batch. */
const batchSize = 1000

/**
 * Keys marked seen per `markSeen` (one transaction): a mark only matters to the deletions after a complete read, so
 * marks gather over batches rather than costing a transaction per batch; what is left is marked when reading ends.
 */
const seenPerMark = 20_000

/** @internal */
export interface ReadOptions {
  readonly context: RunContext
  readonly counters: RunCounters
  readonly targets: ReadonlyArray<Target>
  readonly ready: ReadonlyMap<string, Effect.Effect<boolean>>
  readonly waiting: ReadonlyMap<string, ReadonlySet<string>>
  readonly opened: OpenedSource
  readonly rejects: Rejects.RejectsWriter
  /** Completes when the run should stop reading. */
  readonly stopped: Deferred.Deferred<void>
  /** Dry run with `replayDeadLetters`: dead letters count as rows to send. */
  readonly replayAll: boolean
}

/** What a read found out that the rest of the run needs. @internal */
export interface ReadResult {
  /** The stop signal arrived: nothing is deleted. */
  readonly stopping: boolean
  /** Every key the source holds (a dry run marks none seen, so its deletions are counted against these). */
  readonly sourceKeys: { readonly has: (key: string) => boolean }
}

interface Accepted {
  readonly row: Mapping.ValidRow
  readonly line: number
  readonly targets: ReadonlyArray<TargetName>
}

/** One batch's counts per target, added to its tally once the batch is done. */
interface TargetBatch {
  readonly counts: Counts
  /** Rows only this target refused, by reason. */
  readonly onlyHere: Map<string, number>
}

const sourceFailed = (error: Source.SourceError): SyncError =>
  syncError(SyncErrorReason.SourceFailed({ reason: error.reason }))

/** Reads the source, sends its chunks and sees every job through. @internal */
export const read = (options: ReadOptions): Effect.Effect<ReadResult, SyncError, Scope.Scope> =>
  Effect.gen(function* () {
    const { context, counters, opened, rejects } = options
    const { config, mapper } = context
    const selected = options.targets.map((target) => target.name)
    const selectedSet: ReadonlySet<TargetName> = new Set(selected)
    // A job that fails with a state error ends the run: reading stops at once.
    const fatal = yield* Deferred.make<void, SyncError>()
    // Rows a vendor would merge into one profile are known only after a whole pass over the source.
    const collisions = yield* Collisions.scan(opened.source, mapper, config, selected).pipe(
      Effect.mapError(sourceFailed)
    )
    const { awaitJobs, lanes, running }: Lanes = yield* LanesModule.make({ ...options, fatal })
    const fieldOfColumn = (column: string) =>
      Object.entries(config.fields).find(([name, field]) => (field.column ?? name) === column)?.[0]
    // The first row of each key: later rows with the key are duplicates. Held compactly (11–21 bytes per key, the
    // keys in a temporary file) until the run ends, since a dry run's deletions are counted against them.
    const keyFile = yield* Effect.acquireRelease(Effect.sync(FirstRows.openValueFile), (file) =>
      Effect.sync(file.close)
    )
    const firstRowOf = FirstRows.make(keyFile)
    let headerChecked = !opened.hasHeader
    // Keys seen and not marked yet, per target.
    const unmarked = new Map<TargetName, Array<string>>()
    const markSeen = (name: TargetName, keys: ReadonlyArray<string>, all: boolean): Effect.Effect<void, SyncError> =>
      Effect.suspend(() => {
        if (context.dryRun) return Effect.void
        const pending = unmarked.get(name) ?? []
        for (const key of keys) pending.push(key)
        if (!all && pending.length < seenPerMark) {
          unmarked.set(name, pending)
          return Effect.void
        }
        unmarked.delete(name)
        return write(context, context.state.markSeen(config.name, name, context.runId, pending))
      })

    /** Maps, rejects and de-duplicates the rows of a batch; answers the accepted rows and every key seen. */
    const classify = (
      items: Chunk.Chunk<Source.SourceItem>,
      batch: BatchCounts,
      perTarget: ReadonlyMap<TargetName, TargetBatch>
    ): Effect.Effect<{ readonly accepted: ReadonlyArray<Accepted>; readonly seen: ReadonlyArray<string> }, SyncError> =>
      Effect.suspend(() => {
        const accepted: Array<Accepted> = []
        const seen: Array<string> = []
        const rejectEverywhere = (summary: string) =>
          batch.rejected.set(summary, (batch.rejected.get(summary) ?? 0) + 1)
        for (const item of items) {
          batch.rowsRead++
          if (item._tag === "SourceRowRejected") {
            batch.unkeyed++
            const { line, summary } = Rejects.fromSourceRejection(item, selected, fieldOfColumn)
            rejects.add(line, summary)
            rejectEverywhere(summary)
            continue
          }
          if (!headerChecked) {
            headerChecked = true
            const missing = mapper.missingColumns(Object.keys(item.values))
            if (missing.length > 0) {
              return Effect.fail(
                syncError(
                  SyncErrorReason.MissingColumns({
                    source: opened.source.name,
                    columns: missing.map((column) => ({ ...column, path: columnPath(config, column.field) }))
                  })
                )
              )
            }
          }
          const mapped = mapper.mapRow({ rowNumber: item.rowNumber, values: item.values })
          const key = mapped.key
          if (DeleteGuard.keyUncertain(mapped, config.key)) batch.unkeyed++
          if (key !== undefined) {
            const first = firstRowOf.claim(key, item.rowNumber)
            if (first !== undefined) {
              batch.duplicates++
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
          for (const [name, target] of perTarget) {
            if (accepting.includes(name)) continue
            const summary = firstReasonFor.get(name) ?? `not a row for ${name}`
            target.onlyHere.set(summary, (target.onlyHere.get(summary) ?? 0) + 1)
          }
          accepted.push({ row: mapped, line: item.line, targets: accepting })
        }
        return Effect.succeed({ accepted, seen })
      })

    /** Marks the batch's keys seen, looks them up and sends what is new or changed to one target. */
    const diff = (
      lane: Lane,
      accepted: ReadonlyArray<Accepted>,
      seen: ReadonlyArray<string>,
      batch: TargetBatch
    ): Effect.Effect<void, SyncError> =>
      Effect.gen(function* () {
        const { target } = lane
        const name = target.name
        const dryRun = context.dryRun
        // Every key the source holds is seen, sent or not: what is not seen is what left the source.
        yield* markSeen(name, seen, false)
        const keys = accepted.filter((entry) => entry.targets.includes(name)).map((entry) => entry.row.key)
        const known =
          keys.length === 0
            ? new Map<string, SyncState.RecordState>()
            : yield* write(context, context.state.lookup(config.name, name, keys))
        for (const entry of accepted) {
          if (!entry.targets.includes(name)) continue
          const hash = mapper.contentHash(entry.row.profile, name)
          const record = known.get(entry.row.key)
          if (record !== undefined && Option.contains(record.hash, hash)) {
            // Confirmed by a resumed job in this run: counted as that job's outcome, once.
            const resumedCreated = target.tally.resumedRows.get(entry.row.key)
            bump(batch.counts, resumedCreated === undefined ? "unchanged" : resumedCreated ? "created" : "updated")
            continue
          }
          if (record?.deadLettered === true && Option.contains(record.failedHash, hash) && !options.replayAll) {
            bump(batch.counts, "skippedDeadLetters")
            continue
          }
          if (!dryRun && ((yield* target.tally.stopped) || lane.waiting.has(entry.row.key))) {
            bump(batch.counts, "failed")
            continue
          }
          const created = record === undefined || Option.isNone(record.hash)
          yield* lane.addRow({ key: entry.row.key, hash, created }, entry.row, entry.line, batch)
        }
        yield* lane.chunker.flush
      })

    const processBatch = (items: Chunk.Chunk<Source.SourceItem>): Effect.Effect<void, SyncError> =>
      Effect.suspend(() => {
        const batch = emptyBatch()
        const perTarget = new Map<TargetName, TargetBatch>(
          lanes.map((lane) => [lane.target.name, { counts: {}, onlyHere: new Map() }])
        )
        // Counted also when the batch fails part way, so a failed run's report still says what was read.
        const commit = Effect.suspend(() => {
          let rejectedEverywhere = 0
          for (const count of batch.rejected.values()) rejectedEverywhere += count
          return Effect.zipRight(
            counters.addBatch(batch),
            Effect.forEach(
              lanes,
              ({ target }) => {
                const counts: Counts = { ...perTarget.get(target.name)?.counts }
                bump(counts, "rejected", rejectedEverywhere)
                return Effect.zipRight(
                  target.tally.add(counts),
                  target.tally.rejectHere(perTarget.get(target.name)?.onlyHere ?? new Map())
                )
              },
              { discard: true }
            )
          )
        })
        return Effect.gen(function* () {
          const { accepted, seen } = yield* classify(items, batch, perTarget)
          for (const lane of lanes) {
            const targetBatch = perTarget.get(lane.target.name)
            if (targetBatch !== undefined) yield* diff(lane, accepted, seen, targetBatch)
          }
          yield* rejects.flush
        }).pipe(Effect.ensuring(commit), Effect.zipRight(counters.progress("reading")))
      })

    const reading = Effect.gen(function* () {
      // A stop before reading (during resumption) reads nothing.
      if (yield* Deferred.isDone(options.stopped)) return
      yield* opened.source.rows.pipe(
        Stream.mapError(sourceFailed),
        Stream.rechunk(batchSize),
        Stream.interruptWhen(Deferred.await(options.stopped)),
        Stream.interruptWhen(Deferred.await(fatal)),
        Stream.runForEachChunk(processBatch)
      )
    })
    const result = yield* Effect.either(
      // The last marks, once the whole source is read (after a failure nothing is deleted: they would not matter).
      Effect.tap(reading, () =>
        Effect.forEach(lanes, (lane) => markSeen(lane.target.name, [], true), { discard: true })
      )
    )
    for (const { chunker, target } of lanes) yield* target.tally.add({ neutralised: chunker.neutralised() })
    const stopping = yield* Deferred.isDone(options.stopped)
    for (const lane of lanes) {
      if (Either.isLeft(result) || stopping) {
        // Rows of chunks not sent yet go next run (counted as failed); jobs already at the vendor are seen through.
        yield* lane.target.tally.add({ failed: yield* lane.chunker.discard })
      } else {
        const last = yield* lane.chunker.seal
        if (last !== undefined) yield* lane.dispatch(last)
      }
    }
    // Every job is out now: those done, and those still at the vendor (a dry run only counts what it would send).
    const jobsRunning = yield* running
    yield* counters.update((run) => ({
      ...run,
      chunksTotal: context.dryRun ? run.chunksPlanned : run.chunksDone + jobsRunning
    }))
    yield* awaitJobs
    // Jobs in doubt get a second look now that every other chunk is out.
    for (const target of options.targets) yield* target.settleDoubt
    yield* rejects.close
    const failure = yield* Deferred.poll(fatal)
    if (Option.isSome(failure)) yield* failure.value
    if (Either.isLeft(result)) return yield* Effect.fail(result.left)
    return { stopping, sourceKeys: { has: firstRowOf.has } }
  })
