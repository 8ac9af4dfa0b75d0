/**
 * The row history every state store keeps, as one suite that `SyncState/Sqlite.test.ts` and
 * `SyncState/Postgres.test.ts` run on their store: which operations write which outcome, attribution to the run and
 * vendor job, reading newest first and paged, and pruning by age.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as SyncState from "../../src/SyncState.ts"
import type { StoreKind } from "./SyncStateSuite.ts"

const summary = (entries: ReadonlyArray<SyncState.HistoryEntry>) =>
  entries.map((entry) => ({
    target: entry.target,
    outcome: entry.outcome,
    hash: Option.getOrNull(entry.hash),
    runId: Option.getOrNull(entry.runId),
    reason: Option.getOrNull(entry.reason)
  }))

/** The suite, under `describe("SyncState history on <kind>")`. */
export const describeHistory = (kind: StoreKind): void => {
  describe(`SyncState history on ${kind.name}`, () => {
    it.live("records created, updated, failed, dead-lettered, rejected and deleted per target, newest first", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        const entries = yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            const first = yield* state.startRun({ sync: "s", targets: ["ocamba", "copernica"] })
            yield* state.confirm("s", "ocamba", [{ key: "a@x", hash: "h1" }], { runId: first.id })
            yield* state.confirm("s", "copernica", [{ key: "a@x", hash: "h1" }], { runId: first.id })
            yield* state.confirm("s", "ocamba", [{ key: "other", hash: "h9" }], { runId: first.id })
            const second = yield* state.startRun({ sync: "s", targets: ["ocamba", "copernica"] })
            yield* state.confirm("s", "ocamba", [{ key: "a@x", hash: "h2" }], { runId: second.id })
            const failed = { key: "a@x", hash: "h3", payload: { email: "a@x" }, reason: "400 bad phone" }
            yield* state.recordFailures("s", "copernica", [failed], { maxAttempts: 2, runId: second.id })
            yield* state.recordFailures("s", "copernica", [failed], { maxAttempts: 2, runId: second.id })
            yield* state.recordRejects("s", second.id, [
              {
                row: 1,
                line: 2,
                key: "a@x",
                code: "invalid",
                field: "phone",
                column: "phone",
                value: "+31 6 12345678",
                reason: "not a phone number",
                targets: ["ocamba"]
              }
            ])
            yield* state.forget("s", "ocamba", ["a@x", "never-known"], { runId: second.id, jobId: "job-1" })
            // Forgetting again (a resumed delete) records nothing more.
            yield* state.forget("s", "ocamba", ["a@x"], { runId: second.id, jobId: "job-1" })
            const all = yield* state.rowHistory("s", "a@x")
            const ocamba = yield* state.rowHistory("s", "a@x", { target: "ocamba" })
            const page = yield* state.rowHistory("s", "a@x", { limit: 2, offset: 1 })
            return { all, ocamba, page, first: first.id, second: second.id }
          })
        ).pipe(Effect.provide(database.open()))
        const { first, second } = entries
        assert.deepStrictEqual(summary(entries.all), [
          { target: "ocamba", outcome: "deleted", hash: "h2", runId: second, reason: null },
          { target: "ocamba", outcome: "rejected", hash: null, runId: second, reason: "not a phone number" },
          { target: "copernica", outcome: "dead-lettered", hash: "h3", runId: second, reason: "400 bad phone" },
          { target: "copernica", outcome: "failed", hash: "h3", runId: second, reason: "400 bad phone" },
          { target: "ocamba", outcome: "updated", hash: "h2", runId: second, reason: null },
          { target: "copernica", outcome: "created", hash: "h1", runId: first, reason: null },
          { target: "ocamba", outcome: "created", hash: "h1", runId: first, reason: null }
        ])
        assert.deepStrictEqual(
          entries.ocamba.map((entry) => entry.outcome),
          ["deleted", "rejected", "updated", "created"]
        )
        assert.deepStrictEqual(
          entries.page.map((entry) => entry.outcome),
          ["rejected", "dead-lettered"]
        )
        assert.deepStrictEqual(Option.getOrNull(entries.all[0]!.jobId), "job-1")
        // Newest first by time.
        const times = entries.all.map((entry) => entry.at.getTime())
        assert.deepStrictEqual(
          times,
          [...times].sort((a, b) => b - a)
        )
      })
    )

    it.live("attributes a job's outcomes to its run, job and vendor job, once however often it completes", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        const result = yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            const run = yield* state.startRun({ sync: "s", targets: ["copernica"] })
            const rows = [
              { key: "a", hash: "ha" },
              { key: "b", hash: "hb" }
            ]
            const job = yield* state.journalJob({ sync: "s", target: "copernica", runId: run.id, chunk: 1, rows })
            yield* state.markJobStarted(job.id)
            yield* state.markJobSubmitted(job.id, "import-17")
            const outcome = {
              confirmed: [{ key: "a", hash: "ha" }],
              failed: [{ key: "b", hash: "hb", payload: null, reason: "refused" }],
              maxAttempts: 3
            }
            yield* state.completeJob(job.id, outcome)
            yield* state.completeJob(job.id, outcome)
            const lost = yield* state.journalJob({ sync: "s", target: "copernica", runId: run.id, chunk: 2, rows })
            yield* state.markJobFailed(lost.id, "never sent")
            yield* state.markJobFailed(lost.id, "never sent")
            return {
              run: run.id,
              job: job.id,
              lost: lost.id,
              a: yield* state.rowHistory("s", "a"),
              b: yield* state.rowHistory("s", "b")
            }
          })
        ).pipe(Effect.provide(database.open()))
        const attribution = (entry: SyncState.HistoryEntry) => ({
          outcome: entry.outcome,
          run: Option.getOrNull(entry.runId),
          job: Option.getOrNull(entry.jobId),
          vendorJob: Option.getOrNull(entry.vendorJobId)
        })
        assert.deepStrictEqual(result.a.map(attribution), [
          { outcome: "failed", run: result.run, job: result.lost, vendorJob: null },
          { outcome: "created", run: result.run, job: result.job, vendorJob: "import-17" }
        ])
        assert.deepStrictEqual(result.b.map(attribution), [
          { outcome: "failed", run: result.run, job: result.lost, vendorJob: null },
          { outcome: "failed", run: result.run, job: result.job, vendorJob: "import-17" }
        ])
      })
    )

    it.live("prunes entries older than keepDays for one sync, and all of them with 0", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        const counts = yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            yield* state.confirm("s", "ocamba", [{ key: "a", hash: "h1" }])
            yield* state.confirm("other", "ocamba", [{ key: "a", hash: "h1" }])
            const sql = yield* SqlClient.SqlClient
            // An entry 100 days old, as a run that long ago would have left it.
            yield* sql`UPDATE profilesync_history SET at = at - ${100 * 86_400_000} WHERE sync_name = 's'`
            yield* state.confirm("s", "ocamba", [{ key: "a", hash: "h2" }])
            const pruned90 = yield* state.pruneHistory("s", { keepDays: 90 })
            const after90 = yield* state.rowHistory("s", "a")
            const pruned0 = yield* state.pruneHistory("s", { keepDays: 0 })
            return {
              pruned90,
              after90: after90.map((entry) => Option.getOrNull(entry.hash)),
              pruned0,
              after0: (yield* state.rowHistory("s", "a")).length,
              other: (yield* state.rowHistory("other", "a")).length
            }
          })
        ).pipe(Effect.provide(database.open()), Effect.provide(database.client()))
        assert.deepStrictEqual(counts, { pruned90: 1, after90: ["h2"], pruned0: 1, after0: 0, other: 1 })
      })
    )
  })
}
