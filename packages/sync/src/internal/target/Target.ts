/**
 * The one interface every vendor a sync writes to implements, and what the run hands each of them. The run loop
 * (`syncEngine.ts` and `engine/*`) knows targets only through this interface; each vendor lives in its own folder
 * (`ocamba/`, `copernica/`) and is listed once in `targets.ts`.
 *
 * A target's life in a run: `prepare` (plan and create its properties or fields) before its first chunk; rows go
 * into its `chunker`; every sealed chunk is journaled by the engine and handed to `send` (submit, poll, read the
 * results, commit them); `resume` ends jobs an earlier run left in flight; `settleDoubt` takes a last look at jobs
 * whose submission is in doubt; `deletes` and `deleteMissing` remove what left the source; `afterRun` does what the
 * vendor needs once the rows are in (Ocamba's resync).
 *
 * @internal
 */
import type * as Mapping from "@profilesync/core/Mapping"
import type * as Effect from "effect/Effect"
import type * as Sync from "../../Sync.ts"
import type * as SyncConfig from "../../SyncConfig.ts"
import type * as SyncState from "../../SyncState.ts"
import type { SyncError } from "../syncError.ts"
import type { Tally } from "./tally.ts"

/** @internal */
export type TargetName = Sync.TargetName

/**
 * A row of a chunk: its key, the content hash sent, whether the target never confirmed it before, and (Copernica)
 * the JSON of the key field values the profile is matched on, kept as its vendor id so it can be deleted later.
 *
 * @internal
 */
export interface ChunkRow {
  readonly key: string
  readonly hash: string
  readonly created: boolean
  readonly identity?: string | undefined
}

/**
 * One vendor job's rows, sealed by a target's chunker. The vendor's payload stays with the chunk's own `send`, so
 * the engine never needs to know what an import file or an import body is.
 *
 * @internal
 */
export interface Chunk {
  readonly number: number
  readonly rows: ReadonlyArray<ChunkRow>
  /** Submits the chunk as the journaled `job` and sees it through: polled, its results read and committed. */
  readonly send: (job: SyncState.Job) => Effect.Effect<void, SyncError>
  /** Releases what a chunk that will not be sent holds (an Ocamba chunk's import file). */
  readonly drop: Effect.Effect<void>
}

/**
 * What adding a row to a chunker did: `Full` asks the engine to seal the chunk and add the row again; `TooLarge`
 * means the row alone exceeds one job: `reason` says so in the rejects file, `summary` is its kind in the report.
 *
 * @internal
 */
export type AddResult =
  | "Added"
  | "Full"
  | { readonly _tag: "TooLarge"; readonly summary: string; readonly reason: string }

/** Cuts a target's rows into chunks. @internal */
export interface Chunker {
  readonly add: (row: ChunkRow, profile: Mapping.CanonicalProfile) => AddResult
  /** Writes what is buffered, once it is large (called after every batch). */
  readonly flush: Effect.Effect<void, SyncError>
  /** Ends the current chunk (`undefined` when it holds no row) and starts the next. */
  readonly seal: Effect.Effect<Chunk | undefined, SyncError>
  /** Drops the unsent current chunk (a run that stops before sending it); its rows, counted. */
  readonly discard: Effect.Effect<number>
  /** Values neutralised against spreadsheet formulas so far. */
  readonly neutralised: () => number
}

/** When a target deletes the profiles that left the source. @internal */
export interface DeletePolicy {
  /** `maxDeleteShare`: the share of its known profiles one run may delete without `allowMassDelete`. */
  readonly maxShare: number
}

/** @internal */
export interface Target {
  readonly name: TargetName
  /** Jobs the target may have at the vendor at once: reading waits (and memory stays flat) when they are all out. */
  readonly jobsInFlight: number
  /** The target's counters and problems in this run. */
  readonly tally: Tally
  /**
   * Plans the target's properties or fields and (unless a dry run) creates what the config wants; `false` when the
   * target cannot be synced (a conflict a person must resolve, or the vendor failed), which it notes in its tally.
   */
  readonly prepare: Effect.Effect<boolean>
  /** A new chunker for this run. */
  readonly chunker: Effect.Effect<Chunker>
  /**
   * Ends a job an earlier run left in flight, counting into `tally` (a stand-in the engine merges, so the rows the
   * job confirms are counted once, by the diff).
   */
  readonly resume: (job: SyncState.Job, tally: Tally) => Effect.Effect<void, SyncError>
  /** Takes a last look at this run's jobs whose submission is in doubt, once every chunk is out. */
  readonly settleDoubt: Effect.Effect<void, SyncError>
  /** `undefined` when the target deletes nothing (the config does not ask for it, or the vendor cannot). */
  readonly deletes: DeletePolicy | undefined
  /**
   * Deletes the confirmed profiles this run did not see (only called when `deletes` allows it), except those of
   * `waiting`: rows of jobs still in flight or in doubt, which the run that settles their job decides.
   */
  readonly deleteMissing: (waiting: ReadonlySet<string>) => Effect.Effect<void, SyncError>
  /** Removes what crashed runs left behind that none of the jobs in flight needs (Ocamba import files). */
  readonly cleanUp: (inFlight: ReadonlyArray<SyncState.Job>) => Effect.Effect<void>
  /** What the vendor needs once this run's rows are in (Ocamba: resync integrations); a real run only. */
  readonly afterRun: Effect.Effect<void>
}

/** Poll settings in milliseconds. @internal */
export interface Polling {
  readonly initialDelay: number
  readonly maxDelay: number
  readonly timeout: number
}

/** What the run hands every target. @internal */
export interface RunContext {
  readonly config: SyncConfig.SyncConfig
  readonly runId: string
  readonly dryRun: boolean
  readonly state: SyncState.SyncStateService
  readonly lock: SyncState.Lock
  readonly mapper: Mapping.Mapper
  readonly polling: Polling
  /**
   * The run's time budget for waiting on a vendor's open circuit breaker (epoch milliseconds): the run's start plus
   * the poll timeout. Until then a chunk that meets an open breaker waits for it to half-open and goes on.
   */
  readonly deadline: number
  /** Completes when the run's stop signal arrived. */
  readonly stopped: Effect.Effect<void>
  /** Where import files are written (a real run only). */
  readonly directory: string
  readonly progress: (phase: Sync.Progress["phase"], target?: TargetName) => Effect.Effect<void>
  /** Counts a finished job for the progress. */
  readonly jobDone: Effect.Effect<void>
}
