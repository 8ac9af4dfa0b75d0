/**
 * The row history a run leaves, against the sandbox: a profile created in one run, changed in the next, and refused by
 * one target's mapping in a third has exactly those entries per target, attributed to each run and vendor job, with
 * hashes and never values; and `history.keepDays: 0` keeps none once the run ends.
 */

import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Sync from "../src/Sync.ts"
import * as SyncState from "../src/SyncState.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
const row = (index: number, firstName = `Ada${index}`, birthDate = "10-12-1985") =>
  `${100 + index},person${index}@example.com,06123${String(45000 + index)},${firstName},Lovelace,${birthDate},Utrecht,NL,no,12.50`
const csv = (lines: ReadonlyArray<string>) => `${[header, ...lines].join("\n")}\n`

const setUp = Effect.gen(function* () {
  const fixture = yield* Fixtures.sandbox()
  const directory = yield* Fixtures.temporaryDirectory
  const runWith = (name: string, lines: ReadonlyArray<string>, edit?: (document: Record<string, any>) => void) =>
    Effect.gen(function* () {
      const config = yield* Effect.orDie(
        Fixtures.configFor({
          directory,
          sandbox: fixture.sandbox,
          source: { type: "csv", path: Fixtures.writeSource(directory, name, csv(lines)) },
          ...(edit === undefined ? {} : { edit })
        })
      )
      return yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))
    })
  const withState = <A>(program: (state: SyncState.SyncStateService) => Effect.Effect<A, SyncState.SyncStateError>) =>
    Effect.flatMap(SyncState.SyncState, program).pipe(
      Effect.provide(SyncState.layerSqlite({ filename: join(directory, "state.db") }))
    )
  return { runWith, withState }
})

describe("Sync.run row history against the sandbox", () => {
  it.scopedLive("records created, then updated, then rejected at the target that refused it, per run and job", () =>
    Effect.gen(function* () {
      const { runWith, withState } = yield* setUp
      const first = yield* runWith("first.csv", [row(0), row(1)])
      const second = yield* runWith("second.csv", [row(0, "Ada0 Changed"), row(1)])
      // A birth date only Ocamba maps: Ocamba refuses the row, Copernica finds it unchanged.
      const third = yield* runWith("third.csv", [row(0, "Ada0 Changed", "31-02-1985"), row(1)])
      for (const report of [first, second]) assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.isAbove(third.rejected + third.targets.ocamba!.rejectedOnlyHere, 0, Sync.formatReport(third))

      const history = yield* withState((state) =>
        Effect.gen(function* () {
          const keys = yield* Stream.runCollect(state.confirmedHashes("customers", "copernica"))
          const key = Array.from(keys).find((record) => record.key.includes("person0@example.com"))!.key
          return {
            key,
            ocamba: yield* state.rowHistory("customers", key, { target: "ocamba" }),
            copernica: yield* state.rowHistory("customers", key, { target: "copernica" })
          }
        })
      )
      const outline = (entries: ReadonlyArray<SyncState.HistoryEntry>) =>
        entries.map((entry) => [entry.outcome, Option.getOrNull(entry.runId)])
      assert.deepStrictEqual(outline(history.ocamba), [
        ["rejected", third.runId],
        ["updated", second.runId],
        ["created", first.runId]
      ])
      assert.deepStrictEqual(outline(history.copernica), [
        ["updated", second.runId],
        ["created", first.runId]
      ])
      for (const entry of [...history.ocamba, ...history.copernica]) {
        if (entry.outcome === "rejected") {
          assert.isTrue(Option.isNone(entry.hash))
          assert.isTrue(Option.isSome(entry.reason))
        } else {
          // Sent in a journaled job the vendor gave an id; the hash of what was sent, not the values.
          assert.isTrue(Option.isSome(entry.jobId) && Option.isSome(entry.vendorJobId))
          assert.match(Option.getOrThrow(entry.hash), /^[0-9a-f]{16,}$/)
        }
        assert.notInclude(JSON.stringify(entry), "Ada0")
      }
      // The two versions sent differ, and the update carries the later one.
      assert.notStrictEqual(Option.getOrNull(history.copernica[0]!.hash), Option.getOrNull(history.copernica[1]!.hash))
    })
  )

  it.scopedLive("keeps none with history.keepDays 0, pruned when the run ends", () =>
    Effect.gen(function* () {
      const { runWith, withState } = yield* setUp
      const keepNone = (document: Record<string, any>) => {
        document.history = { keepDays: 0 }
      }
      const report = yield* runWith("first.csv", [row(0), row(1)], keepNone)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      const kept = yield* withState((state) =>
        Effect.gen(function* () {
          const records = Array.from(yield* Stream.runCollect(state.confirmedHashes("customers", "ocamba")))
          assert.strictEqual(records.length, 2)
          return yield* Effect.forEach(records, (record) => state.rowHistory("customers", record.key))
        })
      )
      assert.deepStrictEqual(
        kept.map((entries) => entries.length),
        [0, 0]
      )
    })
  )
})
