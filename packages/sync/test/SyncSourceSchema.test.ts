/**
 * Source schema changes between runs, against the sandbox: a mapped column that left a CSV file or an NDJSON file
 * stops the run before any vendor write, naming the column, the file and the YAML path that maps it; a new column is
 * reported and the run goes on; a PostgreSQL column whose type changed since the last successful run stops the run
 * until the change is accepted.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Sync from "../src/Sync.ts"
import * as PostgresServer from "./support/PostgresServer.ts"
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
const csv = (names: ReadonlyArray<string>, extra: (index: number) => Record<string, string> = () => ({})) =>
  `${[
    names.join(","),
    ...good.map((row, index) => {
      const values: Record<string, string> = { ...row, ...extra(index) }
      return names.map((name) => values[name] ?? "").join(",")
    })
  ].join("\n")}\n`

const vendorWrites = (fixture: Fixtures.SyncSandbox) =>
  fixture
    .writes()
    .filter((entry) => entry.operationId !== "createProfileProperty" && entry.operationId !== "createDatabaseField")
    .length

const runWith = (
  directory: string,
  fixture: Fixtures.SyncSandbox,
  source: unknown,
  options: Partial<Sync.RunOptions> = {},
  edit?: Fixtures.ConfigOptions["edit"]
) =>
  Effect.gen(function* () {
    const config = yield* Effect.orDie(
      Fixtures.configFor({ directory, sandbox: fixture.sandbox, source, ...(edit === undefined ? {} : { edit }) })
    )
    return yield* Sync.run({ ...options, config, polling: Fixtures.testPolling }).pipe(
      Effect.provide(Sync.layer(config))
    )
  })

describe("Sync.run when the source's columns change", () => {
  it.scopedLive("CSV: a mapped column removed stops the run before any write; an added one is reported", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const path = Fixtures.writeSource(directory, "customers.csv", csv(columns))
      const source = { type: "csv", path }

      const first = yield* runWith(directory, fixture, source)
      assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
      assert.deepStrictEqual(
        first.sourceColumns?.map((column) => column.name),
        [...columns]
      )
      assert.isUndefined(first.newColumns, "the first run has nothing to compare with")
      const writesAfterFirst = vendorWrites(fixture)
      assert.isAbove(writesAfterFirst, 0)

      // `city` leaves the export, and a row changed so that a run would have something to send.
      Fixtures.writeSource(
        directory,
        "customers.csv",
        csv(
          columns.filter((column) => column !== "city"),
          (index) => (index === 0 ? { first_name: "Changed" } : {})
        )
      )
      const missing = yield* Effect.flip(runWith(directory, fixture, source))
      assert.strictEqual(missing.reason._tag, "MissingColumns")
      assert.include(missing.message, path)
      assert.include(missing.message, "`city` (field city) mapped by fields.city.column")
      assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")

      // `city` is back, with a new column `loyalty_tier` the config does not map.
      Fixtures.writeSource(
        directory,
        "customers.csv",
        csv([...columns, "loyalty_tier"], () => ({ loyalty_tier: "gold" }))
      )
      const added = yield* runWith(directory, fixture, source)
      assert.strictEqual(added.status, "succeeded", Sync.formatReport(added))
      assert.deepStrictEqual(added.newColumns, ["loyalty_tier"])
      assert.include(Sync.formatReport(added), "new source columns since the last successful run: loyalty_tier")
      assert.strictEqual(added.targets.copernica?.unchanged, good.length)

      // The next run compares with that one: nothing is new any more.
      const again = yield* runWith(directory, fixture, source)
      assert.deepStrictEqual(again.newColumns, [])
    })
  )

  it.scopedLive(
    "NDJSON: a mapped key absent from every record stops the run; absent from some is a value left out",
    () =>
      Effect.gen(function* () {
        const fixture = yield* Fixtures.sandbox()
        const directory = yield* Fixtures.temporaryDirectory
        const ndjson = (omit: (index: number) => boolean) =>
          `${good
            .map((row, index) =>
              JSON.stringify(
                Object.fromEntries(Object.entries(row).filter(([name]) => name !== "city" || !omit(index)))
              )
            )
            .join("\n")}\n`
        const path = Fixtures.writeSource(
          directory,
          "customers.ndjson",
          ndjson((index) => index === 0)
        )
        const source = { type: "ndjson", path }
        const first = yield* runWith(directory, fixture, source)
        assert.notStrictEqual(first.status, "failed", Sync.formatReport(first))
        const writesAfterFirst = vendorWrites(fixture)

        Fixtures.writeSource(
          directory,
          "customers.ndjson",
          ndjson(() => true)
        )
        const missing = yield* Effect.flip(runWith(directory, fixture, source))
        assert.strictEqual(missing.reason._tag, "MissingColumns")
        assert.include(missing.message, "`city` (field city) mapped by fields.city.column")
        assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")
      })
  )
})

describe("Sync.run when a PostgreSQL column's type changes", () => {
  const serverScope = Effect.runSync(Scope.make())
  let server: PostgresServer.PostgresServer | undefined

  beforeAll(async () => {
    server = await Effect.runPromise(Scope.extend(PostgresServer.make, serverScope))
  }, 60_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(serverScope, Exit.void))
  })

  const execute = (url: string, statements: (sql: PgClient.PgClient) => Effect.Effect<unknown, unknown>) =>
    Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), statements)).pipe(
      Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
      Effect.orDie
    )

  it.scopedLive("stops when a column that only a template reads changes type", () =>
    Effect.gen(function* () {
      assert.isDefined(server, "the PostgreSQL test server did not start")
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const sourceUrl = yield* Effect.orDie(PostgresServer.createDatabase(server!, "template_source"))
      process.env.TEMPLATE_SOURCE_URL = sourceUrl
      yield* execute(sourceUrl, (sql) =>
        Effect.gen(function* () {
          yield* sql.unsafe(`CREATE TABLE customers (${columns.map((column) => `${column} text`).join(", ")})`)
          yield* sql`INSERT INTO customers ${sql.insert(good)}`
        })
      )
      const source = {
        type: "postgres",
        query: "SELECT * FROM customers ORDER BY email",
        urlEnv: "TEMPLATE_SOURCE_URL"
      }
      const templated = (document: Record<string, any>) => {
        document.fields.city = { template: "{city} ({country})", type: "text" }
        document.fields.country = { constant: "NL", type: "text" }
      }
      const first = yield* runWith(directory, fixture, source, {}, templated)
      assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
      const writesAfterFirst = vendorWrites(fixture)

      yield* execute(sourceUrl, (sql) => sql.unsafe("ALTER TABLE customers ALTER COLUMN country TYPE varchar(2)"))
      const changed = yield* Effect.flip(runWith(directory, fixture, source, {}, templated))
      assert.strictEqual(changed.reason._tag, "ColumnTypeChanged")
      assert.include(
        changed.message,
        "column `country` (field city) mapped by fields.city.template changed from text to"
      )
      assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")
    })
  )

  it.scopedLive("stops before any write, naming the old and new type, until the change is accepted", () =>
    Effect.gen(function* () {
      assert.isDefined(server, "the PostgreSQL test server did not start")
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const sourceUrl = yield* Effect.orDie(PostgresServer.createDatabase(server!, "schema_source"))
      process.env.SCHEMA_SOURCE_URL = sourceUrl
      yield* execute(sourceUrl, (sql) =>
        Effect.gen(function* () {
          yield* sql.unsafe(`CREATE TABLE customers (${columns.map((column) => `${column} text`).join(", ")})`)
          yield* sql`INSERT INTO customers ${sql.insert(good)}`
        })
      )
      const source = { type: "postgres", query: "SELECT * FROM customers ORDER BY email", urlEnv: "SCHEMA_SOURCE_URL" }

      const first = yield* runWith(directory, fixture, source)
      assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
      assert.strictEqual(first.read, good.length, "describing the columns consumed no row")
      assert.deepStrictEqual(
        first.sourceColumns?.find((column) => column.name === "lifetime_value"),
        { name: "lifetime_value", type: "text" }
      )
      const writesAfterFirst = vendorWrites(fixture)

      yield* execute(sourceUrl, (sql) =>
        Effect.gen(function* () {
          yield* sql.unsafe(
            "ALTER TABLE customers ALTER COLUMN lifetime_value TYPE numeric USING lifetime_value::numeric"
          )
          yield* sql.unsafe("ALTER TABLE customers ADD COLUMN loyalty_tier text")
          yield* sql.unsafe("UPDATE customers SET first_name = 'Changed' WHERE customer_id = '100'")
        })
      )
      const changed = yield* Effect.flip(runWith(directory, fixture, source))
      assert.strictEqual(changed.reason._tag, "ColumnTypeChanged")
      assert.include(
        changed.message,
        "column `lifetime_value` (field lifetime_value) mapped by fields.lifetime_value.column changed from text to numeric"
      )
      assert.strictEqual(vendorWrites(fixture), writesAfterFirst, "no vendor write")

      // Accepted once, the new type is what the next runs compare with.
      const accepted = yield* runWith(directory, fixture, source, { acceptSchemaChanges: true })
      assert.notStrictEqual(accepted.status, "failed", Sync.formatReport(accepted))
      assert.deepStrictEqual(accepted.newColumns, ["loyalty_tier"])
      assert.isAbove(vendorWrites(fixture), writesAfterFirst)
      const next = yield* runWith(directory, fixture, source)
      assert.deepStrictEqual(next.newColumns, [])
    })
  )
})
