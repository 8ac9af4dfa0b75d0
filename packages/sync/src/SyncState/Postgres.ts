/**
 * The state store in PostgreSQL, over `@effect/sql-pg`. This module imports that driver: `SyncState.layerPostgres`
 * loads it only when a PostgreSQL store is configured (from the application's loader, see `Drivers`), so a SQLite user
 * need not install it. Import it directly
 * to get the driver loaded up front.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as Layer from "effect/Layer"
import * as internal from "../internal/syncStatePostgres.ts"
import type { PostgresOptions, SyncState, SyncStateError } from "../SyncState.ts"

/**
 * The store in PostgreSQL: what `SyncState.layerPostgres` builds, with the driver imported up front. For teams that run
 * the daemon on several machines (the lock then holds across them).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  internal.layer({ PgClient, Reactivity }, options)
