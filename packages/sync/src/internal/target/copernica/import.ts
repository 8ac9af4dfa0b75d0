/**
 * A Copernica chunk as a vendor job: one import created under a unique name (submit), polled until it ran (poll),
 * and confirmed or failed as a whole by its `lasterror` (read results: Copernica reports no per-row result). When
 * the answer to a create is lost, the import is looked for by evidence (`doubt.ts`) before anything is sent again.
 *
 * @internal
 */
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as SyncConfig from "../../../SyncConfig.ts"
import type * as SyncState from "../../../SyncState.ts"
import type { SyncError } from "../../syncError.ts"
import {
  complete,
  describeDuration,
  giveUp,
  leaveInFlight,
  poll,
  stopsTarget,
  throughBreaker,
  vendorJobSpan,
  write
} from "../job.ts"
import type { ChunkRow, RunContext } from "../Target.ts"
import type { Tally } from "../tally.ts"
import type { CopernicaChunk } from "./chunker.ts"
import { findImport, type ImportIds, importName, rowsHoldValues, type ScanResult, type StartNote } from "./doubt.ts"

/** A Copernica chunk whose import may or may not exist at the vendor. @internal */
export interface DoubtfulChunk {
  readonly job: SyncState.Job
  readonly chunk: CopernicaChunk
  readonly note: StartNote
}

/** What Copernica's jobs work with. @internal */
export interface CopernicaEnv {
  readonly context: RunContext
  readonly client: CopernicaClient.CopernicaClientService
  readonly target: SyncConfig.CopernicaTarget
  readonly tally: Tally
  /** The Copernica import ids this run knows, below which an import in doubt cannot be. */
  readonly importIds: ImportIds
  /** Chunks whose import is in doubt after their first attempts; settled again once every chunk is out. */
  readonly doubtful: Array<DoubtfulChunk>
}

/** How polling an import ended. @internal */
export type CopernicaPoll =
  | { readonly _tag: "Done"; readonly record: CopernicaClient.Import }
  | { readonly _tag: "Gone"; readonly message: string }
  | { readonly _tag: "Unknown"; readonly message: string }

const copernicaDone = (record: CopernicaClient.Import): boolean =>
  record.lastrun !== false || record.lasterror !== false || record.status === "finished" || record.status === "failed"

/** Polls an import until it ran. @internal */
export const pollImport = (env: CopernicaEnv, importId: string): Effect.Effect<CopernicaPoll> =>
  poll(env.context.polling, env.client.getImport(importId), copernicaDone).pipe(
    Effect.map(
      Option.match({
        onNone: (): CopernicaPoll => ({
          _tag: "Unknown",
          message: `Copernica import ${importId} was still running after ${describeDuration(env.context.polling.timeout)}`
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

/** The import may exist: the request reached Copernica and its answer did not come back. @internal */
export const inDoubt = (error: CopernicaClient.CopernicaError): boolean => {
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
export const settle = (
  env: CopernicaEnv,
  note: StartNote,
  payloads: ReadonlyArray<Readonly<Record<string, string>>> | undefined
): Effect.Effect<Settled> =>
  Effect.gen(function* () {
    const scan = yield* findImport(env.client, note.importName, note.afterImportId)
    if (scan._tag === "Found" || payloads === undefined) return scan
    const [keyField] = env.target.keyFields
    if (keyField === undefined) return scan
    const hold = yield* rowsHoldValues(env.client, env.target.database, keyField, payloads)
    return hold ? { _tag: "RowsHold" } : scan
  })

/** The most times one import is sent after the evidence proved its earlier attempts created nothing. */
const maximumSends = 3

/**
 * What creating an import came to: `Created` (the answer came back, or the evidence found the import by its name),
 * `RowsHold` (the rows read back hold every value sent), `Failed` (the vendor answered and nothing was created),
 * `InDoubt` (the evidence settled nothing: the import may exist).
 *
 * @internal
 */
export type Creation =
  | { readonly _tag: "Created"; readonly importId: Option.Option<string> }
  | { readonly _tag: "RowsHold" }
  | { readonly _tag: "Failed"; readonly error: CopernicaClient.CopernicaError }
  | { readonly _tag: "InDoubt"; readonly why: string }

/**
 * Creates an import under the name journaled in `note`, and never twice: when the answer is lost, the import is
 * looked for by evidence (and, with `payloads`, the rows read back) before it is sent again, which happens only when
 * the evidence proved that no import exists. `final`: the last look of this run, when a request that timed out
 * has had time to land, so its absence is certain too.
 *
 * @internal
 */
export const create = (
  env: CopernicaEnv,
  body: CopernicaClient.CreateImportRequest,
  note: StartNote,
  payloads: ReadonlyArray<Readonly<Record<string, string>>> | undefined,
  final: boolean
): Effect.Effect<Creation> =>
  Effect.gen(function* () {
    for (let sends = 1; ; sends++) {
      const created = yield* Effect.either(throughBreaker(env.context, env.client.createImport(body)))
      if (Either.isRight(created)) {
        const importId = created.right.importId
        if (Option.isSome(importId)) env.importIds.note(importId.value)
        return { _tag: "Created", importId }
      }
      const error = created.left
      if (!inDoubt(error)) return { _tag: "Failed", error }
      const settled = yield* settle(env, note, payloads)
      switch (settled._tag) {
        case "Found":
          env.importIds.note(settled.importId)
          return { _tag: "Created", importId: Option.some(settled.importId) }
        case "RowsHold":
          // The rows read back hold every value sent: whether or not this attempt did it, nothing is left to send.
          return { _tag: "RowsHold" }
        case "Absent":
          // A request that timed out may still be on its way: only a later look makes its absence certain.
          if (sends < maximumSends && (final || error.reason._tag !== "Timeout")) continue
          break
        case "Unknown":
          break
      }
      return {
        _tag: "InDoubt",
        why: `${error.message}; ${settled._tag === "Unknown" ? settled.why : "sent too often"}`
      }
    }
  })

/**
 * Sends a Copernica chunk as one import under its unique name, then sees it through as {@link finish}.
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
export const submit = (env: CopernicaEnv, job: SyncState.Job, chunk: CopernicaChunk): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const note: StartNote = {
      importName: chunk.body.name ?? importName(job.sync, job.runId, job.chunk, job.rows),
      afterImportId: yield* env.importIds.floor
    }
    yield* write(env.context, env.context.state.markJobStarted(job.id, note))
    yield* env.context.progress("sending", "copernica")
    yield* send(env, job, chunk, note, false)
  })

/**
 * Sends (or sends again, when the evidence proved it certain that no import exists) and sees the import through.
 * `final`: the last look of this run, after which a chunk still in doubt is left to the next run.
 */
const send = (
  env: CopernicaEnv,
  job: SyncState.Job,
  chunk: CopernicaChunk,
  note: StartNote,
  final: boolean
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const created = yield* create(env, chunk.body, note, chunk.payloads, final)
    switch (created._tag) {
      case "Created":
        if (Option.isSome(created.importId)) {
          return yield* submitted(env, job, created.importId.value, chunk.rows, chunk.payloads)
        }
        // Created, but the answer carried no id: nothing to poll, and sending again would import twice.
        yield* env.tally.note(
          `Copernica chunk ${chunk.number}: the import was created but its id was not given; its rows are taken as imported`
        )
        return yield* confirm(env, job, "unknown", chunk.rows, chunk.payloads, false)
      case "RowsHold":
        return yield* confirm(env, job, "unknown", chunk.rows, chunk.payloads, false)
      case "Failed":
        return yield* giveUp(
          env.context,
          env.tally,
          job,
          chunk.rows.length,
          `Copernica chunk ${chunk.number}: creating the import failed, nothing was imported (${created.error.message})`,
          { stop: stopsTarget(created.error) }
        )
      case "InDoubt":
        if (!final) {
          env.doubtful.push({ job, chunk, note })
          return
        }
        return yield* leaveInDoubt(
          env,
          chunk.rows.length,
          `Copernica chunk ${chunk.number}: whether its import "${note.importName}" exists is in doubt (${created.why})`
        )
    }
  })

/** Records the vendor's id and sees the import through. */
const submitted = (
  env: CopernicaEnv,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined
) =>
  Effect.gen(function* () {
    yield* write(env.context, env.context.state.markJobSubmitted(job.id, importId))
    yield* env.tally.vendorJob(importId)
    yield* finish(env, job, importId, rows, payloads).pipe(vendorJobSpan(job, importId))
  })

/**
 * Leaves a job whose import may exist as `started` in the journal: nothing is sent again until a later run's
 * evidence settles it, and its rows wait for that.
 */
const leaveInDoubt = (env: CopernicaEnv, rows: number, message: string): Effect.Effect<void> =>
  Effect.all([
    env.tally.add({ failed: rows }),
    env.tally.note(`${message}; nothing is sent again until a later run settles it`),
    env.context.jobDone
  ])

/**
 * Looks again at the chunks left in doubt in this run, once every chunk is out (time for a request still on its
 * way to have landed): each is then found, sent again (its absence certain), or left in doubt for the next run.
 *
 * @internal
 */
export const settleDoubtful = (env: CopernicaEnv): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    for (let next = env.doubtful.shift(); next !== undefined; next = env.doubtful.shift()) {
      const { chunk, job, note } = next
      const settled = yield* settle(env, note, chunk.payloads)
      switch (settled._tag) {
        case "Found":
          env.importIds.note(settled.importId)
          yield* submitted(env, job, settled.importId, chunk.rows, chunk.payloads)
          break
        case "RowsHold":
          yield* confirm(env, job, "unknown", chunk.rows, chunk.payloads, false)
          break
        case "Absent":
          yield* send(env, job, chunk, note, true)
          break
        case "Unknown":
          yield* leaveInDoubt(
            env,
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
export const finish = (
  env: CopernicaEnv,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    yield* env.context.progress("polling", "copernica")
    const polled = yield* pollImport(env, importId)
    switch (polled._tag) {
      case "Gone":
        return yield* giveUp(env.context, env.tally, job, rows.length, polled.message, { stop: false })
      case "Unknown":
        return yield* leaveInFlight(env.context, env.tally, rows.length, polled.message)
      case "Done":
        return yield* confirm(env, job, importId, rows, payloads, polled.record.lasterror)
    }
  })

/** Commits an import's outcome: every row confirmed without `lastError`, every row failed with it. */
const confirm = (
  env: CopernicaEnv,
  job: SyncState.Job,
  importId: string,
  rows: ReadonlyArray<ChunkRow>,
  payloads: ReadonlyArray<unknown> | undefined,
  lastError: string | false
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    yield* env.context.progress("confirming", "copernica")
    yield* complete(env.context, env.tally, job, rows, {
      confirmed:
        lastError === false ? rows.map((row) => ({ key: row.key, hash: row.hash, vendorId: row.identity })) : [],
      failed:
        lastError === false
          ? []
          : rows.map((row, index) => ({
              key: row.key,
              hash: row.hash,
              payload: payloads?.[index] ?? null,
              reason: `Copernica import ${importId} failed: ${lastError}`
            })),
      unprocessed: 0,
      result: { importId, lasterror: lastError }
    })
    if (lastError !== false) yield* env.tally.note(`Copernica import ${importId} failed: ${lastError}`)
    yield* env.context.jobDone
  })
