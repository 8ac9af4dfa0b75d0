/**
 * The run's own counters (rows read and rejected, duplicates, unkeyed rows, jobs done), held in a `Ref`, and its
 * progress, published on a `PubSub` as a snapshot of those counters at each step. The reading loop counts a batch
 * into a plain {@link BatchCounts} and adds it once per batch.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import type * as Sync from "../../Sync.ts"
import type { TargetName } from "../target/Target.ts"

/** @internal */
export interface Counters {
  readonly rowsRead: number
  /** Rows every selected target refused. */
  readonly rowsRejected: number
  /** Those rows by the kind of each row's first reason: they add up to `rowsRejected`. */
  readonly rejectReasons: Readonly<Record<string, number>>
  readonly duplicates: number
  /** Rows whose key is unknown (unreadable, keyless, or a key field refused): while there are any, nothing is absent. */
  readonly unkeyed: number
  /** Vendor jobs finished in this run (resumed ones included). */
  readonly chunksDone: number
  /** Chunks sealed in this run (what a dry run would send). */
  readonly chunksPlanned: number
  /** Known once the whole source was read. */
  readonly chunksTotal: number | undefined
}

/** What one batch adds. @internal */
export interface BatchCounts {
  rowsRead: number
  duplicates: number
  unkeyed: number
  /** Rows every selected target refused, by reason. */
  readonly rejected: Map<string, number>
}

/** @internal */
export const emptyBatch = (): BatchCounts => ({ rowsRead: 0, duplicates: 0, unkeyed: 0, rejected: new Map() })

/** @internal */
export interface RunCounters {
  readonly get: Effect.Effect<Counters>
  readonly addBatch: (batch: BatchCounts) => Effect.Effect<void>
  readonly update: (f: (counters: Counters) => Counters) => Effect.Effect<void>
  /** Publishes where the run is. */
  readonly progress: (phase: Sync.Progress["phase"], target?: TargetName) => Effect.Effect<void>
  /** Every progress event of the run, in order; `None` once the run ended (after `done`, or without one). */
  readonly events: PubSub.PubSub<Option.Option<Sync.Progress>>
  /** Ends the events. */
  readonly end: Effect.Effect<void>
}

/** @internal */
export const make: Effect.Effect<RunCounters> = Effect.gen(function* () {
  const ref = yield* Ref.make<Counters>({
    rowsRead: 0,
    rowsRejected: 0,
    rejectReasons: {},
    duplicates: 0,
    unkeyed: 0,
    chunksDone: 0,
    chunksPlanned: 0,
    chunksTotal: undefined
  })
  const events = yield* PubSub.unbounded<Option.Option<Sync.Progress>>()
  return {
    get: Ref.get(ref),
    update: (f) => Ref.update(ref, f),
    addBatch: (batch) =>
      Ref.update(ref, (counters) => {
        let rejected = 0
        const rejectReasons = { ...counters.rejectReasons }
        for (const [summary, count] of batch.rejected) {
          rejected += count
          rejectReasons[summary] = (rejectReasons[summary] ?? 0) + count
        }
        return {
          ...counters,
          rowsRead: counters.rowsRead + batch.rowsRead,
          rowsRejected: counters.rowsRejected + rejected,
          rejectReasons,
          duplicates: counters.duplicates + batch.duplicates,
          unkeyed: counters.unkeyed + batch.unkeyed
        }
      }),
    progress: (phase, target) =>
      Effect.flatMap(Ref.get(ref), (counters) =>
        PubSub.publish(
          events,
          Option.some({
            phase,
            ...(target === undefined ? {} : { target }),
            rowsRead: counters.rowsRead,
            rowsRejected: counters.rowsRejected,
            chunksDone: counters.chunksDone,
            ...(counters.chunksTotal === undefined ? {} : { chunksTotal: counters.chunksTotal })
          })
        )
      ),
    events,
    end: PubSub.publish(events, Option.none())
  }
})
