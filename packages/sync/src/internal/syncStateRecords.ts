/**
 * The store's rows per key and target: confirmed hashes and lookups, the marks of a run's mark and sweep for
 * deletions, failures counted per row into dead letters, and a run's rejected rows.
 *
 * @internal
 */
import type * as Statement from "@effect/sql/Statement"
import * as Redact from "@profilesync/core/Redact"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ConfirmedRow, FailedRow, FailureOutcome, RecordState, SyncStateService } from "../SyncState.ts"
import { bulkColumn, bulkJson, bulkSlices, bulkTable } from "./syncStateBulk.ts"
import { type HistorySource, writeConfirmedHistory, writeHistory } from "./syncStateHistory.ts"
import {
  batches,
  batchSize,
  type DeadLetterRow,
  decodeAll,
  decodeDeadLetter,
  decodeRecord,
  lastPerKey,
  type RecordRow,
  recordColumns,
  toNumber
} from "./syncStateRows.ts"
import type { StoreContext } from "./syncStateStore.ts"

// Rows in key order: each statement then touches neighbouring index pages, not pages all over the tree.
const inKeyOrder = <A extends { readonly key: string }>(rows: ReadonlyArray<A>): ReadonlyArray<A> =>
  [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))

/** The record operations of the service, and the two steps a job's completion shares with them. @internal */
export const makeRecords = (context: StoreContext) => {
  const { sql, dialect, transaction, orStoreFailed, now } = context

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

  // Per slice of 10,000 rows, one JSON text and three statements whatever the slice's size: the history (reading what
  // the target held before in the same statement), the upsert, and the dead letters cleared when there are any.
  const confirmRows = (
    syncName: string,
    target: string,
    rows: ReadonlyArray<ConfirmedRow>,
    runId: string | undefined,
    at: number,
    job: HistorySource = {}
  ) =>
    Effect.gen(function* () {
      if (rows.length === 0) return
      // Dead letters are rare: one probe instead of matching every confirmed key against the table.
      const lettered = yield* sql`SELECT 1 AS found FROM profilesync_dead_letters
        WHERE sync_name = ${syncName} AND target = ${target} LIMIT 1`
      for (const slice of bulkSlices(inKeyOrder(lastPerKey(rows)))) {
        const json = bulkJson(
          dialect,
          slice.map((row) => [row.key, row.hash, row.vendorId ?? null])
        )
        yield* writeConfirmedHistory(context, syncName, target, { runId: runId ?? null, ...job }, at, json)
        // `WHERE true`: SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT (or it reads ON as a join's).
        yield* sql`INSERT INTO profilesync_records (sync_name, target, record_key, content_hash, vendor_id,
            confirmed_at, last_seen_run, attempts, failed_hash, last_error, dead_lettered)
          SELECT CAST(${syncName} AS TEXT), CAST(${target} AS TEXT), ${bulkColumn(sql, 0)}, ${bulkColumn(sql, 1)},
            ${bulkColumn(sql, 2)}, CAST(${at} AS BIGINT), CAST(${runId ?? null} AS TEXT), 0, NULL, NULL, 0
          FROM ${bulkTable(sql, dialect, json)}
          WHERE true
          ON CONFLICT (sync_name, target, record_key) DO UPDATE SET
            content_hash = excluded.content_hash,
            vendor_id = COALESCE(excluded.vendor_id, profilesync_records.vendor_id),
            confirmed_at = excluded.confirmed_at,
            last_seen_run = COALESCE(excluded.last_seen_run, profilesync_records.last_seen_run),
            attempts = 0,
            failed_hash = NULL,
            last_error = NULL,
            dead_lettered = 0`
        if (lettered.length === 0) continue
        yield* sql`DELETE FROM profilesync_dead_letters WHERE sync_name = ${syncName} AND target = ${target}
          AND record_key IN (SELECT ${bulkColumn(sql, 0)} FROM ${bulkTable(sql, dialect, json)})`
      }
    })

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

  const forget: SyncStateService["forget"] = (syncName, target, keys, options) =>
    keys.length === 0
      ? Effect.void
      : transaction(
          "forget",
          Effect.forEach(
            batches(Array.from(new Set(keys))),
            (batch) =>
              Effect.gen(function* () {
                // Only keys the store still held get a history entry: forgetting again (a resumed delete job)
                // records nothing twice.
                const gone = yield* sql<{ readonly record_key: string; readonly content_hash: string | null }>`
                  DELETE FROM profilesync_records WHERE sync_name = ${syncName} AND target = ${target}
                  AND record_key IN ${sql.in(batch)} RETURNING record_key, content_hash`
                yield* sql`DELETE FROM profilesync_dead_letters WHERE sync_name = ${syncName} AND target = ${target}
                  AND record_key IN ${sql.in(batch)}`
                if (gone.length === 0) return
                yield* writeHistory(
                  context,
                  syncName,
                  target,
                  options ?? {},
                  yield* now,
                  gone.map((row) => ({ key: row.record_key, outcome: "deleted" as const, hash: row.content_hash }))
                )
              }),
            { discard: true }
          )
        )

  // --- failures and dead letters ---
  const failRows = (
    syncName: string,
    target: string,
    failures: ReadonlyArray<FailedRow>,
    maxAttempts: number,
    at: number,
    source: HistorySource = {}
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
        yield* writeHistory(
          context,
          syncName,
          target,
          source,
          at,
          batch.map((failure) => ({
            key: failure.key,
            outcome: reached.has(failure.key) ? ("dead-lettered" as const) : ("failed" as const),
            hash: failure.hash,
            reason: failure.reason
          }))
        )
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
          Effect.flatMap(now, (at) =>
            failRows(syncName, target, failures, options.maxAttempts, at, { runId: options.runId ?? null })
          )
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
            // Each keyed reject is a history entry at each target it was meant for (nothing was sent: no hash).
            const at = yield* now
            const targets = new Set(rejects.flatMap((reject) => (reject.key === undefined ? [] : reject.targets)))
            for (const target of targets) {
              yield* writeHistory(
                context,
                syncName,
                target,
                { runId },
                at,
                rejects.flatMap((reject) =>
                  reject.key === undefined || !reject.targets.includes(target)
                    ? []
                    : [{ key: reject.key, outcome: "rejected" as const, hash: null, reason: reject.reason }]
                )
              )
            }
          })
        )

  return {
    /** Confirms rows inside the current transaction. */
    confirmRows,
    /** Counts failures inside the current transaction. */
    failRows,
    service: {
      lookup,
      confirmedHashes,
      confirm,
      markSeen,
      deletionCandidates,
      countDeletionCandidates,
      forget,
      recordFailures,
      deadLetters,
      replayDeadLetters,
      recordRejects
    } satisfies Partial<SyncStateService>
  }
}
