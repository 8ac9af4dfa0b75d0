/**
 * Derived field values end to end: a template, a constant, a lookup table read from a CSV beside the config and
 * defaults reach Copernica in the sandbox, a value outside the table with no default is rejected with its reason, and
 * a missing or malformed lookup file is a config error naming the file, the row and the YAML path.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sync from "../src/Sync.ts"
import * as SyncConfig from "../src/SyncConfig.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const header = "customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"
const row = (index: number, values: { lastName?: string; city?: string; lifetimeValue?: string } = {}) =>
  `${100 + index},person${index}@example.com,06123${String(45000 + index)},Ada${index},${values.lastName ?? "Lovelace"},` +
  `10-12-1985,${values.city ?? `City${index}`},NL,no,${values.lifetimeValue ?? "12.50"}`

describe("Sync.run with derived field values against the sandbox", () => {
  it.scopedLive(
    "a template, a constant, a lookup and defaults reach Copernica; a miss without default is rejected",
    () =>
      Effect.gen(function* () {
        const fixture = yield* Fixtures.sandbox()
        const directory = yield* Fixtures.temporaryDirectory
        writeFileSync(join(directory, "cities.csv"), "from,to\namsterdam,Amsterdam Centrum\nrotterdam,Rotterdam Zuid\n")
        const lines = [
          row(0, { city: " AMSTERDAM " }),
          row(1, { city: "Utrecht" }),
          row(2, { city: "", lifetimeValue: "" }),
          row(3, { lastName: "Byron" })
        ]
        const config = yield* Effect.orDie(
          Fixtures.configFor({
            directory,
            sandbox: fixture.sandbox,
            source: {
              type: "csv",
              path: Fixtures.writeSource(directory, "profiles.csv", `${[header, ...lines].join("\n")}\n`)
            },
            targets: ["copernica"],
            edit: (document) => {
              document.fields.first_name = { template: "{first_name} {last_name}", type: "text" }
              document.fields.city = {
                column: "city",
                type: "text",
                transforms: ["trim", "lowercase", { lookup: { file: "cities.csv" } }],
                default: "Elsewhere"
              }
              document.fields.vip = { constant: "gold", type: "text" }
              document.fields.lifetime_value = { column: "lifetime_value", type: "number", default: 7.5 }
              document.fields.last_name = {
                column: "last_name",
                type: "text",
                transforms: [{ lookup: { values: { Lovelace: "L." } } }]
              }
            }
          })
        )
        const report = yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(
          Effect.provide(Sync.layer(config))
        )
        const profiles = Fixtures.copernicaProfiles(fixture.sandbox)
        const sent = (index: number) => {
          const profile = profiles.get(`person${index}@example.com`)
          return profile === undefined
            ? undefined
            : {
                Firstname: profile.Firstname,
                Lastname: profile.Lastname,
                City: profile.City,
                Vip: profile.Vip,
                LifetimeValue: Number(profile.LifetimeValue)
              }
        }
        assert.deepStrictEqual([0, 1, 2, 3].map(sent), [
          { Firstname: "Ada0 Lovelace", Lastname: "L.", City: "Amsterdam Centrum", Vip: "gold", LifetimeValue: 12.5 },
          { Firstname: "Ada1 Lovelace", Lastname: "L.", City: "Elsewhere", Vip: "gold", LifetimeValue: 12.5 },
          { Firstname: "Ada2 Lovelace", Lastname: "L.", City: "Elsewhere", Vip: "gold", LifetimeValue: 7.5 },
          undefined
        ])
        assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
        assert.strictEqual(report.rejected, 1, Sync.formatReport(report))
        assert.deepStrictEqual(
          Fixtures.readNdjson(report.rejectsFile!).map((line) => [
            line.row,
            line.field,
            line.column,
            line.value,
            line.reason
          ]),
          [
            [
              4,
              "last_name",
              "last_name",
              "Byron",
              "`Byron` is not in the lookup table and neither the lookup nor the field has a `default`"
            ]
          ]
        )
      })
  )
})

describe("SyncConfig lookup files", () => {
  const yaml = (transforms: string) => `version: 1
name: lookups
source: { type: csv, path: ./profiles.csv }
fields:
  email: { type: email }
  country: { type: text, transforms: ${transforms} }
key: [email]
targets:
  copernica:
    credentials: { tokenEnv: COPERNICA_TOKEN }
    database: 1
    keyFields: [Email]
    fields: { email: { field: Email }, country: {} }
`
  const issuesOf = (directory: string, transforms: string) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        SyncConfig.parse(yaml(transforms), join(directory, "lookups.yaml"), { baseDirectory: directory })
      )
      assert.strictEqual(error.reason._tag, "InvalidConfig", error.message)
      return error.reason._tag === "InvalidConfig" ? error.reason.issues : []
    })

  it.scoped("reads the table into the config, relative to the config file", () =>
    Effect.gen(function* () {
      const directory = yield* Fixtures.temporaryDirectory
      writeFileSync(join(directory, "countries.csv"), '\uFEFFcode,name\nNL,Netherlands\n"B,E",Belgium\n')
      const config = yield* SyncConfig.parse(
        yaml("[trim, { lookup: { file: countries.csv, default: Other } }]"),
        join(directory, "lookups.yaml"),
        { baseDirectory: directory }
      )
      assert.deepStrictEqual(config.fields.country!.transforms, [
        "trim",
        { lookup: { file: "countries.csv", default: "Other", values: { NL: "Netherlands", "B,E": "Belgium" } } }
      ])
    })
  )

  it.scoped("names the file, the row and the YAML path of a missing or malformed table", () =>
    Effect.gen(function* () {
      const directory = yield* Fixtures.temporaryDirectory
      const missing = yield* issuesOf(directory, "[{ lookup: { file: nowhere.csv } }]")
      assert.deepStrictEqual(
        missing.map((issue) => [issue.path, issue.line, issue.message]),
        [
          [
            "fields.country.transforms[0].lookup.file",
            6,
            `lookup table ${join(directory, "nowhere.csv")}: the file does not exist`
          ]
        ]
      )
      writeFileSync(join(directory, "wide.csv"), "from,to\nNL,Netherlands\nBE,Belgium,extra\n")
      writeFileSync(join(directory, "twice.csv"), "from,to\nNL,Netherlands\nNL,Holland\n")
      const malformed = yield* issuesOf(directory, "[{ lookup: { file: wide.csv } }, { lookup: { file: twice.csv } }]")
      assert.deepStrictEqual(
        malformed.map((issue) => [issue.path, issue.message]),
        [
          [
            "fields.country.transforms[0].lookup.file",
            `lookup table ${join(directory, "wide.csv")}: row 3 has 3 cells; a lookup table has two (from,to)`
          ],
          [
            "fields.country.transforms[1].lookup.file",
            `lookup table ${join(directory, "twice.csv")}: row 3 repeats \`NL\`, which row 2 has already`
          ]
        ]
      )
      const both = yield* issuesOf(directory, "[{ lookup: { file: twice.csv, values: { NL: Netherlands } } }]")
      assert.deepStrictEqual(
        both.map((issue) => [issue.path, issue.message]),
        [["fields.country.transforms[0].lookup", "give the table as `file` or as `values`, not both"]]
      )
    })
  )
})
