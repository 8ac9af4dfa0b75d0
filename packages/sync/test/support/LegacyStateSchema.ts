/**
 * Test support: the state store's schema exactly as version 0.1 created it, with its hand-written migrations and their
 * table `profilesync_migrations`, frozen here so that a test can build the store a user upgrading from 0.1 has, and
 * open it with the current code. Never change it: it is the past.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"

export const migrations: ReadonlyArray<{
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

/** Creates the 0.1 schema up to migration `upTo` (1-based), recording each in `profilesync_migrations`. */
export const create = (sql: SqlClient.SqlClient, upTo: number): Effect.Effect<void, SqlError> =>
  sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`CREATE TABLE IF NOT EXISTS profilesync_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`
      for (const migration of migrations.slice(0, upTo)) {
        for (const statement of migration.statements) yield* sql.unsafe(statement)
        yield* sql`INSERT INTO profilesync_migrations ${sql.insert({
          version: migration.version,
          name: migration.name,
          applied_at: Date.now()
        })}`
      }
    })
  )

/** What {@link insertSample} writes. */
export const sample = { sync: "crm", runId: "run-from-0.1", key: "k1", hash: "h1" } as const

/** A finished run and a confirmed row, as 0.1 wrote them. */
export const insertSample = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError> =>
  Effect.zipRight(
    sql`INSERT INTO profilesync_runs ${sql.insert({
      id: sample.runId,
      sync_name: sample.sync,
      targets: JSON.stringify(["ocamba"]),
      dry_run: 0,
      status: "succeeded",
      started_at: 1_700_000_000_000,
      finished_at: 1_700_000_001_000,
      counts: JSON.stringify({ read: 1 }),
      report: null
    })}`,
    sql`INSERT INTO profilesync_records ${sql.insert({
      sync_name: sample.sync,
      target: "ocamba",
      record_key: sample.key,
      content_hash: sample.hash,
      vendor_id: null,
      confirmed_at: 1_700_000_001_000,
      last_seen_run: sample.runId,
      attempts: 0,
      failed_hash: null,
      last_error: null,
      dead_lettered: 0
    })}`
  )

/** The names of the database's tables. */
export const tables = (
  sql: SqlClient.SqlClient,
  kind: "sqlite" | "postgres"
): Effect.Effect<ReadonlyArray<string>, SqlError> =>
  Effect.map(
    kind === "sqlite"
      ? sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
      : sql<{ readonly name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`,
    (rows) => rows.map((row) => row.name)
  )

/** The names of the database's indexes. */
export const indexes = (
  sql: SqlClient.SqlClient,
  kind: "sqlite" | "postgres"
): Effect.Effect<ReadonlyArray<string>, SqlError> =>
  Effect.map(
    kind === "sqlite"
      ? sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'index'`
      : sql<{ readonly name: string }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`,
    (rows) => rows.map((row) => row.name)
  )
