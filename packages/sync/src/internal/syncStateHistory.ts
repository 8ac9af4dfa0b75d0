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
import { batches, decodeAll, optionalString, toDate, toNumber } from "./syncStateRows.ts"
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

/**
 * Writes entries inside the current transaction, 500 rows per statement (10 columns: 5,000 bound parameters).
 *
 * @internal
 */
export const writeHistory = (
  sql: SqlClient.SqlClient,
  syncName: string,
  target: string,
  source: HistorySource,
  at: number,
  entries: ReadonlyArray<HistoryWrite>
) =>
  Effect.forEach(
    batches(entries),
    (batch) =>
      sql`INSERT INTO profilesync_history ${sql.insert(
        batch.map((entry) => ({
          sync_name: syncName,
          target,
          record_key: entry.key,
          run_id: source.runId ?? null,
          job_id: source.jobId ?? null,
          vendor_job_id: source.vendorJobId ?? null,
          at,
          outcome: entry.outcome,
          content_hash: entry.hash,
          reason: entry.reason === undefined || entry.reason === null ? null : Redact.text(entry.reason).slice(0, 1000)
        }))
      )}`,
    { discard: true }
  )

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
