/**
 * Copernica as a sync target: database fields planned and created before the first chunk, rows sent as imports
 * (at most 4 in flight) whose creation is never repeated while it is in doubt, and the profiles that left the source
 * deleted with `delete` imports where the config says so.
 *
 * @internal
 */
import * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as SyncConfig from "../../../SyncConfig.ts"
import type * as SyncState from "../../../SyncState.ts"
import type { SyncError } from "../../syncError.ts"
import { failUnsubmitted, isDeleteJob, resumedRowsOf, write } from "../job.ts"
import type { RunContext, Target } from "../Target.ts"
import * as Tally from "../tally.ts"
import { makeCopernicaChunker } from "./chunker.ts"
import { deleteMissing, finishDelete } from "./delete.ts"
import { findImport, importName, makeImportIds, startNoteOf } from "./doubt.ts"
import { type CopernicaEnv, finish, settleDoubtful, submit } from "./import.ts"

/** Plans the database fields and (unless a dry run) creates what the config wants. */
const prepare = (env: CopernicaEnv): Effect.Effect<boolean> => {
  const { client, context, tally } = env
  return Effect.gen(function* () {
    yield* context.progress("planning", "copernica")
    const existing = yield* client.allFields(env.target.database)
    const plan = Mapping.planCopernicaFields(context.config, existing)
    if (plan.conflicts.length > 0) {
      yield* tally.stop(
        `Copernica fields need a decision before anything is sent: ${plan.conflicts
          .map((conflict) => `${conflict.label}: ${conflict.message}`)
          .join("; ")}`
      )
      return false
    }
    if (context.dryRun) {
      yield* tally.add({ fieldsCreated: plan.create.length })
      return true
    }
    for (const body of plan.create) {
      yield* client.createField(env.target.database, body)
      yield* tally.add({ fieldsCreated: 1 })
    }
    return true
  }).pipe(
    Effect.catchAll((error) =>
      Effect.as(tally.stop(`Copernica: preparing the fields failed (${error.message})`), false)
    )
  )
}

/**
 * Ends a Copernica job an earlier run left in flight.
 *
 * **Details**
 *
 * - `started` (the process stopped during the create): the import is looked for by its journaled name after the
 *   journaled floor. Found, it is seen through as submitted (a delete import too: its profiles are forgotten);
 *   proven absent, the job is marked failed and the diff (or the next deletion pass) sends the rows again; otherwise
 *   it stays in doubt and its rows wait.
 * - `planned`: never reached the vendor; marked failed.
 * - `submitted`: polled and completed as if the run had never stopped.
 */
const resume = (env: CopernicaEnv, started: SyncState.Job): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const { context } = env
    let job = started
    // A delete job journaled without its import's name (by an earlier version) cannot be looked for.
    const note =
      job.status !== "started"
        ? undefined
        : (startNoteOf(job) ??
          (isDeleteJob(job)
            ? undefined
            : { importName: importName(job.sync, job.runId, job.chunk, job.rows), afterImportId: 0 }))
    if (note !== undefined) {
      const scan = yield* findImport(env.client, note.importName, note.afterImportId)
      if (scan._tag === "Unknown") {
        const what = isDeleteJob(job) ? `delete import ${-job.chunk}` : `chunk ${job.chunk}`
        return yield* env.tally.note(
          `Copernica ${what} of run ${job.runId.slice(0, 8)}: whether its import "${note.importName}" exists is still in doubt (${scan.why}); its ${job.rows.length} row(s) wait for a later run`
        )
      }
      if (scan._tag === "Absent") {
        return yield* write(
          context,
          context.state.markJobFailed(
            job.id,
            `in doubt: its run stopped while sending it, and no import "${note.importName}" exists after id ${note.afterImportId ?? 0}; the diff sends the rows again`
          )
        )
      }
      job = yield* write(context, context.state.markJobSubmitted(job.id, scan.importId))
    }
    if (job.status === "planned" || job.status === "started") return yield* failUnsubmitted(context, job)
    const importId = Option.getOrElse(job.vendorJobId, () => "unknown")
    yield* env.tally.vendorJob(importId)
    if (isDeleteJob(job)) return yield* finishDelete(env, job, importId)
    yield* finish(env, job, importId, yield* resumedRowsOf(context, job), undefined)
  })

/** The Copernica target of a run. @internal */
export const make = (
  context: RunContext,
  target: SyncConfig.CopernicaTarget
): Effect.Effect<Target, never, CopernicaClient.CopernicaClient> =>
  Effect.gen(function* () {
    const client = yield* CopernicaClient.CopernicaClient
    const env: CopernicaEnv = {
      context,
      client,
      target,
      tally: yield* Tally.make("copernica"),
      importIds: yield* makeImportIds(client),
      doubtful: []
    }
    return {
      name: "copernica",
      jobsInFlight: 4,
      tally: env.tally,
      prepare: prepare(env),
      chunker: Effect.sync(() =>
        makeCopernicaChunker({
          mapper: context.mapper,
          target,
          sync: context.config.name,
          runId: context.runId,
          send: (job, chunk) => submit(env, job, chunk)
        })
      ),
      resume: (job, standIn) => resume({ ...env, tally: standIn }, job),
      settleDoubt: settleDoubtful(env),
      deletes: target.deleteMissing === true ? { maxShare: target.maxDeleteShare } : undefined,
      deleteMissing: (waiting) => deleteMissing(env, waiting),
      cleanUp: () => Effect.void,
      afterRun: Effect.void
    }
  })
