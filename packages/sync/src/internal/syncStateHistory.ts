/**
 * The row history: what happened to each key at each target (created, updated, deleted, rejected, failed,
 * dead-lettered), written in bulk inside the transactions that change a row's state, read per key newest first, and
 * pruned by age. It holds the content hash of what was sent, never a value.
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Redact from "@profilesync/core/Redact"
import * as Effect from "effect/Effect"
import type { HistoryEntry, HistoryOutcome, SyncStateService } from "../SyncState.ts"
import { bulkColumn, bulkJson, bulkOrder, bulkSlices, bulkTable } from "./syncStateBulk.ts"
import { decodeAll, optionalString, toDate, toNumber } from "./syncStateRows.ts"
import type { StoreContext } from "./syncStateStore.ts"

/** Where a history entry came from: the run and the vendor job, when known. @internal */
export interface HistorySource {
  readonly runId?: string | null | undefined
  readonly jobId?: string | null | undefined
  readonly vendorJobId?: string | null | undefined
}

/** One entry to write. @internal */
export interface HistoryWrite {
  readonly key: string
  readonly outcome: HistoryOutcome
  readonly hash: string | null
  readonly reason?: string | null | undefined
}

interface HistoryRow {
  readonly sync_name: string
  readonly target: string
  readonly record_key: string
  readonly run_id: string | null
  readonly job_id: string | null
  readonly vendor_job_id: string | null
  readonly at: unknown
  readonly outcome: string
  readonly content_hash: string | null
  readonly reason: string | null
}

const decodeHistory = (row: HistoryRow): HistoryEntry => ({
  sync: row.sync_name,
  target: row.target,
  key: row.record_key,
  runId: optionalString(row.run_id),
  jobId: optionalString(row.job_id),
  vendorJobId: optionalString(row.vendor_job_id),
  at: toDate(row.at),
  outcome: row.outcome as HistoryOutcome,
  hash: optionalString(row.content_hash),
  reason: optionalString(row.reason)
})

// The columns every history write fills, in this order.
const historyColumns = (sql: SqlClient.SqlClient) =>
  sql.literal("sync_name, target, record_key, run_id, job_id, vendor_job_id, at, outcome, content_hash, reason")

const reasonText = (reason: string | null | undefined): string | null =>
  reason === undefined || reason === null ? null : Redact.text(reason).slice(0, 1000)

/**
 * Writes entries inside the current transaction, 10,000 per statement (one JSON parameter, see `syncStateBulk.ts`).
 *
 * @internal
 */
export const writeHistory = (
  context: Pick<StoreContext, "sql" | "dialect">,
  syncName: string,
  target: string,
  source: HistorySource,
  at: number,
  entries: ReadonlyArray<HistoryWrite>
) => {
  const { sql, dialect } = context
  return Effect.forEach(
    bulkSlices(entries),
    (slice) =>
      sql`INSERT INTO profilesync_history (${historyColumns(sql)})
        SELECT CAST(${syncName} AS TEXT), CAST(${target} AS TEXT), ${bulkColumn(sql, 0)},
          CAST(${source.runId ?? null} AS TEXT), CAST(${source.jobId ?? null} AS TEXT),
          CAST(${source.vendorJobId ?? null} AS TEXT), CAST(${at} AS BIGINT), ${bulkColumn(sql, 1)},
          ${bulkColumn(sql, 2)}, ${bulkColumn(sql, 3)}
        FROM ${bulkTable(
          sql,
          dialect,
          bulkJson(
            dialect,
            slice.map((entry) => [entry.key, entry.outcome, entry.hash, reasonText(entry.reason)])
          )
        )}
        ORDER BY ${bulkOrder(sql, dialect)}`,
    { discard: true }
  )
}

/**
 * Writes a `created` or `updated` entry per confirmed row inside the current transaction, before the rows' state
 * changes: `created` where the store holds no confirmed hash for the key. The stored state is read in the same
 * statement (a join), not returned to JavaScript. `json` is the rows' {@link bulkJson}, key and hash first.
 *
 * @internal
 */
export const writeConfirmedHistory = (
  context: Pick<StoreContext, "sql" | "dialect">,
  syncName: string,
  target: string,
  source: HistorySource,
  at: number,
  json: string
) => {
  const { sql, dialect } = context
  return sql`INSERT INTO profilesync_history (${historyColumns(sql)})
    SELECT CAST(${syncName} AS TEXT), CAST(${target} AS TEXT), ${bulkColumn(sql, 0)},
      CAST(${source.runId ?? null} AS TEXT), CAST(${source.jobId ?? null} AS TEXT),
      CAST(${source.vendorJobId ?? null} AS TEXT), CAST(${at} AS BIGINT),
      CASE WHEN known.content_hash IS NULL THEN 'created' ELSE 'updated' END, ${bulkColumn(sql, 1)}, NULL
    FROM ${bulkTable(sql, dialect, json)}
    LEFT JOIN profilesync_records AS known ON known.sync_name = ${syncName} AND known.target = ${target}
      AND known.record_key = ${bulkColumn(sql, 0)}`
}

/** The history operations of the service. @internal */
export const makeHistory = (context: StoreContext, options: { readonly historyKept: boolean }) => {
  const { sql, transaction, orStoreFailed, now } = context
  const { historyKept } = options

  const rowHistory: SyncStateService["rowHistory"] = (syncName, key, options) => {
    // A store opened read-only before its first run of this version has no history table yet: nothing to read.
    if (!historyKept) return Effect.succeed([])
    const limit = Math.max(1, Math.floor(options?.limit ?? 50))
    const offset = Math.max(0, Math.floor(options?.offset ?? 0))
    const conditions = [
      sql`sync_name = ${syncName}`,
      sql`record_key = ${key}`,
      ...(options?.target === undefined ? [] : [sql`target = ${options.target}`])
    ]
    // Entries written in one millisecond keep the order they were written in (`id`).
    return orStoreFailed("rowHistory")(
      sql<HistoryRow>`SELECT * FROM profilesync_history WHERE ${sql.and(conditions)}
        ORDER BY at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`
    ).pipe(Effect.flatMap(decodeAll(decodeHistory)))
  }

  // Counted, then deleted, in one transaction: SQLite has no DELETE inside a WITH, and RETURNING would hand back a
  // row per deleted entry.
  const pruneHistory: SyncStateService["pruneHistory"] = (syncName, options) =>
    transaction(
      "pruneHistory",
      Effect.gen(function* () {
        const keepDays = Math.max(0, options.keepDays)
        // keepDays 0 keeps nothing: everything up to now (inclusive) goes.
        const before = (yield* now) - keepDays * 86_400_000 + (keepDays === 0 ? 1 : 0)
        const counted = yield* sql<{ readonly count: unknown }>`SELECT COUNT(*) AS count FROM profilesync_history
          WHERE sync_name = ${syncName} AND at < ${before}`
        const count = toNumber(counted[0]?.count ?? 0)
        if (count > 0) yield* sql`DELETE FROM profilesync_history WHERE sync_name = ${syncName} AND at < ${before}`
        return count
      })
    )

  return { rowHistory, pruneHistory } satisfies Partial<SyncStateService>
}
