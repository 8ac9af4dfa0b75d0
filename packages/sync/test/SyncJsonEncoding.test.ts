/**
 * Invalid UTF-8 in an NDJSON or JSON source, through the whole engine against the sandbox: the record that holds it
 * is rejected with the file, its row and line (and array index for JSON) and the field, and the other records still
 * reach both vendors (before, one bad byte failed the whole file and nothing was sent).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Sync from "../src/Sync.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

/** A customer as a JSON object with the columns of the test config, every value a string as in the CSV. */
const customer = (index: number, firstName = `Ada${index}`) =>
  JSON.stringify({
    customer_id: String(500 + index),
    email: `json${index}@example.com`,
    phone: `06223456${10 + index}`,
    first_name: firstName,
    last_name: "Lovelace",
    birth_date: "10-12-1985",
    city: "Utrecht",
    country: "NL",
    vip: "no",
    lifetime_value: "12.50"
  })

/** The JSON text of a customer whose first name holds the bytes `bad` (not UTF-8), as bytes. */
const badCustomer = (index: number, bad: ReadonlyArray<number>): Buffer => {
  const [before, after] = customer(index, "MARK").split("MARK")
  return Buffer.concat([Buffer.from(before!), Buffer.from(bad), Buffer.from(after!)])
}

describe("Sync.run with invalid UTF-8 in a JSON source", () => {
  const scope = Effect.runSync(Scope.make())
  let fixture: Fixtures.SyncSandbox
  let directory: string

  const runWith = (type: "ndjson" | "json", name: string, contents: Buffer) =>
    Effect.gen(function* () {
      const path = Fixtures.writeSource(directory, name, contents)
      const config = yield* Effect.orDie(
        Fixtures.configFor({ directory, sandbox: fixture.sandbox, source: { type, path } })
      )
      const report = yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))
      return { path, report }
    })

  /** The first names both vendors hold for the given customers (undefined where a vendor has none). */
  const firstNames = (indexes: ReadonlyArray<number>) =>
    indexes.map((index) => {
      const email = `json${index}@example.com`
      const ocamba = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).findProfileByEmail(email)
      return [ocamba?.properties.first_name, Fixtures.copernicaProfiles(fixture.sandbox).get(email)?.Firstname]
    })

  beforeAll(async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        fixture = yield* Fixtures.sandbox()
        directory = yield* Fixtures.temporaryDirectory
      }).pipe(Scope.extend(scope))
    )
  }, 60_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it.live(
    "NDJSON: three good lines sync, the line with invalid UTF-8 is rejected naming its file, line and field",
    () =>
      Effect.gen(function* () {
        const contents = Buffer.concat([
          Buffer.from(`${customer(1)}\n${customer(2)}\n`),
          badCustomer(3, [0xc3, 0x28]),
          Buffer.from(`\n${customer(4)}\n`)
        ])
        const { path, report } = yield* runWith("ndjson", "customers.ndjson", contents)
        assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
        assert.strictEqual(report.read, 4)
        assert.strictEqual(report.rejected, 1)
        assert.strictEqual(report.targets.ocamba!.created, 3, Sync.formatReport(report))
        assert.strictEqual(report.targets.copernica!.created, 3, Sync.formatReport(report))
        assert.deepStrictEqual(firstNames([1, 2, 3, 4]), [
          ["Ada1", "Ada1"],
          ["Ada2", "Ada2"],
          [undefined, undefined],
          ["Ada4", "Ada4"]
        ])
        const rejects = Fixtures.readNdjson(report.rejectsFile!)
        assert.strictEqual(rejects.length, 1)
        assert.deepInclude(rejects[0], { row: 3, line: 3, code: "InvalidEncoding", field: "first_name" })
        assert.include(
          rejects[0]!.reason as string,
          `${path}: row 3 (line 3) (byte offset ${contents.indexOf(0xc3)}): invalid UTF-8 in column \`first_name\``
        )
      })
  )

  it.live("JSON: three good elements sync, the element with invalid UTF-8 is rejected naming its index and field", () =>
    Effect.gen(function* () {
      const contents = Buffer.concat([
        Buffer.from(`[\n${customer(5)},\n`),
        badCustomer(6, [0xff]),
        Buffer.from(`,\n${customer(7)},\n${customer(8)}\n]\n`)
      ])
      const { path, report } = yield* runWith("json", "customers.json", contents)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.read, 4)
      assert.strictEqual(report.rejected, 1)
      assert.strictEqual(report.targets.ocamba!.created, 3, Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.created, 3, Sync.formatReport(report))
      assert.deepStrictEqual(firstNames([5, 6, 7, 8]), [
        ["Ada5", "Ada5"],
        [undefined, undefined],
        ["Ada7", "Ada7"],
        ["Ada8", "Ada8"]
      ])
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.strictEqual(rejects.length, 1)
      assert.deepInclude(rejects[0], { row: 2, line: 3, code: "InvalidEncoding", field: "first_name" })
      assert.include(rejects[0]!.reason as string, `${path}: row 2 (line 3)`)
      assert.include(rejects[0]!.reason as string, "invalid UTF-8 in element [1] of the array in column `first_name`")
    })
  )
})
