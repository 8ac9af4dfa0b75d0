/**
 * The sync's memory between runs: the last state each target confirmed per row (key and content hash), the journal
 * of vendor jobs, failed rows and dead letters, run history, and the lock that keeps one run per sync at a time, also
 * across machines. One service over `@effect/sql`, with the same schema and statements on SQLite (one file, the
 * default) and PostgreSQL (several machines).
 *
 * **Crash safety**
 *
 * - A row's state changes only when the vendor confirmed it ({@link SyncStateService.confirm}), and confirming is
 *   idempotent: replaying a confirmation after a crash changes nothing.
 * - A vendor job is journaled before it is started ({@link SyncStateService.journalJob}) and moves through
 *   `planned → started → submitted → finished | failed`; after a crash {@link SyncStateService.inFlightJobs} lists the
 *   jobs to resume (poll a submitted one; check a started one before sending it again; a planned one never reached the
 *   vendor).
 * - Every write that touches more than one row is one transaction; {@link SyncStateService.completeJob} commits a
 *   job's confirmed rows, its failures and its end in one.
 * - SQLite runs in WAL mode with `synchronous = FULL`, and write transactions start with `BEGIN IMMEDIATE`, so two
 *   processes sharing a file wait for each other (up to 5 seconds) instead of failing on a lock upgrade.
 *
 * **Time**
 *
 * Every timestamp comes from the database's clock, read at the start of each operation, so machines whose clocks
 * disagree still agree on when a lock expires.
 *
 * **Drivers**
 *
 * This module imports no database driver. {@link layerSqlite} and {@link layerPostgres} import theirs (optional peer
 * dependencies) when the layer is built, through the application's loaders when `Drivers` has them, so only the
 * store a config names needs its driver installed; a missing one fails with `MissingDriver` naming the package.
 *
 * **Layout**
 *
 * This file is the whole public contract of the store (models, the service's methods, layers), which is why it runs
 * past 400 lines: it holds no implementation. The statements are in `internal/syncState*.ts`.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as drivers from "./internal/syncStateDriver.ts"
import { SyncStateError, SyncStateErrorReason } from "./internal/syncStateError.ts"
import * as schema from "./internal/syncStateSchema.ts"
import * as store from "./internal/syncStateStore.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

export { SyncStateError, SyncStateErrorReason }

// ---------------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A run's status: `running` until {@link SyncStateService.finishRun}; `partial` means some rows failed;
 * `interrupted` is set by the next {@link SyncStateService.startRun} for a run whose process disappeared.
 *
 * @since 0.1.0
 * @category models
 */
export type RunStatus = "running" | "succeeded" | "partial" | "failed" | "interrupted"

/**
 * One run of a sync, for history and `profilesync status`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Run {
  readonly id: string
  readonly sync: string
  readonly targets: ReadonlyArray<string>
  readonly dryRun: boolean
  readonly status: RunStatus
  readonly startedAt: Date
  readonly finishedAt: Option.Option<Date>
  /** Counters chosen by the engine (rows read, sent, unchanged, rejected, failed, deleted, ...). */
  readonly counts: Readonly<Record<string, number>>
  /** The run's report, as given to `finishRun`. */
  readonly report: Option.Option<unknown>
}

/**
 * What the store knows of one row at one target.
 *
 * **Details**
 *
 * - `hash`: the content hash the target last confirmed; `None` if it never confirmed this row (it only failed).
 * - `vendorId`: the target's id for the row, when the vendor gave one.
 * - `attempts`, `failedHash`, `lastError`: consecutive failures of the version `failedHash` (reset by a
 *   confirmation, and restarted at 1 when a different version fails).
 * - `deadLettered`: the version `failedHash` is in the dead letters and should not be sent again until it is
 *   replayed or the row changes (a different hash).
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordState {
  readonly key: string
  readonly hash: Option.Option<string>
  readonly vendorId: Option.Option<string>
  readonly confirmedAt: Option.Option<Date>
  readonly attempts: number
  readonly failedHash: Option.Option<string>
  readonly lastError: Option.Option<string>
  readonly deadLettered: boolean
}

/**
 * A row a target confirmed, for {@link SyncStateService.confirm}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfirmedRow {
  readonly key: string
  readonly hash: string
  /** The target's id for the row; when absent, a known id is kept. */
  readonly vendorId?: string | undefined
}

/**
 * A row a target refused or did not confirm, for {@link SyncStateService.recordFailures}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailedRow {
  readonly key: string
  readonly hash: string
  /** What was sent (or would be), kept with a dead letter so it can be inspected and replayed. Must be JSON. */
  readonly payload: unknown
  readonly reason: string
}

/**
 * What {@link SyncStateService.recordFailures} did: the keys that reached `maxAttempts` and are now dead letters.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureOutcome {
  readonly deadLettered: ReadonlyArray<string>
}

/**
 * A vendor job's status in the journal.
 *
 * **Details**
 *
 * `planned` (journaled, not sent), `started` (being sent: the vendor may or may not have it), `submitted` (the vendor
 * accepted it and its id is known), `finished`, `failed`. Allowed moves: planned → started | failed;
 * started → submitted | finished | failed; submitted → finished | failed. Repeating the current status is allowed (a
 * retried call after a crash) and changes nothing, except that a submitted job cannot be given a second, different
 * vendor job id (`InvalidTransition`: one chunk would then exist twice at the vendor).
 *
 * @since 0.1.0
 * @category models
 */
export type JobStatus = "planned" | "started" | "submitted" | "finished" | "failed"

/**
 * A row in a journaled job: its key and the hash of the version sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRow {
  readonly key: string
  readonly hash: string
}

/**
 * A journaled vendor job: one chunk of rows for one target.
 *
 * @since 0.1.0
 * @category models
 */
export interface Job {
  readonly id: string
  readonly sync: string
  readonly target: string
  readonly runId: string
  readonly chunk: number
  readonly status: JobStatus
  readonly vendorJobId: Option.Option<string>
  /** The rows of the chunk, so that a resumed run can confirm or resend exactly them. */
  readonly rows: ReadonlyArray<JobRow>
  readonly result: Option.Option<unknown>
  readonly error: Option.Option<string>
  readonly createdAt: Date
  readonly updatedAt: Date
}

/**
 * A row that failed `maxAttempts` times.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetter {
  readonly sync: string
  readonly target: string
  readonly key: string
  readonly hash: string
  readonly payload: unknown
  readonly reason: string
  readonly attempts: number
  readonly firstFailedAt: Date
  readonly lastFailedAt: Date
  /** When it was last handed back by {@link SyncStateService.replayDeadLetters}. */
  readonly replayedAt: Option.Option<Date>
}

/**
 * A row the run's mapping or source refused, kept per run beside the rejects file so that the run can be looked at
 * later (`profilesync dashboard`). `value` is the refused value as read (personal data: show it masked).
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredReject {
  readonly row: number
  readonly line: number
  readonly key?: string | undefined
  readonly code: string
  readonly field: string | null
  readonly column: string | null
  readonly value: string
  readonly reason: string
  readonly targets: ReadonlyArray<string>
}

/**
 * What happened to a row at a target, in its {@link HistoryEntry}.
 *
 * **Details**
 *
 * - `created` / `updated`: the target confirmed the version `hash`; `created` when the store knew no confirmed
 *   version of the row at that target before.
 * - `deleted`: the target confirmed the row's deletion (`hash`: the version it held).
 * - `rejected`: the run's mapping or source refused the row; nothing was sent (no `hash`).
 * - `failed`: the target refused the version `hash` or never processed its job; it is sent again by a later run.
 * - `dead-lettered`: a failure that reached `maxAttempts`: the row is in the dead letters.
 * - `unchanged-not-needed`: reserved; a row the diff found unchanged is not written (a run over an unchanged source
 *   would otherwise write one entry per row).
 *
 * @since 0.3.0
 * @category models
 */
export type HistoryOutcome =
  | "created"
  | "updated"
  | "unchanged-not-needed"
  | "deleted"
  | "rejected"
  | "failed"
  | "dead-lettered"

/**
 * One entry of a row's history: what happened to the row `key` at `target`, when, in which run and vendor job.
 *
 * **Details**
 *
 * The store keeps the content hash of what was sent, never a value: the history says which version reached a target,
 * and a reader compares hashes to tell versions apart. `reason` is the vendor's or the mapping's message, redacted.
 *
 * @since 0.3.0
 * @category models
 */
export interface HistoryEntry {
  readonly sync: string
  readonly target: string
  readonly key: string
  readonly runId: Option.Option<string>
  /** The journaled job, and the vendor's id for it, when the outcome came from one. */
  readonly jobId: Option.Option<string>
  readonly vendorJobId: Option.Option<string>
  readonly at: Date
  readonly outcome: HistoryOutcome
  readonly hash: Option.Option<string>
  readonly reason: Option.Option<string>
}

/**
 * A held lock, valid for the scope it was acquired in.
 *
 * **Details**
 *
 * A fiber renews the lock every `heartbeatInterval`. If renewing fails until the lock expires, or another owner took
 * it over, the lock is lost: `lost` completes and `ensureHeld` fails with `LockLost`. A run should call
 * `ensureHeld` before each commit and stop when it fails.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lock {
  readonly name: string
  readonly owner: string
  readonly acquiredAt: Date
  /** Completes when the lock is lost. */
  readonly lost: Effect.Effect<void>
  readonly ensureHeld: Effect.Effect<void, SyncStateError>
}

/**
 * Options of {@link SyncStateService.acquireLock}.
 *
 * **Details**
 *
 * - `ttl`: how long the lock lives without a heartbeat (default 60 seconds): how long a crashed holder blocks others.
 * - `heartbeatInterval`: how often the holder renews it (default a third of `ttl`).
 * - `owner`: who holds it, shown to those refused (default `host:pid:random`). Acquiring again with the same owner
 *   renews the lock.
 * - In a SQLite store (one machine), a lock held by a process of this host that no longer runs is taken over at once
 *   instead of after its `ttl`; with PostgreSQL, where several machines share the store, it expires.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockOptions {
  readonly ttl?: Duration.DurationInput | undefined
  readonly heartbeatInterval?: Duration.DurationInput | undefined
  readonly owner?: string | undefined
}

/**
 * The state store.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncStateService {
  /**
   * Records the start of a run. Runs of the same sync still marked `running` become `interrupted` (their process is
   * gone: call this while holding the sync's lock).
   */
  readonly startRun: (options: {
    readonly sync: string
    readonly targets: ReadonlyArray<string>
    readonly dryRun?: boolean | undefined
  }) => Effect.Effect<Run, SyncStateError>
  /** Records the end of a run with its counts and report. */
  readonly finishRun: (
    runId: string,
    outcome: {
      readonly status: Exclude<RunStatus, "running">
      readonly counts?: Readonly<Record<string, number>> | undefined
      readonly report?: unknown
    }
  ) => Effect.Effect<Run, SyncStateError>
  /** The latest runs, newest first (default 20), of one sync or of all. */
  readonly recentRuns: (options?: {
    readonly sync?: string | undefined
    readonly limit?: number | undefined
  }) => Effect.Effect<ReadonlyArray<Run>, SyncStateError>

  /**
   * The state of the given keys, in batches of 500 keys per query. Keys the store has never seen are absent.
   *
   * **Memory**
   *
   * Diff in chunks: look up the keys of each chunk of source rows (e.g. 1,000 at a time) rather than loading all
   * hashes. Memory then stays flat; loading a whole target into a map would cost about 150 bytes per row (150 MB
   * for a million rows).
   */
  readonly lookup: (
    sync: string,
    target: string,
    keys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, RecordState>, SyncStateError>
  /**
   * Every confirmed row of a target, in the database's key order (for PostgreSQL that depends on the collation, so do
   * not merge it with a sorted source without sorting the same way), read 1,000 at a time.
   *
   * **When to use**
   *
   * For a full scan (statistics, an export, a diff that prefers one pass over the store). Collecting it into a map
   * costs about 150 bytes per row; {@link SyncStateService.lookup} per chunk keeps memory flat instead.
   */
  readonly confirmedHashes: (sync: string, target: string) => Stream.Stream<RecordState, SyncStateError>
  /**
   * Records rows the target confirmed, in one transaction: their hash becomes the confirmed state, failures and dead
   * letters of these keys are cleared. Idempotent. With `runId`, the rows are also marked seen in that run.
   */
  readonly confirm: (
    sync: string,
    target: string,
    rows: ReadonlyArray<ConfirmedRow>,
    options?: { readonly runId?: string | undefined }
  ) => Effect.Effect<void, SyncStateError>
  /**
   * Marks keys as present in the source in this run (mark and sweep for deletions). Call it for every key the source
   * produced, unchanged or not, whatever happens to the row afterwards.
   */
  readonly markSeen: (
    sync: string,
    target: string,
    runId: string,
    keys: ReadonlyArray<string>
  ) => Effect.Effect<void, SyncStateError>
  /**
   * Confirmed rows not marked seen in `runId`: what a sync that removes missing rows would delete, in key order,
   * read 1,000 at a time. Only meaningful once the whole source was read without a fatal error.
   */
  readonly deletionCandidates: (
    sync: string,
    target: string,
    runId: string
  ) => Stream.Stream<RecordState, SyncStateError>
  /** How many {@link SyncStateService.deletionCandidates} there are, for a dry run or a safety threshold. */
  readonly countDeletionCandidates: (
    sync: string,
    target: string,
    runId: string
  ) => Effect.Effect<number, SyncStateError>
  /**
   * Drops the state (and dead letters) of keys, e.g. after the target confirmed their deletion; each key the store
   * held gets a `deleted` history entry, attributed to `options`' run and job when given.
   */
  readonly forget: (
    sync: string,
    target: string,
    keys: ReadonlyArray<string>,
    options?: {
      readonly runId?: string | undefined
      readonly jobId?: string | undefined
      readonly vendorJobId?: string | undefined
    }
  ) => Effect.Effect<void, SyncStateError>

  /** Journals a job as `planned`, before anything is sent to the vendor. */
  readonly journalJob: (job: {
    readonly sync: string
    readonly target: string
    readonly runId: string
    readonly chunk: number
    readonly rows: ReadonlyArray<JobRow>
  }) => Effect.Effect<Job, SyncStateError>
  /**
   * `planned → started`: call right before the vendor call. `note` (JSON, kept as the job's `result` until it ends)
   * is what a resumed run needs to find out whether the call took effect, such as the name the vendor job is given.
   */
  readonly markJobStarted: (jobId: string, note?: unknown) => Effect.Effect<Job, SyncStateError>
  /** `started → submitted`: the vendor accepted the job under `vendorJobId`. */
  readonly markJobSubmitted: (jobId: string, vendorJobId: string) => Effect.Effect<Job, SyncStateError>
  /** `→ finished`, with the vendor's result (JSON). Prefer {@link SyncStateService.completeJob}. */
  readonly markJobFinished: (jobId: string, result?: unknown) => Effect.Effect<Job, SyncStateError>
  /** `→ failed`, with why. The rows are not confirmed; they will be sent again on a later run. */
  readonly markJobFailed: (jobId: string, error: string) => Effect.Effect<Job, SyncStateError>
  /**
   * Ends a job in one transaction: confirms its confirmed rows, records its failed rows (dead letters after
   * `maxAttempts`), and marks it finished. Completing a finished job again changes nothing.
   */
  readonly completeJob: (
    jobId: string,
    outcome: {
      readonly confirmed: ReadonlyArray<ConfirmedRow>
      readonly failed: ReadonlyArray<FailedRow>
      readonly maxAttempts: number
      readonly result?: unknown
    }
  ) => Effect.Effect<FailureOutcome, SyncStateError>
  /** Jobs of the sync that are planned, started or submitted: what a restarted run must resume, oldest first. */
  readonly inFlightJobs: (sync: string) => Effect.Effect<ReadonlyArray<Job>, SyncStateError>
  /** One job. */
  readonly job: (jobId: string) => Effect.Effect<Job, SyncStateError>
  /** Deletes finished and failed jobs last updated more than `olderThan` ago; returns how many. */
  readonly pruneJobs: (options: { readonly olderThan: Duration.DurationInput }) => Effect.Effect<number, SyncStateError>

  /**
   * Counts a failure per row, in one transaction. A row that fails `maxAttempts` times in a row with the same hash
   * moves to the dead letters with its payload and reason (a changed row starts counting again at 1).
   */
  readonly recordFailures: (
    sync: string,
    target: string,
    failures: ReadonlyArray<FailedRow>,
    options: { readonly maxAttempts: number; readonly runId?: string | undefined }
  ) => Effect.Effect<FailureOutcome, SyncStateError>
  /** Dead letters of a sync, oldest failure first (default: not yet replayed, at most 1,000). */
  readonly deadLetters: (
    sync: string,
    filter?: {
      readonly target?: string | undefined
      readonly includeReplayed?: boolean | undefined
      readonly limit?: number | undefined
    }
  ) => Effect.Effect<ReadonlyArray<DeadLetter>, SyncStateError>
  /**
   * Hands dead letters back for another try: marks them replayed and resets the rows' attempts, so the next run
   * sends them again; returns them with their payloads (default: all not yet replayed of the sync).
   */
  readonly replayDeadLetters: (
    sync: string,
    options?: { readonly target?: string | undefined; readonly keys?: ReadonlyArray<string> | undefined }
  ) => Effect.Effect<ReadonlyArray<DeadLetter>, SyncStateError>

  /**
   * Keeps a run's rejected rows (in the order given, after those already kept), so that the run's rejects can be
   * read back per run. Values longer than 1,000 characters are cut.
   */
  readonly recordRejects: (
    sync: string,
    runId: string,
    rejects: ReadonlyArray<StoredReject>
  ) => Effect.Effect<void, SyncStateError>

  /**
   * A row's history, newest first (default 50 entries from `offset` 0), at every target or at `target`.
   *
   * **Details**
   *
   * Written by the operations that change a row's state, in their transactions: {@link SyncStateService.confirm} and
   * {@link SyncStateService.completeJob} (`created`, `updated`, `failed`, `dead-lettered`),
   * {@link SyncStateService.recordFailures}, {@link SyncStateService.markJobFailed} (`failed`: every row of the job),
   * {@link SyncStateService.forget} (`deleted`) and {@link SyncStateService.recordRejects} (`rejected`, for rejects
   * with a key, at each of their targets). Read through the index on (sync, key, time).
   */
  readonly rowHistory: (
    sync: string,
    key: string,
    options?: {
      readonly target?: string | undefined
      readonly limit?: number | undefined
      readonly offset?: number | undefined
    }
  ) => Effect.Effect<ReadonlyArray<HistoryEntry>, SyncStateError>
  /**
   * Deletes the sync's history entries older than `keepDays` days (0: all of them) in one statement; returns how many.
   */
  readonly pruneHistory: (sync: string, options: { readonly keepDays: number }) => Effect.Effect<number, SyncStateError>

  /**
   * Takes the named lock for the current scope, or fails with `Locked` naming the holder. Released when the scope
   * closes. Atomic across processes and machines sharing the store (one `INSERT … ON CONFLICT … WHERE expired`).
   */
  readonly acquireLock: (name: string, options?: LockOptions) => Effect.Effect<Lock, SyncStateError, Scope.Scope>
}

/**
 * The state store service.
 *
 * @since 0.1.0
 * @category tags
 */
export class SyncState extends Context.Tag("@profilesync/sync/SyncState")<SyncState, SyncStateService>() {}

// ---------------------------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The schema version this module writes; the store is migrated to it when opened.
 *
 * @since 0.1.0
 * @category constants
 */
export const schemaVersion: number = schema.schemaVersion

/**
 * The schema version of the store `sql` reaches: the last migration applied (0 for an empty database). Reads only, so
 * a read-only reader (the dashboard) can tell a store it understands from one the next run will migrate.
 *
 * **Details**
 *
 * Migrations are recorded by `@effect/sql`'s `Migrator` in `profilesync_schema_migrations`; a store last opened by a
 * version before 0.2 recorded them in `profilesync_migrations`, which is read when the other table is absent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const appliedSchemaVersion = (sql: SqlClient.SqlClient): Effect.Effect<number, SqlError> =>
  schema.appliedVersion(sql, sql.onDialectOrElse({ pg: () => "pg" as const, orElse: () => "sqlite" as const }))

// ---------------------------------------------------------------------------------------------------------------------
// Constructors and layers
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Builds the store over the `SqlClient` in context and migrates its schema.
 *
 * **Details**
 *
 * Migrations are `@effect/sql`'s `Migrator`, run in one transaction serialized across processes
 * (`pg_advisory_xact_lock` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and recorded in
 * `profilesync_schema_migrations`: opening a store twice, or from two machines at once, applies each migration once. A
 * store created before the `Migrator` (its migrations in `profilesync_migrations`) continues from where it is. The
 * methods keep the client they were built with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SyncStateService, SyncStateError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => store.make(sql, { readOnly: false })
)

/**
 * The store over the `SqlClient` provided to the layer (for a client configured elsewhere).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SyncState, SyncStateError, SqlClient.SqlClient> = Layer.effect(SyncState, make)

/**
 * Options of {@link layerSqlite}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  /** The database file; created if missing (its directory must exist). */
  readonly filename: string
  /**
   * Open the file read-only (default `false`), for a dry run: nothing is migrated or written beside it, and a file
   * that does not exist is an error (a caller treats it as an empty store).
   */
  readonly readOnly?: boolean | undefined
}

/**
 * The store in a SQLite file: the default, for a daemon on one machine. Needs `@effect/sql-sqlite-node`, loaded when
 * the layer is built (`MissingDriver` when it is not installed).
 *
 * **Gotchas**
 *
 * Processes on one machine can share the file (WAL mode, `BEGIN IMMEDIATE`); a file on a network share cannot be
 * shared safely (SQLite's locks do not hold there): use {@link layerPostgres} for several machines.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: SqliteOptions): Layer.Layer<SyncState, SyncStateError> =>
  drivers.layerSqlite(options)

/**
 * Options of {@link layerPostgres}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresOptions {
  /** A `postgres://` URL; a `Redacted` keeps it out of logs. */
  readonly url: string | Redacted.Redacted<string>
  /** Pool size (default 10). */
  readonly maxConnections?: number | undefined
  /** Neither migrate nor tune the store, for a dry run (default `false`); its schema must be current. */
  readonly readOnly?: boolean | undefined
}

/**
 * The store in PostgreSQL: for teams that run the daemon on several machines (the lock then holds across them). Needs
 * `@effect/sql-pg`, loaded when the layer is built (`MissingDriver` when it is not installed).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPostgres = (options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  drivers.layerPostgres(options)
