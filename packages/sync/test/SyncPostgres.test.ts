/**
 * The sync engine with PostgreSQL on both sides, against the sandbox: rows read from a query over a real server
 * started for this file (`support/PostgresServer.ts`), state kept in another database of it. Covers the first sync,
 * a run with no change, a run after an `UPDATE`, and the run lock held by another machine through the shared store.
 */
import { readFileSync } from "node:fs"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Source from "../src/Source.ts"
import * as Sync from "../src/Sync.ts"
import * as SyncState from "../src/SyncState.ts"
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

const serverScope = Effect.runSync(Scope.make())
let server: PostgresServer.PostgresServer | undefined

beforeAll(async () => {
  server = await Effect.runPromise(Scope.extend(PostgresServer.make, serverScope))
}, 60_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(serverScope, Exit.void))
})

/** Runs statements on a database of the test server. */
const execute = (url: string, statements: (sql: PgClient.PgClient) => Effect.Effect<unknown, unknown>) =>
  Effect.scoped(Effect.flatMap(PgClient.make({ url: Redacted.make(url) }), statements)).pipe(
    Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
    Effect.orDie
  )

describe("Sync.run with PostgreSQL", () => {
  it.scopedLive("reads rows from a query and keeps its state in PostgreSQL", () =>
    Effect.gen(function* () {
      assert.isDefined(server, "the PostgreSQL test server did not start")
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const sourceUrl = yield* Effect.orDie(PostgresServer.createDatabase(server!, "profiles_source"))
      const stateUrl = yield* Effect.orDie(PostgresServer.createDatabase(server!, "profilesync_state"))
      process.env.SOURCE_DATABASE_URL = sourceUrl
      process.env.PROFILESYNC_STATE_URL = stateUrl

      // The first 200 example rows, as text columns (what a CSV export of the table would hold), and as a CSV file
      // for the expected vendor state.
      const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n").slice(0, 201)
      const subset = Fixtures.writeSource(directory, "subset.csv", `${lines.join("\n")}\n`)
      const records = yield* Stream.runCollect(Source.csv({ path: subset }).rows).pipe(Effect.orDie)
      const rows = Chunk.toReadonlyArray(records).flatMap((item) => (item._tag === "SourceRow" ? [item.values] : []))
      yield* execute(sourceUrl, (sql) =>
        Effect.gen(function* () {
          yield* sql.unsafe(`CREATE TABLE customers (${columns.map((column) => `${column} text`).join(", ")})`)
          yield* sql`INSERT INTO customers ${sql.insert(
            rows.map((row) => Object.fromEntries(columns.map((column) => [column, String(row[column] ?? "")])))
          )}`
        })
      )

      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: {
          type: "postgres",
          query: "SELECT * FROM customers ORDER BY customer_id",
          urlEnv: "SOURCE_DATABASE_URL"
        },
        state: { postgres: { urlEnv: "PROFILESYNC_STATE_URL" } }
      })
      const runSync = () => Sync.run({ config, polling: Fixtures.testPolling }).pipe(Effect.provide(Sync.layer(config)))

      const first = yield* runSync()
      assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
      assert.strictEqual(first.read, 200)
      assert.strictEqual(first.statePath, "postgres (urlEnv PROFILESYNC_STATE_URL)")
      const expected = yield* Fixtures.expectedRows(config, subset)
      const ocambaRows = Fixtures.targetRows(config, expected, "ocamba")
      const copernicaRows = Fixtures.targetRows(config, expected, "copernica")
      assert.strictEqual(first.targets.ocamba!.created, ocambaRows.length)
      assert.strictEqual(first.targets.copernica!.created, copernicaRows.length)
      assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, ocambaRows), [])
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, copernicaRows), [])

      const store = SyncState.layerPostgres({ url: stateUrl })
      const confirmed = yield* Effect.flatMap(SyncState.SyncState, (state) =>
        Stream.runCount(state.confirmedHashes("customers", "copernica"))
      ).pipe(Effect.provide(store))
      assert.strictEqual(confirmed, copernicaRows.length)

      const unchanged = yield* runSync()
      assert.strictEqual(unchanged.targets.copernica!.unchanged, copernicaRows.length)
      assert.deepStrictEqual(unchanged.vendorCalls, { ocamba: 0, copernica: 0 })

      // Three rows change in the database: exactly those go out.
      const changed = expected
        .filter(({ mapped }) => mapped._tag === "Valid" && mapped.targets.length === 2)
        .slice(0, 3)
        .map(({ rowNumber }) => String(rows[rowNumber - 1]!.customer_id))
      yield* execute(
        sourceUrl,
        (sql) => sql`UPDATE customers SET first_name = first_name || ' Changed' WHERE customer_id IN ${sql.in(changed)}`
      )
      const updated = yield* runSync()
      assert.strictEqual(updated.status, "succeeded", Sync.formatReport(updated))
      assert.strictEqual(updated.targets.ocamba!.updated, 3)
      assert.strictEqual(updated.targets.copernica!.updated, 3)
      const imports = [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()]
      assert.strictEqual(imports.at(-1)!.rows?.length, 3)

      // Another machine's run holds the lock in the shared store: this one refuses to start.
      yield* Effect.flatMap(SyncState.SyncState, (state) =>
        state.acquireLock("profilesync-sync:customers", { owner: "machine-b:7" })
      ).pipe(Effect.provide(store))
      const locked = yield* Effect.flip(runSync())
      assert.strictEqual(locked.reason._tag, "Locked")
      assert.include(locked.message, "machine-b:7")
    })
  )
})
