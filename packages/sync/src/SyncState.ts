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
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Redact from "@profilesync/core/Redact"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { defaultOwner, isDeadLocalOwner, markHeld } from "./internal/syncStateOwner.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

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
 *
 * @since 0.1.0
 * @category errors
 */
export type SyncStateErrorReason = Data.TaggedEnum<{
  StoreFailed: { readonly operation: string; readonly cause: unknown }
  Locked: { readonly name: string; readonly owner: string; readonly since: Date; readonly expiresAt: Date }
  LockLost: { readonly name: string; readonly owner: string }
  NotFound: { readonly entity: "run" | "job"; readonly id: string }
  InvalidTransition: { readonly jobId: string; readonly from: JobStatus; readonly to: JobStatus }
  UnsupportedDialect: { readonly dialect: string }
}>

/**
 * Constructors and guards for {@link SyncStateErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SyncStateErrorReason = Data.taggedEnum<SyncStateErrorReason>()

const causeMessage = (cause: unknown): string => {
  if (cause instanceof SqlError) {
    const inner = cause.cause
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message
  }
  return cause instanceof Error ? cause.message : String(cause)
}

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

const fail = (reason: SyncStateErrorReason) => Effect.fail(new SyncStateError({ reason }))

const storeFailed =
  (operation: string) =>
  (cause: unknown): SyncStateError =>
    new SyncStateError({ reason: SyncStateErrorReason.StoreFailed({ operation, cause }) })

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
  /** Drops the state (and dead letters) of keys, e.g. after the target confirmed their deletion. */
  readonly forget: (sync: string, target: string, keys: ReadonlyArray<string>) => Effect.Effect<void, SyncStateError>

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
    options: { readonly maxAttempts: number }
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

// Portable SQL: TEXT, INTEGER and BIGINT mean the same to SQLite and PostgreSQL; timestamps are epoch milliseconds,
// JSON is stored as TEXT. A migration is a list of statements, applied in one transaction with its version row.
const migrations: ReadonlyArray<{
  readonly version: number
  readonly name: string
  readonly statements: ReadonlyArray<string>
}> = [
  {
    version: 1,
    name: "initial",
    statements: [
      `CREATE TABLE profilesync_runs (
        id TEXT PRIMARY KEY,
        sync_name TEXT NOT NULL,
        targets TEXT NOT NULL,
        dry_run INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        counts TEXT NOT NULL DEFAULT '{}',
        report TEXT
      )`,
      "CREATE INDEX profilesync_runs_by_sync ON profilesync_runs (sync_name, started_at)",
      `CREATE TABLE profilesync_records (
        sync_name TEXT NOT NULL,
        target TEXT NOT NULL,
        record_key TEXT NOT NULL,
        content_hash TEXT,
        vendor_id TEXT,
        confirmed_at BIGINT,
        last_seen_run TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        failed_hash TEXT,
        last_error TEXT,
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sync_name, target, record_key)
      )`,
      `CREATE TABLE profilesync_jobs (
        id TEXT PRIMARY KEY,
        sync_name TEXT NOT NULL,
        target TEXT NOT NULL,
        run_id TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        status TEXT NOT NULL,
        vendor_job_id TEXT,
        chunk_rows TEXT NOT NULL,
        result TEXT,
        error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      "CREATE INDEX profilesync_jobs_by_status ON profilesync_jobs (sync_name, status, created_at)",
      `CREATE TABLE profilesync_dead_letters (
        sync_name TEXT NOT NULL,
        target TEXT NOT NULL,
        record_key TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        payload TEXT NOT NULL,
        reason TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        first_failed_at BIGINT NOT NULL,
        last_failed_at BIGINT NOT NULL,
        replayed_at BIGINT,
        PRIMARY KEY (sync_name, target, record_key)
      )`,
      `CREATE TABLE profilesync_locks (
        lock_name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        acquired_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      )`
    ]
  },
  {
    // A run's rejected rows, and the indexes that let a dashboard read runs, jobs and rejects page by page.
    version: 2,
    name: "rejects and dashboard indexes",
    statements: [
      `CREATE TABLE profilesync_rejects (
        run_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        sync_name TEXT NOT NULL,
        source_row BIGINT NOT NULL,
        source_line BIGINT NOT NULL,
        record_key TEXT,
        code TEXT NOT NULL,
        field TEXT,
        source_column TEXT,
        value TEXT NOT NULL,
        reason TEXT NOT NULL,
        targets TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
      )`,
      "CREATE INDEX profilesync_rejects_by_reason ON profilesync_rejects (run_id, code, field, position)",
      "CREATE INDEX profilesync_rejects_by_key ON profilesync_rejects (sync_name, record_key)",
      "CREATE INDEX profilesync_jobs_by_run ON profilesync_jobs (run_id, target, chunk)",
      "CREATE INDEX profilesync_dead_letters_by_failure ON profilesync_dead_letters (sync_name, first_failed_at)"
    ]
  },
  {
    // Rows only ever failed, so that "rows in state" is the primary key's count less these, without reading rows.
    version: 3,
    name: "unconfirmed records",
    statements: [
      `CREATE INDEX profilesync_records_unconfirmed ON profilesync_records (sync_name, target)
        WHERE content_hash IS NULL`
    ]
  }
]

/**
 * The schema version this module writes; the store is migrated to it when opened.
 *
 * @since 0.1.0
 * @category constants
 */
export const schemaVersion: number = migrations.at(-1)?.version ?? 0

// ---------------------------------------------------------------------------------------------------------------------
// Rows as the databases return them
// ---------------------------------------------------------------------------------------------------------------------

// PostgreSQL returns BIGINT as a string, SQLite as a number.
const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value))
const toDate = (value: unknown): Date => new Date(toNumber(value))
const optionalDate = (value: unknown): Option.Option<Date> =>
  value === null || value === undefined ? Option.none() : Option.some(toDate(value))
const optionalString = (value: unknown): Option.Option<string> =>
  value === null || value === undefined ? Option.none() : Option.some(String(value))
const parseJson = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value)
const optionalJson = (value: unknown): Option.Option<unknown> =>
  value === null || value === undefined ? Option.none() : Option.some(parseJson(value))

// Stored JSON that no longer parses is a store failure, not a defect.
const decodeAll =
  <Row, A>(decode: (row: Row) => A) =>
  (rows: ReadonlyArray<Row>): Effect.Effect<ReadonlyArray<A>, SyncStateError> =>
    Effect.try({ try: () => rows.map(decode), catch: storeFailed("decode stored data") })

interface RunRow {
  readonly id: string
  readonly sync_name: string
  readonly targets: string
  readonly dry_run: unknown
  readonly status: string
  readonly started_at: unknown
  readonly finished_at: unknown
  readonly counts: string
  readonly report: string | null
}

const decodeRun = (row: RunRow): Run => ({
  id: row.id,
  sync: row.sync_name,
  targets: parseJson(row.targets) as ReadonlyArray<string>,
  dryRun: toNumber(row.dry_run) === 1,
  status: row.status as RunStatus,
  startedAt: toDate(row.started_at),
  finishedAt: optionalDate(row.finished_at),
  counts: parseJson(row.counts) as Record<string, number>,
  report: optionalJson(row.report)
})

interface RecordRow {
  readonly record_key: string
  readonly content_hash: string | null
  readonly vendor_id: string | null
  readonly confirmed_at: unknown
  readonly attempts: unknown
  readonly failed_hash: string | null
  readonly last_error: string | null
  readonly dead_lettered: unknown
}

const recordColumns =
  "record_key, content_hash, vendor_id, confirmed_at, attempts, failed_hash, last_error, dead_lettered"

const decodeRecord = (row: RecordRow): RecordState => ({
  key: row.record_key,
  hash: optionalString(row.content_hash),
  vendorId: optionalString(row.vendor_id),
  confirmedAt: optionalDate(row.confirmed_at),
  attempts: toNumber(row.attempts),
  failedHash: optionalString(row.failed_hash),
  lastError: optionalString(row.last_error),
  deadLettered: toNumber(row.dead_lettered) === 1
})

interface JobRowRecord {
  readonly id: string
  readonly sync_name: string
  readonly target: string
  readonly run_id: string
  readonly chunk: unknown
  readonly status: string
  readonly vendor_job_id: string | null
  readonly chunk_rows: string
  readonly result: string | null
  readonly error: string | null
  readonly created_at: unknown
  readonly updated_at: unknown
}

const decodeJob = (row: JobRowRecord): Job => ({
  id: row.id,
  sync: row.sync_name,
  target: row.target,
  runId: row.run_id,
  chunk: toNumber(row.chunk),
  status: row.status as JobStatus,
  vendorJobId: optionalString(row.vendor_job_id),
  rows: parseJson(row.chunk_rows) as ReadonlyArray<JobRow>,
  result: optionalJson(row.result),
  error: optionalString(row.error),
  createdAt: toDate(row.created_at),
  updatedAt: toDate(row.updated_at)
})

interface DeadLetterRow {
  readonly sync_name: string
  readonly target: string
  readonly record_key: string
  readonly content_hash: string
  readonly payload: string
  readonly reason: string
  readonly attempts: unknown
  readonly first_failed_at: unknown
  readonly last_failed_at: unknown
  readonly replayed_at: unknown
}

const decodeDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  sync: row.sync_name,
  target: row.target,
  key: row.record_key,
  hash: row.content_hash,
  payload: parseJson(row.payload),
  reason: row.reason,
  attempts: toNumber(row.attempts),
  firstFailedAt: toDate(row.first_failed_at),
  lastFailedAt: toDate(row.last_failed_at),
  replayedAt: optionalDate(row.replayed_at)
})

// ---------------------------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------------------------

// Keys per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters even at 8 columns a row.
const batchSize = 500

const batches = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const result: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += batchSize) result.push(items.slice(start, start + batchSize))
  return result
}

// The last entry per key: one statement must not touch a row twice (PostgreSQL refuses `ON CONFLICT` doing that).
const lastPerKey = <A extends { readonly key: string }>(items: ReadonlyArray<A>): ReadonlyArray<A> => {
  const byKey = new Map<string, A>()
  for (const item of items) byKey.set(item.key, item)
  return byKey.size === items.length ? items : Array.from(byKey.values())
}

const allowedMoves: Readonly<Record<JobStatus, ReadonlyArray<JobStatus>>> = {
  planned: ["planned", "started", "failed"],
  started: ["started", "submitted", "finished", "failed"],
  submitted: ["submitted", "finished", "failed"],
  finished: ["finished"],
  failed: ["failed"]
}

// Set by the layers' `readOnly` option: `make` then neither migrates nor tunes the store, and only checks that its
// schema is current (a dry run writes nothing, not even a migration).
const openReadOnly = FiberRef.unsafeMake(false)

const checkSchema = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError | SyncStateError> =>
  Effect.gen(function* () {
    const rows = yield* sql<{ readonly version: unknown }>`SELECT version FROM profilesync_migrations`
    const applied = new Set(rows.map((row) => toNumber(row.version)))
    const missing = migrations.filter((migration) => !applied.has(migration.version))
    if (missing.length > 0) {
      return yield* Effect.fail(
        storeFailed("open read-only")(
          `the store lacks schema migration(s) ${missing.map((migration) => migration.version).join(", ")}, and a ` +
            "read-only store is not migrated: run once without a dry run"
        )
      )
    }
  })

/**
 * Builds the store over the `SqlClient` in context and migrates its schema.
 *
 * **Details**
 *
 * Migrations run in one transaction, serialized across processes (`pg_advisory_xact_lock` on PostgreSQL,
 * `BEGIN IMMEDIATE` on SQLite), and are recorded in `profilesync_migrations`: opening a store twice, or from two
 * machines at once, applies each migration once. The methods keep the client they were built with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SyncStateService, SyncStateError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const readOnly = yield* FiberRef.get(openReadOnly)
  const dialect = sql.onDialectOrElse({
    sqlite: () => "sqlite" as const,
    pg: () => "pg" as const,
    orElse: () => undefined
  })
  if (dialect === undefined) {
    return yield* fail(
      SyncStateErrorReason.UnsupportedDialect({ dialect: sql.onDialectOrElse({ orElse: () => "this database" }) })
    )
  }

  // Write transactions start with BEGIN IMMEDIATE on SQLite: the write lock is taken (or waited for) up front, so a
  // transaction that reads before it writes cannot fail halfway with SQLITE_BUSY.
  const beginStatement = dialect === "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN"
  const withTransaction = SqlClient.makeWithTransaction({
    transactionTag: SqlClient.TransactionConnection,
    spanAttributes: [],
    acquireConnection: Effect.flatMap(Scope.make(), (scope) =>
      Effect.map(Scope.extend(sql.reserve, scope), (connection) => [scope, connection] as const)
    ),
    begin: (connection: SqlConnection.Connection) => connection.executeUnprepared(beginStatement, [], undefined),
    savepoint: (connection, id) => connection.executeUnprepared(`SAVEPOINT profilesync_${id}`, [], undefined),
    commit: (connection) => connection.executeUnprepared("COMMIT", [], undefined),
    rollback: (connection) => connection.executeUnprepared("ROLLBACK", [], undefined),
    rollbackSavepoint: (connection, id) =>
      connection.executeUnprepared(`ROLLBACK TO SAVEPOINT profilesync_${id}`, [], undefined)
  })

  // `makeWithTransaction` turns a failed COMMIT into a defect; it is a store failure like any other here.
  const transaction = <A, E, R>(operation: string, effect: Effect.Effect<A, E | SqlError, R>) =>
    withTransaction(effect).pipe(
      Effect.catchSomeDefect((defect) =>
        defect instanceof SqlError ? Option.some(Effect.fail(defect)) : Option.none()
      ),
      Effect.mapError((error) => (error instanceof SqlError ? storeFailed(operation)(error) : error))
    ) as Effect.Effect<A, Exclude<E, SqlError> | SyncStateError, R>

  const orStoreFailed =
    (operation: string) =>
    <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
      Effect.mapError(effect, (error) =>
        error instanceof SqlError ? storeFailed(operation)(error) : error
      ) as Effect.Effect<A, Exclude<E, SqlError> | SyncStateError, R>

  const nowQuery =
    dialect === "sqlite"
      ? sql<{ readonly now: unknown }>`SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now`
      : sql<{ readonly now: unknown }>`SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now`
  const now: Effect.Effect<number, SqlError> = Effect.map(nowQuery, (rows) => toNumber(rows[0]?.now))

  if (dialect === "sqlite" && !readOnly) {
    // The client already sets journal_mode = WAL. FULL syncs the WAL on every commit: a confirmed row survives a power
    // cut, at the cost of one fsync per transaction (a chunk, not a row).
    yield* orStoreFailed("open")(sql`PRAGMA synchronous = FULL`)
    yield* orStoreFailed("open")(sql`PRAGMA busy_timeout = 5000`)
  }

  // --- migrations ---
  const migrate = transaction(
    "migrate",
    Effect.gen(function* () {
      if (dialect === "pg") yield* sql`SELECT pg_advisory_xact_lock(${7_303_711_001})`
      yield* sql`CREATE TABLE IF NOT EXISTS profilesync_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`
      const applied = new Set(
        (yield* sql<{ readonly version: unknown }>`SELECT version FROM profilesync_migrations`).map((row) =>
          toNumber(row.version)
        )
      )
      const at = yield* now
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue
        for (const statement of migration.statements) yield* sql.unsafe(statement)
        yield* sql`INSERT INTO profilesync_migrations ${sql.insert({
          version: migration.version,
          name: migration.name,
          applied_at: at
        })}`
      }
    })
  )
  yield* readOnly ? orStoreFailed("open read-only")(checkSchema(sql)) : migrate

  // --- runs ---
  const runById = (operation: string, id: string) =>
    Effect.flatMap(orStoreFailed(operation)(sql<RunRow>`SELECT * FROM profilesync_runs WHERE id = ${id}`), (rows) =>
      rows[0] === undefined
        ? fail(SyncStateErrorReason.NotFound({ entity: "run", id }))
        : Effect.map(decodeAll(decodeRun)([rows[0]]), (runs) => runs[0]!)
    )

  const startRun: SyncStateService["startRun"] = (options) =>
    transaction(
      "startRun",
      Effect.gen(function* () {
        const id = randomUUID()
        const clock = yield* now
        // Strictly after every run the store knows (of any sync), so that runs started within one millisecond still
        // sort in the order they started, in one sync's history and across syncs.
        const previous = yield* sql<{
          readonly latest: unknown
        }>`SELECT MAX(started_at) AS latest FROM profilesync_runs`
        const latest = previous[0]?.latest
        const at = latest === null || latest === undefined ? clock : Math.max(clock, toNumber(latest) + 1)
        yield* sql`UPDATE profilesync_runs SET status = 'interrupted', finished_at = ${at}
          WHERE sync_name = ${options.sync} AND status = 'running'`
        yield* sql`INSERT INTO profilesync_runs ${sql.insert({
          id,
          sync_name: options.sync,
          targets: JSON.stringify(options.targets),
          dry_run: options.dryRun === true ? 1 : 0,
          status: "running",
          started_at: at,
          finished_at: null,
          counts: "{}",
          report: null
        })}`
        return {
          id,
          sync: options.sync,
          targets: options.targets,
          dryRun: options.dryRun === true,
          status: "running" as const,
          startedAt: new Date(at),
          finishedAt: Option.none(),
          counts: {},
          report: Option.none()
        }
      })
    )

  const finishRun: SyncStateService["finishRun"] = (runId, outcome) =>
    Effect.gen(function* () {
      const at = yield* orStoreFailed("finishRun")(now)
      const updated = yield* orStoreFailed("finishRun")(
        sql<{ readonly id: string }>`UPDATE profilesync_runs SET status = ${outcome.status}, finished_at = ${at},
          counts = ${JSON.stringify(outcome.counts ?? {})},
          report = ${outcome.report === undefined ? null : Redact.json(outcome.report)}
          WHERE id = ${runId} RETURNING id`
      )
      if (updated.length === 0) return yield* fail(SyncStateErrorReason.NotFound({ entity: "run", id: runId }))
      return yield* runById("finishRun", runId)
    })

  const recentRuns: SyncStateService["recentRuns"] = (options) => {
    const limit = Math.max(1, Math.floor(options?.limit ?? 20))
    const sync = options?.sync
    return orStoreFailed("recentRuns")(
      sync === undefined
        ? sql<RunRow>`SELECT * FROM profilesync_runs ORDER BY started_at DESC, id DESC LIMIT ${limit}`
        : sql<RunRow>`SELECT * FROM profilesync_runs WHERE sync_name = ${sync}
            ORDER BY started_at DESC, id DESC LIMIT ${limit}`
    ).pipe(Effect.flatMap(decodeAll(decodeRun)))
  }

  // --- records ---
  const lookup: SyncStateService["lookup"] = (syncName, target, keys) =>
    orStoreFailed("lookup")(
      Effect.gen(function* () {
        const found = new Map<string, RecordState>()
        for (const batch of batches(Array.from(new Set(keys)))) {
          const rows = yield* sql<RecordRow>`SELECT ${sql.literal(recordColumns)} FROM profilesync_records
            WHERE sync_name = ${syncName} AND target = ${target} AND record_key IN ${sql.in(batch)}`
          for (const row of rows) found.set(row.record_key, decodeRecord(row))
        }
        return found as ReadonlyMap<string, RecordState>
      })
    )

  const confirmRows = (
    syncName: string,
    target: string,
    rows: ReadonlyArray<ConfirmedRow>,
    runId: string | undefined,
    at: number
  ) =>
    Effect.forEach(
      batches(lastPerKey(rows)),
      (batch) =>
        Effect.gen(function* () {
          yield* sql`INSERT INTO profilesync_records ${sql.insert(
            batch.map((row) => ({
              sync_name: syncName,
              target,
              record_key: row.key,
              content_hash: row.hash,
              vendor_id: row.vendorId ?? null,
              confirmed_at: at,
              last_seen_run: runId ?? null,
              attempts: 0,
              failed_hash: null,
              last_error: null,
              dead_lettered: 0
            }))
          )}
          ON CONFLICT (sync_name, target, record_key) DO UPDATE SET
            content_hash = excluded.content_hash,
            vendor_id = COALESCE(excluded.vendor_id, profilesync_records.vendor_id),
            confirmed_at = excluded.confirmed_at,
            last_seen_run = COALESCE(excluded.last_seen_run, profilesync_records.last_seen_run),
            attempts = 0,
            failed_hash = NULL,
            last_error = NULL,
            dead_lettered = 0`
          yield* sql`DELETE FROM profilesync_dead_letters WHERE sync_name = ${syncName} AND target = ${target}
            AND record_key IN ${sql.in(batch.map((row) => row.key))}`
        }),
      { discard: true }
    )

  const confirm: SyncStateService["confirm"] = (syncName, target, rows, options) =>
    rows.length === 0
      ? Effect.void
      : transaction(
          "confirm",
          Effect.flatMap(now, (at) => confirmRows(syncName, target, rows, options?.runId, at))
        )

  const markSeen: SyncStateService["markSeen"] = (syncName, target, runId, keys) =>
    keys.length === 0
      ? Effect.void
      : transaction(
          "markSeen",
          Effect.forEach(
            batches(Array.from(new Set(keys))),
            (batch) =>
              sql`UPDATE profilesync_records SET last_seen_run = ${runId}
                WHERE sync_name = ${syncName} AND target = ${target} AND record_key IN ${sql.in(batch)}`,
            { discard: true }
          )
        )

  const notSeen = (syncName: string, target: string, runId: string) =>
    sql`sync_name = ${syncName} AND target = ${target} AND content_hash IS NOT NULL
      AND (last_seen_run IS NULL OR last_seen_run <> ${runId})`

  // Records matching `condition`, in key order, 1,000 per query (keyset pagination: no OFFSET, no open cursor).
  const pagedRecords = (operation: string, condition: () => Statement.Fragment) =>
    Stream.paginateChunkEffect(Option.none<string>(), (after) =>
      orStoreFailed(operation)(
        Option.match(after, {
          onNone: () => sql<RecordRow>`SELECT ${sql.literal(recordColumns)} FROM profilesync_records
            WHERE ${condition()} ORDER BY record_key LIMIT 1000`,
          onSome: (key) => sql<RecordRow>`SELECT ${sql.literal(recordColumns)} FROM profilesync_records
            WHERE ${condition()} AND record_key > ${key} ORDER BY record_key LIMIT 1000`
        })
      ).pipe(
        Effect.map((rows) => {
          const records = rows.map(decodeRecord)
          const last = records.at(-1)
          return [
            Chunk.unsafeFromArray(records),
            records.length < 1000 || last === undefined ? Option.none() : Option.some(Option.some(last.key))
          ] as const
        })
      )
    )

  const confirmedHashes: SyncStateService["confirmedHashes"] = (syncName, target) =>
    pagedRecords(
      "confirmedHashes",
      () => sql`sync_name = ${syncName} AND target = ${target} AND content_hash IS NOT NULL`
    )

  const deletionCandidates: SyncStateService["deletionCandidates"] = (syncName, target, runId) =>
    pagedRecords("deletionCandidates", () => notSeen(syncName, target, runId))

  const countDeletionCandidates: SyncStateService["countDeletionCandidates"] = (syncName, target, runId) =>
    orStoreFailed("countDeletionCandidates")(
      sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM profilesync_records
        WHERE ${notSeen(syncName, target, runId)}`
    ).pipe(Effect.map((rows) => toNumber(rows[0]?.count ?? 0)))

  const forget: SyncStateService["forget"] = (syncName, target, keys) =>
    keys.length === 0
      ? Effect.void
      : transaction(
          "forget",
          Effect.forEach(
            batches(Array.from(new Set(keys))),
            (batch) =>
              Effect.zipRight(
                sql`DELETE FROM profilesync_records WHERE sync_name = ${syncName} AND target = ${target}
                  AND record_key IN ${sql.in(batch)}`,
                sql`DELETE FROM profilesync_dead_letters WHERE sync_name = ${syncName} AND target = ${target}
                  AND record_key IN ${sql.in(batch)}`
              ),
            { discard: true }
          )
        )

  // --- failures and dead letters ---
  const failRows = (
    syncName: string,
    target: string,
    failures: ReadonlyArray<FailedRow>,
    maxAttempts: number,
    at: number
  ) =>
    Effect.gen(function* () {
      const limit = Math.max(1, Math.floor(maxAttempts))
      const deadLettered: Array<string> = []
      for (const batch of batches(lastPerKey(failures))) {
        // Same hash as the last failure: one more attempt; a different version starts again at 1.
        const counted = yield* sql<{ readonly record_key: string; readonly attempts: unknown }>`
          INSERT INTO profilesync_records ${sql.insert(
            batch.map((failure) => ({
              sync_name: syncName,
              target,
              record_key: failure.key,
              content_hash: null,
              vendor_id: null,
              confirmed_at: null,
              last_seen_run: null,
              attempts: 1,
              failed_hash: failure.hash,
              last_error: Redact.text(failure.reason),
              dead_lettered: 0
            }))
          )}
          ON CONFLICT (sync_name, target, record_key) DO UPDATE SET
            attempts = CASE WHEN profilesync_records.failed_hash = excluded.failed_hash
              THEN profilesync_records.attempts + 1 ELSE 1 END,
            dead_lettered = CASE WHEN profilesync_records.failed_hash = excluded.failed_hash
              THEN profilesync_records.dead_lettered ELSE 0 END,
            failed_hash = excluded.failed_hash,
            last_error = excluded.last_error
          RETURNING record_key, attempts`
        const reached = new Set(counted.filter((row) => toNumber(row.attempts) >= limit).map((row) => row.record_key))
        const dead = batch.filter((failure) => reached.has(failure.key))
        if (dead.length === 0) continue
        const attemptsByKey = new Map(counted.map((row) => [row.record_key, toNumber(row.attempts)]))
        yield* sql`INSERT INTO profilesync_dead_letters ${sql.insert(
          dead.map((failure) => ({
            sync_name: syncName,
            target,
            record_key: failure.key,
            content_hash: failure.hash,
            payload: JSON.stringify(failure.payload ?? null),
            reason: Redact.text(failure.reason),
            attempts: attemptsByKey.get(failure.key) ?? limit,
            first_failed_at: at,
            last_failed_at: at,
            replayed_at: null
          }))
        )}
        ON CONFLICT (sync_name, target, record_key) DO UPDATE SET
          first_failed_at = CASE WHEN profilesync_dead_letters.replayed_at IS NULL
            AND profilesync_dead_letters.content_hash = excluded.content_hash
            THEN profilesync_dead_letters.first_failed_at ELSE excluded.first_failed_at END,
          content_hash = excluded.content_hash,
          payload = excluded.payload,
          reason = excluded.reason,
          attempts = excluded.attempts,
          last_failed_at = excluded.last_failed_at,
          replayed_at = NULL`
        yield* sql`UPDATE profilesync_records SET dead_lettered = 1
          WHERE sync_name = ${syncName} AND target = ${target}
          AND record_key IN ${sql.in(dead.map((failure) => failure.key))}`
        deadLettered.push(...dead.map((failure) => failure.key))
      }
      return { deadLettered } satisfies FailureOutcome
    })

  const recordFailures: SyncStateService["recordFailures"] = (syncName, target, failures, options) =>
    failures.length === 0
      ? Effect.succeed({ deadLettered: [] })
      : transaction(
          "recordFailures",
          Effect.flatMap(now, (at) => failRows(syncName, target, failures, options.maxAttempts, at))
        )

  const deadLetters: SyncStateService["deadLetters"] = (syncName, filter) => {
    const limit = Math.max(1, Math.floor(filter?.limit ?? 1000))
    const conditions = [
      sql`sync_name = ${syncName}`,
      ...(filter?.target === undefined ? [] : [sql`target = ${filter.target}`]),
      ...(filter?.includeReplayed === true ? [] : [sql`replayed_at IS NULL`])
    ]
    return orStoreFailed("deadLetters")(
      sql<DeadLetterRow>`SELECT * FROM profilesync_dead_letters WHERE ${sql.and(conditions)}
        ORDER BY first_failed_at, target, record_key LIMIT ${limit}`
    ).pipe(Effect.flatMap(decodeAll(decodeDeadLetter)))
  }

  const replayDeadLetters: SyncStateService["replayDeadLetters"] = (syncName, options) =>
    transaction(
      "replayDeadLetters",
      Effect.gen(function* () {
        const at = yield* now
        const conditions = [
          sql`sync_name = ${syncName}`,
          sql`replayed_at IS NULL`,
          ...(options?.target === undefined ? [] : [sql`target = ${options.target}`])
        ]
        const keys = options?.keys
        const rows: Array<DeadLetterRow> = []
        if (keys === undefined) {
          rows.push(...(yield* sql<DeadLetterRow>`SELECT * FROM profilesync_dead_letters WHERE ${sql.and(conditions)}`))
        } else {
          for (const batch of batches(Array.from(new Set(keys)))) {
            rows.push(
              ...(yield* sql<DeadLetterRow>`SELECT * FROM profilesync_dead_letters
                WHERE ${sql.and(conditions)} AND record_key IN ${sql.in(batch)}`)
            )
          }
        }
        const byTarget = new Map<string, Array<string>>()
        for (const row of rows) byTarget.set(row.target, [...(byTarget.get(row.target) ?? []), row.record_key])
        for (const [target, targetKeys] of byTarget) {
          for (const batch of batches(targetKeys)) {
            yield* sql`UPDATE profilesync_dead_letters SET replayed_at = ${at}
              WHERE sync_name = ${syncName} AND target = ${target} AND record_key IN ${sql.in(batch)}`
            yield* sql`UPDATE profilesync_records SET attempts = 0, dead_lettered = 0
              WHERE sync_name = ${syncName} AND target = ${target} AND record_key IN ${sql.in(batch)}`
          }
        }
        const letters = yield* decodeAll(decodeDeadLetter)(rows.map((row) => ({ ...row, replayed_at: at })))
        return [...letters].sort(
          (a, b) => a.firstFailedAt.getTime() - b.firstFailedAt.getTime() || a.key.localeCompare(b.key)
        )
      })
    )

  // --- rejects ---
  const recordRejects: SyncStateService["recordRejects"] = (syncName, runId, rejects) =>
    rejects.length === 0
      ? Effect.void
      : transaction(
          "recordRejects",
          Effect.gen(function* () {
            const kept = yield* sql<{ readonly next: unknown }>`SELECT COALESCE(MAX(position), -1) + 1 AS next
              FROM profilesync_rejects WHERE run_id = ${runId}`
            const first = toNumber(kept[0]?.next ?? 0)
            // 12 columns a row: 500 rows stay under SQLite's and PostgreSQL's bound-parameter limits.
            for (const [index, batch] of batches(rejects).entries()) {
              yield* sql`INSERT INTO profilesync_rejects ${sql.insert(
                batch.map((reject, offset) => ({
                  run_id: runId,
                  position: first + index * batchSize + offset,
                  sync_name: syncName,
                  source_row: reject.row,
                  source_line: reject.line,
                  record_key: reject.key ?? null,
                  code: reject.code,
                  field: reject.field,
                  source_column: reject.column,
                  value: reject.value.slice(0, 1000),
                  reason: Redact.text(reject.reason),
                  targets: JSON.stringify(reject.targets)
                }))
              )}`
            }
          })
        )

  // --- jobs ---
  const jobById = (id: string) =>
    Effect.flatMap(sql<JobRowRecord>`SELECT * FROM profilesync_jobs WHERE id = ${id}`, (rows) =>
      rows[0] === undefined
        ? fail(SyncStateErrorReason.NotFound({ entity: "job", id }))
        : Effect.map(decodeAll(decodeJob)([rows[0]]), (jobs) => jobs[0]!)
    )

  const journalJob: SyncStateService["journalJob"] = (job) =>
    orStoreFailed("journalJob")(
      Effect.gen(function* () {
        const id = randomUUID()
        const at = yield* now
        const rows = job.rows.map((row) => ({ key: row.key, hash: row.hash }))
        yield* sql`INSERT INTO profilesync_jobs ${sql.insert({
          id,
          sync_name: job.sync,
          target: job.target,
          run_id: job.runId,
          chunk: job.chunk,
          status: "planned",
          vendor_job_id: null,
          chunk_rows: JSON.stringify(rows),
          result: null,
          error: null,
          created_at: at,
          updated_at: at
        })}`
        return {
          id,
          sync: job.sync,
          target: job.target,
          runId: job.runId,
          chunk: job.chunk,
          status: "planned" as const,
          vendorJobId: Option.none(),
          rows,
          result: Option.none(),
          error: Option.none(),
          createdAt: new Date(at),
          updatedAt: new Date(at)
        }
      })
    )

  // Moves a job to `to` inside the current transaction; `fields` are set with the status.
  const moveJob = (
    jobId: string,
    to: JobStatus,
    fields: { readonly vendorJobId?: string; readonly result?: unknown; readonly error?: string }
  ) =>
    Effect.gen(function* () {
      const current = yield* jobById(jobId)
      if (!allowedMoves[current.status].includes(to)) {
        return yield* fail(SyncStateErrorReason.InvalidTransition({ jobId, from: current.status, to }))
      }
      if (current.status === to) {
        // A repeated call (after a crash) changes nothing; a second vendor job for one chunk is a bug to surface.
        if (fields.vendorJobId === undefined || Option.contains(current.vendorJobId, fields.vendorJobId)) {
          return { job: current, changed: false }
        }
        return yield* fail(SyncStateErrorReason.InvalidTransition({ jobId, from: current.status, to }))
      }
      const at = yield* now
      const vendorJobId = fields.vendorJobId ?? Option.getOrNull(current.vendorJobId)
      const result = "result" in fields && fields.result !== undefined ? Redact.json(fields.result) : null
      const error = fields.error === undefined ? null : Redact.text(fields.error)
      yield* sql`UPDATE profilesync_jobs SET status = ${to}, vendor_job_id = ${vendorJobId},
        result = COALESCE(${result}, result), error = COALESCE(${error}, error), updated_at = ${at}
        WHERE id = ${jobId}`
      return { job: yield* jobById(jobId), changed: true }
    })

  const transition = (operation: string, jobId: string, to: JobStatus, fields: Parameters<typeof moveJob>[2] = {}) =>
    transaction(
      operation,
      Effect.map(moveJob(jobId, to, fields), (moved) => moved.job)
    )

  const completeJob: SyncStateService["completeJob"] = (jobId, outcome) =>
    transaction(
      "completeJob",
      Effect.gen(function* () {
        const moved = yield* moveJob(jobId, "finished", { result: outcome.result })
        if (!moved.changed) return { deadLettered: [] }
        const at = yield* now
        const { sync: syncName, target, runId } = moved.job
        yield* confirmRows(syncName, target, outcome.confirmed, runId, at)
        return yield* failRows(syncName, target, outcome.failed, outcome.maxAttempts, at)
      })
    )

  const inFlightJobs: SyncStateService["inFlightJobs"] = (syncName) =>
    orStoreFailed("inFlightJobs")(
      sql<JobRowRecord>`SELECT * FROM profilesync_jobs
        WHERE sync_name = ${syncName} AND status IN ('planned', 'started', 'submitted')
        ORDER BY created_at, chunk, id`
    ).pipe(Effect.flatMap(decodeAll(decodeJob)))

  const pruneJobs: SyncStateService["pruneJobs"] = (options) =>
    orStoreFailed("pruneJobs")(
      Effect.gen(function* () {
        const before = (yield* now) - Duration.toMillis(Duration.decode(options.olderThan))
        const deleted = yield* sql<{ readonly id: string }>`DELETE FROM profilesync_jobs
          WHERE status IN ('finished', 'failed') AND updated_at < ${before} RETURNING id`
        return deleted.length
      })
    )

  // --- locks ---
  const acquireLock: SyncStateService["acquireLock"] = (name, options) =>
    Effect.gen(function* () {
      const ttl = Duration.decode(options?.ttl ?? Duration.seconds(60))
      const ttlMillis = Math.max(1, Duration.toMillis(ttl))
      const interval = Duration.decode(options?.heartbeatInterval ?? Duration.millis(Math.max(1, ttlMillis / 3)))
      const owner = options?.owner ?? defaultOwner()

      // One atomic statement: insert, or take over an expired lock (or renew our own); otherwise no row returns and
      // the holder is read to name it. `None`: the holder let go between the two statements; try again.
      const attempt = transaction(
        "acquireLock",
        Effect.gen(function* () {
          const at = yield* now
          const taken = yield* sql<{ readonly acquired_at: unknown }>`INSERT INTO profilesync_locks ${sql.insert({
            lock_name: name,
            owner,
            acquired_at: at,
            expires_at: at + ttlMillis,
            heartbeat_at: at
          })}
          ON CONFLICT (lock_name) DO UPDATE SET
            acquired_at = CASE WHEN profilesync_locks.owner = excluded.owner
              THEN profilesync_locks.acquired_at ELSE excluded.acquired_at END,
            owner = excluded.owner,
            expires_at = excluded.expires_at,
            heartbeat_at = excluded.heartbeat_at
          WHERE profilesync_locks.expires_at < excluded.heartbeat_at OR profilesync_locks.owner = excluded.owner
          RETURNING acquired_at`
          if (taken[0] !== undefined) return Option.some(toDate(taken[0].acquired_at))
          const holder = yield* sql<{
            readonly owner: string
            readonly acquired_at: unknown
            readonly expires_at: unknown
          }>`SELECT owner, acquired_at, expires_at FROM profilesync_locks WHERE lock_name = ${name}`
          const current = holder[0]
          if (current === undefined) return Option.none<Date>()
          // A SQLite store lives on one machine, so a holder of this host whose process is gone (SIGKILL, OOM, power
          // loss) is dead: its lock goes now rather than when it expires, and the next attempt takes it.
          if (dialect === "sqlite" && isDeadLocalOwner(current.owner)) {
            yield* sql`DELETE FROM profilesync_locks WHERE lock_name = ${name} AND owner = ${current.owner}`
            yield* Effect.logWarning("took over the run lock of a process that no longer runs").pipe(
              Effect.annotateLogs({ lock: name, owner: current.owner })
            )
            return Option.none<Date>()
          }
          return yield* fail(
            SyncStateErrorReason.Locked({
              name,
              owner: current.owner,
              since: toDate(current.acquired_at),
              expiresAt: toDate(current.expires_at)
            })
          )
        })
      )
      const acquire = attempt.pipe(
        Effect.repeat({ until: Option.isSome, times: 3 }),
        Effect.flatMap(
          Option.match({
            onNone: () =>
              fail(
                SyncStateErrorReason.StoreFailed({
                  operation: "acquireLock",
                  cause: new Error("the lock kept changing hands")
                })
              ),
            onSome: Effect.succeed
          })
        )
      )
      // acquireRelease: the release is registered in the same uninterruptible step as the acquisition, so an
      // interruption cannot leave a committed lock without its release. Finalizers run in reverse order, so the
      // heartbeat forked below stops before the row is deleted.
      const acquiredAt = yield* Effect.acquireRelease(
        Effect.tap(acquire, () => markHeld(owner, true)),
        () =>
          Effect.ignore(sql`DELETE FROM profilesync_locks WHERE lock_name = ${name} AND owner = ${owner}`).pipe(
            Effect.ensuring(Effect.sync(() => markHeld(owner, false)))
          )
      )
      const lost = yield* Deferred.make<void>()

      // Renews the lock; a renewal that finds the lock gone (expired and taken over) marks it lost. A failing renewal
      // is retried at the next beat, until the lock would have expired by this process's own clock (counted from
      // before the last successful renewal was sent, to err on the side of "lost").
      let validUntil = Date.now() + ttlMillis
      const renew = Effect.gen(function* () {
        const sent = Date.now()
        const at = yield* now
        const renewed = yield* sql<{ readonly owner: string }>`UPDATE profilesync_locks
          SET expires_at = ${at + ttlMillis}, heartbeat_at = ${at}
          WHERE lock_name = ${name} AND owner = ${owner} RETURNING owner`
        if (renewed.length === 0) yield* Deferred.succeed(lost, undefined)
        else validUntil = sent + ttlMillis
      })
      const beat = renew.pipe(
        Effect.catchAll(() => (Date.now() >= validUntil ? Deferred.succeed(lost, undefined) : Effect.void)),
        Effect.zipRight(Deferred.isDone(lost))
      )
      yield* Effect.forkScoped(
        beat.pipe(Effect.delay(interval), Effect.repeat({ until: (isLost) => isLost }), Effect.interruptible)
      )
      return {
        name,
        owner,
        acquiredAt,
        lost: Deferred.await(lost),
        ensureHeld: Effect.flatMap(Deferred.isDone(lost), (isLost) =>
          isLost || Date.now() >= validUntil ? fail(SyncStateErrorReason.LockLost({ name, owner })) : Effect.void
        )
      } satisfies Lock
    })

  return {
    startRun,
    finishRun,
    recentRuns,
    lookup,
    confirmedHashes,
    confirm,
    markSeen,
    deletionCandidates,
    countDeletionCandidates,
    forget,
    journalJob,
    markJobStarted: (jobId, note) => transition("markJobStarted", jobId, "started", { result: note }),
    markJobSubmitted: (jobId, vendorJobId) => transition("markJobSubmitted", jobId, "submitted", { vendorJobId }),
    markJobFinished: (jobId, result) => transition("markJobFinished", jobId, "finished", { result }),
    markJobFailed: (jobId, error) => transition("markJobFailed", jobId, "failed", { error }),
    completeJob,
    inFlightJobs,
    job: (jobId) => orStoreFailed("job")(jobById(jobId)),
    pruneJobs,
    recordFailures,
    deadLetters,
    replayDeadLetters,
    recordRejects,
    acquireLock
  } satisfies SyncStateService
})

// ---------------------------------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The store over the `SqlClient` provided to the layer (for a client configured elsewhere).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SyncState, SyncStateError, SqlClient.SqlClient> = Layer.effect(SyncState, make)

const withReactivity = Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make)

/**
 * The file a read-only store opens. SQLite creates `-wal` and `-shm` files beside a WAL database that a reader opens
 * at rest, even read-only; so a store at rest is copied to a private temporary directory (removed with the scope)
 * and the copy is read. A store with a `-wal` file is in use (or was left by a crash): it is read in place, which
 * creates nothing new.
 */
const readableCopy = (filename: string): Effect.Effect<string, SyncStateError, Scope.Scope> => {
  if (filename === ":memory:" || existsSync(`${filename}-wal`)) return Effect.succeed(filename)
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        const directory = mkdtempSync(join(tmpdir(), "profilesync-read-only-"))
        const copy = join(directory, basename(filename))
        copyFileSync(filename, copy)
        return copy
      },
      catch: storeFailed(`open ${filename} read-only`)
    }),
    (copy) => Effect.sync(() => rmSync(dirname(copy), { recursive: true, force: true }))
  )
}

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
 * The store in a SQLite file: the default, for a daemon on one machine.
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
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      // better-sqlite3 throws when it cannot open the file, which the client turns into a defect.
      const readOnly = options.readOnly === true
      const filename = readOnly ? yield* readableCopy(options.filename) : options.filename
      // A read-only connection must not switch the journal mode (a write); the store's files are WAL already.
      const client = yield* SqliteClient.make({
        filename,
        readonly: readOnly,
        disableWAL: readOnly
      }).pipe(
        withReactivity,
        Effect.catchAllDefect((cause) => Effect.fail(storeFailed(`open ${options.filename}`)(cause)))
      )
      return yield* Effect.provideService(make, SqlClient.SqlClient, client).pipe(
        Effect.locally(openReadOnly, readOnly)
      )
    })
  )

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
 * The store in PostgreSQL: for teams that run the daemon on several machines (the lock then holds across them).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPostgres = (options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
      Redact.registerUrlPassword(Redacted.value(url))
      const client = yield* PgClient.make({
        url,
        applicationName: "profilesync state",
        maxConnections: options.maxConnections ?? 10
      }).pipe(withReactivity, Effect.mapError(storeFailed("connect")))
      return yield* Effect.provideService(make, SqlClient.SqlClient, client).pipe(
        Effect.locally(openReadOnly, options.readOnly === true)
      )
    })
  )
