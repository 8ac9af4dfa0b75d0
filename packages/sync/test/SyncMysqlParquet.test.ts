/**
 * Whole runs from a MySQL/MariaDB query (a real MariaDB server on loopback) and from a Parquet file (written by
 * DuckDB), against the sandbox: the profiles arrive at the vendors, the source's columns are checked before the run
 * takes its lock (a mapped column gone stops it naming the column and YAML path; a mapped column whose type changed
 * stops it until the change is accepted; a new column is reported), and the database password appears nowhere in the
 * report.
 */
import { DuckDBInstance } from "@duckdb/node-api"
import { assert, describe, it } from "@effect/vitest"
import { startMariaDbServer } from "@profilesync/test-support"
import * as Effect from "effect/Effect"
import * as Mysql from "mysql2/promise"
import * as Sync from "../src/Sync.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const columns = [
  "customer_id",
  "email",
  "phone",
  "first_name",
  "last_name",
  "birth_date",
  "city",
  "country",
  "vip",
  "lifetime_value"
] as const
/** Ten rows both vendors take, by column. */
const good = Array.from({ length: 10 }, (_, index) => ({
  customer_id: `${100 + index}`,
  email: `person${index}@example.com`,
  phone: `06123456${10 + index}`,
  first_name: `Ada${index}`,
  last_name: "Lovelace",
  birth_date: "10-12-1985",
  city: "Utrecht",
  country: "NL",
  vip: index % 2 === 0 ? "yes" : "no",
  lifetime_value: `12${index}.50`
}))

const vendorWrites = (fixture: Fixtures.SyncSandbox) =>
  fixture
    .writes()
    .filter((entry) => entry.operationId !== "createProfileProperty" && entry.operationId !== "createDatabaseField")
    .length

const runWith = (
  directory: string,
  fixture: Fixtures.SyncSandbox,
  source: unknown,
  options: Partial<Sync.RunOptions> = {}
) =>
  Effect.gen(function* () {
    const config = yield* Effect.orDie(Fixtures.configFor({ directory, sandbox: fixture.sandbox, source }))
    return yield* Sync.run({ ...options, config, polling: Fixtures.testPolling }).pipe(
      Effect.provide(Sync.layer(config))
    )
  })

describe("Sync.run from a MySQL/MariaDB query", () => {
  it.scopedLive(
    "sends the rows, stops on a mapped column's type change until accepted, and on a mapped column gone",
    () =>
      Effect.gen(function* () {
        const mariadb = yield* Effect.acquireRelease(
          Effect.promise(() => startMariaDbServer()),
          (server) => Effect.promise(() => server.close())
        )
        const sql = yield* Effect.acquireRelease(
          Effect.promise(() => Mysql.createConnection({ uri: mariadb.url })),
          (connection) => Effect.promise(() => connection.end())
        )
        const execute = (statement: string, values?: Array<unknown>) =>
          Effect.promise(() => sql.query(statement, values))
        yield* execute(`CREATE TABLE customers (${columns.map((column) => `${column} VARCHAR(200)`).join(", ")})`)
        for (const row of good) yield* execute("INSERT INTO customers SET ?", [row])
        process.env.MYSQL_SOURCE_URL = mariadb.url
        const fixture = yield* Fixtures.sandbox()
        const directory = yield* Fixtures.temporaryDirectory
        const source = { type: "mysql", query: "SELECT * FROM customers ORDER BY email", urlEnv: "MYSQL_SOURCE_URL" }

        const first = yield* runWith(directory, fixture, source)
        assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
        assert.strictEqual(first.read, good.length, "describing the columns consumed no row")
        assert.deepStrictEqual(
          first.sourceColumns?.find((column) => column.name === "lifetime_value"),
          { name: "lifetime_value", type: "varchar" }
        )
        assert.notInclude(JSON.stringify(first), mariadb.password)
        assert.notInclude(Sync.formatReport(first), mariadb.password)
        const writesAfterFirst = vendorWrites(fixture)
        assert.isAbove(writesAfterFirst, 0)

        yield* execute("ALTER TABLE customers MODIFY lifetime_value DECIMAL(10, 2)")
        yield* execute("ALTER TABLE customers ADD COLUMN loyalty_tier VARCHAR(20)")
        yield* execute("UPDATE customers SET first_name = 'Changed' WHERE customer_id = '100'")
        const changed = yield* Effect.flip(runWith(directory, fixture, source))
        assert.strictEqual(changed.reason._tag, "ColumnTypeChanged")
        assert.include(
          changed.message,
          "column `lifetime_value` (field lifetime_value) mapped by fields.lifetime_value.column changed from varchar to decimal"
        )
        assert.notInclude(changed.message, mariadb.password)
        assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")

        const accepted = yield* runWith(directory, fixture, source, { acceptSchemaChanges: true })
        assert.notStrictEqual(accepted.status, "failed", Sync.formatReport(accepted))
        assert.deepStrictEqual(accepted.newColumns, ["loyalty_tier"])
        assert.isAbove(vendorWrites(fixture), writesAfterFirst)

        yield* execute("ALTER TABLE customers DROP COLUMN city")
        const writesBefore = vendorWrites(fixture)
        const missing = yield* Effect.flip(runWith(directory, fixture, source))
        assert.strictEqual(missing.reason._tag, "MissingColumns")
        assert.include(missing.message, "`city`")
        assert.include(missing.message, "fields.city.column")
        assert.notInclude(missing.message, mariadb.password)
        assert.strictEqual(vendorWrites(fixture), writesBefore, "no vendor write")
      }),
    300_000
  )
})

/** Writes `select` to `path` as Parquet with DuckDB. */
const writeParquet = (path: string, select: string) =>
  Effect.promise(async () => {
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`)
    connection.closeSync()
    instance.closeSync()
  })

const valuesTable = (names: ReadonlyArray<string>, cast: Partial<Record<string, string>> = {}) =>
  `SELECT ${names.map((name) => (cast[name] === undefined ? name : `${name}::${cast[name]} AS ${name}`)).join(", ")}
   FROM (VALUES ${good.map((row) => `(${names.map((name) => `'${row[name as keyof typeof row] ?? ""}'`).join(", ")})`).join(", ")})
   AS t(${names.join(", ")})`

describe("Sync.run from a Parquet file", () => {
  it.scopedLive(
    "sends the rows, stops on a mapped column's type change until accepted, and on a mapped column gone",
    () =>
      Effect.gen(function* () {
        const fixture = yield* Fixtures.sandbox()
        const directory = yield* Fixtures.temporaryDirectory
        const path = `${directory}/customers.parquet`
        yield* writeParquet(path, valuesTable(columns))
        const source = { type: "parquet", path }

        const first = yield* runWith(directory, fixture, source)
        assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
        assert.strictEqual(first.read, good.length)
        assert.deepStrictEqual(
          first.sourceColumns?.find((column) => column.name === "lifetime_value"),
          { name: "lifetime_value", type: "VARCHAR" }
        )
        const writesAfterFirst = vendorWrites(fixture)
        assert.isAbove(writesAfterFirst, 0)

        yield* writeParquet(path, valuesTable([...columns, "loyalty_tier"], { lifetime_value: "DECIMAL(10,2)" }))
        const changed = yield* Effect.flip(runWith(directory, fixture, source))
        assert.strictEqual(changed.reason._tag, "ColumnTypeChanged")
        assert.include(changed.message, "changed from VARCHAR to DECIMAL(10,2)")
        assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")
        const accepted = yield* runWith(directory, fixture, source, { acceptSchemaChanges: true })
        assert.notStrictEqual(accepted.status, "failed", Sync.formatReport(accepted))
        assert.deepStrictEqual(accepted.newColumns, ["loyalty_tier"])

        yield* writeParquet(path, valuesTable(columns.filter((column) => column !== "city")))
        const missing = yield* Effect.flip(runWith(directory, fixture, source))
        assert.strictEqual(missing.reason._tag, "MissingColumns")
        assert.include(missing.message, "`city`")
        assert.include(missing.message, "fields.city.column")
        assert.include(missing.message, path)
      })
  )
})
