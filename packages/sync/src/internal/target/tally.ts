/**
 * A target's counters and problems in one run, held in a `Ref` and turned into its `TargetReport` at the end. Hot
 * loops count into a plain {@link Counts} object per batch and add it once, so a million rows cost a thousand
 * updates, not a million.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Sync from "../../Sync.ts"
import type { TargetName } from "./Target.ts"

/** The numeric counters of a target (its report's, plus `confirmed`). @internal */
export type Counter =
  | "created"
  | "updated"
  | "unchanged"
  | "deleted"
  | "failed"
  | "deadLettered"
  | "chunks"
  | "propertiesCreated"
  | "propertiesUpdated"
  | "fieldsCreated"
  | "pendingDeletes"
  | "rejected"
  | "rejectedOnlyHere"
  | "skippedDeadLetters"
  | "deadLettersReplayed"
  | "resumedJobs"
  | "neutralised"
  | "deletesRefused"
  /** Rows the vendor confirmed in this run: an Ocamba resync is worth sending only when there are some. */
  | "confirmed"

/** Some counters to add. @internal */
export type Counts = Partial<Record<Counter, number>>

/** @internal */
export interface TallyState {
  readonly counts: Readonly<Record<Counter, number>>
  /** Rows only this target refused, by the kind of each row's first reason. */
  readonly rejectReasons: Readonly<Record<string, number>>
  readonly vendorJobs: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
  /** Set by a problem that makes sending more chunks pointless (the vendor is down, a plan needs a person). */
  readonly stopped: boolean
  /** Dry run: the first keys of the profiles that left the source. */
  readonly missingKeys: ReadonlyArray<string> | undefined
}

/** @internal */
export interface Tally {
  readonly name: TargetName
  readonly add: (counts: Counts) => Effect.Effect<void>
  /** Counts rows only this target refused (`rejected`, `rejectedOnlyHere`), by reason. */
  readonly rejectHere: (reasons: ReadonlyMap<string, number>) => Effect.Effect<void>
  readonly vendorJob: (...ids: ReadonlyArray<string>) => Effect.Effect<void>
  readonly note: (message: string) => Effect.Effect<void>
  readonly setMissingKeys: (keys: ReadonlyArray<string>) => Effect.Effect<void>
  readonly stop: (message: string) => Effect.Effect<void>
  /** Stops the target without a message (its reason is already among the errors). */
  readonly halt: Effect.Effect<void>
  readonly stopped: Effect.Effect<boolean>
  readonly get: Effect.Effect<TallyState>
  readonly report: Effect.Effect<Sync.TargetReport>
  /**
   * The rows jobs of earlier runs confirmed in this run, with whether each was new. A job counts its confirmed rows
   * here instead of as created or updated when the tally is a resumption's stand-in (`resumption: true`); the diff
   * then counts each once.
   */
  readonly resumedRows: Map<string, boolean>
  readonly resumption: boolean
}

const zero: Record<Counter, number> = {
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  deadLettered: 0,
  chunks: 0,
  propertiesCreated: 0,
  propertiesUpdated: 0,
  fieldsCreated: 0,
  pendingDeletes: 0,
  rejected: 0,
  rejectedOnlyHere: 0,
  skippedDeadLetters: 0,
  deadLettersReplayed: 0,
  resumedJobs: 0,
  neutralised: 0,
  deletesRefused: 0,
  confirmed: 0
}

const addCounts = (counts: Readonly<Record<Counter, number>>, more: Counts): Record<Counter, number> => {
  const sum = { ...counts }
  for (const [counter, value] of Object.entries(more) as Array<[Counter, number | undefined]>) {
    if (value !== undefined) sum[counter] += value
  }
  return sum
}

/**
 * A target's tally. `resumedRows` is shared with the stand-in of a resumption (see {@link Tally.resumedRows}).
 *
 * @internal
 */
export const make = (
  name: TargetName,
  options: { readonly resumedRows?: Map<string, boolean> } = {}
): Effect.Effect<Tally> =>
  Effect.map(
    Ref.make<TallyState>({
      counts: zero,
      rejectReasons: {},
      vendorJobs: [],
      errors: [],
      stopped: false,
      missingKeys: undefined
    }),
    (ref): Tally => ({
      name,
      add: (more) => Ref.update(ref, (state) => ({ ...state, counts: addCounts(state.counts, more) })),
      rejectHere: (reasons) =>
        Ref.update(ref, (state) => {
          let rows = 0
          const rejectReasons = { ...state.rejectReasons }
          for (const [summary, count] of reasons) {
            rows += count
            rejectReasons[summary] = (rejectReasons[summary] ?? 0) + count
          }
          return {
            ...state,
            rejectReasons,
            counts: addCounts(state.counts, { rejected: rows, rejectedOnlyHere: rows })
          }
        }),
      vendorJob: (...ids) => Ref.update(ref, (state) => ({ ...state, vendorJobs: [...state.vendorJobs, ...ids] })),
      note: (message) => Ref.update(ref, (state) => ({ ...state, errors: [...state.errors, message] })),
      stop: (message) => Ref.update(ref, (state) => ({ ...state, stopped: true, errors: [...state.errors, message] })),
      setMissingKeys: (keys) => Ref.update(ref, (state) => ({ ...state, missingKeys: [...keys] })),
      halt: Ref.update(ref, (state) => ({ ...state, stopped: true })),
      stopped: Effect.map(Ref.get(ref), (state) => state.stopped),
      get: Ref.get(ref),
      report: Effect.map(Ref.get(ref), ({ counts, errors, missingKeys, rejectReasons, vendorJobs }) => ({
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        deleted: counts.deleted,
        failed: counts.failed,
        deadLettered: counts.deadLettered,
        chunks: counts.chunks,
        vendorJobs: [...vendorJobs],
        propertiesCreated: counts.propertiesCreated,
        propertiesUpdated: counts.propertiesUpdated,
        fieldsCreated: counts.fieldsCreated,
        pendingDeletes: counts.pendingDeletes,
        rejected: counts.rejected,
        rejectedOnlyHere: counts.rejectedOnlyHere,
        rejectReasons: { ...rejectReasons },
        skippedDeadLetters: counts.skippedDeadLetters,
        deadLettersReplayed: counts.deadLettersReplayed,
        resumedJobs: counts.resumedJobs,
        neutralised: counts.neutralised,
        deletesRefused: counts.deletesRefused,
        errors: [...errors],
        ...(missingKeys === undefined ? {} : { missingKeys: [...missingKeys] })
      })),
      resumedRows: options.resumedRows ?? new Map(),
      resumption: options.resumedRows !== undefined
    })
  )
