/**
 * Ocamba Hood as a sync target: custom properties planned and created before the first chunk, rows sent as
 * uploaded and committed import files (at most 2 in flight), no deletes (Ocamba has no delete), and the configured
 * integrations and conversions resynced once rows were confirmed.
 *
 * @internal
 */
import { readdir } from "node:fs/promises"
import { basename, join } from "node:path"
import * as Mapping from "@profilesync/core/Mapping"
import * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as SyncConfig from "../../../SyncConfig.ts"
import type * as SyncState from "../../../SyncState.ts"
import { failUnsubmitted, removeFile, resumedRowsOf } from "../job.ts"
import type { RunContext, Target } from "../Target.ts"
import * as Tally from "../tally.ts"
import { chunkFile, isChunkFile, makeOcambaChunker } from "./chunker.ts"
import { finish, type OcambaEnv, submit, uploadFileName } from "./import.ts"

/** Plans the custom properties and (unless a dry run) creates and updates what the config wants. */
const prepare = (env: OcambaEnv): Effect.Effect<boolean> => {
  const { client, context, tally } = env
  return Effect.gen(function* () {
    yield* context.progress("planning", "ocamba")
    const existing = yield* client.allProperties
    const plan = Mapping.planOcambaProperties(env.target, existing)
    const problems = [
      ...plan.conflicts.map((conflict) => `${conflict.label}: ${conflict.message}`),
      ...plan.systemMissing.map((label) => `${label}: Ocamba has no system property with this label`)
    ]
    if (problems.length > 0) {
      yield* tally.stop(`Ocamba properties need a decision before anything is sent: ${problems.join("; ")}`)
      return false
    }
    if (context.dryRun) {
      yield* tally.add({ propertiesCreated: plan.create.length, propertiesUpdated: plan.update.length })
      return true
    }
    for (const body of plan.create) {
      yield* client.createProperty(body)
      yield* tally.add({ propertiesCreated: 1 })
    }
    for (const update of plan.update) {
      yield* client.updateProperty(update.id, update.patch)
      yield* tally.add({ propertiesUpdated: 1 })
    }
    return true
  }).pipe(
    Effect.catchAll((error) =>
      Effect.as(tally.stop(`Ocamba: preparing the properties failed (${error.message})`), false)
    )
  )
}

/**
 * Ends an Ocamba job an earlier run left in flight: a `submitted` import is polled (committed now if it still waits
 * for its commit: the upload is reused) and completed as if the run had never stopped. An upload that never got its
 * id is marked failed: an uncommitted import session writes nothing, Ocamba offers no way to list or delete one, and
 * it expires (`expire_time`); the diff sends the rows again.
 */
const resume = (env: OcambaEnv, job: SyncState.Job) =>
  Effect.gen(function* () {
    const { context } = env
    const file = chunkFile(context.directory, job.runId, job.chunk)
    if (job.status === "planned" || job.status === "started") {
      const name = uploadFileName(job.sync, job.runId, job.chunk)
      return yield* failUnsubmitted(
        context,
        job,
        file,
        `in doubt: its run stopped while uploading it; if the upload reached Ocamba, it is an uncommitted import of ${name} that writes nothing and expires there (Ocamba offers no way to find or delete it); the diff sends the rows again`
      )
    }
    const importId = Option.getOrElse(job.vendorJobId, () => "unknown")
    yield* env.tally.vendorJob(importId)
    yield* finish(env, job, importId, yield* resumedRowsOf(context, job), file)
  })

/** Removes import files no job in flight needs (what crashed runs left behind). */
const cleanUp = (context: RunContext, inFlight: ReadonlyArray<SyncState.Job>) =>
  Effect.gen(function* () {
    const keep = new Set(
      inFlight
        .filter((job) => job.target === "ocamba")
        .map((job) => basename(chunkFile(context.directory, job.runId, job.chunk)))
    )
    const names = yield* Effect.promise(() => readdir(context.directory).catch(() => [] as Array<string>))
    for (const name of names) {
      if (isChunkFile(name) && !keep.has(name)) yield* removeFile(join(context.directory, name))
    }
  })

/** The Ocamba target of a run. @internal */
export const make = (
  context: RunContext,
  target: SyncConfig.OcambaTarget
): Effect.Effect<Target, never, OcambaClient.OcambaClient> =>
  Effect.gen(function* () {
    const client = yield* OcambaClient.OcambaClient
    const tally = yield* Tally.make("ocamba")
    const env: OcambaEnv = { context, client, target, tally }
    const resync = Mapping.resyncRequest(target)
    return {
      name: "ocamba",
      jobsInFlight: 2,
      tally,
      prepare: prepare(env),
      chunker: Effect.sync(() =>
        makeOcambaChunker({
          mapper: context.mapper,
          directory: context.dryRun ? undefined : context.directory,
          runId: context.runId,
          maxFileBytes: target.maxFileBytes,
          send: (job, chunk) => submit(env, job, chunk)
        })
      ),
      resume: (job, standIn) => resume({ ...env, tally: standIn }, job),
      settleDoubt: Effect.void,
      deletes: undefined,
      deleteMissing: () => Effect.void,
      cleanUp: (inFlight) => cleanUp(context, inFlight),
      afterRun: Effect.gen(function* () {
        if (resync === undefined || (yield* tally.get).counts.confirmed === 0) return
        yield* context.progress("resyncing", "ocamba")
        const resynced = yield* Effect.either(client.resync(resync.resync))
        if (Either.isLeft(resynced)) yield* tally.note(`Ocamba resync failed: ${resynced.left.message}`)
      })
    }
  })
