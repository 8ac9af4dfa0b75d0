/**
 * The journal of vendor jobs: a job is written before it is sent and moves through its statuses in transactions, so
 * that a crash never loses track of one and a resumed run knows what to poll, check or send.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as Redact from "@profilesync/core/Redact"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Job, JobStatus, SyncStateService } from "../SyncState.ts"
import { fail, SyncStateErrorReason } from "./syncStateError.ts"
import { writeHistory } from "./syncStateHistory.ts"
import type { makeRecords } from "./syncStateRecords.ts"
import { decodeAll, decodeJob, type JobRowRecord, parseJson } from "./syncStateRows.ts"
import type { StoreContext } from "./syncStateStore.ts"

const allowedMoves: Readonly<Record<JobStatus, ReadonlyArray<JobStatus>>> = {
  planned: ["planned", "started", "failed"],
  started: ["started", "submitted", "finished", "failed"],
  submitted: ["submitted", "finished", "failed"],
  finished: ["finished"],
  failed: ["failed"]
}

/** The job operations of the service; completing a job confirms and fails its rows with `records`. @internal */
export const makeJobs = (
  context: StoreContext,
  records: Pick<ReturnType<typeof makeRecords>, "confirmRows" | "failRows">
) => {
  const { sql, transaction, orStoreFailed, now } = context
  const { confirmRows, failRows } = records

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
      // The job as the UPDATE left it, built from the row just read rather than read again: a job holds its rows
      // (50,000 for an Ocamba import), and decoding them twice per move was most of a move's cost.
      const job: Job = {
        ...current,
        status: to,
        vendorJobId: Option.fromNullable(vendorJobId),
        result: result === null ? current.result : Option.some(parseJson(result)),
        error: error === null ? current.error : Option.some(error),
        updatedAt: new Date(at)
      }
      return { job, changed: true }
    })

  const transition = (operation: string, jobId: string, to: JobStatus, fields: Parameters<typeof moveJob>[2] = {}) =>
    transaction(
      operation,
      Effect.map(moveJob(jobId, to, fields), (moved) => moved.job)
    )

  // A job the vendor will never process: its rows failed at its target, without counting an attempt (the row is not
  // at fault). A delete job's rows (a negative chunk) stay in the target; the entry says the delete did not happen.
  const markJobFailed: SyncStateService["markJobFailed"] = (jobId, error) =>
    transaction(
      "markJobFailed",
      Effect.gen(function* () {
        const moved = yield* moveJob(jobId, "failed", { error })
        if (!moved.changed) return moved.job
        const job = moved.job
        yield* writeHistory(
          context,
          job.sync,
          job.target,
          { runId: job.runId, jobId: job.id, vendorJobId: Option.getOrNull(job.vendorJobId) },
          yield* now,
          job.rows.map((row) => ({
            key: row.key,
            outcome: "failed" as const,
            hash: job.chunk < 0 ? null : row.hash,
            reason: job.chunk < 0 ? `not deleted: ${error}` : error
          }))
        )
        return job
      })
    )

  const completeJob: SyncStateService["completeJob"] = (jobId, outcome) =>
    transaction(
      "completeJob",
      Effect.gen(function* () {
        const moved = yield* moveJob(jobId, "finished", { result: outcome.result })
        if (!moved.changed) return { deadLettered: [] }
        const at = yield* now
        const { sync: syncName, target, runId } = moved.job
        const source = { runId, jobId, vendorJobId: Option.getOrNull(moved.job.vendorJobId) }
        yield* confirmRows(syncName, target, outcome.confirmed, runId, at, source)
        return yield* failRows(syncName, target, outcome.failed, outcome.maxAttempts, at, source)
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

  return {
    journalJob,
    markJobStarted: (jobId, note) => transition("markJobStarted", jobId, "started", { result: note }),
    markJobSubmitted: (jobId, vendorJobId) => transition("markJobSubmitted", jobId, "submitted", { vendorJobId }),
    markJobFinished: (jobId, result) => transition("markJobFinished", jobId, "finished", { result }),
    markJobFailed,
    completeJob,
    inFlightJobs,
    job: (jobId) => orStoreFailed("job")(jobById(jobId)),
    pruneJobs
  } satisfies Partial<SyncStateService>
}
