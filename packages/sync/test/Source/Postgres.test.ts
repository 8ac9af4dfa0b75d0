/**
 * Tests for `Source/Postgres` (through `Source.postgres`): a query streamed through a cursor from a real PostgreSQL
 * server started by `support/PostgresServer.ts`.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { loadDriver } from "../../src/internal/sourcePostgresDriver.ts"
import * as Source from "../../src/Source.ts"
import * as PostgresServer from "../support/PostgresServer.ts"
import { failure } from "../support/SourceFiles.ts"

describe("postgres", () => {
  it.scoped(
    "streams a query through a cursor, converts values, and fails clearly",
    () =>
      Effect.gen(function* () {
        const server = yield* PostgresServer.make
        const sql = yield* PgClient.make({ url: Redacted.make(server.url) }).pipe(
          Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make)
        )
        yield* sql`CREATE TABLE profiles (id bigint PRIMARY KEY, email text, score numeric, active boolean,
          seen timestamptz, data jsonb, note text)`
        yield* sql`INSERT INTO profiles SELECT n, 'user' || n || '@example.com', n / 4.0, n % 2 = 0,
          timestamptz '2024-01-02T03:04:05Z', jsonb_build_object('n', n), NULL FROM generate_series(1, 5000) AS n`

        const source = Source.postgres({
          url: server.url,
          query: "SELECT * FROM profiles ORDER BY id;",
          batchSize: 100
        })
        assert.notInclude(source.name, "password")
        const count = yield* Stream.runCount(source.rows)
        assert.strictEqual(count, 5000)
        const first = yield* Stream.runHead(source.rows)
        assert.deepStrictEqual(first._tag === "Some" ? first.value : undefined, {
          _tag: "SourceRow",
          rowNumber: 1,
          line: 1,
          values: {
            id: "1",
            email: "user1@example.com",
            score: "0.25000000000000000000",
            active: false,
            seen: "2024-01-02T03:04:05.000Z",
            data: '{"n":1}',
            note: null
          }
        })

        const failed = yield* failure(Source.postgres({ url: server.url, query: "SELECT * FROM missing_table" }))
        assert.strictEqual(failed.reason._tag, "QueryFailed")
        assert.include(failed.message, 'relation "missing_table" does not exist')
        const empty = yield* failure(Source.postgres({ url: server.url, query: "SELECT * FROM profiles WHERE false" }))
        assert.strictEqual(empty.reason._tag, "Empty")
        const duplicate = yield* failure(Source.postgres({ url: server.url, query: "SELECT 1 AS a, 2 AS a" }))
        assert.strictEqual(duplicate.reason._tag, "DuplicateColumn")
        // The read-only transaction: a source query cannot change data.
        const write = yield* failure(Source.postgres({ url: server.url, query: "DELETE FROM profiles RETURNING id" }))
        assert.strictEqual(write.reason._tag, "QueryFailed")
        assert.strictEqual((yield* sql`SELECT count(*)::int AS n FROM profiles`)[0]?.n, 5000)
      }),
    60_000
  )

  it.effect("fails with MissingDriver, naming the package to install, when the driver cannot be imported", () =>
    Effect.gen(function* () {
      // A real import of a package that is not installed: what a user without @effect/sql-pg gets.
      const notInstalled = "@profilesync/not-an-installed-driver"
      const error = yield* Effect.flip(loadDriver("postgres://db.example/crm", () => import(notInstalled)))
      assert.strictEqual(error.reason._tag, "MissingDriver")
      if (error.reason._tag === "MissingDriver") assert.strictEqual(error.reason.packageName, "@effect/sql-pg")
      assert.include(error.message, "postgres://db.example/crm: reading this source needs the driver @effect/sql-pg")
      assert.include(error.message, "npm i @effect/sql-pg")
      assert.include(error.message, notInstalled)
      // With the driver installed (as in this workspace), the same loader succeeds.
      const driver = yield* loadDriver("postgres://db.example/crm")
      assert.strictEqual(typeof driver.PgClient.make, "function")
    })
  )
})
