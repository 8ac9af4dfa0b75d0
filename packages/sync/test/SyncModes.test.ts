/**
 * A target's `mode` and `emptyValues` against the sandbox, by what the vendor holds afterwards: two profiles are
 * synced, then a run where one changed, one left the source and one is new goes out in each Copernica mode; and a
 * run where a first name became empty shows what `emptyValues` keeps, in Copernica and in Ocamba.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sync from "../src/Sync.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
const row = (index: number, firstName = `Ada${index}`) =>
  `${100 + index},person${index}@example.com,06123${String(45000 + index)},${firstName},Lovelace,10-12-1985,Utrecht,NL,no,12.50`
const csv = (lines: ReadonlyArray<string>) => `${[header, ...lines].join("\n")}\n`

/** Sets (or, with `undefined`, removes) settings of a target in the config document. */
const settings =
  (target: Sync.TargetName, values: Readonly<Record<string, unknown>>) => (document: Record<string, any>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete document.targets[target][name]
      else document.targets[target][name] = value
    }
  }

const setUp = (targets: ReadonlyArray<Sync.TargetName>) =>
  Effect.gen(function* () {
    const fixture = yield* Fixtures.sandbox()
    const directory = yield* Fixtures.temporaryDirectory
    const runWith = (name: string, lines: ReadonlyArray<string>, edit?: (document: Record<string, any>) => void) =>
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
    const first = yield* runWith("first.csv", [row(0), row(1)])
    assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
    const copernicaFirstName = (index: number) =>
      Fixtures.copernicaProfiles(fixture.sandbox).get(`person${index}@example.com`)?.Firstname
    const ocambaFirstName = (index: number) =>
      fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).findProfileByEmail(`person${index}@example.com`)
        ?.properties.first_name
    return { runWith, copernicaFirstName, ocambaFirstName }
  })

/** Person 0 changed, person 1 left the source, person 2 is new. */
const secondRun = [row(0, "Ada0 Changed"), row(2)]

const inMode = (mode: string, more: Readonly<Record<string, unknown>> = {}) =>
  settings("copernica", { mode, deleteMissing: undefined, ...more })

describe("Sync.run modes against the sandbox", () => {
  it.scopedLive("upsert (the default) updates person 0, creates person 2 and keeps person 1", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", secondRun, inMode("upsert"))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernicaFirstName), ["Ada0 Changed", "Ada1", "Ada2"])
    })
  )

  it.scopedLive("update-only updates person 0 and never creates person 2", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", secondRun, inMode("update-only"))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernicaFirstName), ["Ada0 Changed", "Ada1", undefined])
    })
  )

  it.scopedLive("insert-only creates person 2 and leaves the existing person 0 as it was", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", secondRun, inMode("insert-only"))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1, 2].map(copernicaFirstName), ["Ada0", "Ada1", "Ada2"])
    })
  )

  it.scopedLive("mirror upserts and deletes person 1, who left the source", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", secondRun, inMode("mirror", { maxDeleteShare: 0.5 }))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.deleted, 1)
      assert.deepStrictEqual([0, 1, 2].map(copernicaFirstName), ["Ada0 Changed", undefined, "Ada2"])
    })
  )

  it.scopedLive("mirror keeps deleteMissing's safety threshold: 1 of the 3 known is over the default 5%", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", secondRun, inMode("mirror"))
      assert.strictEqual(report.targets.copernica!.deleted, 0, Sync.formatReport(report))
      assert.include(
        Sync.formatReport(report),
        "refused to delete 1 of 3 known profile(s) (33.3%), over maxDeleteShare"
      )
      assert.deepStrictEqual([0, 1, 2].map(copernicaFirstName), ["Ada0 Changed", "Ada1", "Ada2"])
    })
  )
})

describe("Sync.run emptyValues against the sandbox", () => {
  const emptied = [row(0, ""), row(1, "Ada1 Changed")]

  it.scopedLive("by default an empty value clears Copernica's field; Ocamba keeps its stored value", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName, ocambaFirstName } = yield* setUp(["ocamba", "copernica"])
      const report = yield* runWith("second.csv", emptied)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1].map(copernicaFirstName), ["", "Ada1 Changed"])
      assert.deepStrictEqual([0, 1].map(ocambaFirstName), ["Ada0", "Ada1 Changed"])
    })
  )

  it.scopedLive("emptyValues: skip keeps the stored value in Copernica and in Ocamba", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName, ocambaFirstName } = yield* setUp(["ocamba", "copernica"])
      const report = yield* runWith("second.csv", emptied, (document) => {
        settings("copernica", { emptyValues: "skip" })(document)
        settings("ocamba", { emptyValues: "skip" })(document)
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1].map(copernicaFirstName), ["Ada0", "Ada1 Changed"])
      assert.deepStrictEqual([0, 1].map(ocambaFirstName), ["Ada0", "Ada1 Changed"])
    })
  )

  it.scopedLive("emptyValues: clear in Copernica blanks the field", () =>
    Effect.gen(function* () {
      const { runWith, copernicaFirstName } = yield* setUp(["copernica"])
      const report = yield* runWith("second.csv", emptied, settings("copernica", { emptyValues: "clear" }))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual([0, 1].map(copernicaFirstName), ["", "Ada1 Changed"])
    })
  )
})
