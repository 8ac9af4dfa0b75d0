/**
 * A lane per target for the reading loop: the target's chunker, the permits that bound its jobs in flight, and the
 * dispatch of each sealed chunk as a journaled job on the run's fibers. Reading waits (and memory stays flat) while
 * a target has all its jobs out.
 *
 * @internal
 */
import type * as Mapping from "@profilesync/core/Mapping"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import type { SyncError } from "../syncError.ts"
import type * as Rejects from "../syncRejects.ts"
import { write } from "../target/job.ts"
import type { Chunk, Chunker, ChunkRow, RunContext, Target } from "../target/Target.ts"
import type { Counts } from "../target/tally.ts"
import type { RunCounters } from "./runCounters.ts"

/** @internal */
export interface Lane {
  readonly target: Target
  readonly chunker: Chunker
  /** Whether the target's properties or fields are ready (planned once, before its first chunk). */
  readonly ready: Effect.Effect<boolean>
  /** Rows of jobs still in flight or in doubt after resuming: the diff leaves them to the run that settles them. */
  readonly waiting: ReadonlySet<string>
  /** Sends a sealed chunk (or, in a dry run, counts it). */
  readonly dispatch: (chunk: Chunk) => Effect.Effect<void, SyncError>
  /**
   * Adds a row to the target's current chunk, sealing and dispatching the chunk when it is full; counts a row too
   * large for any chunk into `onlyHere` and the rejects file. A dry run counts what it would send in `counts`.
   */
  readonly addRow: (
    row: ChunkRow,
    valid: Mapping.ValidRow,
    line: number,
    batch: { readonly counts: Counts; readonly onlyHere: Map<string, number> }
  ) => Effect.Effect<void, SyncError>
}

/** @internal */
export interface Lanes {
  readonly lanes: ReadonlyArray<Lane>
  /** Jobs still at the vendor. */
  readonly running: Effect.Effect<number>
  /** Waits until every job dispatched is done. */
  readonly awaitJobs: Effect.Effect<void>
}

/** @internal */
export const bump = (counts: Counts, counter: keyof Counts, by = 1): void => {
  counts[counter] = (counts[counter] ?? 0) + by
}

/** @internal */
export const make = (options: {
  readonly context: RunContext
  readonly counters: RunCounters
  readonly targets: ReadonlyArray<Target>
  readonly ready: ReadonlyMap<string, Effect.Effect<boolean>>
  readonly waiting: ReadonlyMap<string, ReadonlySet<string>>
  readonly rejects: Rejects.RejectsWriter
  /** Fails with the error of a job that failed with a state error: it ends the run. */
  readonly fatal: Deferred.Deferred<void, SyncError>
}): Effect.Effect<Lanes, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { context, counters, rejects } = options
    const fibers = yield* FiberSet.make<void, never>()
    const lanes: Array<Lane> = []
    for (const target of options.targets) {
      const tally = target.tally
      const chunker = yield* target.chunker
      const permit = yield* Effect.makeSemaphore(target.jobsInFlight)
      const ready = options.ready.get(target.name) ?? Effect.succeed(false)

      const dispatch = (chunk: Chunk): Effect.Effect<void, SyncError> =>
        Effect.gen(function* () {
          yield* counters.update((run) => ({ ...run, chunksPlanned: run.chunksPlanned + 1 }))
          if (context.dryRun) return yield* tally.add({ chunks: 1 })
          const notSent = Effect.zipRight(tally.add({ failed: chunk.rows.length }), chunk.drop)
          if ((yield* tally.stopped) || !(yield* ready)) return yield* notSent
          yield* permit.take(1)
          // Another job may have stopped the target while this one waited for its turn.
          if (yield* tally.stopped) return yield* Effect.zipRight(permit.release(1), notSent)
          const job = yield* write(
            context,
            context.state.journalJob({
              sync: context.config.name,
              target: target.name,
              runId: context.runId,
              chunk: chunk.number,
              rows: chunk.rows.map(({ hash, key }) => ({ key, hash }))
            })
          ).pipe(Effect.onError(() => permit.release(1)))
          yield* tally.add({ chunks: 1 })
          yield* FiberSet.run(
            fibers,
            chunk.send(job).pipe(
              // The chunk's span, under the run's: its vendor calls and its vendor job are its children.
              Effect.withSpan("profilesync.sync.chunk", {
                attributes: {
                  "profilesync.sync": context.config.name,
                  "profilesync.target": target.name,
                  "profilesync.chunk": chunk.number,
                  "profilesync.job": job.id,
                  "profilesync.rows": chunk.rows.length
                }
              }),
              Effect.catchAll((error) => Deferred.fail(options.fatal, error)),
              Effect.asVoid,
              Effect.ensuring(permit.release(1))
            )
          )
        })

      const addRow: Lane["addRow"] = (row, valid, line, batch) =>
        Effect.gen(function* () {
          let added = chunker.add(row, valid.profile)
          if (added === "Full") {
            const sealed = yield* chunker.seal
            if (sealed !== undefined) yield* dispatch(sealed)
            added = chunker.add(row, valid.profile)
          }
          if (typeof added === "object") {
            batch.onlyHere.set(added.summary, (batch.onlyHere.get(added.summary) ?? 0) + 1)
            rejects.add(
              {
                row: valid.rowNumber,
                line,
                key: valid.key,
                code: "RowTooLarge",
                field: null,
                column: null,
                value: "",
                reason: added.reason,
                targets: [target.name]
              },
              added.summary
            )
            return
          }
          // A dry run counts what it would send; a real run counts what the vendor confirms.
          if (context.dryRun) bump(batch.counts, row.created ? "created" : "updated")
        })

      lanes.push({
        target,
        chunker,
        ready,
        waiting: options.waiting.get(target.name) ?? new Set(),
        dispatch,
        addRow
      })
    }
    return { lanes, running: FiberSet.size(fibers), awaitJobs: FiberSet.awaitEmpty(fibers) }
  })
