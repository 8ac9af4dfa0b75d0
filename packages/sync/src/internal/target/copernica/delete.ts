/**
 * Copernica deletions: the profiles that left the source (`deleteMissing: true` only) are deleted with journaled
 * `delete` imports, `rowsPerImport` at a time, and their state is forgotten once Copernica ran the import without
 * error. A delete import whose answer was lost is settled by evidence like any import (`import.ts`'s `create`): it is
 * never sent twice, and while it is in doubt its profiles wait (the next run looks for it first).
 *
 * @internal
 */
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as SyncState from "../../../SyncState.ts"
import { type SyncError, stateFailed } from "../../syncError.ts"
import { deleteHashPrefix, vendorJobSpan, write } from "../job.ts"
import type { StartNote } from "./doubt.ts"
import { type CopernicaEnv, create, pollImport, settle } from "./import.ts"

/** A delete import whose creation is in doubt: looked at again once the deletion pass is done. */
interface DoubtfulDelete {
  readonly job: SyncState.Job
  readonly body: CopernicaClient.CreateImportRequest
  readonly note: StartNote
}

/**
 * The Copernica key field values of a confirmed row: its vendor id (the JSON the confirmation stored), or, for a
 * row confirmed without one, its key when the key is the single key field's canonical field.
 */
const identityOf = (env: CopernicaEnv, record: SyncState.RecordState): Record<string, string> | undefined => {
  const copernica = env.target
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
 * Deletes from Copernica the confirmed rows not seen in this run, each batch a journaled `delete` import.
 *
 * @internal
 */
export const deleteMissing = (env: CopernicaEnv, waiting: ReadonlySet<string>): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { context, tally } = env
    const doubtful: Array<DoubtfulDelete> = []
    const copernica = env.target
    const canonicalOf = new Map(
      Object.entries(copernica.fields).map(([name, mapping]) => [mapping.field ?? name, name])
    )
    let chunk = 0
    const candidates = context.state.deletionCandidates(context.config.name, "copernica", context.runId)
    yield* Stream.rechunk(candidates, copernica.rowsPerImport).pipe(
      Stream.mapError(stateFailed),
      Stream.runForEachChunk((records) =>
        Effect.gen(function* () {
          if (yield* tally.stopped) return
          const deletable: Array<{
            readonly record: SyncState.RecordState
            readonly profile: Mapping.CanonicalProfile
          }> = []
          let unidentified = 0
          for (const record of records) {
            // In a delete job still in doubt: deleting it again could be a second delete import of the profile.
            if (waiting.has(record.key)) {
              unidentified++
              continue
            }
            const identity = identityOf(env, record)
            const profile: Record<string, Mapping.CanonicalValue> = {}
            for (const keyField of copernica.keyFields) {
              const value = identity?.[keyField]
              const field = canonicalOf.get(keyField)
              if (field !== undefined && typeof value === "string" && value !== "") profile[field] = value
            }
            if (Object.keys(profile).length === copernica.keyFields.length) deletable.push({ record, profile })
            else unidentified++
          }
          yield* tally.add({ pendingDeletes: unidentified })
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
          const note: StartNote = {
            importName: body.name ?? `profilesync ${context.config.name} ${context.runId.slice(0, 8)} delete #${chunk}`,
            afterImportId: yield* env.importIds.floor
          }
          yield* write(context, context.state.markJobStarted(job.id, note))
          yield* context.progress("sending", "copernica")
          yield* send(env, { job, body, note }, false, doubtful)
        })
      )
    )
    // Once every other delete is out, a request still on its way has had time to land.
    for (const entry of doubtful) {
      const settled = yield* settle(env, entry.note, undefined)
      if (settled._tag === "Found") yield* submitted(env, entry.job, settled.importId)
      else if (settled._tag === "Absent") yield* send(env, entry, true, undefined)
      else yield* leaveInDoubt(env, entry, settled._tag === "Unknown" ? settled.why : "its rows could not be read back")
    }
  })

/** Creates a delete import (never twice) and sees it through; an import in doubt waits in `doubtful`, or the journal. */
const send = (
  env: CopernicaEnv,
  entry: DoubtfulDelete,
  final: boolean,
  doubtful: Array<DoubtfulDelete> | undefined
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { context, tally } = env
    const { job } = entry
    const created = yield* create(env, entry.body, entry.note, undefined, final)
    switch (created._tag) {
      case "Created":
        return yield* submitted(
          env,
          job,
          Option.getOrElse(created.importId, () => "unknown")
        )
      case "Failed":
        yield* write(context, context.state.markJobFailed(job.id, created.error.message))
        yield* tally.add({ pendingDeletes: job.rows.length })
        return yield* tally.stop(`Copernica: the delete import failed (${created.error.message})`)
      case "RowsHold":
      case "InDoubt":
        if (doubtful !== undefined) {
          doubtful.push(entry)
          return
        }
        return yield* leaveInDoubt(env, entry, created._tag === "InDoubt" ? created.why : "its rows hold")
    }
  })

const submitted = (env: CopernicaEnv, job: SyncState.Job, importId: string): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    yield* write(env.context, env.context.state.markJobSubmitted(job.id, importId))
    yield* env.tally.vendorJob(importId)
    yield* finishDelete(env, job, importId).pipe(vendorJobSpan(job, importId))
  })

/**
 * Leaves a delete job whose import may exist as `started` in the journal: its profiles are pending deletes, and
 * nothing is sent again until a later run's evidence settles it.
 */
const leaveInDoubt = (env: CopernicaEnv, entry: DoubtfulDelete, why: string): Effect.Effect<void> =>
  Effect.all([
    env.tally.add({ pendingDeletes: entry.job.rows.length }),
    env.tally.note(
      `Copernica delete import "${entry.note.importName}": whether it exists is in doubt (${why}); nothing is sent again until a later run settles it`
    ),
    env.context.jobDone
  ])

/**
 * Polls a delete import; when it ran without error, forgets its rows, then ends the job.
 *
 * @internal
 */
export const finishDelete = (env: CopernicaEnv, job: SyncState.Job, importId: string): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { context, tally } = env
    const keys = job.rows.map((row) => row.key)
    const polled = yield* pollImport(env, importId)
    if (polled._tag === "Unknown") {
      yield* tally.add({ pendingDeletes: keys.length })
      yield* tally.stop(`${polled.message}; the delete job stays in the journal and the next run resumes it`)
      return yield* context.jobDone
    }
    if (polled._tag === "Gone" || polled.record.lasterror !== false) {
      const message =
        polled._tag === "Gone"
          ? polled.message
          : `Copernica delete import ${importId} failed: ${polled.record.lasterror}`
      yield* write(context, context.state.markJobFailed(job.id, message))
      yield* tally.add({ pendingDeletes: keys.length })
      yield* tally.note(`${message}; the profiles are deleted by a later run`)
      return yield* context.jobDone
    }
    // Forget first, then end the job: a crash in between leaves a submitted job whose resumption forgets again
    // (idempotent), where the other order could leave forgotten-to-be rows that get deleted a second time.
    yield* write(
      context,
      context.state.forget(context.config.name, "copernica", keys, {
        runId: context.runId,
        jobId: job.id,
        vendorJobId: importId
      })
    )
    yield* write(
      context,
      context.state.completeJob(job.id, {
        confirmed: [],
        failed: [],
        maxAttempts: context.config.deadLetters.maxAttempts,
        result: { importId, deleted: keys.length }
      })
    )
    yield* tally.add({ deleted: keys.length })
    yield* context.jobDone
  })
