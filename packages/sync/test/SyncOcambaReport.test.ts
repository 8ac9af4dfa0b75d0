/**
 * The sync engine against the sandbox's Ocamba report with the documented fields only (`profile_id`, `code:
 * "SUCCESS"`, dates): rows Ocamba refused are known by their absence and isolated by importing parts of the chunk
 * again, so they reach the dead letters with a reason, the rest is confirmed, and rows whose success follows from the
 * counts are never sent again.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sync from "../src/Sync.ts"
import type * as SyncConfig from "../src/SyncConfig.ts"
import * as SyncState from "../src/SyncState.ts"
import { assertReconciles } from "./support/ReportChecks.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const runSync = (config: SyncConfig.SyncConfig) =>
  Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))

/** The first `count` data rows of the example, as a new CSV. */
const firstRows = (directory: string, count: number): string => {
  const lines = readFileSync(Fixtures.exampleCsv, "utf8")
    .split("\n")
    .slice(0, count + 1)
  return Fixtures.writeSource(directory, "rows.csv", `${lines.join("\n")}\n`)
}

/** The emails of the example's data rows 2, 5 and 7, which the sandbox is made to refuse. */
const refusedEmails = (() => {
  const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
  const column = lines[0]!.split(",").indexOf("email")
  return new Set([2, 5, 7].map((row) => lines[row]!.split(",")[column]!.toLowerCase()))
})()

describe("Sync.run with Ocamba reports of the documented fields only", () => {
  it.scopedLive("isolates the rows Ocamba refused, dead-letters them with a reason, and confirms the rest", () =>
    Effect.gen(function* () {
      // A rule Ocamba could have and the sync cannot foresee: the same rows are refused in every import.
      const fixture = yield* Fixtures.sandbox(20, false, (row) =>
        refusedEmails.has(row.email ?? "") ? "refused by the test's rule" : undefined
      )
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, 40)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        targets: ["ocamba"],
        maxAttempts: 2
      })
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "ocamba")
      assert.strictEqual(rows.length, 40)
      const badEmails = [...refusedEmails]
      assert.includeMembers(
        rows.map((row) => row.values.email),
        badEmails
      )
      const good = rows.filter((row) => !badEmails.includes(row.values.email!))
      const account = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount)

      const first = yield* runSync(config)
      assertReconciles(first)
      const records = [...account.imports.values()]
      const chunkImport = records[0]!
      assert.strictEqual(chunkImport.report.length, 37)
      for (const entry of chunkImport.report) {
        assert.deepStrictEqual(Object.keys(entry).sort(), [
          "code",
          "event_date",
          "event_time",
          "profile_id",
          "update_time"
        ])
      }
      assert.strictEqual(first.status, "partial", Sync.formatReport(first))
      assert.strictEqual(first.targets.ocamba!.created, 37)
      assert.strictEqual(first.targets.ocamba!.failed, 3)
      assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, good), [])
      // The smaller imports: each is a first half of a group holding refused rows, so the last half of the chunk
      // (rows 21 to 40, with no refused row) is never sent again, nor is any row whose success the counts prove.
      const extra = records.slice(1)
      assert.isAbove(extra.length, 0)
      assert.isAtMost(extra.length, 3 * Math.ceil(Math.log2(40)))
      assert.deepStrictEqual(
        first.targets.ocamba!.vendorJobs,
        records.map((record) => record.id)
      )
      const emailAt = chunkImport.columns.indexOf("email")
      const resent = extra.flatMap((record) => record.rows.map((row) => row[emailAt]))
      for (const row of rows.slice(20)) assert.notInclude(resent, row.values.email)
      assert.include(first.targets.ocamba!.errors.join("\n"), "isolated 3 refused row(s)")

      // The next run sends the three refused rows alone: Ocamba imports none, so no isolation is needed, and with
      // maxAttempts 2 they become dead letters with the reason.
      const second = yield* runSync(config)
      assertReconciles(second)
      const after = [...account.imports.values()]
      assert.strictEqual(after.length, records.length + 1)
      assert.strictEqual(after.at(-1)!.rows.length, 3)
      assert.strictEqual(second.targets.ocamba!.unchanged, 37)
      assert.strictEqual(second.targets.ocamba!.deadLettered, 3)
      const letters = yield* Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters("customers")).pipe(
        Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! }))
      )
      assert.deepStrictEqual(
        letters.map((letter) => (letter.payload as Record<string, string>).email).sort(),
        [...badEmails].sort()
      )
      for (const letter of letters) assert.include(letter.reason, "Ocamba did not import this row")

      // Dead letters are not sent again while unchanged.
      const third = yield* runSync(config)
      assert.strictEqual(third.targets.ocamba!.skippedDeadLetters, 3)
      assert.strictEqual(account.imports.size, after.length)
    })
  )

  it.scopedLive(
    "stops isolating at the limit of imports per chunk and goes on among the undecided rows next run",
    () =>
      Effect.gen(function* () {
        const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
        const column = lines[0]!.split(",").indexOf("email")
        // Every other row refused: every group holds refused rows, so isolation needs more imports than one run allows.
        const refused = new Set(
          Array.from({ length: 20 }, (_, index) => lines[2 * index + 1]!.split(",")[column]!.toLowerCase())
        )
        // Imports processed at once: this test makes about a hundred of them.
        const fixture = yield* Fixtures.sandbox(0, false, (row) =>
          refused.has(row.email ?? "") ? "refused by the test's rule" : undefined
        )
        const directory = yield* Fixtures.temporaryDirectory
        const source = firstRows(directory, 40)
        const config = yield* Fixtures.configFor({
          directory,
          sandbox: fixture.sandbox,
          source: { type: "csv", path: source },
          targets: ["ocamba"],
          maxAttempts: 1
        })
        const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "ocamba")
        const good = rows.filter((row) => !refused.has(row.values.email!))
        const account = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount)

        const first = yield* runSync(config)
        assertReconciles(first)
        // The chunk's import and the limit of 24 more.
        assert.strictEqual(account.imports.size, 25)
        assert.include(first.targets.ocamba!.errors.join("\n"), "the limit of 24 imports per chunk left rows undecided")
        const decided = first.targets.ocamba!.created + first.targets.ocamba!.deadLettered
        assert.isBelow(decided, 40)
        assert.isAbove(decided, 0)

        // Each next run sends only the undecided rows, and isolation goes on among them, until every row is decided.
        let runs = 1
        let letters = first.targets.ocamba!.deadLettered
        let created = first.targets.ocamba!.created
        while (created + letters < 40 && runs < 6) {
          const before = account.imports.size
          const next = yield* runSync(config)
          assertReconciles(next)
          runs++
          const sent = [...account.imports.values()][before]!.rows.length
          assert.strictEqual(sent, 40 - created - letters, `run ${runs} sends only the undecided rows`)
          created += next.targets.ocamba!.created
          letters += next.targets.ocamba!.deadLettered
        }
        assert.strictEqual(created, 20)
        assert.strictEqual(letters, 20)
        assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, good), [])
        const deadLetters = yield* Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters("customers")).pipe(
          Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! }))
        )
        assert.deepStrictEqual(
          deadLetters.map((letter) => (letter.payload as Record<string, string>).email).sort(),
          [...refused].sort()
        )
      }),
    // Several runs of about 25 imports each: minutes on a loaded machine.
    240_000
  )
})
