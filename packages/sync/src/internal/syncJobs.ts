/**
 * Vendor jobs of the sync engine: one chunk sent to one target, from the journal entry to the committed results.
 * The same code ends a job this run started and a job a crashed run left in flight, so a resumed job goes exactly
 * the way an uninterrupted one would (polled, committed if still waiting for its commit, never sent again).
 *
 * Order per chunk: journal (planned) → started → vendor call → submitted (vendor id recorded) → (Ocamba: commit) →
 * poll with backoff → per-row results → confirmed rows, failed rows and the job's end in one transaction.
 *
 * @internal
 */
import { openAsBlob } from "node:fs"
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Source from "../Source.ts"
import type * as Sync from "../Sync.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import type * as SyncState from "../SyncState.ts"
import { type ChunkRow, type CopernicaChunk, chunkFile, type OcambaChunk, removeFile } from "./syncChunks.ts"
import {
  findImport,
  type ImportIds,
  importName,
  rowsHoldValues,
  type ScanResult,
  type StartNote,
  startNoteOf
} from "./syncDoubt.ts"
import { fileFailed, type SyncError, stateFailed } from "./syncError.ts"

// ---------------------------------------------------------------------------------------------------------------
// What a run keeps per target
// ---------------------------------------------------------------------------------------------------------------

/** The counters and problems of one target in one run; becomes its `TargetReport`. @internal */
export class TargetRun {
  created = 0
  updated = 0
  unchanged = 0
  deleted = 0
  failed = 0
  deadLettered = 0
  chunks = 0
  propertiesCreated = 0
  propertiesUpdated = 0
  fieldsCreated = 0
  pendingDeletes = 0
  rejected = 0
  /** Rows this target refused that the run's `rejected` does not count: another target took them. */
  rejectedOnlyHere = 0
  /** Why, by the kind of each such row's first reason. */
  readonly rejectReasons: Record<string, number> = {}
  skippedDeadLetters = 0
  deadLettersReplayed = 0
  resumedJobs = 0
  neutralised = 0
  /** Rows the vendor confirmed in this run: an Ocamba resync is worth sending only when there are some. */
  confirmed = 0
  readonly vendorJobs: Array<string> = []
  readonly errors: Array<string> = []
  /** Set by a problem that makes sending more chunks pointless (the vendor is down, a plan needs a person). */
  stopped = false
  /**
   * Set on the stand-in of a target while a resumed job completes: the rows it confirmed, each with whether it was
   * new, which the diff then counts once (instead of the job counting them and the diff again as unchanged).
   */
  resumedRows: Map<string, boolean> | undefined = undefined
  /** The rows jobs of earlier runs confirmed in this run, with whether each was new (the diff counts them). */
  readonly confirmedByResumedJobs = new Map<string, boolean>()

  constructor(readonly name: Sync.TargetName) {}

  /** Counts a row only this target refused. */
  rejectHere(summary: string): void {
    this.rejected++
    this.rejectedOnlyHere++
    this.rejectReasons[summary] = (this.rejectReasons[summary] ?? 0) + 1
  }

  note(message: string): void {
    this.errors.push(message)
  }

  stop(message: string): void {
    this.stopped = true
    this.errors.push(message)
  }

  report(): Sync.TargetReport {
    return {
      created: this.created,
      updated: this.updated,
      unchanged: this.unchanged,
      deleted: this.deleted,
      failed: this.failed,
      deadLettered: this.deadLettered,
      chunks: this.chunks,
      vendorJobs: [...this.vendorJobs],
      propertiesCreated: this.propertiesCreated,
      propertiesUpdated: this.propertiesUpdated,
      fieldsCreated: this.fieldsCreated,
      pendingDeletes: this.pendingDeletes,
      rejected: this.rejected,
      rejectedOnlyHere: this.rejectedOnlyHere,
      rejectReasons: { ...this.rejectReasons },
      skippedDeadLetters: this.skippedDeadLetters,
      deadLettersReplayed: this.deadLettersReplayed,
      resumedJobs: this.resumedJobs,
      neutralised: this.neutralised,
      errors: [...this.errors]
    }
  }
}

/** Poll settings in milliseconds. @internal */
export interface Polling {
  readonly initialDelay: number
  readonly maxDelay: number
  readonly timeout: number
}

/** What every job needs. @internal */
export interface JobContext {
  readonly config: SyncConfig.SyncConfig
  readonly runId: string
  readonly state: SyncState.SyncStateService
  readonly lock: SyncState.Lock
  readonly ocamba: OcambaClient.OcambaClientService
  readonly copernica: CopernicaClient.CopernicaClientService
  readonly mapper: Mapping.Mapper
  readonly polling: Polling
  /** Where Ocamba import files are written. */
  readonly directory: string
  readonly targets: Partial<Record<Sync.TargetName, TargetRun>>
  readonly progress: (phase: Sync.Progress["phase"], target?: Sync.TargetName) => Effect.Effect<void>
  /** Counts a finished job for the progress. */
  readonly jobDone: Effect.Effect<void>
  /** The Copernica import ids this run knows, below which an import in doubt cannot be. */
  readonly importIds: ImportIds
  /** Copernica chunks whose import is in doubt after their first attempts; settled again once every chunk is out. */
  readonly doubtful: Array<DoubtfulChunk>
}

/** A Copernica chunk whose import may or may not exist at the vendor. @internal */
export interface DoubtfulChunk {
  readonly job: SyncState.Job
  readonly chunk: CopernicaChunk
  readonly note: StartNote
}

/**
 * A state write, made only while the run still holds its lock: a run that lost it (a heartbeat failed past the
 * lock's lifetime, another process took over) must not commit anything more.
 *
 * @internal
 */
export const write = <A>(
  context: Pick<JobContext, "lock">,
  effect: Effect.Effect<A, SyncState.SyncStateError>
): Effect.Effect<A, SyncError> => context.lock.ensureHeld.pipe(Effect.zipRight(effect), Effect.mapError(stateFailed))

/** The content-hash prefix of a delete job's rows, which tells a resumed run what kind of job it holds. @internal */
export const deleteHashPrefix = "delete:"

const isDeleteJob = (job: SyncState.Job): boolean =>
  job.rows.length > 0 && job.rows.every((row) => row.hash.startsWith(deleteHashPrefix))

type VendorError = OcambaClient.OcambaError | CopernicaClient.CopernicaError

/** The vendor answered and refused: repeating the same request cannot help. */
const isRefusal = (error: VendorError): boolean =>
  error.reason._tag === "BadRequest" || error.reason._tag === "Unauthorized" || error.reason._tag === "NotFound"

const describeDuration = (milliseconds: number): string => Duration.format(Duration.millis(milliseconds))

/**
 * Whether a failure makes every further chunk of the target pointless: the vendor is out of reach (the breaker
 * opened) or refuses the credentials. Anything else fails one chunk, and the chunks after it still go.
 */
const stopsTarget = (error: VendorError): boolean =>
  error.reason._tag === "CircuitOpen" || error.reason._tag === "Unauthorized"

/**
 * Ends a job the vendor will never process (refused, or never reached): its rows are not confirmed and count no
 * attempt (the row is not at fault), so the diff sends them again next run. `stop` also stops the target for this
 * run (a problem every chunk would meet).
 */
const giveUp = (
  context: JobContext,
  target: TargetRun,
  job: SyncState.Job,
  rows: number,
  message: string,
  options: { readonly file?: string | undefined; readonly stop: boolean }
) =>
  Effect.gen(function* () {
    yield* write(context, context.state.markJobFailed(job.id, message))
    yield* removeFile(options.file)
    target.failed += rows
    if (options.stop) target.stop(message)
    else target.note(message)
    yield* context.jobDone
  })

/**
 * Leaves a submitted job in the journal: the vendor has it, but this run cannot see it through (a status read kept
 * failing, or the job outlasted the poll timeout). The next run resumes it; sending its rows again would do the
 * work twice. The target's other chunks go on: one job's trouble says nothing about theirs.
 */
const leaveInFlight = (context: JobContext, target: TargetRun, rows: number, message: string) =>
  Effect.sync(() => {
    target.failed += rows
    target.note(`${message}; the job stays in the journal and the next run resumes it`)
  }).pipe(Effect.zipRight(context.jobDone))

/** Counts a completed job's rows. */
const countOutcome = (
  target: TargetRun,
  rows: ReadonlyArray<ChunkRow>,
  confirmedKeys: ReadonlySet<string>,
  failedRows: number,
  outcome: SyncState.FailureOutcome
): void => {
  for (const row of rows) {
    if (!confirmedKeys.has(row.key)) continue
    if (target.resumedRows !== undefined) target.resumedRows.set(row.key, row.created)
    else if (row.created) target.created++
    else target.updated++
  }
  target.confirmed += confirmedKeys.size
  target.failed += failedRows
  target.deadLettered += outcome.deadLettered.length
}

/** Polls until `isDone`, waiting `initialDelay`, then twice as long each time up to `maxDelay`, for `timeout`. */
const poll = <A, E>(
  polling: Polling,
  read: Effect.Effect<A, E>,
  isDone: (value: A) => boolean
): Effect.Effect<Option.Option<A>, E> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    let delay = polling.initialDelay
    for (;;) {
      yield* Effect.sleep(Duration.millis(delay))
      const value = yield* read
      if (isDone(value)) return Option.some(value)
      if ((yield* Clock.currentTimeMillis) - started >= polling.timeout) return Option.none()
      delay = Math.min(delay * 2, polling.maxDelay)
    }
  })

// ---------------------------------------------------------------------------------------------------------------
// Ocamba
// ---------------------------------------------------------------------------------------------------------------

/**
 * Sends an Ocamba chunk: upload, then the rest as {@link finishOcambaImport}.
 *
 * @internal
 */
export const runOcambaChunk = (
  context: JobContext,
  job: SyncState.Job,
  chunk: OcambaChunk
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.ocamba!
    const file = chunk.file!
    yield* write(context, context.state.markJobStarted(job.id))
    yield* context.progress("sending", "ocamba")
    // A file-backed Blob: the upload streams the file instead of holding up to 50 MB in memory.
    const contents = yield* Effect.tryPromise({
      try: () => openAsBlob(file, { type: "text/csv" }),
      catch: fileFailed(file)
    })
    const upload = yield* Effect.either(
      context.ocamba.uploadImport({ contents, fileName: `profilesync-${context.config.name}-${chunk.number}.csv` })
    )
    if (Either.isLeft(upload)) {
      // Started but not submitted: whatever reached Ocamba is an uncommitted session, which writes nothing.
      return yield* giveUp(
        context,
        target,
        job,
        chunk.rows.length,
        `Ocamba chunk ${chunk.number}: the upload failed, nothing was imported (${upload.left.message})`,
        { file, stop: stopsTarget(upload.left) }
      )
    }
    const importId = upload.right.id
    yield* write(context, context.state.markJobSubmitted(job.id, importId))
    target.vendorJobs.push(importId)
    yield* finishOcambaImport(context, job, importId, chunk.rows, file)
  })

/**
 * Sees an uploaded Ocamba import through: commits it while it waits for its commit (`uploaded`), polls it until it
 * is `finished` or `failed`, reads its report and completes the job.
 *
 * **Details**
 *
 * Report rows are matched to the chunk's rows by their `row` (1-based data row of the file); see `placeReportRows`
 * for reports with the documented fields only. `SUCCESS` confirms a row (with its `profile_id`); `NOT_PROCESSED` (the import stopped part way)
 * and rows missing from the report are left unconfirmed without counting an attempt; any other code is the vendor
 * refusing the row, which counts an attempt and can make it a dead letter.
 *
 * @internal
 */
export const finishOcambaImport = (
  context: JobContext,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  file: string | undefined
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.ocamba!
    const mapping = Mapping.commitMapping(context.config.targets.ocamba!).mapping
    const started = yield* Clock.currentTimeMillis
    let delay = context.polling.initialDelay
    let committed = false
    let record: OcambaClient.ProfileImport
    for (;;) {
      const read = yield* Effect.either(context.ocamba.getImport(importId))
      if (Either.isLeft(read)) {
        return yield* read.left.reason._tag === "NotFound"
          ? giveUp(context, target, job, rows.length, `Ocamba import ${importId} no longer exists`, {
              file,
              stop: false
            })
          : leaveInFlight(context, target, rows.length, `Ocamba import ${importId}: ${read.left.message}`)
      }
      record = read.right
      if (record.status === "finished" || record.status === "failed") break
      if (record.status === "uploaded" && !committed) {
        const columns = record.columns
        const missing = columns === undefined ? [] : mapping.filter((item) => !columns.includes(item.label))
        if (missing.length > 0) {
          return yield* giveUp(
            context,
            target,
            job,
            rows.length,
            `Ocamba import ${importId}: the uploaded file lacks the columns ${missing.map((item) => item.label).join(", ")}`,
            { file, stop: true }
          )
        }
        // The client's commit looks at the record before repeating an attempt in doubt: never committed twice.
        const commit = yield* Effect.either(context.ocamba.commitImport(importId, mapping))
        if (Either.isLeft(commit)) {
          return yield* isRefusal(commit.left)
            ? giveUp(
                context,
                target,
                job,
                rows.length,
                `Ocamba refused to commit import ${importId}: ${commit.left.message}`,
                { file, stop: true }
              )
            : leaveInFlight(context, target, rows.length, `Ocamba import ${importId}: ${commit.left.message}`)
        }
        committed = true
        yield* context.progress("polling", "ocamba")
      }
      if ((yield* Clock.currentTimeMillis) - started >= context.polling.timeout) {
        return yield* leaveInFlight(
          context,
          target,
          rows.length,
          `Ocamba import ${importId} was still ${record.status} after ${describeDuration(context.polling.timeout)}`
        )
      }
      yield* Effect.sleep(Duration.millis(delay))
      delay = Math.min(delay * 2, context.polling.maxDelay)
    }
    const report = yield* Effect.either(context.ocamba.importReport(importId))
    if (Either.isLeft(report)) {
      return yield* leaveInFlight(context, target, rows.length, `Ocamba import ${importId}: ${report.left.message}`)
    }
    yield* context.progress("confirming", "ocamba")
    const results = placeReportRows(report.right, rows.length)
    const confirmed: Array<SyncState.ConfirmedRow> = []
    const refused: Array<{ readonly position: number; readonly reason: string }> = []
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
      } else refused.push({ position, reason: `${result.code}: ${result.message ?? "refused by Ocamba"}` })
    })
    const payloads =
      refused.length === 0
        ? new Map()
        : yield* readPayloads(
            file,
            refused.map((entry) => entry.position)
          )
    const failed: Array<SyncState.FailedRow> = refused.map(({ position, reason }) => ({
      key: rows[position]!.key,
      hash: rows[position]!.hash,
      payload: payloads.get(position) ?? null,
      reason: `Ocamba import ${importId}: ${reason}`
    }))
    const outcome = yield* write(
      context,
      context.state.completeJob(job.id, {
        confirmed,
        failed,
        maxAttempts: context.config.deadLetters.maxAttempts,
        result: {
          importId,
          status: record.status,
          imported: record.imported_records ?? null,
          failed: record.failed_records ?? null
        }
      })
    )
    countOutcome(target, rows, new Set(confirmed.map((row) => row.key)), failed.length + unprocessed, outcome)
    if (unprocessed > 0) {
      target.note(
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

// ---------------------------------------------------------------------------------------------------------------
// Copernica
// ---------------------------------------------------------------------------------------------------------------

type CopernicaPoll =
  | { readonly _tag: "Done"; readonly record: CopernicaClient.Import }
  | { readonly _tag: "Gone"; readonly message: string }
  | { readonly _tag: "Unknown"; readonly message: string }

const copernicaDone = (record: CopernicaClient.Import): boolean =>
  record.lastrun !== false || record.lasterror !== false || record.status === "finished" || record.status === "failed"

const pollCopernica = (context: JobContext, importId: string): Effect.Effect<CopernicaPoll> =>
  poll(context.polling, context.copernica.getImport(importId), copernicaDone).pipe(
    Effect.map(
      Option.match({
        onNone: (): CopernicaPoll => ({
          _tag: "Unknown",
          message: `Copernica import ${importId} was still running after ${describeDuration(context.polling.timeout)}`
        }),
        onSome: (record): CopernicaPoll => ({ _tag: "Done", record })
      })
    ),
    Effect.catchAll((error) =>
      Effect.succeed<CopernicaPoll>(
        error.reason._tag === "NotFound"
          ? { _tag: "Gone", message: `Copernica import ${importId} no longer exists` }
          : { _tag: "Unknown", message: `Copernica import ${importId}: ${error.message}` }
      )
    )
  )

/** The import may exist: the request reached Copernica and its answer did not come back. */
const inDoubt = (error: CopernicaClient.CopernicaError): boolean => {
  const reason = error.reason
  return (
    reason._tag === "Timeout" || reason._tag === "ServerError" || (reason._tag === "Transport" && reason.reachedServer)
  )
}

/** What the evidence says about an import in doubt. */
type Settled = ScanResult | { readonly _tag: "RowsHold" }

/**
 * Looks for the evidence of an import in doubt: its name among the ids after the floor; when that does not find
 * it, the chunk's rows read back (only when the rows as sent are at hand).
 */
const settle = (
  context: JobContext,
  note: StartNote,
  payloads: ReadonlyArray<Readonly<Record<string, string>>> | undefined
): Effect.Effect<Settled> =>
  Effect.gen(function* () {
    const scan = yield* findImport(context.copernica, note.importName, note.afterImportId)
    if (scan._tag === "Found" || payloads === undefined) return scan
    const copernica = context.config.targets.copernica!
    const [keyField] = copernica.keyFields
    if (keyField === undefined) return scan
    const hold = yield* rowsHoldValues(context.copernica, copernica.database, keyField, payloads)
    return hold ? { _tag: "RowsHold" } : scan
  })

/** The most times one chunk is sent after the evidence proved its earlier attempts created nothing. */
const maximumSends = 3

/**
 * Sends a Copernica chunk as one import under its unique name, then the rest as {@link finishCopernicaImport}.
 *
 * **Details**
 *
 * The name and the highest import id known are journaled before the request. When the answer is lost, the import
 * is looked for by evidence before anything is sent again; while the evidence settles nothing the chunk is in
 * doubt: its job stays `started`, it is looked at again once every chunk of the run is out, and a later run
 * resumes it.
 *
 * @internal
 */
export const runCopernicaChunk = (
  context: JobContext,
  job: SyncState.Job,
  chunk: CopernicaChunk
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const note: StartNote = {
      importName: chunk.body.name ?? importName(job.sync, job.runId, job.chunk, job.rows),
      afterImportId: yield* context.importIds.floor
    }
    yield* write(context, context.state.markJobStarted(job.id, note))
    yield* context.progress("sending", "copernica")
    yield* sendCopernica(context, job, chunk, note, false)
  })

/**
 * Sends (or sends again, when the evidence proved it certain that no import exists) and sees the import through.
 * `final`: the last look of this run, after which a chunk still in doubt is left to the next run.
 */
const sendCopernica = (
  context: JobContext,
  job: SyncState.Job,
  chunk: CopernicaChunk,
  note: StartNote,
  final: boolean
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.copernica!
    for (let sends = 1; ; sends++) {
      const created = yield* Effect.either(context.copernica.createImport(chunk.body))
      if (Either.isRight(created)) {
        const importId = created.right.importId
        if (Option.isNone(importId)) {
          // Created, but the answer carried no id: nothing to poll, and sending again would import twice.
          target.note(
            `Copernica chunk ${chunk.number}: the import was created but its id was not given; its rows are taken as imported`
          )
          return yield* completeCopernica(context, job, "unknown", chunk.rows, chunk.payloads, false)
        }
        context.importIds.note(importId.value)
        return yield* submitted(context, job, importId.value, chunk.rows, chunk.payloads)
      }
      const error = created.left
      if (!inDoubt(error)) {
        return yield* giveUp(
          context,
          target,
          job,
          chunk.rows.length,
          `Copernica chunk ${chunk.number}: creating the import failed, nothing was imported (${error.message})`,
          { stop: stopsTarget(error) }
        )
      }
      const settled = yield* settle(context, note, chunk.payloads)
      switch (settled._tag) {
        case "Found":
          context.importIds.note(settled.importId)
          return yield* submitted(context, job, settled.importId, chunk.rows, chunk.payloads)
        case "RowsHold":
          // The rows read back hold every value sent: whether or not this attempt did it, nothing is left to send.
          return yield* completeCopernica(context, job, "unknown", chunk.rows, chunk.payloads, false)
        case "Absent":
          // A request that timed out may still be on its way: only a later look makes its absence certain.
          if (sends < maximumSends && (final || error.reason._tag !== "Timeout")) continue
          break
        case "Unknown":
          break
      }
      if (!final) {
        context.doubtful.push({ job, chunk, note })
        return
      }
      return yield* leaveInDoubt(
        context,
        target,
        chunk.rows.length,
        `Copernica chunk ${chunk.number}: whether its import "${note.importName}" exists is in doubt (${error.message}; ${settled._tag === "Unknown" ? settled.why : "sent too often"})`
      )
    }
  })

/** Records the vendor's id and sees the import through. */
const submitted = (
  context: JobContext,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined
) =>
  Effect.gen(function* () {
    yield* write(context, context.state.markJobSubmitted(job.id, importId))
    context.targets.copernica!.vendorJobs.push(importId)
    yield* finishCopernicaImport(context, job, importId, rows, payloads)
  })

/**
 * Leaves a job whose import may exist as `started` in the journal: nothing is sent again until a later run's
 * evidence settles it, and its rows wait for that.
 */
const leaveInDoubt = (context: JobContext, target: TargetRun, rows: number, message: string) =>
  Effect.sync(() => {
    target.failed += rows
    target.note(`${message}; nothing is sent again until a later run settles it`)
  }).pipe(Effect.zipRight(context.jobDone))

/**
 * Looks again at the chunks left in doubt in this run, once every chunk is out (time for a request still on its
 * way to have landed): each is then found, sent again (its absence certain), or left in doubt for the next run.
 *
 * @internal
 */
export const settleDoubtful = (context: JobContext): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.copernica
    if (target === undefined) return
    while (context.doubtful.length > 0) {
      const { chunk, job, note } = context.doubtful.shift()!
      const settled = yield* settle(context, note, chunk.payloads)
      switch (settled._tag) {
        case "Found":
          context.importIds.note(settled.importId)
          yield* submitted(context, job, settled.importId, chunk.rows, chunk.payloads)
          break
        case "RowsHold":
          yield* completeCopernica(context, job, "unknown", chunk.rows, chunk.payloads, false)
          break
        case "Absent":
          yield* sendCopernica(context, job, chunk, note, true)
          break
        case "Unknown":
          yield* leaveInDoubt(
            context,
            target,
            chunk.rows.length,
            `Copernica chunk ${chunk.number}: whether its import "${note.importName}" exists is in doubt (${settled.why})`
          )
      }
    }
  })

/**
 * Polls a Copernica import until it ran (`lastrun` or `lasterror` set) and completes the job.
 *
 * **Details**
 *
 * Copernica reports no per-row result. An import that ran without `lasterror` confirms all its rows; one with
 * `lasterror` confirms none (how many lines it processed before the error says nothing certain about which), and
 * each row counts a failed attempt with the error as its reason, so a chunk that keeps failing ends in the dead
 * letters, where it can be inspected and replayed.
 *
 * @internal
 */
export const finishCopernicaImport = (
  context: JobContext,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.copernica!
    yield* context.progress("polling", "copernica")
    const polled = yield* pollCopernica(context, importId)
    switch (polled._tag) {
      case "Gone":
        return yield* giveUp(context, target, job, rows.length, polled.message, { stop: false })
      case "Unknown":
        return yield* leaveInFlight(context, target, rows.length, polled.message)
      case "Done":
        return yield* completeCopernica(context, job, importId, rows, payloads, polled.record.lasterror)
    }
  })

const completeCopernica = (
  context: JobContext,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined,
  lastError: string | false
) =>
  Effect.gen(function* () {
    const target = context.targets.copernica!
    yield* context.progress("confirming", "copernica")
    const confirmed: Array<SyncState.ConfirmedRow> =
      lastError === false ? rows.map((row) => ({ key: row.key, hash: row.hash, vendorId: row.identity })) : []
    const failed: Array<SyncState.FailedRow> =
      lastError === false
        ? []
        : rows.map((row, index) => ({
            key: row.key,
            hash: row.hash,
            payload: payloads?.[index] ?? null,
            reason: `Copernica import ${importId} failed: ${lastError}`
          }))
    const outcome = yield* write(
      context,
      context.state.completeJob(job.id, {
        confirmed,
        failed,
        maxAttempts: context.config.deadLetters.maxAttempts,
        result: { importId, lasterror: lastError }
      })
    )
    countOutcome(target, rows, new Set(confirmed.map((row) => row.key)), failed.length, outcome)
    if (lastError !== false) target.note(`Copernica import ${importId} failed: ${lastError}`)
    yield* context.jobDone
  })

// ---------------------------------------------------------------------------------------------------------------
// Copernica deletions
// ---------------------------------------------------------------------------------------------------------------

/**
 * The Copernica key field values of a confirmed row: its vendor id (the JSON the confirmation stored), or, for a
 * row confirmed without one, its key when the key is the single key field's canonical field.
 */
const identityOf = (context: JobContext, record: SyncState.RecordState): Record<string, string> | undefined => {
  const copernica = context.config.targets.copernica!
  if (Option.isSome(record.vendorId)) {
    try {
      const parsed: unknown = JSON.parse(record.vendorId.value)
      if (typeof parsed === "object" && parsed !== null) return parsed as Record<string, string>
    } catch {
      // Not ours: fall back to the key.
    }
  }
  const separator = record.key.indexOf(":")
  const field = record.key.slice(0, separator)
  const [keyField] = copernica.keyFields
  if (copernica.keyFields.length !== 1 || keyField === undefined) return undefined
  const mapping = copernica.fields[field]
  return mapping !== undefined && (mapping.field ?? field) === keyField
    ? { [keyField]: record.key.slice(separator + 1) }
    : undefined
}

/**
 * Deletes from Copernica the profiles that left the source (`deleteMissing: true` only): confirmed rows not seen in
 * this run, `rowsPerImport` at a time, each batch a journaled `delete` import; their state is forgotten once
 * Copernica ran the import without error.
 *
 * @internal
 */
export const deleteMissing = (context: JobContext): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.copernica!
    const copernica = context.config.targets.copernica!
    const canonicalOf = new Map(
      Object.entries(copernica.fields).map(([name, mapping]) => [mapping.field ?? name, name])
    )
    let chunk = 0
    const candidates = context.state.deletionCandidates(context.config.name, "copernica", context.runId)
    yield* Stream.rechunk(candidates, copernica.rowsPerImport).pipe(
      Stream.mapError(stateFailed),
      Stream.runForEachChunk((records) =>
        Effect.gen(function* () {
          if (target.stopped) return
          const deletable: Array<{
            readonly record: SyncState.RecordState
            readonly profile: Mapping.CanonicalProfile
          }> = []
          for (const record of records) {
            const identity = identityOf(context, record)
            const profile: Record<string, Mapping.CanonicalValue> = {}
            for (const keyField of copernica.keyFields) {
              const value = identity?.[keyField]
              const field = canonicalOf.get(keyField)
              if (field !== undefined && typeof value === "string" && value !== "") profile[field] = value
            }
            if (Object.keys(profile).length === copernica.keyFields.length) deletable.push({ record, profile })
            else target.pendingDeletes++
          }
          if (deletable.length === 0) return
          chunk++
          const body = yield* Mapping.createDeleteImportBody(
            context.mapper,
            deletable.map((entry) => entry.profile),
            { name: `profilesync ${context.config.name} ${context.runId.slice(0, 8)} delete #${chunk}` }
          ).pipe(Effect.orDie)
          if (body === undefined) return
          const job = yield* write(
            context,
            context.state.journalJob({
              sync: context.config.name,
              target: "copernica",
              runId: context.runId,
              chunk: -chunk,
              rows: deletable.map(({ record }) => ({
                key: record.key,
                hash: `${deleteHashPrefix}${Option.getOrElse(record.hash, () => "")}`
              }))
            })
          )
          yield* write(context, context.state.markJobStarted(job.id))
          yield* context.progress("sending", "copernica")
          const created = yield* Effect.either(context.copernica.createImport(body))
          if (Either.isLeft(created)) {
            yield* write(context, context.state.markJobFailed(job.id, created.left.message))
            target.pendingDeletes += deletable.length
            target.stop(`Copernica: the delete import failed (${created.left.message})`)
            return
          }
          const importId = Option.getOrElse(created.right.importId, () => "unknown")
          yield* write(context, context.state.markJobSubmitted(job.id, importId))
          target.vendorJobs.push(importId)
          yield* finishDelete(context, job, importId)
        })
      )
    )
  })

/** Polls a delete import; when it ran without error, forgets its rows, then ends the job. */
const finishDelete = (context: JobContext, job: SyncState.Job, importId: string): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const target = context.targets.copernica!
    const keys = job.rows.map((row) => row.key)
    const polled = yield* pollCopernica(context, importId)
    if (polled._tag === "Unknown") {
      target.pendingDeletes += keys.length
      target.stop(`${polled.message}; the delete job stays in the journal and the next run resumes it`)
      return yield* context.jobDone
    }
    if (polled._tag === "Gone" || polled.record.lasterror !== false) {
      const message =
        polled._tag === "Gone"
          ? polled.message
          : `Copernica delete import ${importId} failed: ${polled.record.lasterror}`
      yield* write(context, context.state.markJobFailed(job.id, message))
      target.pendingDeletes += keys.length
      target.note(`${message}; the profiles are deleted by a later run`)
      return yield* context.jobDone
    }
    // Forget first, then end the job: a crash in between leaves a submitted job whose resumption forgets again
    // (idempotent), where the other order could leave forgotten-to-be rows that get deleted a second time.
    yield* write(context, context.state.forget(context.config.name, "copernica", keys))
    yield* write(
      context,
      context.state.completeJob(job.id, {
        confirmed: [],
        failed: [],
        maxAttempts: context.config.deadLetters.maxAttempts,
        result: { importId, deleted: keys.length }
      })
    )
    target.deleted += keys.length
    yield* context.jobDone
  })

// ---------------------------------------------------------------------------------------------------------------
// Resuming
// ---------------------------------------------------------------------------------------------------------------

/**
 * Ends a job a previous run left in flight.
 *
 * **Details**
 *
 * - `planned`: never reached the vendor. Marked failed; the diff sends its rows again.
 * - `started`: in doubt (the process stopped during the vendor call). A Copernica import is looked for by its
 *   journaled name after the journaled floor: found, it is seen through as submitted; proven absent, the job is
 *   marked failed and the diff sends the rows again; otherwise it stays in doubt and its rows wait. An Ocamba upload
 *   without its id is marked failed: an uncommitted import session writes nothing, Ocamba offers no way to list or
 *   delete one, and it expires (`expire_time`). A delete import is repeated by the next deletion pass.
 * - `submitted`: the vendor has it. Polled (an Ocamba import still `uploaded` is committed now: the upload is
 *   reused) and completed as if the run had never stopped.
 *
 * The job's rows are counted by the diff that follows, once: what the job confirmed is handed to it (created or
 * updated), never counted here as well.
 *
 * @internal
 */
export const resumeJob = (context: JobContext, job: SyncState.Job): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const name = job.target as Sync.TargetName
    const target = context.targets[name]
    if (target === undefined) return
    target.resumedJobs++
    const standIn = new TargetRun(name)
    standIn.resumedRows = target.confirmedByResumedJobs
    yield* resume({ ...context, targets: { ...context.targets, [name]: standIn } }, job)
    target.vendorJobs.push(...standIn.vendorJobs)
    for (const message of standIn.errors) target.note(message)
    if (standIn.stopped) target.stopped = true
    target.deleted += standIn.deleted
    target.pendingDeletes += standIn.pendingDeletes
    target.deadLettered += standIn.deadLettered
    target.confirmed += standIn.confirmed
  })

const resume = (context: JobContext, started: SyncState.Job): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    let job = started
    const target = context.targets[job.target as Sync.TargetName]!
    const file = job.target === "ocamba" ? chunkFile(context.directory, job.runId, job.chunk) : undefined
    if (job.status === "started" && job.target === "copernica" && !isDeleteJob(job)) {
      const note = startNoteOf(job) ?? {
        importName: importName(job.sync, job.runId, job.chunk, job.rows),
        afterImportId: 0
      }
      const scan = yield* findImport(context.copernica, note.importName, note.afterImportId)
      if (scan._tag === "Unknown") {
        target.note(
          `Copernica chunk ${job.chunk} of run ${job.runId.slice(0, 8)}: whether its import "${note.importName}" exists is still in doubt (${scan.why}); its ${job.rows.length} row(s) wait for a later run`
        )
        return
      }
      if (scan._tag === "Found") job = yield* write(context, context.state.markJobSubmitted(job.id, scan.importId))
      else {
        yield* write(
          context,
          context.state.markJobFailed(
            job.id,
            `in doubt: its run stopped while sending it, and no import "${note.importName}" exists after id ${note.afterImportId ?? 0}; the diff sends the rows again`
          )
        )
        return
      }
    }
    if (job.status === "planned" || job.status === "started") {
      const why =
        job.status === "planned"
          ? "never sent: its run stopped before sending it; the rows are sent again"
          : "in doubt: its run stopped while sending it; nothing is resent from the journal, the diff sends the rows again"
      yield* write(context, context.state.markJobFailed(job.id, why))
      yield* removeFile(file)
      return
    }
    const importId = Option.getOrElse(job.vendorJobId, () => "unknown")
    target.vendorJobs.push(importId)
    if (job.target === "copernica" && isDeleteJob(job)) return yield* finishDelete(context, job, importId)
    // Whether each row is new to the target, for the report: what the state held before this job completes.
    const known = yield* write(
      context,
      context.state.lookup(
        context.config.name,
        job.target,
        job.rows.map((row) => row.key)
      )
    )
    const rows: ReadonlyArray<ChunkRow> = job.rows.map((row) => ({
      key: row.key,
      hash: row.hash,
      created: Option.isNone(Option.flatMap(Option.fromNullable(known.get(row.key)), (record) => record.hash))
    }))
    if (job.target === "ocamba") return yield* finishOcambaImport(context, job, importId, rows, file)
    return yield* finishCopernicaImport(context, job, importId, rows, undefined)
  })
