/**
 * The error of `Sync.ts`: one tagged error with a reason per way a run can fail as a whole, and a message for each
 * that names what to fix.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Source from "../Source.ts"
import type * as Sync from "../Sync.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import type * as SyncState from "../SyncState.ts"

/**
 * Why a run could not start or could not go on.
 *
 * **Details**
 *
 * - `InvalidOptions`: the options or config ask for something the engine cannot do (a target the config lacks, a
 *   CSV `quote` other than `"`).
 * - `Locked`: another run of the same sync holds the lock (`owner`, `since`, `expiresAt`).
 * - `SourceFailed`: the source cannot be read to its end (missing file, wrong delimiter, invalid encoding, empty, a
 *   failed query); `reason` is the source's. Jobs already at the vendor were finished and nothing was deleted.
 * - `MissingColumns`: the source lacks columns the config maps (each with its field and the YAML path that names it);
 *   found before the run takes its lock or sends anything.
 * - `ColumnTypeChanged`: a mapped column of a typed source (PostgreSQL, MySQL, Parquet) has another type than in the
 *   last successful run (both named); the run stops before sending anything unless `acceptSchemaChanges`.
 * - `StateFailed`: the state store failed, or the run lost its lock; nothing unconfirmed was committed.
 * - `FileFailed`: the rejects file or a chunk file could not be written.
 * - `CredentialUnavailable`: a token or database URL named by the config is not available ({@link layer}, or a
 *   PostgreSQL or MySQL source).
 *
 * Vendor failures are not errors of the run: they stop the target, and the report says why.
 *
 * @since 0.1.0
 * @category errors
 */
export type SyncErrorReason = Data.TaggedEnum<{
  InvalidOptions: { readonly message: string }
  Locked: { readonly sync: string; readonly owner: string; readonly since: Date; readonly expiresAt: Date }
  SourceFailed: { readonly reason: Source.SourceErrorReason }
  MissingColumns: {
    readonly source: string
    /** `path`: the YAML path of the setting that names the column (`fields.email.column`), where known. */
    readonly columns: ReadonlyArray<{ readonly field: string; readonly column: string; readonly path?: string }>
  }
  ColumnTypeChanged: {
    readonly source: string
    readonly columns: ReadonlyArray<{
      readonly field: string
      readonly column: string
      readonly path: string
      /** The type in the last successful run, and now. */
      readonly previous: string
      readonly current: string
    }>
  }
  StateFailed: { readonly error: SyncState.SyncStateError }
  FileFailed: { readonly path: string; readonly detail: string }
  CredentialUnavailable: { readonly error: SyncConfig.SyncConfigError }
}>

/**
 * Constructors and matchers for {@link SyncErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SyncErrorReason = Data.taggedEnum<SyncErrorReason>()

const describe = (reason: SyncErrorReason): string => {
  switch (reason._tag) {
    case "InvalidOptions":
      return reason.message
    case "Locked":
      return (
        `Another run of "${reason.sync}" is in progress (held by ${reason.owner} since ` +
        `${reason.since.toISOString()}; the lock expires at ${reason.expiresAt.toISOString()} unless renewed)`
      )
    case "SourceFailed":
      return `The source cannot be read: ${Source.describe(reason.reason)}`
    case "MissingColumns":
      return (
        `${reason.source}: the source has no column ` +
        reason.columns
          .map(
            ({ column, field, path }) =>
              `\`${column}\` (field ${field})${path === undefined ? "" : ` mapped by ${path}`}`
          )
          .join(", ") +
        "; nothing was sent"
      )
    case "ColumnTypeChanged":
      return (
        `${reason.source}: the type of ` +
        reason.columns
          .map(
            ({ column, field, path, previous, current }) =>
              `column \`${column}\` (field ${field}) mapped by ${path} changed from ${previous} to ${current}`
          )
          .join(", ") +
        " since the last successful run; nothing was sent (check the mapping; if the change is intended, run with acceptSchemaChanges, `--accept-schema-changes` in the daemon)"
      )
    case "StateFailed":
      return reason.error.message
    case "FileFailed":
      return `Cannot write ${reason.path}: ${reason.detail}`
    case "CredentialUnavailable":
      return reason.error.message
  }
}

/**
 * The only error of this module. Branch on `reason._tag`, never on the message.
 *
 * **Details**
 *
 * `report` holds the run's report (status `failed`) when the error happened after the run started, so a caller can
 * still show what was done.
 *
 * @since 0.1.0
 * @category errors
 */
export class SyncError extends Data.TaggedError("SyncError")<{
  readonly reason: SyncErrorReason
  readonly report?: Sync.RunReport | undefined
}> {
  override get message(): string {
    return describe(this.reason)
  }
}

/** @internal */
export const syncError = (reason: SyncErrorReason): SyncError => new SyncError({ reason })

/** @internal */
export const stateFailed = (error: SyncState.SyncStateError): SyncError =>
  syncError(SyncErrorReason.StateFailed({ error }))

/** @internal */
export const fileFailed =
  (path: string) =>
  (cause: unknown): SyncError =>
    syncError(SyncErrorReason.FileFailed({ path, detail: cause instanceof Error ? cause.message : String(cause) }))
