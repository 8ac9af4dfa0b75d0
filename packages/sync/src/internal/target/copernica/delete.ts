/**
 * Copernica deletions: the profiles that left the source (`deleteMissing: true` only) are deleted with journaled
 * `delete` imports, `rowsPerImport` at a time, and their state is forgotten once Copernica ran the import without
 * error.
 *
 * @internal
 */
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as SyncState from "../../../SyncState.ts"
import { type SyncError, stateFailed } from "../../syncError.ts"
import { deleteHashPrefix, write } from "../job.ts"
import { type CopernicaEnv, pollImport } from "./import.ts"

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
export const deleteMissing = (env: CopernicaEnv): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { client, context, tally } = env
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
          yield* write(context, context.state.markJobStarted(job.id))
          yield* context.progress("sending", "copernica")
          const created = yield* Effect.either(client.createImport(body))
          if (Either.isLeft(created)) {
            yield* write(context, context.state.markJobFailed(job.id, created.left.message))
            yield* tally.add({ pendingDeletes: deletable.length })
            yield* tally.stop(`Copernica: the delete import failed (${created.left.message})`)
            return
          }
          const importId = Option.getOrElse(created.right.importId, () => "unknown")
          yield* write(context, context.state.markJobSubmitted(job.id, importId))
          yield* tally.vendorJob(importId)
          yield* finishDelete(env, job, importId)
        })
      )
    )
  })

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
    yield* tally.add({ deleted: keys.length })
    yield* context.jobDone
  })
