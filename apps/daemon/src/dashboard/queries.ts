/**
 * @module
 * Every read of the dashboard, in one place: small, paged statements over the state store's indexes (runs by sync and
 * start, jobs by run, rejects by run and reason, dead letters by sync and first failure, records and history by key), the same
 * SQL on SQLite and PostgreSQL. Nothing here writes.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Sync } from "@profilesync/sync"
import * as Effect from "effect/Effect"

/** Rows per page of the run list, the jobs, the rejects and the dead letters. */
export const pageSize = 50

// PostgreSQL returns BIGINT and COUNT(*) as strings, SQLite as numbers.
const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))
const optionalNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : toNumber(value)
const parseJson = <A>(value: unknown, fallback: A): A => {
  if (typeof value !== "string") return (value as A) ?? fallback
  try {
    return JSON.parse(value) as A
  } catch {
    return fallback
  }
}

type Dialect = "sqlite" | "pg"
type Query<A> = Effect.Effect<A, SqlError>

/**
 * A run as listed.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunSummary {
  readonly id: string
  readonly status: string
  readonly dryRun: boolean
  readonly targets: ReadonlyArray<string>
  readonly startedAt: number
  readonly finishedAt: number | null
  readonly counts: Readonly<Record<string, number>>
}

interface RunRow {
  readonly id: string
  readonly status: string
  readonly dry_run: unknown
  readonly targets: string
  readonly started_at: unknown
  readonly finished_at: unknown
  readonly counts: string
}

const runColumns = "id, status, dry_run, targets, started_at, finished_at, counts"

const toRun = (row: RunRow): RunSummary => ({
  id: row.id,
  status: row.status,
  dryRun: toNumber(row.dry_run) === 1,
  targets: parseJson<ReadonlyArray<string>>(row.targets, []),
  startedAt: toNumber(row.started_at),
  finishedAt: optionalNumber(row.finished_at),
  counts: parseJson<Record<string, number>>(row.counts, {})
})

/**
 * What the overview shows of one sync.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncOverview {
  readonly lastRun: RunSummary | undefined
  readonly lastFinished: RunSummary | undefined
  readonly lock: { readonly owner: string; readonly since: number; readonly expiresAt: number } | undefined
  readonly rowsPerTarget: Readonly<Record<string, number>>
  readonly openDeadLetters: Readonly<Record<string, number>>
}

/**
 * The reads of one store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sql: SqlClient.SqlClient, dialect: Dialect) => {
  const rowsOfJob = dialect === "sqlite" ? "json_array_length(chunk_rows)" : "json_array_length(chunk_rows::json)"

  const overview = (sync: string): Query<SyncOverview> =>
    Effect.gen(function* () {
      const [last] = yield* sql<RunRow>`SELECT ${sql.literal(runColumns)} FROM profilesync_runs
        WHERE sync_name = ${sync} ORDER BY started_at DESC, id DESC LIMIT 1`
      const [finished] = yield* sql<RunRow>`SELECT ${sql.literal(runColumns)} FROM profilesync_runs
        WHERE sync_name = ${sync} AND status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1`
      const [lock] = yield* sql<{
        readonly owner: string
        readonly acquired_at: unknown
        readonly expires_at: unknown
      }>`SELECT owner, acquired_at, expires_at FROM profilesync_locks WHERE lock_name = ${Sync.lockName(sync)}`
      // Keys known per target, from the primary key's index alone (reading 1,000,000 rows would take seconds),
      // less the few that never were confirmed (only failed), from their partial index.
      const rows = yield* sql<{ readonly target: string; readonly count: unknown }>`SELECT target, COUNT(*) AS count
        FROM profilesync_records WHERE sync_name = ${sync} GROUP BY target`
      const unconfirmed = yield* sql<{ readonly target: string; readonly count: unknown }>`SELECT target,
        COUNT(*) AS count FROM profilesync_records WHERE sync_name = ${sync} AND content_hash IS NULL GROUP BY target`
      const letters = yield* sql<{ readonly target: string; readonly count: unknown }>`SELECT target,
        COUNT(*) AS count FROM profilesync_dead_letters WHERE sync_name = ${sync} AND replayed_at IS NULL
        GROUP BY target`
      const rowsPerTarget: Record<string, number> = {}
      for (const row of rows) rowsPerTarget[row.target] = toNumber(row.count)
      for (const row of unconfirmed) rowsPerTarget[row.target] = (rowsPerTarget[row.target] ?? 0) - toNumber(row.count)
      return {
        lastRun: last === undefined ? undefined : toRun(last),
        lastFinished: finished === undefined ? undefined : toRun(finished),
        lock:
          lock === undefined || toNumber(lock.expires_at) < Date.now()
            ? undefined
            : { owner: lock.owner, since: toNumber(lock.acquired_at), expiresAt: toNumber(lock.expires_at) },
        rowsPerTarget,
        openDeadLetters: Object.fromEntries(letters.map((row) => [row.target, toNumber(row.count)]))
      }
    })

  const runs = (
    sync: string,
    page: number
  ): Query<{ readonly total: number; readonly runs: ReadonlyArray<RunSummary> }> =>
    Effect.gen(function* () {
      const [total] = yield* sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM profilesync_runs
        WHERE sync_name = ${sync}`
      const rows = yield* sql<RunRow>`SELECT ${sql.literal(runColumns)} FROM profilesync_runs WHERE sync_name = ${sync}
        ORDER BY started_at DESC, id DESC LIMIT ${pageSize} OFFSET ${page * pageSize}`
      return { total: toNumber(total?.count), runs: rows.map(toRun) }
    })

  const run = (sync: string, id: string): Query<(RunSummary & { readonly report: unknown }) | undefined> =>
    Effect.map(
      sql<RunRow & { readonly report: string | null }>`SELECT ${sql.literal(runColumns)}, report FROM profilesync_runs
        WHERE id = ${id} AND sync_name = ${sync}`,
      ([row]) => (row === undefined ? undefined : { ...toRun(row), report: parseJson<unknown>(row.report, null) })
    )

  const jobs = (runId: string, page: number) =>
    Effect.gen(function* () {
      const [total] = yield* sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM profilesync_jobs
        WHERE run_id = ${runId}`
      const rows = yield* sql<{
        readonly target: string
        readonly chunk: unknown
        readonly status: string
        readonly vendor_job_id: string | null
        readonly rows: unknown
        readonly error: string | null
        readonly created_at: unknown
        readonly updated_at: unknown
      }>`SELECT target, chunk, status, vendor_job_id, ${sql.literal(rowsOfJob)} AS rows, error, created_at, updated_at
        FROM profilesync_jobs WHERE run_id = ${runId} ORDER BY target, chunk LIMIT ${pageSize} OFFSET ${page * pageSize}`
      return {
        total: toNumber(total?.count),
        jobs: rows.map((row) => ({
          target: row.target,
          chunk: toNumber(row.chunk),
          status: row.status,
          vendorJobId: row.vendor_job_id,
          rows: toNumber(row.rows),
          error: row.error,
          createdAt: toNumber(row.created_at),
          updatedAt: toNumber(row.updated_at)
        }))
      }
    })

  const rejectGroups = (runId: string) =>
    Effect.map(
      sql<{ readonly code: string; readonly field: string | null; readonly count: unknown }>`SELECT code, field,
        COUNT(*) AS count FROM profilesync_rejects WHERE run_id = ${runId} GROUP BY code, field
        ORDER BY COUNT(*) DESC, code, field`,
      (rows) => rows.map((row) => ({ code: row.code, field: row.field, count: toNumber(row.count) }))
    )

  /** A filter of a run's rejects: a reason code and a field (`null`: rejects of no one field). */
  const rejectCondition = (runId: string, filter: RejectFilter) =>
    sql.and([
      sql`run_id = ${runId}`,
      ...(filter.code === undefined ? [] : [sql`code = ${filter.code}`]),
      ...(filter.field === undefined
        ? []
        : filter.field === null
          ? [sql`field IS NULL`]
          : [sql`field = ${filter.field}`])
    ])

  // Keyset paging on the position: the page after (or before) a row costs the same deep into 200,000 rejects as at
  // the start. Going back reads the rows before the cursor newest first and turns them round.
  const rejects = (runId: string, filter: RejectFilter, cursor: RejectCursor, limit: number = pageSize) =>
    Effect.map(
      sql<{
        readonly position: unknown
        readonly source_row: unknown
        readonly source_line: unknown
        readonly record_key: string | null
        readonly code: string
        readonly field: string | null
        readonly source_column: string | null
        readonly value: string
        readonly reason: string
        readonly targets: string
      }>`SELECT position, source_row, source_line, record_key, code, field, source_column, value, reason, targets
        FROM profilesync_rejects WHERE ${rejectCondition(runId, filter)} AND ${
          cursor.direction === "after"
            ? sql`position > ${cursor.position} ORDER BY position`
            : sql`position < ${cursor.position} ORDER BY position DESC`
        } LIMIT ${limit}`,
      (rows): ReadonlyArray<Reject> =>
        (cursor.direction === "after" ? rows : [...rows].reverse()).map((row) => ({
          position: toNumber(row.position),
          row: toNumber(row.source_row),
          line: toNumber(row.source_line),
          key: row.record_key,
          code: row.code,
          field: row.field,
          column: row.source_column,
          value: row.value,
          reason: row.reason,
          targets: parseJson<ReadonlyArray<string>>(row.targets, [])
        }))
    )

  const deadLetters = (sync: string, target: string | undefined, page: number) =>
    Effect.gen(function* () {
      const condition = sql.and([
        sql`sync_name = ${sync}`,
        sql`replayed_at IS NULL`,
        ...(target === undefined ? [] : [sql`target = ${target}`])
      ])
      const [total] = yield* sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM profilesync_dead_letters
        WHERE ${condition}`
      const rows = yield* sql<{
        readonly target: string
        readonly record_key: string
        readonly payload: string
        readonly reason: string
        readonly attempts: unknown
        readonly first_failed_at: unknown
        readonly last_failed_at: unknown
      }>`SELECT target, record_key, payload, reason, attempts, first_failed_at, last_failed_at
        FROM profilesync_dead_letters WHERE ${condition}
        ORDER BY first_failed_at, target, record_key LIMIT ${pageSize} OFFSET ${page * pageSize}`
      return {
        total: toNumber(total?.count),
        letters: rows.map((row) => ({
          target: row.target,
          key: row.record_key,
          payload: parseJson<unknown>(row.payload, null),
          reason: row.reason,
          attempts: toNumber(row.attempts),
          firstFailedAt: toNumber(row.first_failed_at),
          lastFailedAt: toNumber(row.last_failed_at)
        }))
      }
    })

  const history = (sync: string, key: string, page = 0) =>
    Effect.gen(function* () {
      // The row history, newest first, a page at a time over its (sync, key, time) index; one row more than a page
      // says whether there is a next one.
      const entries = yield* sql<{
        readonly target: string
        readonly run_id: string | null
        readonly vendor_job_id: string | null
        readonly at: unknown
        readonly outcome: string
        readonly content_hash: string | null
        readonly reason: string | null
      }>`SELECT target, run_id, vendor_job_id, at, outcome, content_hash, reason FROM profilesync_history
        WHERE sync_name = ${sync} AND record_key = ${key} ORDER BY at DESC, id DESC
        LIMIT ${pageSize + 1} OFFSET ${page * pageSize}`
      const records = yield* sql<{
        readonly target: string
        readonly content_hash: string | null
        readonly vendor_id: string | null
        readonly confirmed_at: unknown
        readonly last_seen_run: string | null
        readonly attempts: unknown
        readonly failed_hash: string | null
        readonly last_error: string | null
        readonly dead_lettered: unknown
      }>`SELECT target, content_hash, vendor_id, confirmed_at, last_seen_run, attempts, failed_hash, last_error,
        dead_lettered FROM profilesync_records WHERE sync_name = ${sync} AND record_key = ${key} ORDER BY target`
      const states: Array<KeyState> = []
      for (const record of records) {
        const confirmedAt = optionalNumber(record.confirmed_at)
        // The job that sent the confirmed version: among the jobs of the last run started before the confirmation
        // (one run's jobs, by the run index), the one whose rows hold this key with this hash.
        let sentBy: KeyState["sentBy"]
        if (confirmedAt !== null && record.content_hash !== null) {
          const [confirmingRun] = yield* sql<{ readonly id: string }>`SELECT id FROM profilesync_runs
            WHERE sync_name = ${sync} AND started_at <= ${confirmedAt} ORDER BY started_at DESC LIMIT 1`
          if (confirmingRun !== undefined) {
            const needle = `%${JSON.stringify({ key, hash: record.content_hash }).replace(/[\\%_]/g, "\\$&")}%`
            const [job] = yield* sql<{
              readonly chunk: unknown
              readonly vendor_job_id: string | null
              readonly status: string
            }>`SELECT chunk, vendor_job_id, status FROM profilesync_jobs WHERE run_id = ${confirmingRun.id}
              AND target = ${record.target} AND chunk_rows LIKE ${needle} ESCAPE '\\' LIMIT 1`
            sentBy = {
              runId: confirmingRun.id,
              ...(job === undefined
                ? {}
                : { chunk: toNumber(job.chunk), vendorJobId: job.vendor_job_id, status: job.status })
            }
          }
        }
        states.push({
          target: record.target,
          hash: record.content_hash,
          vendorId: record.vendor_id,
          confirmedAt,
          lastSeenRun: record.last_seen_run,
          attempts: toNumber(record.attempts),
          failedHash: record.failed_hash,
          lastError: record.last_error,
          deadLettered: toNumber(record.dead_lettered) === 1,
          sentBy
        })
      }
      const rejected = yield* sql<{
        readonly run_id: string
        readonly started_at: unknown
        readonly code: string
        readonly field: string | null
        readonly reason: string
      }>`SELECT r.run_id, runs.started_at, r.code, r.field, r.reason FROM profilesync_rejects r
        JOIN profilesync_runs runs ON runs.id = r.run_id
        WHERE r.sync_name = ${sync} AND r.record_key = ${key} ORDER BY runs.started_at DESC LIMIT ${pageSize}`
      const letters = yield* sql<{
        readonly target: string
        readonly reason: string
        readonly attempts: unknown
        readonly first_failed_at: unknown
        readonly last_failed_at: unknown
        readonly replayed_at: unknown
      }>`SELECT target, reason, attempts, first_failed_at, last_failed_at, replayed_at FROM profilesync_dead_letters
        WHERE sync_name = ${sync} AND record_key = ${key} ORDER BY target`
      return {
        states,
        entries: entries.slice(0, pageSize).map((row) => ({
          target: row.target,
          runId: row.run_id,
          vendorJobId: row.vendor_job_id,
          at: toNumber(row.at),
          outcome: row.outcome,
          hash: row.content_hash,
          reason: row.reason
        })),
        page,
        morePages: entries.length > pageSize,
        rejects: rejected.map((row) => ({
          runId: row.run_id,
          startedAt: toNumber(row.started_at),
          code: row.code,
          field: row.field,
          reason: row.reason
        })),
        deadLetters: letters.map((row) => ({
          target: row.target,
          reason: row.reason,
          attempts: toNumber(row.attempts),
          firstFailedAt: toNumber(row.first_failed_at),
          lastFailedAt: toNumber(row.last_failed_at),
          replayedAt: optionalNumber(row.replayed_at)
        }))
      }
    })

  /** The key of one reject, for a link to its history. */
  const rejectKey = (runId: string, position: number) =>
    Effect.map(
      sql<{ readonly record_key: string | null }>`SELECT record_key FROM profilesync_rejects
        WHERE run_id = ${runId} AND position = ${position}`,
      ([row]) => row?.record_key ?? undefined
    )

  return { overview, runs, run, jobs, rejectGroups, rejects, deadLetters, history, rejectKey }
}

/**
 * The reads of one store.
 *
 * @since 0.1.0
 * @category models
 */
export type Queries = ReturnType<typeof make>

/**
 * Where a page of rejects starts: after a position (the first page is after -1), or, going back, before one.
 *
 * @since 0.1.0
 * @category models
 */
export interface RejectCursor {
  readonly direction: "after" | "before"
  readonly position: number
}

/**
 * Which rejects to show: `code` and `field` when given (`field: null` for rejects of no one field).
 *
 * @since 0.1.0
 * @category models
 */
export interface RejectFilter {
  readonly code?: string | undefined
  readonly field?: string | null | undefined
}

/**
 * One rejected row.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reject {
  readonly position: number
  readonly row: number
  readonly line: number
  readonly key: string | null
  readonly code: string
  readonly field: string | null
  readonly column: string | null
  readonly value: string
  readonly reason: string
  readonly targets: ReadonlyArray<string>
}

/**
 * What the store knows of a key at one target.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyState {
  readonly target: string
  readonly hash: string | null
  readonly vendorId: string | null
  readonly confirmedAt: number | null
  readonly lastSeenRun: string | null
  readonly attempts: number
  readonly failedHash: string | null
  readonly lastError: string | null
  readonly deadLettered: boolean
  readonly sentBy:
    | {
        readonly runId: string
        readonly chunk?: number
        readonly vendorJobId?: string | null
        readonly status?: string
      }
    | undefined
}
