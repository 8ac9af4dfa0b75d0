/**
 * `deleteMissing` deletes only what is known to be absent, against the sandbox on a real SQLite file: a row that
 * could not be read or keyed holds every delete back, a run never deletes more than `maxDeleteShare` of the known
 * profiles without `allowMassDelete`, and a dry run says first whether a real run would refuse.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sync from "../src/Sync.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
const row = (index: number) =>
  `${100 + index},person${index}@example.com,06123${String(45000 + index)},Ada${index},Lovelace,10-12-1985,Utrecht,NL,no,12.50`
const rows = (count: number) => Array.from({ length: count }, (_, index) => row(index))
const csv = (lines: ReadonlyArray<string>) => `${[header, ...lines].join("\n")}\n`

const setUp = (count: number) =>
  Effect.gen(function* () {
    const fixture = yield* Fixtures.sandbox()
    const directory = yield* Fixtures.temporaryDirectory
    const runWith = (name: string, lines: ReadonlyArray<string>, options: Partial<Sync.RunOptions> = {}) =>
      Effect.gen(function* () {
        const config = yield* Effect.orDie(
          Fixtures.configFor({
            directory,
            sandbox: fixture.sandbox,
            source: { type: "csv", path: Fixtures.writeSource(directory, name, csv(lines)) },
            targets: ["copernica"],
            deleteMissing: true
          })
        )
        return yield* Sync.run({ config, polling: Fixtures.testPolling, ...options }).pipe(
          Effect.provide(Sync.layer(config))
        )
      })
    const first = yield* runWith("all.csv", rows(count))
    assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
    assert.strictEqual(first.targets.copernica!.created, count)
    const profiles = () => Fixtures.copernicaProfiles(fixture.sandbox)
    return { fixture, runWith, profiles }
  })

describe("Sync.run deleteMissing safety", () => {
  it.scopedLive("an unreadable row holds back every delete of the run, and the good rows still sync", () =>
    Effect.gen(function* () {
      const { runWith, profiles } = yield* setUp(40)
      const before = profiles()
      // Row 3 gets a stray quote (its key is unknown), row 7 left the source, row 9 changed.
      const lines = rows(40).map((line, index) =>
        index === 3 ? line.replace("person3@", '"person3@') : index === 9 ? line.replace("Ada9", "Ada Changed") : line
      )
      lines.splice(7, 1)
      const report = yield* runWith("unreadable.csv", lines)
      const copernica = report.targets.copernica!
      assert.strictEqual(copernica.deleted, 0, Sync.formatReport(report))
      assert.strictEqual(copernica.updated, 1)
      assert.strictEqual(copernica.pendingDeletes, 2)
      assert.strictEqual(report.status, "partial")
      assert.isTrue(copernica.errors.some((error) => error.includes("1 source row(s) could not be read or keyed")))
      const after = profiles()
      assert.strictEqual(after.size, before.size)
      for (const [email, fields] of before) {
        if (email === "person9@example.com") assert.strictEqual(after.get(email)?.Firstname, "Ada Changed")
        else assert.deepStrictEqual(after.get(email), fields)
      }
    })
  )

  it.scopedLive("a key value the mapping refuses holds back deletes too (the key would fall back to the phone)", () =>
    Effect.gen(function* () {
      const { runWith, profiles } = yield* setUp(30)
      const lines = rows(30).map((line, index) =>
        index === 4 ? line.replace("person4@example.com", "person4@") : line
      )
      const report = yield* runWith("bad-key.csv", lines)
      assert.strictEqual(report.targets.copernica!.deleted, 0, Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.pendingDeletes, 1)
      assert.strictEqual(profiles().size, 30)
    })
  )

  it.scopedLive("more than maxDeleteShare needs allowMassDelete, and the dry run says so first", () =>
    Effect.gen(function* () {
      const { fixture, runWith, profiles } = yield* setUp(40)
      // 3 of 40 (7.5%) left: over the default 5%.
      const fewer = rows(40).slice(3)
      const writes = fixture.writes().length
      const preview = yield* runWith("fewer.csv", fewer, { dryRun: true })
      assert.strictEqual(preview.targets.copernica!.deleted, 0, Sync.formatReport(preview))
      assert.strictEqual(preview.targets.copernica!.pendingDeletes, 3)
      assert.isTrue(
        preview.targets.copernica!.errors.some((error) =>
          error.includes("a real run would refuse: deleteMissing: refused to delete 3 of 40 known profile(s) (7.5%)")
        ),
        Sync.formatReport(preview)
      )
      assert.strictEqual(fixture.writes().length, writes)

      const refused = yield* runWith("fewer.csv", fewer)
      assert.strictEqual(refused.targets.copernica!.deleted, 0)
      assert.strictEqual(refused.targets.copernica!.pendingDeletes, 3)
      assert.strictEqual(refused.status, "partial")
      assert.include(Sync.formatReport(refused), "--allow-mass-delete")
      assert.strictEqual(profiles().size, 40)
      assert.strictEqual(fixture.writes().length, writes, "nothing was sent: the 37 rows are unchanged")

      const allowed = yield* runWith("fewer.csv", fewer, { allowMassDelete: true })
      assert.strictEqual(allowed.status, "succeeded", Sync.formatReport(allowed))
      assert.strictEqual(allowed.targets.copernica!.deleted, 3)
      assert.deepStrictEqual(
        [...profiles().keys()].sort(),
        Array.from({ length: 37 }, (_, index) => `person${index + 3}@example.com`).sort()
      )
    })
  )

  it.scopedLive("a dry run shows the keys that would be deleted: the first 20, and how many in all", () =>
    Effect.gen(function* () {
      const { fixture, runWith } = yield* setUp(40)
      const writes = fixture.writes().length
      const key = (index: number) => `email:person${index}@example.com`

      // 2 of 40 left (5%, the default share): a real run would delete them, and the preview names both.
      const few = yield* runWith("two-less.csv", rows(40).slice(2), { dryRun: true })
      assert.strictEqual(few.targets.copernica!.deleted, 2, Sync.formatReport(few))
      assert.deepStrictEqual(few.targets.copernica!.missingKeys, [key(0), key(1)])
      assert.include(Sync.formatReport(few), `would delete: ${key(0)}, ${key(1)}\n`)

      // 25 of 40 left: over the share, so they would be left; the first 20 in key order are shown, and the count.
      const many = yield* runWith("fifteen.csv", rows(40).slice(25), { dryRun: true })
      const gone = Array.from({ length: 25 }, (_, index) => key(index)).sort()
      assert.strictEqual(many.targets.copernica!.pendingDeletes, 25, Sync.formatReport(many))
      assert.deepStrictEqual(many.targets.copernica!.missingKeys, gone.slice(0, 20))
      assert.include(Sync.formatReport(many), `left the source: ${gone.slice(0, 20).join(", ")}, … (25 in all)`)
      assert.strictEqual(fixture.writes().length, writes, "a dry run writes nothing")

      // A real run's report lists no keys.
      const real = yield* runWith("two-less.csv", rows(40).slice(2))
      assert.strictEqual(real.targets.copernica!.deleted, 2, Sync.formatReport(real))
      assert.isUndefined(real.targets.copernica!.missingKeys)
    })
  )

  it.scopedLive("a share under maxDeleteShare is deleted without the flag", () =>
    Effect.gen(function* () {
      const { runWith, profiles } = yield* setUp(40)
      const report = yield* runWith("one-less.csv", rows(40).slice(1))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.deleted, 1)
      assert.isFalse(profiles().has("person0@example.com"))
      assert.strictEqual(profiles().size, 39)
    })
  )
})
