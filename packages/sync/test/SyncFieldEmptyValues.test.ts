/**
 * A field's own `emptyValues` against the sandbox, by what the vendor holds afterwards: two profiles are synced, then
 * a run where first names and cities became empty goes out with a field whose `emptyValues` differs from its
 * target's. Copernica, whose `ignoreEmptyFields` is per import, gets the empty `skip` fields left out of the import
 * (JSON and CSV); Ocamba keeps an empty property's value and refuses `clear` at the field's YAML path.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sync from "../src/Sync.ts"
import * as SyncConfig from "../src/SyncConfig.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
const row = (index: number, firstName = `Ada${index}`, city = `City${index}`) =>
  `${100 + index},person${index}@example.com,06123${String(45000 + index)},${firstName},Lovelace,10-12-1985,${city},NL,no,12.50`
const csv = (lines: ReadonlyArray<string>) => `${[header, ...lines].join("\n")}\n`

type Edit = (document: Record<string, any>) => void

const setUp = (targets: ReadonlyArray<Sync.TargetName>) =>
  Effect.gen(function* () {
    const fixture = yield* Fixtures.sandbox()
    const directory = yield* Fixtures.temporaryDirectory
    const runWith = (name: string, lines: ReadonlyArray<string>, edit?: Edit) =>
      Effect.gen(function* () {
        const config = yield* Effect.orDie(
          Fixtures.configFor({
            directory,
            sandbox: fixture.sandbox,
            source: { type: "csv", path: Fixtures.writeSource(directory, name, csv(lines)) },
            targets,
            ...(edit === undefined ? {} : { edit })
          })
        )
        return yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))
      })
    const first = yield* runWith("first.csv", [row(0), row(1), row(2)])
    assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
    const copernica = (index: number) => {
      const profile = Fixtures.copernicaProfiles(fixture.sandbox).get(`person${index}@example.com`)
      return profile === undefined ? undefined : { Firstname: profile.Firstname, City: profile.City }
    }
    const ocamba = (index: number) => {
      const profile = fixture.sandbox.state.ocamba
        .account(Fixtures.ocambaAccount)
        .findProfileByEmail(`person${index}@example.com`)
      return profile === undefined ? undefined : { first_name: profile.properties.first_name }
    }
    const imports = () => [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()]
    return { runWith, copernica, ocamba, imports }
  })

/** Person 0's first name and city became empty, person 1's city, and person 2 changed nothing but a last name. */
const emptied = [row(0, "", ""), row(1, "Ada1", ""), row(2, "Ada2", "City2").replace("Lovelace", "Byron")]

const field =
  (target: "copernica" | "ocamba", name: string, values: Readonly<Record<string, unknown>>): Edit =>
  (document) => {
    const mappings = document.targets[target][target === "copernica" ? "fields" : "properties"]
    mappings[name] = { ...mappings[name], ...values }
  }

const both =
  (...edits: ReadonlyArray<Edit>): Edit =>
  (document) => {
    for (const edit of edits) edit(document)
  }

describe("Sync.run per-field emptyValues against the sandbox", () => {
  it.scopedLive("Copernica clears (its default) but a `skip` first name keeps the stored one", () =>
    Effect.gen(function* () {
      const { runWith, copernica, imports } = yield* setUp(["copernica"])
      const before = imports().length
      const report = yield* runWith("second.csv", emptied, field("copernica", "first_name", { emptyValues: "skip" }))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernica), [
        { Firstname: "Ada0", City: "" },
        { Firstname: "Ada1", City: "" },
        { Firstname: "Ada2", City: "City2" }
      ])
      // Person 0 went without a Firstname column, the others with it: two imports, neither ignoring empty fields.
      const sent = imports().slice(before)
      assert.deepStrictEqual(
        sent.map((sentImport) => ({
          ignoreEmptyFields: sentImport.ignoreEmptyFields,
          emails: (sentImport.rows ?? []).map((sentRow) => sentRow.Email),
          firstname: (sentImport.rows ?? []).map((sentRow) => "Firstname" in sentRow)
        })),
        [
          { ignoreEmptyFields: false, emails: ["person0@example.com"], firstname: [false] },
          { ignoreEmptyFields: false, emails: ["person1@example.com", "person2@example.com"], firstname: [true, true] }
        ]
      )
    })
  )

  it.scopedLive("Copernica skips (the target's setting) but a `clear` city is blanked", () =>
    Effect.gen(function* () {
      const { runWith, copernica } = yield* setUp(["copernica"])
      const report = yield* runWith(
        "second.csv",
        emptied,
        both(
          (document) => {
            document.targets.copernica.emptyValues = "skip"
          },
          field("copernica", "city", { emptyValues: "clear" })
        )
      )
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernica), [
        { Firstname: "Ada0", City: "" },
        { Firstname: "Ada1", City: "" },
        { Firstname: "Ada2", City: "City2" }
      ])
    })
  )

  it.scopedLive("the same in CSV imports", () =>
    Effect.gen(function* () {
      const { runWith, copernica } = yield* setUp(["copernica"])
      const report = yield* runWith(
        "second.csv",
        emptied,
        both(
          (document) => {
            document.targets.copernica.format = "csv"
          },
          field("copernica", "first_name", { emptyValues: "skip" })
        )
      )
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernica), [
        { Firstname: "Ada0", City: "" },
        { Firstname: "Ada1", City: "" },
        { Firstname: "Ada2", City: "City2" }
      ])
    })
  )

  it.scopedLive("Ocamba takes a property's `skip` and keeps the stored value", () =>
    Effect.gen(function* () {
      const { runWith, ocamba } = yield* setUp(["ocamba"])
      const report = yield* runWith("second.csv", emptied, field("ocamba", "first_name", { emptyValues: "skip" }))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1].map(ocamba), [{ first_name: "Ada0" }, { first_name: "Ada1" }])
    })
  )

  it.effect("Ocamba refuses a property's `clear` at its YAML path", () =>
    Effect.gen(function* () {
      const yaml = `version: 1
name: customers
source: { type: csv, path: ./profiles.csv }
fields:
  email: { column: Email, type: email }
  first_name: { column: First, type: text }
key: [email]
targets:
  ocamba:
    account: my-company
    credentials: { tokenEnv: OCAMBA_TOKEN }
    properties:
      email: { property: email, system: true }
      first_name: { property: full_name, system: true, emptyValues: clear }
`
      const error = yield* Effect.flip(SyncConfig.parse(yaml, "customers.yaml"))
      assert.strictEqual(error.reason._tag, "InvalidConfig")
      const issues = error.reason._tag === "InvalidConfig" ? error.reason.issues : []
      assert.strictEqual(issues.length, 1, error.message)
      assert.strictEqual(issues[0]!.path, "targets.ocamba.properties.first_name.emptyValues")
      assert.strictEqual(issues[0]!.line, 14)
      assert.include(issues[0]!.message, "`clear` cannot be honoured by Ocamba")
    })
  )
})
