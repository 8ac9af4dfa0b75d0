/**
 * @module
 * The daemon's own database drivers, handed to `@profilesync/sync`. The drivers are dependencies of the daemon but
 * only optional peers of sync, and npm's global install (`npm i -g`, the container image) puts sync beside the daemon,
 * where it cannot see the daemon's dependencies: each loader imports its module from here instead, so the state
 * store and the database sources use the drivers installed with the daemon.
 */
import type * as Drivers from "@profilesync/sync/Drivers"

/**
 * A loader per driver module sync imports (`Drivers.modules`), each resolved from the daemon's location.
 *
 * @since 0.1.0
 * @category constants
 */
export const loaders: Drivers.Loaders = {
  "@effect/sql-sqlite-node/SqliteClient": () => import("@effect/sql-sqlite-node/SqliteClient"),
  "@effect/sql-pg/PgClient": () => import("@effect/sql-pg/PgClient"),
  "@effect/experimental/Reactivity": () => import("@effect/experimental/Reactivity"),
  mysql2: () => import("mysql2"),
  "@duckdb/node-api": () => import("@duckdb/node-api")
}
