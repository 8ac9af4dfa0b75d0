/**
 * The store's schema: its migrations, run by `@effect/sql`'s `Migrator`, and the path from the table the hand-written
 * migrations of earlier versions kept (`profilesync_migrations`) to the `Migrator`'s (`profilesync_schema_migrations`).
 *
 * **Why `Migrator.make` and not `SqliteMigrator` / `PgMigrator`**
 *
 * Those two are `Migrator.make` plus a `dumpSchema` that shells out to `sqlite3` / `pg_dump` when a schema directory is
 * given; they require `FileSystem`, `Path` and `CommandExecutor` services for it and would tie this shared code to both
 * drivers. The store dumps no schema, so the dialect-neutral `Migrator.make({})` they are built on runs the same
 * migrations the same way, over whichever `SqlClient` the store has.
 *
 * **Serialised, in one transaction**
 *
 * The `Migrator` runs inside the store's own write transaction (`BEGIN IMMEDIATE` on SQLite, `pg_advisory_xact_lock`
 * on PostgreSQL), where its own transaction becomes a savepoint: two processes opening a store at once wait for each
 * other, and the second finds nothing to do. On its own, the `Migrator` would treat a second process's conflicting
 * insert as "already running" and return before the first has committed the tables.
 *
 * @internal
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { type SyncStateError, storeFailed } from "./syncStateError.ts"
import { toNumber } from "./syncStateRows.ts"

/** The dialects the store runs on. @internal */
export type Dialect = "sqlite" | "pg"

/** The `Migrator`'s table: one row per applied migration (`migration_id`, `name`, `created_at`). @internal */
export const migrationsTable = "profilesync_schema_migrations"

// Where the hand-written migrations of versions up to 0.x recorded theirs (`version`, `name`, `applied_at`). Its rows
// are copied into the `Migrator`'s table when a store is opened for writing; the table itself is left in place and no
// longer written, so that an earlier version still opens the store after a rollback.
const legacyTable = "profilesync_migrations"

const statements = (list: ReadonlyArray<string>): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(list, (statement) => sql.unsafe(statement), { discard: true })
  )

// Portable SQL: TEXT, INTEGER and BIGINT mean the same to SQLite and PostgreSQL; timestamps are epoch milliseconds,
// JSON is stored as TEXT. Keys are `<id>_<name>` (`Migrator.fromRecord`); ids and names are those the hand-written
// migrations recorded, so a store they created continues where it was. Never change one: add the next.
const migrations: Record<string, Effect.Effect<void, SqlError, SqlClient.SqlClient>> = {
  "1_initial": statements([
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
  ]),
  // A run's rejected rows, and the indexes that let a dashboard read runs, jobs and rejects page by page.
  "2_rejects and dashboard indexes": statements([
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
  ]),
  // Rows only ever failed, so that "rows in state" is the primary key's count less these, without reading rows.
  "3_unconfirmed records": statements([
    `CREATE INDEX profilesync_records_unconfirmed ON profilesync_records (sync_name, target)
      WHERE content_hash IS NULL`
  ]),
  // Row history: one row per key, target and outcome (created, updated, deleted, rejected, failed, dead-lettered),
  // the content hash sent and never a value, read per key newest first and pruned by age.
  // `id` orders entries written in one millisecond in the order they were written (SQLite's rowid alias; an identity
  // column on PostgreSQL), the one column whose SQL the two dialects do not share.
  "4_row history": Effect.flatMap(SqlClient.SqlClient, (sql) =>
    statements([
      `CREATE TABLE profilesync_history (
      id ${sql.onDialectOrElse({
        pg: () => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        orElse: () => "INTEGER PRIMARY KEY"
      })},
      sync_name TEXT NOT NULL,
      target TEXT NOT NULL,
      record_key TEXT NOT NULL,
      run_id TEXT,
      job_id TEXT,
      vendor_job_id TEXT,
      at BIGINT NOT NULL,
      outcome TEXT NOT NULL,
      content_hash TEXT,
      reason TEXT
    )`,
      "CREATE INDEX profilesync_history_by_key ON profilesync_history (sync_name, record_key, at)",
      "CREATE INDEX profilesync_history_by_age ON profilesync_history (sync_name, at)"
    ])
  )
}

/** The schema version this code writes: the last migration's id. @internal */
export const schemaVersion: number = Math.max(...Object.keys(migrations).map((key) => Number.parseInt(key, 10)))

/**
 * The oldest schema a read-only store opens: the row history (4) only adds a table, which reads as empty until the
 * next writing run migrates, so a dry run right after an upgrade still works. @internal
 */
export const readableVersion = 3

const runMigrator = Migrator.make({})

const tableExists = (sql: SqlClient.SqlClient, dialect: Dialect, table: string): Effect.Effect<boolean, SqlError> =>
  dialect === "sqlite"
    ? Effect.map(
        sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM sqlite_master
          WHERE type = 'table' AND name = ${table}`,
        (rows) => toNumber(rows[0]?.count ?? 0) > 0
      )
    : Effect.map(
        sql<{ readonly name: string | null }>`SELECT to_regclass(${table})::text AS name`,
        (rows) => rows[0]?.name !== null && rows[0]?.name !== undefined
      )

/**
 * The schema version of the store `sql` reaches: the last migration applied, whichever table recorded it (0 for an
 * empty database). Reads only.
 *
 * @internal
 */
export const appliedVersion = (sql: SqlClient.SqlClient, dialect: Dialect): Effect.Effect<number, SqlError> =>
  Effect.gen(function* () {
    if (yield* tableExists(sql, dialect, migrationsTable)) {
      const rows = yield* sql<{ readonly version: unknown }>`SELECT MAX(migration_id) AS version FROM ${sql(
        migrationsTable
      )}`
      return toNumber(rows[0]?.version ?? 0)
    }
    if (yield* tableExists(sql, dialect, legacyTable)) {
      const rows = yield* sql<{ readonly version: unknown }>`SELECT MAX(version) AS version FROM ${sql(legacyTable)}`
      return toNumber(rows[0]?.version ?? 0)
    }
    return 0
  })

/**
 * Fails with `StoreFailed` unless every migration was applied; reads only (the check of a read-only store, and of a
 * migration that returned without migrating).
 *
 * @internal
 */
export const checkSchema = (
  sql: SqlClient.SqlClient,
  dialect: Dialect,
  operation: "open read-only" | "migrate"
): Effect.Effect<void, SqlError | SyncStateError> =>
  Effect.flatMap(appliedVersion(sql, dialect), (version) =>
    version >= (operation === "open read-only" ? readableVersion : schemaVersion)
      ? Effect.void
      : Effect.fail(
          storeFailed(operation)(
            operation === "open read-only"
              ? `the store is at schema version ${version} and this version needs ${readableVersion}, and a ` +
                  "read-only store is not migrated: run once without a dry run"
              : `the store is at schema version ${version} after migrating, not ${schemaVersion}`
          )
        )
  )

/**
 * Migrates the store to {@link schemaVersion}. Run it inside the store's write transaction (see the module's
 * comment); a migration that fails is a `MigrationError` defect, as the `Migrator` reports it.
 *
 * @internal
 */
export const migrate = (
  sql: SqlClient.SqlClient,
  dialect: Dialect
): Effect.Effect<void, SqlError | Migrator.MigrationError | SyncStateError> =>
  Effect.gen(function* () {
    if (dialect === "pg") yield* sql`SELECT pg_advisory_xact_lock(${7_303_711_001})`
    // The `Migrator`'s own table, as it would create it. Created here, in the transaction and under the lock: on
    // PostgreSQL the `Migrator` probes for it with a query that fails when it is missing, which would abort the
    // surrounding transaction.
    yield* dialect === "pg"
      ? sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`
      : sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
          migration_id integer PRIMARY KEY NOT NULL,
          created_at datetime NOT NULL DEFAULT current_timestamp,
          name VARCHAR(255) NOT NULL
        )`
    if (yield* tableExists(sql, dialect, legacyTable)) {
      yield* sql`INSERT INTO ${sql(migrationsTable)} (migration_id, name)
        SELECT version, name FROM ${sql(legacyTable)}
        WHERE version NOT IN (SELECT migration_id FROM ${sql(migrationsTable)})`
    }
    yield* runMigrator({ loader: Migrator.fromRecord(migrations), table: migrationsTable })
    // The `Migrator` returns without migrating when it cannot record a migration ("already running"): check.
    yield* checkSchema(sql, dialect, "migrate")
  }).pipe(Effect.provideService(SqlClient.SqlClient, sql))
