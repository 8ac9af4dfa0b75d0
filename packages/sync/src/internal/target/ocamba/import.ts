/**
 * An Ocamba chunk as a vendor job: the import file is uploaded (submit), committed while it waits for its commit and
 * polled until it ends (`poll.ts`), and its per-row report is matched back to the chunk's rows (read results, with
 * `isolate.ts` for a report that names no rows) and committed to the state. The same code sees through a job this
 * run uploaded and one a crashed run left in flight, so a resumed import goes exactly the way an uninterrupted one
 * would (committed once, never uploaded again).
 *
 * @internal
 */
import { openAsBlob } from "node:fs"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Source from "../../../Source.ts"
import type * as SyncState from "../../../SyncState.ts"
import { fileFailed, type SyncError } from "../../syncError.ts"
import {
  complete,
  giveUp,
  leaveInFlight,
  removeFile,
  stopsTarget,
  throughBreaker,
  vendorJobSpan,
  write
} from "../job.ts"
import type { ChunkRow } from "../Target.ts"
import type { OcambaChunk } from "./chunker.ts"
import { type ChunkOutcome, describeIsolation, emptyOutcome, isolateRefusedRows } from "./isolate.ts"
import { type OcambaEnv, pollImport } from "./poll.ts"

export type { OcambaEnv } from "./poll.ts"

/**
 * The name an import file is uploaded under: unique per sync, run and chunk, so that an upload whose id was never
 * journaled (the run was killed while Ocamba answered) can be told apart in Ocamba's import center by a person.
 *
 * @internal
 */
export const uploadFileName = (sync: string, runId: string, chunk: number): string =>
  `profilesync-${sync}-${runId}-${chunk}.csv`

/**
 * Sends an Ocamba chunk: uploads its file, records the import id, then sees it through as {@link finish}.
 *
 * @internal
 */
export const submit = (env: OcambaEnv, job: SyncState.Job, chunk: OcambaChunk): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { client, context, tally } = env
    const file = chunk.file
    yield* write(context, context.state.markJobStarted(job.id))
    yield* context.progress("sending", "ocamba")
    if (file === undefined) return yield* Effect.dieMessage("an Ocamba chunk of a real run has an import file")
    // A file-backed Blob: the upload streams the file instead of holding up to 50 MB in memory.
    const contents = yield* Effect.tryPromise({
      try: () => openAsBlob(file, { type: "text/csv" }),
      catch: fileFailed(file)
    })
    const upload = yield* Effect.either(
      throughBreaker(
        context,
        client.uploadImport({ contents, fileName: uploadFileName(context.config.name, context.runId, chunk.number) })
      )
    )
    if (Either.isLeft(upload)) {
      // Started but not submitted: whatever reached Ocamba is an uncommitted session, which writes nothing.
      return yield* giveUp(
        context,
        tally,
        job,
        chunk.rows.length,
        `Ocamba chunk ${chunk.number}: the upload failed, nothing was imported (${upload.left.message})`,
        { file, stop: stopsTarget(upload.left) }
      )
    }
    const importId = upload.right.id
    yield* write(context, context.state.markJobSubmitted(job.id, importId))
    yield* tally.vendorJob(importId)
    yield* finish(env, job, importId, chunk.rows, file).pipe(vendorJobSpan(job, importId))
  })

/**
 * Sees an uploaded Ocamba import through: polls it (committing it when it waits for its commit), reads its report
 * and completes the job.
 *
 * **Details**
 *
 * Report rows that carry `row` (1-based data row of the file; the sandbox's `richImportReport`, not documented) are
 * matched by it: `SUCCESS` confirms a row (with its `profile_id`), `NOT_PROCESSED` (the import stopped part way)
 * leaves it unconfirmed without counting an attempt, and any other code is the vendor refusing the row, which counts
 * an attempt and can make it a dead letter. A report with the documented fields only lists the rows it imported, by
 * `profile_id` alone: one success per row confirms them all; a shorter report of a `finished` import has its refused
 * rows isolated by `isolateRefusedRows`; a `failed` import's rows are all left unconfirmed (which of them it imported
 * before it stopped is not known, and sending them again is an upsert).
 *
 * @internal
 */
export const finish = (
  env: OcambaEnv,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  file: string | undefined
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { client, context, tally } = env
    const polled = yield* pollImport(env, importId)
    switch (polled._tag) {
      case "Gone":
        return yield* giveUp(context, tally, job, rows.length, polled.message, { file, stop: false })
      case "Refused":
        return yield* giveUp(context, tally, job, rows.length, polled.message, { file, stop: true })
      case "InDoubt":
        return yield* leaveInFlight(context, tally, rows.length, polled.message)
    }
    const record = polled.record
    const report = yield* Effect.either(client.importReport(importId))
    if (Either.isLeft(report)) {
      return yield* leaveInFlight(context, tally, rows.length, `Ocamba import ${importId}: ${report.left.message}`)
    }
    yield* context.progress("confirming", "ocamba")
    const outcome =
      report.right.some((entry) => typeof entry.row === "number") ||
      (report.right.length === rows.length && report.right.every((entry) => entry.code === "SUCCESS"))
        ? byReportRows(report.right, rows.length)
        : record.status === "finished"
          ? yield* isolateRefusedRows(env, {
              importId,
              file,
              rows: rows.length,
              imported: report.right.filter((entry) => entry.code === "SUCCESS").length
            })
          : { ...emptyOutcome(), unresolved: rows.map((_, position) => position) }
    const confirmed: Array<SyncState.ConfirmedRow> = outcome.confirmed.map(({ position, vendorId }) => ({
      key: rows[position]!.key,
      hash: rows[position]!.hash,
      vendorId
    }))
    const payloads =
      outcome.refused.length === 0
        ? new Map()
        : yield* readPayloads(
            file,
            outcome.refused.map((entry) => entry.position)
          )
    const failed: Array<SyncState.FailedRow> = outcome.refused.map(({ position, reason }) => ({
      key: rows[position]!.key,
      hash: rows[position]!.hash,
      payload: payloads.get(position) ?? null,
      reason: `Ocamba import ${importId}: ${reason}`
    }))
    const unprocessed = outcome.unresolved.length
    yield* complete(context, tally, job, rows, {
      confirmed,
      failed,
      unprocessed,
      result: {
        importId,
        status: record.status,
        imported: record.imported_records ?? null,
        failed: record.failed_records ?? null,
        ...(outcome.isolation === undefined ? {} : { isolation: outcome.isolation })
      }
    })
    if (outcome.isolation !== undefined) {
      yield* tally.vendorJob(...outcome.isolation.imports)
      yield* tally.note(describeIsolation(importId, rows.length, outcome.isolation))
    }
    if (unprocessed > 0) {
      yield* tally.note(
        `Ocamba import ${importId} ended ${record.status} with ${unprocessed} row(s) not processed, or not known to be; they are sent again next run`
      )
    }
    yield* removeFile(file)
    yield* context.jobDone
  })

/**
 * The outcome of a report whose rows carry `row`, or of a documented report with a success for every row (taken in
 * order: the only order there is). Rows missing from the report and `NOT_PROCESSED` rows are left unresolved.
 */
const byReportRows = (report: ReadonlyArray<OcambaClient.ImportReportRow>, count: number): ChunkOutcome => {
  const results = new Array<OcambaClient.ImportReportRow | undefined>(count)
  report.forEach((entry, index) => {
    const position = typeof entry.row === "number" ? entry.row - 1 : index
    if (position >= 0 && position < count) results[position] = entry
  })
  const outcome = emptyOutcome()
  results.forEach((result, position) => {
    if (result === undefined || result.code === "NOT_PROCESSED") outcome.unresolved.push(position)
    else if (result.code === "SUCCESS")
      outcome.confirmed.push({ position, vendorId: result.profile_id === "" ? undefined : result.profile_id })
    else outcome.refused.push({ position, reason: `${result.code}: ${result.message ?? "refused by Ocamba"}` })
  })
  return outcome
}

/** The rows at `positions` (0-based data rows) of an import file, as sent; empty when the file is gone. */
const readPayloads = (
  file: string | undefined,
  positions: ReadonlyArray<number>
): Effect.Effect<ReadonlyMap<number, unknown>> => {
  if (file === undefined) return Effect.succeed(new Map())
  const wanted = new Set(positions)
  return Source.csv({ path: file }).rows.pipe(
    Stream.filter((item) => item._tag === "SourceRow" && wanted.has(item.rowNumber - 1)),
    Stream.runFold(new Map<number, unknown>(), (found, item) =>
      item._tag === "SourceRow" ? found.set(item.rowNumber - 1, item.values) : found
    ),
    Effect.orElseSucceed(() => new Map<number, unknown>())
  )
}
