/**
 * Builds the store of a kind when its layer is built, importing its driver then (through the application's loader
 * when `Drivers` has one): the drivers are optional peer dependencies of this package, so a SQLite user needs no
 * PostgreSQL driver. A driver that is not installed is `MissingDriver`, naming the package to install; one that is
 * installed but fails to load is `StoreFailed` with the import's error.
 *
 * @internal
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { modules } from "../Drivers.ts"
import type { PostgresOptions, SqliteOptions, SyncState } from "../SyncState.ts"
import { type DriverUnavailable, importDriver } from "./driverImport.ts"
import { SyncStateError, SyncStateErrorReason, storeFailed } from "./syncStateError.ts"

const unavailable =
  (store: "sqlite" | "postgres") =>
  (problem: DriverUnavailable): SyncStateError =>
    problem.missing
      ? new SyncStateError({ reason: SyncStateErrorReason.MissingDriver({ store, packageName: problem.packageName }) })
      : storeFailed(`load the driver ${problem.packageName}`)(problem.cause)

const reactivity = importDriver<typeof Reactivity>(
  "@effect/experimental/Reactivity",
  () => import("@effect/experimental/Reactivity")
)

const [sqliteClient] = modules.sqliteState
const [pgClient] = modules.postgresState

/** The SQLite store, its driver imported when the layer is built. @internal */
export const layerSqlite = (options: SqliteOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.unwrapEffect(
    Effect.all({
      SqliteClient: importDriver<typeof SqliteClient>(
        sqliteClient,
        () => import("@effect/sql-sqlite-node/SqliteClient")
      ),
      Reactivity: reactivity,
      store: Effect.promise(() => import("./syncStateSqlite.ts"))
    }).pipe(
      Effect.mapError(unavailable("sqlite")),
      Effect.map(({ store, ...driver }) => store.layer(driver, options))
    )
  )

/** The PostgreSQL store, its driver imported when the layer is built. @internal */
export const layerPostgres = (options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.unwrapEffect(
    Effect.all({
      PgClient: importDriver<typeof PgClient>(pgClient, () => import("@effect/sql-pg/PgClient")),
      Reactivity: reactivity,
      store: Effect.promise(() => import("./syncStatePostgres.ts"))
    }).pipe(
      Effect.mapError(unavailable("postgres")),
      Effect.map(({ store, ...driver }) => store.layer(driver, options))
    )
  )
