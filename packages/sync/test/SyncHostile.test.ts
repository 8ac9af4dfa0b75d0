/**
 * Hostile inputs to the sync engine, against the sandbox on a real SQLite file: broken quoting, a wrong delimiter, a
 * 10 MB field, invalid UTF-8, duplicate keys, a missing column and empty files. Each gets a clear error or clear
 * rejections, a bad row never sinks the rows around it, and the state store is unharmed: after a first good sync,
 * the confirmed hashes stay exactly as they were and no vendor write happens.
 */
import { readFileSync, statSync } from "node:fs"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Sync from "../src/Sync.ts"
import type * as SyncConfig from "../src/SyncConfig.ts"
import * as SyncState from "../src/SyncState.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
/** Ten rows both vendors take. */
const good = Array.from(
  { length: 10 },
  (_, index) =>
    `${100 + index},person${index}@example.com,06123456${10 + index},Ada${index},Lovelace,10-12-1985,Utrecht,NL,${index % 2 === 0 ? "yes" : "no"},12${index}.50`
)
const csv = (lines: ReadonlyArray<string>) => `${[header, ...lines].join("\n")}\n`

describe("Sync.run with hostile inputs", () => {
  const scope = Effect.runSync(Scope.make())
  let fixture: Fixtures.SyncSandbox
  let directory: string
  let baseline: {
    readonly ocamba: ReadonlyMap<string, unknown>
    readonly copernica: ReadonlyMap<string, unknown>
  }
  let statePath: string

  const configWith = (source: unknown): Effect.Effect<SyncConfig.SyncConfig> =>
    Effect.orDie(Fixtures.configFor({ directory, sandbox: fixture.sandbox, source }))

  const hashes = Effect.suspend(() =>
    Effect.gen(function* () {
      const state = yield* SyncState.SyncState
      const read = (target: string) =>
        Stream.runCollect(state.confirmedHashes("customers", target)).pipe(
          Effect.map((records) => new Map(Chunk.toReadonlyArray(records).map((record) => [record.key, record.hash])))
        )
      return { ocamba: yield* read("ocamba"), copernica: yield* read("copernica") }
    }).pipe(Effect.provide(SyncState.layerSqlite({ filename: statePath })))
  )

  const runWith = (source: unknown) =>
    Effect.gen(function* () {
      const config = yield* configWith(source)
      return yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))
    })

  const csvSource = (name: string, contents: string | Buffer) => ({
    type: "csv",
    path: Fixtures.writeSource(directory, name, contents)
  })

  /** The state and the vendors are as the good sync left them. */
  const assertUnharmed = Effect.gen(function* () {
    const now = yield* hashes
    assert.deepStrictEqual(now.ocamba, baseline.ocamba)
    assert.deepStrictEqual(now.copernica, baseline.copernica)
    assert.deepStrictEqual(
      fixture
        .writes()
        .filter((entry) => entry.operationId !== "createProfileProperty" && entry.operationId !== "createDatabaseField")
        .length,
      2 + 1 + 1, // the good sync: Ocamba upload and commit, its resync, one Copernica import
      "no vendor write since the good sync"
    )
  })

  beforeAll(async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        fixture = yield* Fixtures.sandbox()
        directory = yield* Fixtures.temporaryDirectory
        const report = yield* runWith(csvSource("good.csv", csv(good)))
        statePath = (yield* configWith(csvSource("good.csv", csv(good)))).state.sqlite!
        assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
        assert.strictEqual(report.targets.ocamba!.created, 10)
        assert.strictEqual(report.targets.copernica!.created, 10)
        baseline = yield* hashes
        assert.strictEqual(baseline.copernica.size, 10)
      }).pipe(Scope.extend(scope))
    )
  }, 60_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it.live("broken quoting rejects its own row, and the rows after it still arrive", () =>
    Effect.gen(function* () {
      const lines = [
        ...good.slice(0, 4),
        `999,"broken@example.com,0612345699,Bad,Quote,01-01-1990,Utrecht,NL,no,1.00`,
        ...good.slice(4)
      ]
      const report = yield* runWith(csvSource("quoting.csv", csv(lines)))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.read, 11)
      assert.strictEqual(report.rejected, 1)
      assert.strictEqual(report.targets.copernica!.unchanged, 10)
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.strictEqual(rejects.length, 1)
      assert.strictEqual(rejects[0]!.row, 5)
      assert.strictEqual(rejects[0]!.line, 6)
      assert.strictEqual(rejects[0]!.code, "Unreadable")
      assert.include(rejects[0]!.reason as string, "quote")
      assert.deepStrictEqual(rejects[0]!.targets, ["ocamba", "copernica"])
      yield* assertUnharmed
    })
  )

  it.live("a wrong delimiter is a clear error naming the likely one", () =>
    Effect.gen(function* () {
      const semicolons = csv(good).replaceAll(",", ";")
      const error = yield* Effect.flip(runWith(csvSource("semicolons.csv", semicolons)))
      assert.strictEqual(error.reason._tag, "SourceFailed")
      if (error.reason._tag === "SourceFailed") assert.strictEqual(error.reason.reason._tag, "WrongDelimiter")
      assert.include(error.message, "is the delimiter `;` (not `,`)?")
      assert.strictEqual(error.report?.status, "failed")
      yield* assertUnharmed
    })
  )

  it.live("a 10 MB field rejects its row, without copying the value into the rejects", () =>
    Effect.gen(function* () {
      const huge = `998,huge@example.com,0612345698,${"x".repeat(10 * 1024 * 1024)},Big,01-01-1990,Utrecht,NL,no,1.00`
      const report = yield* runWith(csvSource("huge.csv", csv([...good.slice(0, 5), huge, ...good.slice(5)])))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.rejected, 1)
      assert.strictEqual(report.targets.ocamba!.unchanged, 10)
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.strictEqual(rejects[0]!.code, "ValueTooLarge")
      assert.strictEqual(rejects[0]!.column, "first_name")
      assert.strictEqual(rejects[0]!.row, 6)
      assert.include(rejects[0]!.reason as string, "over the limit")
      assert.isBelow(statSync(report.rejectsFile!).size, 4096)
      yield* assertUnharmed
    })
  )

  it.live("duplicate keys: the first row wins, later ones are rejected naming it", () =>
    Effect.gen(function* () {
      const copy = good[2]!.replace("Ada2", "Impostor")
      const report = yield* runWith(csvSource("duplicates.csv", csv([...good, copy])))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.duplicates, 1)
      assert.strictEqual(report.rejected, 1)
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.deepStrictEqual(rejects, [
        {
          row: 11,
          line: 12,
          key: "email:person2@example.com",
          code: "DuplicateKey",
          field: "email",
          column: "email",
          value: "person2@example.com",
          reason: "duplicate key: row 3 has the same key, and the first row with a key wins",
          targets: ["ocamba", "copernica"]
        }
      ])
      assert.strictEqual(report.rejectReasons["duplicate key"], 1)
      yield* assertUnharmed
    })
  )

  it.live("a source without a configured column is a clear error", () =>
    Effect.gen(function* () {
      const withoutCity = csv(good).replace(",city,", ",town,")
      const error = yield* Effect.flip(runWith(csvSource("town.csv", withoutCity)))
      assert.strictEqual(error.reason._tag, "MissingColumns")
      assert.include(error.message, "`city` (field city)")
      yield* assertUnharmed
    })
  )

  it.live("an empty file, or one with only a header, is a clear error", () =>
    Effect.gen(function* () {
      const empty = yield* Effect.flip(runWith(csvSource("empty.csv", "")))
      assert.strictEqual(empty.reason._tag, "SourceFailed")
      assert.include(empty.message, "has no header row")
      const headerOnly = yield* Effect.flip(runWith(csvSource("header.csv", `${header}\n`)))
      assert.include(headerOnly.message, "has no rows")
      // A failed run is recorded with its error.
      const runs = yield* Effect.flatMap(SyncState.SyncState, (state) => state.recentRuns({ limit: 1 })).pipe(
        Effect.provide(SyncState.layerSqlite({ filename: statePath }))
      )
      assert.strictEqual(runs[0]!.status, "failed")
      yield* assertUnharmed
    })
  )

  it.live("refuses options the readers cannot honour, and unknown targets", () =>
    Effect.gen(function* () {
      const quoted = yield* Effect.flip(runWith({ ...csvSource("good.csv", csv(good)), quote: "'" }))
      assert.strictEqual(quoted.reason._tag, "InvalidOptions")
      const config = yield* Fixtures.configFor({ directory, sandbox: fixture.sandbox, targets: ["copernica"] })
      const unknown = yield* Effect.flip(
        Sync.run({ config, targets: ["ocamba"] }).pipe(Effect.provide(Sync.layer(config)))
      )
      assert.include(unknown.message, "has no ocamba target")
      assert.strictEqual(readFileSync(Fixtures.exampleCsv, "utf8").length > 0, true)
      yield* assertUnharmed
    })
  )
})

/**
 * Hostile values next to good rows: each run changes one good row, which must arrive at both vendors, while the
 * hostile row is refused (or neutralised) and every other profile stays exactly as it was, none deleted.
 */
describe("Sync.run with hostile values", () => {
  const scope = Effect.runSync(Scope.make())
  let fixture: Fixtures.SyncSandbox
  let directory: string
  let run = 0

  const configWith = (source: unknown, edit?: (document: Record<string, any>) => void) =>
    Effect.orDie(
      Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source,
        deleteMissing: true,
        ...(edit ? { edit } : {})
      })
    )

  const runWith = (contents: string | Buffer, edit?: (document: Record<string, any>) => void) =>
    Effect.gen(function* () {
      const config = yield* configWith(
        { type: "csv", path: Fixtures.writeSource(directory, `run-${++run}.csv`, contents) },
        edit
      )
      return yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))
    })

  /** Both vendors' profiles, copied: Ocamba by id, Copernica by lower-cased email. */
  const snapshot = () => ({
    ocamba: new Map(
      [...fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).profiles.values()].map((profile) => [
        profile.id,
        { ...profile.properties }
      ])
    ),
    copernica: new Map(
      [...Fixtures.copernicaProfiles(fixture.sandbox)].map(([email, fields]) => [email, { ...fields }])
    )
  })
  type Snapshot = ReturnType<typeof snapshot>

  /** The rows the vendors hold now: each run sends them, with its change and its hostile rows. */
  const current = [...good]
  /** Gives good row `index` a first name no earlier run sent, and returns the rows to send. */
  const withChanged = (index: number) => {
    current[index] = good[index]!.replace(`Ada${index}`, `Ada${index} Run${run + 1}`)
    return [...current]
  }

  /**
   * The changed row arrived at both vendors, every other profile is as `before` had it, and none was added or
   * deleted (beyond `added` new ones).
   */
  const assertOnly = (before: Snapshot, index: number, added = 0) => {
    const after = snapshot()
    const email = `person${index}@example.com`
    const firstName = `Ada${index} Run${run}`
    assert.strictEqual(after.copernica.get(email)?.Firstname, firstName, "the good row reached Copernica")
    const ocambaProfile = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).findProfileByEmail(email)
    assert.strictEqual(ocambaProfile?.properties.first_name, firstName, "the good row reached Ocamba")
    assert.strictEqual(after.copernica.size, before.copernica.size + added, "no Copernica profile deleted or added")
    assert.strictEqual(after.ocamba.size, before.ocamba.size + added, "no Ocamba profile deleted or added")
    for (const [key, fields] of before.copernica) {
      if (key !== email) assert.deepStrictEqual(after.copernica.get(key), fields, `Copernica ${key} untouched`)
    }
    for (const [id, properties] of before.ocamba) {
      if (id !== ocambaProfile!.id) assert.deepStrictEqual(after.ocamba.get(id), properties, `Ocamba ${id} untouched`)
    }
  }

  beforeAll(async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        fixture = yield* Fixtures.sandbox()
        directory = yield* Fixtures.temporaryDirectory
        const report = yield* runWith(csv(good))
        assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
        assert.strictEqual(report.targets.copernica!.created, 10)
      }).pipe(Scope.extend(scope))
    )
  }, 60_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it.live("invalid UTF-8 rejects its row with file, line, column and field; the other rows still sync", () =>
    Effect.gen(function* () {
      const before = snapshot()
      const bytes = Buffer.concat([
        Buffer.from(csv(withChanged(3).slice(0, 6))),
        Buffer.from("997,bad@example.com,0612345697,Caf"),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(",Bytes,01-01-1990,Utrecht,NL,no,1.00\n"),
        Buffer.from(`${current.slice(6).join("\n")}\n`)
      ])
      const report = yield* runWith(bytes)
      assert.strictEqual(report.read, 11)
      assert.strictEqual(report.rejected, 1)
      assert.strictEqual(report.targets.copernica!.updated, 1, Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.unchanged, 9)
      assert.strictEqual(report.targets.copernica!.deleted, 0)
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.strictEqual(rejects.length, 1)
      assert.deepInclude(rejects[0], {
        row: 7,
        line: 8,
        code: "InvalidEncoding",
        field: "first_name",
        column: "first_name"
      })
      assert.include(rejects[0]!.reason as string, `run-${run}.csv: row 7 (line 8) (byte offset`)
      assert.include(rejects[0]!.reason as string, "invalid UTF-8 in column `first_name`")
      assertOnly(before, 3)
    })
  )

  it.live("values that start like a formula are neutralised in the Ocamba CSV and counted; phones keep their +", () =>
    Effect.gen(function* () {
      const before = snapshot()
      const formula = `996,formula@example.com,0612345696,Eve,-minus,01-01-1990,"=HYPERLINK(""http://x"";""y"")",NL,no,1.00`
      const report = yield* runWith(csv([...withChanged(4), formula]))
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.ocamba!.neutralised, 2)
      assert.strictEqual(report.targets.ocamba!.created, 1)
      assert.include(Sync.formatReport(report), "2 neutralised as spreadsheet formulas")
      const profile = fixture.sandbox.state.ocamba
        .account(Fixtures.ocambaAccount)
        .findProfileByEmail("formula@example.com")
      assert.strictEqual(profile?.properties.city, `'=HYPERLINK("http://x";"y")`)
      assert.strictEqual(profile?.properties.last_name, "'-minus")
      assert.strictEqual(profile?.properties.mobile_phone_number, "+31612345696")
      assertOnly(before, 4, 1)
      current.push(formula)
    })
  )

  it.live("a control character refuses its field with a reason; with `controlCharacters: strip` it is removed", () =>
    Effect.gen(function* () {
      const before = snapshot()
      const nul = "995,nul@example.com,0612345695,Eve\u0000,Null,01-01-1990,Utrecht,NL,no,1.00"
      const rows = withChanged(5)
      const report = yield* runWith(csv([...rows.slice(0, 6), nul, ...rows.slice(6)]))
      assert.strictEqual(report.targets.copernica!.updated, 1, Sync.formatReport(report))
      assert.strictEqual(report.rejected, 1)
      const rejects = Fixtures.readNdjson(report.rejectsFile!)
      assert.deepInclude(rejects[0], { row: 7, line: 8, code: "InvalidValue", field: "first_name", value: "Eve\u0000" })
      assert.include(rejects[0]!.reason as string, "holds the control character U+0000 at character 4")
      assertOnly(before, 5)

      const beforeStrip = snapshot()
      const bell = "994,bell@example.com,0612345694,Bel\u0007la,Bell,01-01-1990,Ut\u001brecht,NL,no,1.00"
      const stripped = yield* runWith(csv([...withChanged(6), bell]), (document) => {
        document.controlCharacters = "strip"
      })
      assert.strictEqual(stripped.status, "succeeded", Sync.formatReport(stripped))
      assert.strictEqual(stripped.rejected, 0)
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).get("bell@example.com")?.Firstname, "Bella")
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).get("bell@example.com")?.City, "Utrecht")
      assertOnly(beforeStrip, 6, 1)
      current.push(bell.replace("\u0007", "").replace("\u001b", ""))
    })
  )

  it.live(
    "identity collisions: rows Ocamba would merge are rejected naming each other; a shared phone alone is not one",
    () =>
      Effect.gen(function* () {
        const before = snapshot()
        // Three new customers, three emails, one phone: Ocamba matches them on their emails, so three profiles.
        const sharing = [990, 991, 992].map(
          (id) => `${id},new${id}@example.com,0612349990,New${id},Shared,01-01-1990,Utrecht,NL,no,1.00`
        )
        // No email, and person1's phone: Ocamba would match it to person1's profile and overwrite its name and city.
        const intruder = "993,,0612345611,Intruder,Phone,01-01-1990,Elsewhere,NL,no,1.00"
        const rows = [...withChanged(7), ...sharing, intruder]
        const report = yield* runWith(csv(rows))
        assert.strictEqual(report.targets.ocamba!.created, 3, Sync.formatReport(report))
        assert.strictEqual(report.targets.ocamba!.rejected, 2, Sync.formatReport(report))
        assert.include(Sync.formatReport(report), "identity collision")
        const collisions = Fixtures.readNdjson(report.rejectsFile!).filter((line) => line.code === "IdentityCollision")
        assert.deepStrictEqual(
          collisions.map((line) => [line.row, line.key, line.targets]),
          [
            [2, "email:person1@example.com", ["ocamba"]],
            [rows.length, "phone:+31612345611", ["ocamba"]]
          ]
        )
        assert.include(
          collisions[0]!.reason as string,
          `Ocamba would resolve this row and row ${rows.length} (another key) to one profile`
        )
        assert.include(collisions[1]!.reason as string, "row 2")
        assert.include(collisions[1]!.reason as string, "+31612345611, which Ocamba matches a row without an email on")
        const account = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount)
        assert.deepStrictEqual(
          sharing.map((_, index) => account.findProfileByEmail(`new${990 + index}@example.com`)?.properties.first_name),
          ["New990", "New991", "New992"]
        )
        assert.strictEqual(account.findProfileByEmail("person1@example.com")?.properties.first_name, "Ada1")
        assertOnly(before, 7, 3)
        current.push(...sharing)

        // keepFirst: the earlier row goes (unchanged here), the later one is refused naming it.
        const beforeKeep = snapshot()
        const kept = yield* runWith(csv([...withChanged(8), intruder]), (document) => {
          document.identityCollisions = "keepFirst"
        })
        const keptLines = Fixtures.readNdjson(kept.rejectsFile!).filter((line) => line.code === "IdentityCollision")
        assert.deepStrictEqual(
          keptLines.map((line) => line.row),
          [current.length + 1]
        )
        assert.include(keptLines[0]!.reason as string, "the first row wins (identityCollisions: keepFirst)")
        assert.strictEqual(account.findProfileByEmail("person1@example.com")?.properties.first_name, "Ada1")
        assertOnly(beforeKeep, 8)
      })
  )
})
