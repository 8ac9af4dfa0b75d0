/**
 * The state store in a SQLite file, over `@effect/sql-sqlite-node` (which builds `better-sqlite3`). This module
 * imports that driver: `SyncState.layerSqlite` loads it only when a SQLite store is configured (from the application's
 * loader, see `Drivers`), so a PostgreSQL user need not install it. Import it directly to get the driver loaded up
 * front.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as Layer from "effect/Layer"
import * as internal from "../internal/syncStateSqlite.ts"
import type { SqliteOptions, SyncState, SyncStateError } from "../SyncState.ts"

/**
 * The store in a SQLite file: what `SyncState.layerSqlite` builds, with the driver imported up front.
 *
 * **Gotchas**
 *
 * Processes on one machine can share the file (WAL mode, `BEGIN IMMEDIATE`); a file on a network share cannot be
 * shared safely (SQLite's locks do not hold there): use the PostgreSQL store for several machines.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: SqliteOptions): Layer.Layer<SyncState, SyncStateError> =>
  internal.layer({ SqliteClient, Reactivity }, options)
