/**
 * Tests for the MySQL/MariaDB and Parquet sources in `SyncConfig`: each parses with its paths made absolute, and a
 * source missing what it needs, or holding a URL with a password, is refused with the YAML path and what is expected.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as SyncConfig from "../src/SyncConfig.ts"

const withSource = (source: string) => `version: 1
name: customers
source:
${source}
fields:
  email: { column: Email, type: email }
key: [email]
targets:
  copernica:
    credentials: { tokenEnv: COPERNICA_TOKEN }
    database: 1
    keyFields: [Email]
    fields:
      email: { field: Email, type: email }
`

const parse = (source: string) =>
  SyncConfig.parse(withSource(source), "customers.yaml", { baseDirectory: "/etc/profilesync" })

const issues = (source: string) =>
  Effect.map(Effect.flip(parse(source)), (error) => {
    const reason = error.reason
    assert.strictEqual(reason._tag, "InvalidConfig", error.message)
    return reason._tag === "InvalidConfig" ? reason.issues : []
  })

describe("SyncConfig sources", () => {
  it.effect("reads a mysql source (query, URL from urlEnv or urlFile) and a parquet source (path)", () =>
    Effect.gen(function* () {
      const fromEnvironment = yield* parse("  type: mysql\n  query: select * from customers\n  urlEnv: CRM_URL")
      assert.deepStrictEqual(fromEnvironment.source, {
        type: "mysql",
        query: "select * from customers",
        urlEnv: "CRM_URL"
      })
      const fromFile = yield* parse("  type: mysql\n  query: select 1\n  urlFile: ./secrets/crm-url")
      assert.deepStrictEqual(fromFile.source, {
        type: "mysql",
        query: "select 1",
        urlFile: "/etc/profilesync/secrets/crm-url"
      })
      const parquet = yield* parse("  type: parquet\n  path: exports/customers.parquet")
      assert.deepStrictEqual(parquet.source, { type: "parquet", path: "/etc/profilesync/exports/customers.parquet" })
    })
  )

  it.effect("refuses a mysql or parquet source that lacks what it needs, naming the YAML path", () =>
    Effect.gen(function* () {
      const noUrl = yield* issues("  type: mysql\n  query: select 1")
      assert.deepStrictEqual(
        noUrl.map((issue) => issue.path),
        ["source"]
      )
      assert.include(noUrl[0]!.message, "give `urlEnv` or `urlFile`")
      const both = yield* issues("  type: mysql\n  query: select 1\n  urlEnv: A\n  urlFile: ./b")
      assert.strictEqual(both[0]?.path, "source")
      const noQuery = yield* issues("  type: mysql\n  urlEnv: CRM_URL")
      assert.strictEqual(noQuery[0]?.path, "source.query")
      const noPath = yield* issues("  type: parquet")
      assert.strictEqual(noPath[0]?.path, "source.path")
      const unknownKey = yield* issues("  type: parquet\n  path: ./a.parquet\n  delimiter: ','")
      assert.strictEqual(unknownKey[0]?.path, "source.delimiter")
      const wrongType = yield* issues("  type: excel\n  path: ./a.xlsx")
      assert.include(wrongType[0]?.message ?? "", '"mysql", "parquet"')
    })
  )

  it.effect("refuses a MySQL URL with its password written into the config, without echoing it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        parse("  type: mysql\n  query: select 1\n  urlEnv: CRM_URL\n  url: mysql://crm:hunter22@db/crm")
      )
      assert.include(error.message, "source.url")
      assert.include(error.message, "password")
      assert.notInclude(error.message, "hunter22")
    })
  )
})
