/**
 * The error of `SyncState.ts`: one tagged error with a reason per way a store operation fails, and a message for each
 * that names what failed and, where the user can act, what to do.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as SyncState from "../SyncState.ts"

/**
 * Why a state store operation failed.
 *
 * **Details**
 *
 * - `StoreFailed`: the database failed (unreachable, busy past the timeout, a constraint); `operation` names what was
 *   being done. Nothing was committed.
 * - `Locked`: another owner holds the lock, since `since`, until `expiresAt` unless it renews it.
 * - `LockLost`: a held lock expired (heartbeats failed) or was taken over; stop writing.
 * - `NotFound`: no run or job with that id.
 * - `InvalidTransition`: a job cannot move from its status to the one asked for (e.g. a finished job to started).
 * - `UnsupportedDialect`: the `SqlClient` is neither SQLite nor PostgreSQL.
 * - `MissingDriver`: the store's driver (`packageName`, a peer dependency) is not installed.
 *
 * @since 0.1.0
 * @category errors
 */
export type SyncStateErrorReason = Data.TaggedEnum<{
  StoreFailed: { readonly operation: string; readonly cause: unknown }
  Locked: { readonly name: string; readonly owner: string; readonly since: Date; readonly expiresAt: Date }
  LockLost: { readonly name: string; readonly owner: string }
  NotFound: { readonly entity: "run" | "job"; readonly id: string }
  InvalidTransition: {
    readonly jobId: string
    readonly from: SyncState.JobStatus
    readonly to: SyncState.JobStatus
  }
  UnsupportedDialect: { readonly dialect: string }
  MissingDriver: { readonly store: "sqlite" | "postgres"; readonly packageName: string }
}>

/**
 * Constructors and guards for {@link SyncStateErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SyncStateErrorReason = Data.taggedEnum<SyncStateErrorReason>()

// With the causes below it (a failed migration's SQL error, a driver's error), which say what actually went wrong.
const causeMessage = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const inner: unknown = cause.cause
  return inner instanceof Error ? `${cause.message}: ${causeMessage(inner)}` : cause.message
}

const storeNames = { sqlite: "SQLite", postgres: "PostgreSQL" } as const

const describeReason = (reason: SyncStateErrorReason): string => {
  switch (reason._tag) {
    case "StoreFailed":
      return `The state store failed (${reason.operation}): ${causeMessage(reason.cause)}`
    case "Locked":
      return (
        `The lock "${reason.name}" is held by ${reason.owner} since ${reason.since.toISOString()} ` +
        `(until ${reason.expiresAt.toISOString()} unless renewed)`
      )
    case "LockLost":
      return `The lock "${reason.name}" held by ${reason.owner} was lost`
    case "NotFound":
      return `No ${reason.entity} with id ${reason.id}`
    case "InvalidTransition":
      return `Job ${reason.jobId} cannot go from ${reason.from} to ${reason.to}`
    case "UnsupportedDialect":
      return `The state store supports SQLite and PostgreSQL, not ${reason.dialect}`
    case "MissingDriver":
      return (
        `The ${storeNames[reason.store]} state store needs the package ${reason.packageName}, which is not ` +
        `installed: install it next to @profilesync/sync (npm install ${reason.packageName})`
      )
  }
}

/**
 * The only error of the state store. Branch on `reason._tag`, never on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export class SyncStateError extends Data.TaggedError("SyncStateError")<{ readonly reason: SyncStateErrorReason }> {
  override get message(): string {
    return describeReason(this.reason)
  }
}

/** @internal */
export const fail = (reason: SyncStateErrorReason): Effect.Effect<never, SyncStateError> =>
  Effect.fail(new SyncStateError({ reason }))

/** @internal */
export const storeFailed =
  (operation: string) =>
  (cause: unknown): SyncStateError =>
    new SyncStateError({ reason: SyncStateErrorReason.StoreFailed({ operation, cause }) })
