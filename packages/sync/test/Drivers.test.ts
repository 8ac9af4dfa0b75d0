/**
 * Tests for `Drivers`: the loaders an application provides are what the state stores and the PostgreSQL source
 * import their drivers through; a loader whose module is not installed is `MissingDriver` naming the package, one
 * whose module fails to load otherwise is a store failure with the import's error.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Drivers, type Loaders, modules } from "../src/Drivers.ts"
import { packageOf } from "../src/internal/driverImport.ts"
import * as Source from "../src/Source.ts"
import * as SyncState from "../src/SyncState.ts"

/** Loaders that import the real modules and record which were asked for. */
const recording = () => {
  const asked: Array<string> = []
  const loaders: Loaders = {
    "@effect/sql-sqlite-node/SqliteClient": () => {
      asked.push("@effect/sql-sqlite-node/SqliteClient")
      return import("@effect/sql-sqlite-node/SqliteClient")
    },
    "@effect/experimental/Reactivity": () => {
      asked.push("@effect/experimental/Reactivity")
      return import("@effect/experimental/Reactivity")
    }
  }
  return { asked, loaders }
}

// A real import of a package that is not installed: what an application whose own install lacks the driver gets.
const notInstalled = "@profilesync/not-an-installed-driver"
const importNotInstalled = () => import(/* @vite-ignore */ notInstalled)

const startRun = Effect.flatMap(SyncState.SyncState, (store) => store.startRun({ sync: "s", targets: ["ocamba"] }))

describe("Drivers", () => {
  it("names each store's and source's modules, and the package each is in", () => {
    assert.deepStrictEqual(modules.sqliteState, [
      "@effect/sql-sqlite-node/SqliteClient",
      "@effect/experimental/Reactivity"
    ])
    assert.deepStrictEqual(modules.postgresState, ["@effect/sql-pg/PgClient", "@effect/experimental/Reactivity"])
    assert.strictEqual(packageOf("@effect/sql-pg/PgClient"), "@effect/sql-pg")
    assert.strictEqual(packageOf("pg"), "pg")
    assert.strictEqual(packageOf("mysql2/promise"), "mysql2")
  })

  it.effect("builds the SQLite store on the modules the application's loaders import", () =>
    Effect.gen(function* () {
      const { asked, loaders } = recording()
      const run = yield* startRun.pipe(
        Effect.provide(SyncState.layerSqlite({ filename: ":memory:" })),
        Effect.provideService(Drivers, loaders)
      )
      assert.strictEqual(run.status, "running")
      assert.deepStrictEqual(asked.sort(), ["@effect/experimental/Reactivity", "@effect/sql-sqlite-node/SqliteClient"])
    })
  )

  it.effect("without loaders, imports the drivers from this package (the default)", () =>
    Effect.gen(function* () {
      const run = yield* startRun.pipe(Effect.provide(SyncState.layerSqlite({ filename: ":memory:" })))
      assert.strictEqual(run.status, "running")
    })
  )

  it.effect("a loader whose module is not installed is MissingDriver, naming the package of that module", () =>
    Effect.gen(function* () {
      const error = yield* startRun.pipe(
        Effect.provide(SyncState.layerPostgres({ url: "postgres://127.0.0.1:9/state" })),
        Effect.provideService(Drivers, { "@effect/sql-pg/PgClient": importNotInstalled }),
        Effect.flip
      )
      assert.strictEqual(error.reason._tag, "MissingDriver")
      if (error.reason._tag === "MissingDriver") {
        assert.strictEqual(error.reason.packageName, "@effect/sql-pg")
        assert.strictEqual(error.reason.store, "postgres")
      }
      assert.include(error.message, "npm install @effect/sql-pg")
    })
  )

  it.effect("a loader whose module is there but fails to load is StoreFailed, with the import's error", () =>
    Effect.gen(function* () {
      const broken = new Error("The module was compiled against a different Node.js version")
      const error = yield* startRun.pipe(
        Effect.provide(SyncState.layerSqlite({ filename: ":memory:" })),
        Effect.provideService(Drivers, { "@effect/sql-sqlite-node/SqliteClient": () => Promise.reject(broken) }),
        Effect.flip
      )
      assert.strictEqual(error.reason._tag, "StoreFailed")
      if (error.reason._tag === "StoreFailed") {
        assert.strictEqual(error.reason.operation, "load the driver @effect/sql-sqlite-node")
        assert.strictEqual(error.reason.cause, broken)
      }
    })
  )

  it.effect("the PostgreSQL source imports its driver through the loaders too", () =>
    Effect.gen(function* () {
      const source = Source.postgres({ url: "postgres://reader@db.example/crm", query: "SELECT 1" })
      const error = yield* Stream.runDrain(source.rows).pipe(
        Effect.provideService(Drivers, { "@effect/sql-pg/PgClient": importNotInstalled }),
        Effect.flip
      )
      assert.strictEqual(error.reason._tag, "MissingDriver")
      if (error.reason._tag === "MissingDriver") assert.strictEqual(error.reason.packageName, "@effect/sql-pg")
      assert.include(error.message, "npm i @effect/sql-pg")
      assert.include(error.message, notInstalled)
    })
  )
})
