/**
 * Rows as SQLite and PostgreSQL return them, decoded into the store's models, and the batching every statement over
 * many keys shares.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { DeadLetter, Job, JobRow, JobStatus, RecordState, Run, RunStatus } from "../SyncState.ts"
import { type SyncStateError, storeFailed } from "./syncStateError.ts"

// PostgreSQL returns BIGINT as a string, SQLite as a number.
export const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value))
export const toDate = (value: unknown): Date => new Date(toNumber(value))
export const optionalDate = (value: unknown): Option.Option<Date> =>
  value === null || value === undefined ? Option.none() : Option.some(toDate(value))
export const optionalString = (value: unknown): Option.Option<string> =>
  value === null || value === undefined ? Option.none() : Option.some(String(value))
export const parseJson = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value)
export const optionalJson = (value: unknown): Option.Option<unknown> =>
  value === null || value === undefined ? Option.none() : Option.some(parseJson(value))

// Stored JSON that no longer parses is a store failure, not a defect.
export const decodeAll =
  <Row, A>(decode: (row: Row) => A) =>
  (rows: ReadonlyArray<Row>): Effect.Effect<ReadonlyArray<A>, SyncStateError> =>
    Effect.try({ try: () => rows.map(decode), catch: storeFailed("decode stored data") })

export interface RunRow {
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

export const decodeRun = (row: RunRow): Run => ({
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

export interface RecordRow {
  readonly record_key: string
  readonly content_hash: string | null
  readonly vendor_id: string | null
  readonly confirmed_at: unknown
  readonly attempts: unknown
  readonly failed_hash: string | null
  readonly last_error: string | null
  readonly dead_lettered: unknown
}

export const recordColumns =
  "record_key, content_hash, vendor_id, confirmed_at, attempts, failed_hash, last_error, dead_lettered"

export const decodeRecord = (row: RecordRow): RecordState => ({
  key: row.record_key,
  hash: optionalString(row.content_hash),
  vendorId: optionalString(row.vendor_id),
  confirmedAt: optionalDate(row.confirmed_at),
  attempts: toNumber(row.attempts),
  failedHash: optionalString(row.failed_hash),
  lastError: optionalString(row.last_error),
  deadLettered: toNumber(row.dead_lettered) === 1
})

export interface JobRowRecord {
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

export const decodeJob = (row: JobRowRecord): Job => ({
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

export interface DeadLetterRow {
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

export const decodeDeadLetter = (row: DeadLetterRow): DeadLetter => ({
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

// Keys per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters even at 8 columns a row.
export const batchSize = 500

export const batches = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const result: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += batchSize) result.push(items.slice(start, start + batchSize))
  return result
}

// The last entry per key: one statement must not touch a row twice (PostgreSQL refuses `ON CONFLICT` doing that).
export const lastPerKey = <A extends { readonly key: string }>(items: ReadonlyArray<A>): ReadonlyArray<A> => {
  const byKey = new Map<string, A>()
  for (const item of items) byKey.set(item.key, item)
  return byKey.size === items.length ? items : Array.from(byKey.values())
}
