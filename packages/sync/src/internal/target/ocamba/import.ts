/**
 * An Ocamba chunk as a vendor job: the import file is uploaded (submit), committed while it waits for its commit and
 * polled until it ends (poll), and its per-row report is matched back to the chunk's rows (read results) and
 * committed to the state. The same code sees through a job this run uploaded and one a crashed run left in flight,
 * so a resumed import goes exactly the way an uninterrupted one would (committed once, never uploaded again).
 *
 * @internal
 */
import { openAsBlob } from "node:fs"
import * as Mapping from "@profilesync/core/Mapping"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Source from "../../../Source.ts"
import type * as SyncConfig from "../../../SyncConfig.ts"
import type * as SyncState from "../../../SyncState.ts"
import { fileFailed, type SyncError } from "../../syncError.ts"
import {
  complete,
  describeDuration,
  giveUp,
  isRefusal,
  leaveInFlight,
  removeFile,
  stopsTarget,
  throughBreaker,
  vendorJobSpan,
  write
} from "../job.ts"
import type { ChunkRow, RunContext } from "../Target.ts"
import type { Tally } from "../tally.ts"
import type { OcambaChunk } from "./chunker.ts"

/** What Ocamba's jobs work with. @internal */
export interface OcambaEnv {
  readonly context: RunContext
  readonly client: OcambaClient.OcambaClientService
  readonly target: SyncConfig.OcambaTarget
  readonly tally: Tally
}

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

/** How polling an import ended: done (with its record), or the job ended already (given up or left in flight). */
type Polled = { readonly _tag: "Done"; readonly record: OcambaClient.ProfileImport } | { readonly _tag: "Ended" }

/**
 * Polls an uploaded import until it is `finished` or `failed`, committing it while it waits for its commit
 * (`uploaded`). The client's commit looks at the record before repeating an attempt in doubt: never committed twice.
 */
const pollImport = (
  env: OcambaEnv,
  job: SyncState.Job,
  importId: string,
  rows: number,
  file: string | undefined
): Effect.Effect<Polled, SyncError> =>
  Effect.gen(function* () {
    const { client, context, tally } = env
    const ended = (effect: Effect.Effect<void, SyncError>) => Effect.as(effect, { _tag: "Ended" } as const)
    const mapping = Mapping.commitMapping(env.target).mapping
    const started = yield* Clock.currentTimeMillis
    let delay = context.polling.initialDelay
    let committed = false
    for (;;) {
      const read = yield* Effect.either(client.getImport(importId))
      if (Either.isLeft(read)) {
        return yield* ended(
          read.left.reason._tag === "NotFound"
            ? giveUp(context, tally, job, rows, `Ocamba import ${importId} no longer exists`, { file, stop: false })
            : leaveInFlight(context, tally, rows, `Ocamba import ${importId}: ${read.left.message}`)
        )
      }
      const record = read.right
      if (record.status === "finished" || record.status === "failed") return { _tag: "Done", record }
      if (record.status === "uploaded" && !committed) {
        const columns = record.columns
        const missing = columns === undefined ? [] : mapping.filter((item) => !columns.includes(item.label))
        if (missing.length > 0) {
          return yield* ended(
            giveUp(
              context,
              tally,
              job,
              rows,
              `Ocamba import ${importId}: the uploaded file lacks the columns ${missing.map((item) => item.label).join(", ")}`,
              { file, stop: true }
            )
          )
        }
        const commit = yield* Effect.either(client.commitImport(importId, mapping))
        if (Either.isLeft(commit)) {
          return yield* ended(
            isRefusal(commit.left)
              ? giveUp(
                  context,
                  tally,
                  job,
                  rows,
                  `Ocamba refused to commit import ${importId}: ${commit.left.message}`,
                  {
                    file,
                    stop: true
                  }
                )
              : leaveInFlight(context, tally, rows, `Ocamba import ${importId}: ${commit.left.message}`)
          )
        }
        committed = true
        yield* context.progress("polling", "ocamba")
      }
      if ((yield* Clock.currentTimeMillis) - started >= context.polling.timeout) {
        return yield* ended(
          leaveInFlight(
            context,
            tally,
            rows,
            `Ocamba import ${importId} was still ${record.status} after ${describeDuration(context.polling.timeout)}`
          )
        )
      }
      yield* Effect.sleep(Duration.millis(delay))
      delay = Math.min(delay * 2, context.polling.maxDelay)
    }
  })

/**
 * Sees an uploaded Ocamba import through: polls it (committing it when it waits for its commit), reads its report
 * and completes the job.
 *
 * **Details**
 *
 * Report rows are matched to the chunk's rows by their `row` (1-based data row of the file); see `placeReportRows`
 * for reports with the documented fields only. `SUCCESS` confirms a row (with its `profile_id`); `NOT_PROCESSED`
 * (the import stopped part way) and rows missing from the report are left unconfirmed without counting an attempt;
 * any other code is the vendor refusing the row, which counts an attempt and can make it a dead letter.
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
    const polled = yield* pollImport(env, job, importId, rows.length, file)
    if (polled._tag === "Ended") return
    const record = polled.record
    const report = yield* Effect.either(client.importReport(importId))
    if (Either.isLeft(report)) {
      return yield* leaveInFlight(context, tally, rows.length, `Ocamba import ${importId}: ${report.left.message}`)
    }
    yield* context.progress("confirming", "ocamba")
    const results = placeReportRows(report.right, rows.length)
    const confirmed: Array<SyncState.ConfirmedRow> = []
    const refused: Array<{ readonly row: ChunkRow; readonly position: number; readonly reason: string }> = []
    let unprocessed = 0
    rows.forEach((row, position) => {
      const result = results[position]
      if (result === undefined || result.code === "NOT_PROCESSED") unprocessed++
      else if (result.code === "SUCCESS") {
        confirmed.push({
          key: row.key,
          hash: row.hash,
          vendorId: result.profile_id === "" ? undefined : result.profile_id
        })
      } else refused.push({ row, position, reason: `${result.code}: ${result.message ?? "refused by Ocamba"}` })
    })
    const payloads =
      refused.length === 0
        ? new Map()
        : yield* readPayloads(
            file,
            refused.map((entry) => entry.position)
          )
    const failed: Array<SyncState.FailedRow> = refused.map(({ position, reason, row }) => ({
      key: row.key,
      hash: row.hash,
      payload: payloads.get(position) ?? null,
      reason: `Ocamba import ${importId}: ${reason}`
    }))
    yield* complete(context, tally, job, rows, {
      confirmed,
      failed,
      unprocessed,
      result: {
        importId,
        status: record.status,
        imported: record.imported_records ?? null,
        failed: record.failed_records ?? null
      }
    })
    if (unprocessed > 0) {
      yield* tally.note(
        `Ocamba import ${importId} ended ${record.status} with ${unprocessed} row(s) not processed; they are sent again next run`
      )
    }
    yield* removeFile(file)
    yield* context.jobDone
  })

/**
 * Puts report rows at the positions of the chunk's rows. The vendor documents rows with `profile_id` and `code:
 * "SUCCESS"` only: no row number, and failed rows may be left out. Rows that carry `row` are placed by it. Without
 * it, a report with a success for every row confirms them all (in order); a shorter one cannot say which rows are
 * missing, so every row is left unplaced (unconfirmed, sent again next run; the vendor's import is an upsert).
 */
const placeReportRows = (
  report: ReadonlyArray<OcambaClient.ImportReportRow>,
  count: number
): Array<OcambaClient.ImportReportRow | undefined> => {
  const results = new Array<OcambaClient.ImportReportRow | undefined>(count)
  const numbered = report.some((entry) => typeof entry.row === "number")
  if (!numbered && !(report.length === count && report.every((entry) => entry.code === "SUCCESS"))) return results
  report.forEach((entry, index) => {
    const position = typeof entry.row === "number" ? entry.row - 1 : index
    if (position >= 0 && position < count) results[position] = entry
  })
  return results
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
