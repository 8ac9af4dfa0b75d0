/**
 * Confirmations written in bulk (one JSON parameter per 10,000 rows, `internal/syncStateBulk.ts`), as one suite that
 * `SyncState/Sqlite.test.ts` and `SyncState/Postgres.test.ts` run on their store: keys that JSON must escape come back
 * exactly, a confirmation larger than one statement writes every row and its history once, and a key given twice is
 * written once, with its last hash.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as SyncState from "../../src/SyncState.ts"
import type { StoreKind } from "./SyncStateSuite.ts"

// Characters JSON escapes or that a hand-written escape would get wrong: quotes, backslashes (also before a `u`, as in
// a `\u` escape), control characters, the line and paragraph separators, characters beyond the BMP, and SQL quotes.
const awkwardKeys = [
  'email:"quoted"@example.nl',
  "email:back\\slash@example.nl",
  "email:\\ud800-looks-like-an-escape@example.nl",
  "email:new\nline\ttab\r@example.nl",
  "email:\u2028\u2029@example.nl",
  "email:zoë.müller.ß@例え.jp",
  "email:emoji-🎉-👩‍👩‍👧@example.nl",
  "email:o'brien';--@example.nl",
  'email:[1,2]{"a":null}@example.nl',
  "email:\u0001\u001f\u007f@example.nl",
  " leading and trailing spaces "
]

const historyCounts = (sync: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<{ readonly outcome: string; readonly count: unknown }>`SELECT outcome, COUNT(*) AS count
      FROM profilesync_history WHERE sync_name = ${sync} GROUP BY outcome ORDER BY outcome`
  ).pipe(Effect.map((rows) => Object.fromEntries(rows.map((row) => [row.outcome, Number(row.count)]))))

/** The suite, under `describe("SyncState bulk confirmations on <kind>")`. */
export const describeBulk = (kind: StoreKind): void => {
  describe(`SyncState bulk confirmations on ${kind.name}`, () => {
    it.live("stores keys, hashes and vendor ids that JSON escapes exactly as given", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            const rows = awkwardKeys.map((key, index) => ({ key, hash: `"h\\${index}"`, vendorId: `v'${key}` }))
            yield* state.confirm("s", "ocamba", rows)
            const found = yield* state.lookup(
              "s",
              "ocamba",
              rows.map((row) => row.key)
            )
            assert.deepStrictEqual(
              rows.map((row) => [row.key, found.get(row.key)?.hash, found.get(row.key)?.vendorId]),
              rows.map((row) => [row.key, Option.some(row.hash), Option.some(row.vendorId)])
            )
            const history = yield* state.rowHistory("s", awkwardKeys[0]!)
            assert.deepStrictEqual(
              history.map((entry) => [entry.key, entry.outcome, entry.hash]),
              [[awkwardKeys[0], "created", Option.some(rows[0]!.hash)]]
            )
            // Read back by a scan too, not only by the same keys bound as parameters.
            const scanned = yield* Stream.runCollect(state.confirmedHashes("s", "ocamba"))
            assert.deepStrictEqual(
              Chunk.toReadonlyArray(scanned)
                .map((record) => record.key)
                .sort(),
              [...awkwardKeys].sort()
            )
          })
        ).pipe(Effect.provide(database.open()))
      })
    )

    // The drivers differ (better-sqlite3 binds its WTF-8 bytes, the PostgreSQL driver U+FFFD); either way the key
    // written in bulk must be the one a bound parameter finds.
    it.live("finds a key with a lone surrogate by the same string, and updates that one row", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            const key = "lone-\ud800-high-\udc00-low"
            // The map is keyed by the key as the database returns it, which is not the lone surrogate.
            const hashes = (found: ReadonlyMap<string, SyncState.RecordState>) =>
              Array.from(found.values()).map((record) => record.hash)
            yield* state.confirm("s", "ocamba", [{ key, hash: "h1" }])
            assert.deepStrictEqual(hashes(yield* state.lookup("s", "ocamba", [key])), [Option.some("h1")])
            yield* state.confirm("s", "ocamba", [{ key, hash: "h2" }])
            assert.deepStrictEqual(hashes(yield* state.lookup("s", "ocamba", [key])), [Option.some("h2")])
            assert.strictEqual(Chunk.size(yield* Stream.runCollect(state.confirmedHashes("s", "ocamba"))), 1)
            assert.deepStrictEqual(yield* historyCounts("s"), { created: 1, updated: 1 })
          })
        ).pipe(Effect.provide(database.open()), Effect.provide(database.client()))
      })
    )

    it.live("confirms 50,000 rows in one call: every row, a history entry each, created or updated", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            // 20,000 known before (every other key of the first 40,000), so that both outcomes cross statements.
            const known = Array.from({ length: 20_000 }, (_, index) => ({ key: `k${index * 2}`, hash: "old" }))
            yield* state.confirm("s", "copernica", known, { runId: "run-1" })
            yield* state.recordFailures(
              "s",
              "copernica",
              [{ key: "k49999", hash: "bad", payload: {}, reason: "refused" }],
              { maxAttempts: 1 }
            )
            assert.strictEqual((yield* state.deadLetters("s")).length, 1)

            const rows = Array.from({ length: 50_000 }, (_, index) => ({ key: `k${index}`, hash: `h${index}` }))
            yield* state.confirm("s", "copernica", rows, { runId: "run-2" })

            const found = yield* state.lookup(
              "s",
              "copernica",
              rows.map((row) => row.key)
            )
            assert.strictEqual(found.size, 50_000)
            assert.isTrue(rows.every((row) => Option.contains(found.get(row.key)!.hash, row.hash)))
            assert.deepStrictEqual(found.get("k49999")?.deadLettered, false)
            assert.deepStrictEqual(yield* state.deadLetters("s"), [])
            // 20,000 created before, 30,000 created and 20,000 updated now; one failure and its dead letter.
            assert.deepStrictEqual(yield* historyCounts("s"), {
              created: 50_000,
              "dead-lettered": 1,
              updated: 20_000
            })
            const updated = yield* state.rowHistory("s", "k39998")
            assert.deepStrictEqual(
              updated.map((entry) => [entry.outcome, Option.getOrNull(entry.hash), Option.getOrNull(entry.runId)]),
              [
                ["updated", "h39998", "run-2"],
                ["created", "old", "run-1"]
              ]
            )
            const created = yield* state.rowHistory("s", "k39999")
            assert.deepStrictEqual(
              created.map((entry) => entry.outcome),
              ["created"]
            )
          })
        ).pipe(Effect.provide(database.open()), Effect.provide(database.client()))
      })
    )

    it.live("writes a key given twice in one call once, with its last hash and vendor id", () =>
      Effect.gen(function* () {
        const database = yield* kind.fresh
        yield* Effect.scoped(
          Effect.gen(function* () {
            const state = yield* SyncState.SyncState
            const rows = Array.from({ length: 12_000 }, (_, index) => ({
              key: `k${index % 11_000}`,
              hash: `h${index}`
            }))
            yield* state.confirm("s", "ocamba", [...rows, { key: "k5", hash: "last", vendorId: "v5" }])
            const found = yield* state.lookup("s", "ocamba", ["k5", "k999", "k1000", "k10999"])
            assert.deepStrictEqual(found.get("k5")?.hash, Option.some("last"))
            assert.deepStrictEqual(found.get("k5")?.vendorId, Option.some("v5"))
            assert.deepStrictEqual(found.get("k999")?.hash, Option.some("h11999"))
            assert.deepStrictEqual(found.get("k1000")?.hash, Option.some("h1000"))
            assert.deepStrictEqual(found.get("k10999")?.hash, Option.some("h10999"))
            assert.deepStrictEqual(yield* historyCounts("s"), { created: 11_000 })
          })
        ).pipe(Effect.provide(database.open()), Effect.provide(database.client()))
      })
    )
  })
}
