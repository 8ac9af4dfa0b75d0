/**
 * The behaviour every state store shares, as one suite that `SyncState/Sqlite.test.ts` and
 * `SyncState/Postgres.test.ts` run on their store. Each test gets a new, empty database from the kind.
 *
 * The store takes its time from the database's clock, and locks renew on real timers, so these tests run on the live
 * clock (`it.live`) with short lock lifetimes.
 */
import { spawn } from "node:child_process"
import { hostname } from "node:os"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SyncState from "../../src/SyncState.ts"
import * as LegacyStateSchema from "./LegacyStateSchema.ts"

/** A new empty database: `open` builds a store on it (call it again to reopen), `client` a raw SQL client. */
export interface Database {
  readonly open: () => Layer.Layer<SyncState.SyncState, SyncState.SyncStateError>
  readonly openReadOnly: () => Layer.Layer<SyncState.SyncState, SyncState.SyncStateError>
  readonly client: () => Layer.Layer<SqlClient.SqlClient, unknown>
}

/** One kind of store: how to get a fresh database of it, and a store that cannot be opened. */
export interface StoreKind {
  readonly name: "sqlite" | "postgres"
  readonly fresh: Effect.Effect<Database, Error>
  readonly unopenable: () => Layer.Layer<SyncState.SyncState, SyncState.SyncStateError>
}

const withStore = <A, E>(
  database: Database,
  program: (store: SyncState.SyncStateService) => Effect.Effect<A, E, Scope.Scope>,
  open: () => Layer.Layer<SyncState.SyncState, SyncState.SyncStateError> = database.open
) => Effect.scoped(Effect.flatMap(SyncState.SyncState, program)).pipe(Effect.provide(open()))

const sorted = (values: Iterable<string>): ReadonlyArray<string> => Array.from(values).sort()

const withClient = <A, E>(database: Database, program: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient.SqlClient, program).pipe(Effect.provide(database.client()))

/** The suite, under `describe("SyncState on <kind>")`. */
export const describeStore = (kind: StoreKind): void => {
  describe(`SyncState on ${kind.name}`, () => {
    it.live("migrates once, however often and however concurrently it is opened", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, () => Effect.void)
        yield* withStore(database, () => Effect.void)
        // Two stores migrating at once, as two machines starting together would. (Not for SQLite in one process: two
        // connections to one file in one process would wait for each other synchronously, which a daemon never does.)
        if (kind.name === "postgres") {
          const fresh = yield* kind.fresh
          yield* Effect.all([withStore(fresh, () => Effect.void), withStore(fresh, () => Effect.void)], {
            concurrency: 2
          })
        }
        const versions = yield* Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ readonly version: unknown }>`SELECT migration_id AS version FROM profilesync_schema_migrations`
        ).pipe(Effect.provide(database.client()))
        assert.deepStrictEqual(
          versions.map((row) => Number(row.version)).sort((a, b) => a - b),
          Array.from({ length: SyncState.schemaVersion }, (_, index) => index + 1)
        )
      })
    )

    it.live("keeps a run's rejects in order across calls, cut to 1,000 characters a value", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        const reject = (row: number, value: string): SyncState.StoredReject => ({
          row,
          line: row + 1,
          key: `k${row}`,
          code: "InvalidValue",
          field: "email",
          column: "email",
          value,
          reason: "email: not an email address",
          targets: ["ocamba"]
        })
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const run = yield* store.startRun({ sync: "s", targets: ["ocamba"] })
            yield* store.recordRejects(
              "s",
              run.id,
              Array.from({ length: 600 }, (_, index) => reject(index + 1, "x"))
            )
            yield* store.recordRejects("s", run.id, [reject(601, "y".repeat(5000))])
            yield* store.recordRejects("s", run.id, [])
            return run.id
          })
        )
        const rows = yield* Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{
              readonly position: unknown
              readonly source_row: unknown
              readonly value: string
            }>`SELECT position, source_row, value FROM profilesync_rejects ORDER BY position`
        ).pipe(Effect.provide(database.client()))
        assert.strictEqual(rows.length, 601)
        assert.deepStrictEqual(
          rows.map((row) => Number(row.source_row)),
          rows.map((row) => Number(row.position) + 1)
        )
        assert.strictEqual(rows.at(-1)!.value.length, 1000)
      })
    )

    it.live("confirms rows, returns their hashes by key, and confirming again changes nothing", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            yield* store.confirm("crm", "ocamba", [
              { key: "a", hash: "h1", vendorId: "v-a" },
              { key: "b", hash: "h2" },
              { key: "b", hash: "h2b" }
            ])
            const first = yield* store.lookup("crm", "ocamba", ["a", "b", "missing", "a"])
            assert.deepStrictEqual(sorted(first.keys()), ["a", "b"])
            assert.deepStrictEqual(first.get("a")?.hash, Option.some("h1"))
            assert.deepStrictEqual(first.get("a")?.vendorId, Option.some("v-a"))
            assert.deepStrictEqual(first.get("b")?.hash, Option.some("h2b"))
            assert.isTrue(Option.isNone(first.get("b")!.vendorId))

            yield* store.confirm("crm", "ocamba", [
              { key: "a", hash: "h1", vendorId: "v-a" },
              { key: "b", hash: "h2b" }
            ])
            const again = yield* store.lookup("crm", "ocamba", ["a", "b"])
            assert.deepStrictEqual(
              Array.from(again.values()).map((state) => [state.key, state.hash, state.vendorId, state.attempts]),
              Array.from(first.values()).map((state) => [state.key, state.hash, state.vendorId, state.attempts])
            )

            // A later confirmation without a vendor id keeps the known one; other targets and syncs are separate.
            yield* store.confirm("crm", "ocamba", [{ key: "a", hash: "h3" }])
            const changed = yield* store.lookup("crm", "ocamba", ["a"])
            assert.deepStrictEqual(changed.get("a")?.hash, Option.some("h3"))
            assert.deepStrictEqual(changed.get("a")?.vendorId, Option.some("v-a"))
            assert.strictEqual((yield* store.lookup("crm", "copernica", ["a"])).size, 0)
            assert.strictEqual((yield* store.lookup("other", "ocamba", ["a"])).size, 0)

            // More keys than one statement takes.
            const many = Array.from({ length: 1_234 }, (_, index) => ({ key: `k${index}`, hash: `h${index}` }))
            yield* store.confirm("crm", "ocamba", many)
            const found = yield* store.lookup(
              "crm",
              "ocamba",
              many.map((row) => row.key)
            )
            assert.strictEqual(found.size, 1_234)
            assert.deepStrictEqual(found.get("k1233")?.hash, Option.some("h1233"))
          })
        )
      })
    )

    it.live("journals jobs through their statuses and resumes in-flight jobs after a crash", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        const rows = (from: number) =>
          [0, 1, 2].map((offset) => ({ key: `r${from + offset}`, hash: `h${from + offset}` }))
        const ids = yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const run = yield* store.startRun({ sync: "crm", targets: ["ocamba"] })
            const submitted = yield* store.journalJob({
              sync: "crm",
              target: "ocamba",
              runId: run.id,
              chunk: 1,
              rows: rows(0)
            })
            const started = yield* store.journalJob({
              sync: "crm",
              target: "ocamba",
              runId: run.id,
              chunk: 2,
              rows: rows(3)
            })
            const planned = yield* store.journalJob({
              sync: "crm",
              target: "ocamba",
              runId: run.id,
              chunk: 3,
              rows: rows(6)
            })
            const done = yield* store.journalJob({
              sync: "crm",
              target: "ocamba",
              runId: run.id,
              chunk: 4,
              rows: rows(9)
            })
            assert.strictEqual(submitted.status, "planned")
            assert.strictEqual((yield* store.markJobStarted(submitted.id)).status, "started")
            const accepted = yield* store.markJobSubmitted(submitted.id, "vendor-1")
            assert.deepStrictEqual([accepted.status, accepted.vendorJobId], ["submitted", Option.some("vendor-1")])
            // Repeating a step (a retried call) is harmless; a second vendor job for the chunk is refused.
            assert.strictEqual((yield* store.markJobSubmitted(submitted.id, "vendor-1")).status, "submitted")
            const twice = yield* Effect.flip(store.markJobSubmitted(submitted.id, "vendor-2"))
            assert.strictEqual(twice.reason._tag, "InvalidTransition")
            yield* store.markJobStarted(started.id)
            yield* store.markJobStarted(done.id)
            const finished = yield* store.markJobFinished(done.id, { accepted: 3 })
            assert.deepStrictEqual([finished.status, finished.result], ["finished", Option.some({ accepted: 3 })])
            return { run: run.id, submitted: submitted.id, started: started.id, planned: planned.id, done: done.id }
          })
        )

        // The process died: a new store on the same database sees what was in flight.
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const inFlight = yield* store.inFlightJobs("crm")
            assert.deepStrictEqual(
              inFlight.map((job) => [job.id, job.status, job.chunk, job.vendorJobId, job.rows.map((row) => row.key)]),
              [
                [ids.submitted, "submitted", 1, Option.some("vendor-1"), ["r0", "r1", "r2"]],
                [ids.started, "started", 2, Option.none(), ["r3", "r4", "r5"]],
                [ids.planned, "planned", 3, Option.none(), ["r6", "r7", "r8"]]
              ]
            )
            assert.strictEqual(inFlight[0]?.runId, ids.run)

            // Resume the submitted job: the vendor confirmed two rows and refused one, committed together.
            const outcome = yield* store.completeJob(ids.submitted, {
              confirmed: [
                { key: "r0", hash: "h0", vendorId: "p0" },
                { key: "r1", hash: "h1" }
              ],
              failed: [{ key: "r2", hash: "h2", payload: { email: "bad" }, reason: "invalid email" }],
              maxAttempts: 1,
              result: { ok: 2 }
            })
            assert.deepStrictEqual(outcome, { deadLettered: ["r2"] })
            // Completing it again (a crash before the acknowledgement) counts nothing twice.
            assert.deepStrictEqual(
              yield* store.completeJob(ids.submitted, { confirmed: [], failed: [], maxAttempts: 1 }),
              { deadLettered: [] }
            )
            const states = yield* store.lookup("crm", "ocamba", ["r0", "r1", "r2"])
            assert.deepStrictEqual(states.get("r0")?.hash, Option.some("h0"))
            assert.deepStrictEqual(states.get("r2")?.hash, Option.none())
            assert.strictEqual(states.get("r2")?.attempts, 1)

            yield* store.markJobFailed(ids.planned, "not sent: run cancelled")
            const started = yield* store.markJobFailed(ids.started, "vendor unreachable")
            assert.deepStrictEqual(started.error, Option.some("vendor unreachable"))
            assert.deepStrictEqual(yield* store.inFlightJobs("crm"), [])

            const invalid = yield* Effect.flip(store.markJobStarted(ids.done))
            assert.deepStrictEqual(
              invalid.reason,
              SyncState.SyncStateErrorReason.InvalidTransition({ jobId: ids.done, from: "finished", to: "started" })
            )
            const missing = yield* Effect.flip(store.job("no-such-job"))
            assert.strictEqual(missing.reason._tag, "NotFound")

            assert.strictEqual(yield* store.pruneJobs({ olderThan: "1 hour" }), 0)
            assert.strictEqual(yield* store.pruneJobs({ olderThan: 0 }), 4)
          })
        )
      })
    )

    it.live("counts failures, moves rows to dead letters after maxAttempts, lists and replays them", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const failure = (hash: string, reason: string) => ({
              key: "x",
              hash,
              payload: { email: "x@", hash },
              reason
            })
            const options = { maxAttempts: 3 }
            yield* store.confirm("crm", "ocamba", [{ key: "x", hash: "old" }])
            assert.deepStrictEqual(yield* store.recordFailures("crm", "ocamba", [failure("h1", "first")], options), {
              deadLettered: []
            })
            yield* store.recordFailures("crm", "ocamba", [failure("h1", "second")], options)
            assert.deepStrictEqual((yield* store.lookup("crm", "ocamba", ["x"])).get("x"), {
              key: "x",
              hash: Option.some("old"),
              vendorId: Option.none(),
              confirmedAt: (yield* store.lookup("crm", "ocamba", ["x"])).get("x")!.confirmedAt,
              attempts: 2,
              failedHash: Option.some("h1"),
              lastError: Option.some("second"),
              deadLettered: false
            })
            assert.deepStrictEqual(yield* store.deadLetters("crm"), [])
            assert.deepStrictEqual(
              yield* store.recordFailures(
                "crm",
                "ocamba",
                [failure("h1", "third"), { ...failure("h9", "other"), key: "y" }],
                options
              ),
              { deadLettered: ["x"] }
            )
            const state = (yield* store.lookup("crm", "ocamba", ["x"])).get("x")!
            assert.deepStrictEqual([state.attempts, state.deadLettered, state.hash], [3, true, Option.some("old")])

            const letters = yield* store.deadLetters("crm")
            assert.deepStrictEqual(
              letters.map((letter) => [
                letter.target,
                letter.key,
                letter.hash,
                letter.payload,
                letter.reason,
                letter.attempts
              ]),
              [["ocamba", "x", "h1", { email: "x@", hash: "h1" }, "third", 3]]
            )
            assert.deepStrictEqual(yield* store.deadLetters("crm", { target: "copernica" }), [])

            const replayed = yield* store.replayDeadLetters("crm")
            assert.deepStrictEqual(
              replayed.map((letter) => [letter.key, letter.payload]),
              [["x", { email: "x@", hash: "h1" }]]
            )
            assert.isTrue(Option.isSome(replayed[0]!.replayedAt))
            assert.deepStrictEqual(yield* store.deadLetters("crm"), [])
            assert.strictEqual((yield* store.deadLetters("crm", { includeReplayed: true })).length, 1)
            const reset = (yield* store.lookup("crm", "ocamba", ["x"])).get("x")!
            assert.deepStrictEqual([reset.attempts, reset.deadLettered], [0, false])

            // A changed row starts counting again; a confirmation clears the failure and the dead letter.
            yield* store.recordFailures("crm", "ocamba", [failure("h1", "again")], { maxAttempts: 1 })
            yield* store.recordFailures("crm", "ocamba", [failure("h2", "changed")], options)
            assert.strictEqual((yield* store.lookup("crm", "ocamba", ["x"])).get("x")?.attempts, 1)
            yield* store.confirm("crm", "ocamba", [{ key: "x", hash: "h2" }])
            const confirmed = (yield* store.lookup("crm", "ocamba", ["x"])).get("x")!
            assert.deepStrictEqual(
              [confirmed.hash, confirmed.attempts, confirmed.failedHash, confirmed.deadLettered],
              [Option.some("h2"), 0, Option.none(), false]
            )
            assert.deepStrictEqual(yield* store.deadLetters("crm", { includeReplayed: true }), [])
            assert.deepStrictEqual(
              (yield* store.replayDeadLetters("crm", { keys: ["nothing"] })).map((letter) => letter.key),
              []
            )
          })
        )
      })
    )

    it.live("finds the confirmed rows not seen in a run, page by page", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const keys = Array.from({ length: 2_100 }, (_, index) => `key-${String(index).padStart(4, "0")}`)
            yield* store.confirm(
              "crm",
              "ocamba",
              keys.map((key) => ({ key, hash: "h" }))
            )
            yield* store.recordFailures(
              "crm",
              "ocamba",
              [{ key: "never-confirmed", hash: "h", payload: {}, reason: "refused" }],
              { maxAttempts: 5 }
            )
            const run = yield* store.startRun({ sync: "crm", targets: ["ocamba"] })
            const seen = keys.filter((_, index) => index % 2 === 0)
            yield* store.markSeen("crm", "ocamba", run.id, seen)
            // Rows confirmed during the run count as seen too.
            yield* store.confirm("crm", "ocamba", [{ key: "key-0001", hash: "h2" }], { runId: run.id })

            const expected = keys.filter((_, index) => index % 2 === 1 && index !== 1)
            assert.strictEqual(yield* store.countDeletionCandidates("crm", "ocamba", run.id), expected.length)
            const candidates = yield* Stream.runCollect(store.deletionCandidates("crm", "ocamba", run.id))
            assert.deepStrictEqual(
              Chunk.toReadonlyArray(candidates).map((state) => state.key),
              expected
            )
            // Another target's state is its own.
            assert.strictEqual(yield* store.countDeletionCandidates("crm", "copernica", run.id), 0)

            // The full scan sees every confirmed row and none that only failed.
            const confirmed = yield* Stream.runCollect(store.confirmedHashes("crm", "ocamba"))
            assert.strictEqual(Chunk.size(confirmed), keys.length)
            assert.isFalse(Chunk.some(confirmed, (state) => state.key === "never-confirmed"))

            yield* store.forget("crm", "ocamba", expected)
            assert.strictEqual(yield* store.countDeletionCandidates("crm", "ocamba", run.id), 0)
            assert.strictEqual((yield* store.lookup("crm", "ocamba", expected)).size, 0)
          })
        )
      })
    )

    it.live("records runs, marks a run left running as interrupted, and lists the latest first", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const crashed = yield* store.startRun({ sync: "crm", targets: ["ocamba", "copernica"] })
            const next = yield* store.startRun({ sync: "crm", targets: ["ocamba"], dryRun: true })
            const other = yield* store.startRun({ sync: "newsletter", targets: ["copernica"] })
            const finished = yield* store.finishRun(next.id, {
              status: "partial",
              counts: { read: 10, sent: 7, failed: 3 },
              report: { rejected: [{ row: 4, reason: "bad email" }] }
            })
            assert.deepStrictEqual(
              [finished.status, finished.dryRun, finished.counts, finished.report],
              [
                "partial",
                true,
                { read: 10, sent: 7, failed: 3 },
                Option.some({ rejected: [{ row: 4, reason: "bad email" }] })
              ]
            )
            assert.isTrue(Option.isSome(finished.finishedAt))
            const runs = yield* store.recentRuns({ sync: "crm" })
            assert.deepStrictEqual(
              runs.map((run) => [run.id, run.status]),
              [
                [next.id, "partial"],
                [crashed.id, "interrupted"]
              ]
            )
            assert.deepStrictEqual(runs[1]?.targets, ["ocamba", "copernica"])
            assert.strictEqual((yield* store.recentRuns({ limit: 1 }))[0]?.id, other.id)
            const missing = yield* Effect.flip(store.finishRun("no-such-run", { status: "failed" }))
            assert.strictEqual(missing.reason._tag, "NotFound")
          })
        )
      })
    )

    it.live("lets one owner hold a lock, refuses others with the holder's name, and frees it on release", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const held = yield* Scope.make()
            const lock = yield* Scope.extend(
              store.acquireLock("sync:crm", { owner: "machine-a", ttl: "10 seconds" }),
              held
            )
            const refused = yield* Effect.flip(store.acquireLock("sync:crm", { owner: "machine-b" }))
            assert.strictEqual(refused.reason._tag, "Locked")
            if (refused.reason._tag === "Locked") {
              assert.strictEqual(refused.reason.owner, "machine-a")
              assert.strictEqual(refused.reason.since.getTime(), lock.acquiredAt.getTime())
              assert.include(refused.message, 'The lock "sync:crm" is held by machine-a since')
            }
            // Other names are independent; the same owner may take its lock again.
            yield* store.acquireLock("sync:newsletter", { owner: "machine-b" })
            yield* Scope.extend(store.acquireLock("sync:crm", { owner: "machine-a" }), held)
            yield* lock.ensureHeld
            yield* Scope.close(held, Exit.void)
            const next = yield* store.acquireLock("sync:crm", { owner: "machine-b" })
            assert.strictEqual(next.owner, "machine-b")
          })
        )
      })
    )

    it.live(
      "takes a lock of a process of this machine that is gone at once on SQLite; on PostgreSQL it must expire",
      () =>
        Effect.gen(function* () {
          const database = yield* kind.fresh
          // The pid of a process that has exited, as a daemon killed with SIGKILL leaves its lock behind.
          const gone = yield* Effect.async<number>((resume) => {
            const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
            child.on("exit", () => resume(Effect.succeed(child.pid ?? 0)))
          })
          yield* withStore(database, (store) =>
            Effect.gen(function* () {
              const held = yield* Scope.make()
              yield* Scope.extend(store.acquireLock("sync:crm", { owner: `${hostname()}:${gone}:deadbeef` }), held)
              // A holder of this machine that still runs (the test's parent) is never taken over.
              yield* Scope.extend(
                store.acquireLock("sync:live", { owner: `${hostname()}:${process.ppid}:alive` }),
                held
              )
              const refusedLive = yield* Effect.flip(store.acquireLock("sync:live"))
              assert.strictEqual(refusedLive.reason._tag, "Locked")
              const next = yield* Effect.either(store.acquireLock("sync:crm"))
              if (kind.name === "sqlite") {
                assert.strictEqual(next._tag, "Right")
              } else {
                assert.strictEqual(next._tag === "Left" ? next.left.reason._tag : "taken", "Locked")
              }
              yield* Scope.close(held, Exit.void)
            })
          )
        })
    )

    it.live("gives a lock to exactly one of many owners trying at once", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const owners = Array.from({ length: 8 }, (_, index) => `machine-${index}`)
            const results = yield* Effect.forEach(
              owners,
              (owner) => Effect.either(store.acquireLock("sync:race", { owner })),
              { concurrency: "unbounded" }
            )
            const winners = results.filter((result) => result._tag === "Right")
            assert.strictEqual(winners.length, 1)
            const winner = winners[0]?._tag === "Right" ? winners[0].right.owner : ""
            for (const result of results) {
              if (result._tag === "Left") {
                assert.strictEqual(result.left.reason._tag, "Locked")
                if (result.left.reason._tag === "Locked") assert.strictEqual(result.left.reason.owner, winner)
              }
            }
          })
        )
      })
    )

    it.live(
      "keeps a lock alive by heartbeats, and hands an expired one over, telling the old holder it is lost",
      () =>
        Effect.gen(function* () {
          const database = yield* kind.fresh
          yield* withStore(database, (store) =>
            Effect.gen(function* () {
              // Renewed every 100 ms: still held after several lifetimes.
              yield* store.acquireLock("renewed", { owner: "a", ttl: "300 millis" })
              yield* Effect.sleep("800 millis")
              const refused = yield* Effect.flip(store.acquireLock("renewed", { owner: "b" }))
              assert.strictEqual(refused.reason._tag, "Locked")

              // Not renewed in time (a stalled or crashed holder): another owner takes it over after it expires.
              const stale = yield* store.acquireLock("stale", {
                owner: "a",
                ttl: "300 millis",
                heartbeatInterval: "1 second"
              })
              yield* Effect.sleep("400 millis")
              const taken = yield* store.acquireLock("stale", { owner: "b", ttl: "10 seconds" })
              assert.strictEqual(taken.owner, "b")
              const lost = yield* Effect.flip(stale.ensureHeld)
              assert.deepStrictEqual(
                lost.reason,
                SyncState.SyncStateErrorReason.LockLost({ name: "stale", owner: "a" })
              )
              // Its next heartbeat finds the lock gone.
              yield* stale.lost.pipe(
                Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error("not lost") })
              )
              yield* taken.ensureHeld
            })
          )
        }),
      20_000
    )

    it.live("fails with StoreFailed when the database cannot be opened", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Effect.provide(SyncState.SyncState, kind.unopenable()))
        assert.strictEqual(error.reason._tag, "StoreFailed")
      })
    )

    it.live("opens a store created before the Migrator, keeping its data, also read-only, and migrates on", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        // The schema and migration table exactly as version 0.1 created them, with a run and a confirmed row.
        yield* withClient(database, (sql) => LegacyStateSchema.create(sql, LegacyStateSchema.migrations.length))
        yield* withClient(database, (sql) => LegacyStateSchema.insertSample(sql))

        // A dry run right after upgrading opens it read-only: nothing may be migrated, and it reads.
        const readOnly = yield* withStore(database, (store) => store.recentRuns(), database.openReadOnly)
        assert.deepStrictEqual(
          readOnly.map((run) => run.id),
          [LegacyStateSchema.sample.runId]
        )
        const tablesBefore = yield* withClient(database, (sql) => LegacyStateSchema.tables(sql, kind.name))
        assert.notInclude(tablesBefore, "profilesync_schema_migrations")

        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            const runs = yield* store.recentRuns({ sync: LegacyStateSchema.sample.sync })
            assert.deepStrictEqual(
              runs.map((run) => [run.id, run.status, run.counts]),
              [[LegacyStateSchema.sample.runId, "succeeded", { read: 1 }]]
            )
            const found = yield* store.lookup(LegacyStateSchema.sample.sync, "ocamba", [LegacyStateSchema.sample.key])
            assert.deepStrictEqual(
              Option.getOrNull(found.get(LegacyStateSchema.sample.key)?.hash ?? Option.none()),
              LegacyStateSchema.sample.hash
            )
            // And it takes new writes.
            yield* store.confirm(LegacyStateSchema.sample.sync, "ocamba", [{ key: "k2", hash: "h2" }])
            assert.strictEqual((yield* store.lookup(LegacyStateSchema.sample.sync, "ocamba", ["k2"])).size, 1)
          })
        )
        const applied = yield* withClient(database, (sql) =>
          Effect.all([
            sql<{ readonly id: unknown }>`SELECT migration_id AS id FROM profilesync_schema_migrations`,
            sql<{ readonly version: unknown }>`SELECT version FROM profilesync_migrations`,
            SyncState.appliedSchemaVersion(sql)
          ])
        )
        const everyVersion = Array.from({ length: SyncState.schemaVersion }, (_, index) => index + 1)
        assert.deepStrictEqual(
          applied[0].map((row) => Number(row.id)).sort((a, b) => a - b),
          everyVersion
        )
        // The old table is left as it was, so that an earlier version still opens the store after a rollback.
        assert.deepStrictEqual(
          applied[1].map((row) => Number(row.version)).sort((a, b) => a - b),
          Array.from({ length: LegacyStateSchema.migrations.length }, (_, index) => index + 1)
        )
        assert.strictEqual(applied[2], SyncState.schemaVersion)
      })
    )

    it.live("brings a store an older release left at schema version 2 up to date, applying only what it lacks", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* withClient(database, (sql) => LegacyStateSchema.create(sql, 2))
        yield* withClient(database, (sql) => LegacyStateSchema.insertSample(sql))
        // Read-only, a store that lacks a migration is refused with what to do.
        const refused = yield* Effect.flip(withStore(database, () => Effect.void, database.openReadOnly))
        assert.strictEqual(refused.reason._tag, "StoreFailed")
        assert.include(refused.message, "run once without a dry run")

        yield* withStore(database, (store) =>
          Effect.gen(function* () {
            yield* store.recordFailures(
              LegacyStateSchema.sample.sync,
              "ocamba",
              [{ key: "k3", hash: "h3", payload: {}, reason: "refused" }],
              { maxAttempts: 3 }
            )
            assert.strictEqual((yield* store.recentRuns()).length, 1)
          })
        )
        const applied = yield* withClient(
          database,
          (sql) =>
            sql<{ readonly id: unknown; readonly name: string }>`SELECT migration_id AS id, name
            FROM profilesync_schema_migrations ORDER BY migration_id`
        )
        assert.deepStrictEqual(
          applied.map((row) => [Number(row.id), row.name]),
          [
            [1, "initial"],
            [2, "rejects and dashboard indexes"],
            [3, "unconfirmed records"],
            [4, "row history"]
          ]
        )
        const indexes = yield* withClient(database, (sql) => LegacyStateSchema.indexes(sql, kind.name))
        assert.include(indexes, "profilesync_records_unconfirmed")
      })
    )
  })
}
