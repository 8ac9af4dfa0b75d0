/**
 * The state store in PostgreSQL, over `@effect/sql-pg`. This module imports that driver: `SyncState.layerPostgres`
 * loads it only when a PostgreSQL store is configured, so a SQLite user need not install it. Import it directly to get
 * the driver loaded up front.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Redact from "@profilesync/core/Redact"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { storeFailed } from "../internal/syncStateError.ts"
import * as store from "../internal/syncStateStore.ts"
import { type PostgresOptions, SyncState, type SyncStateError } from "../SyncState.ts"

/**
 * The store in PostgreSQL: what `SyncState.layerPostgres` builds once it has loaded this module. For teams that run
 * the daemon on several machines (the lock then holds across them).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
      Redact.registerUrlPassword(Redacted.value(url))
      const client = yield* PgClient.make({
        url,
        applicationName: "profilesync state",
        maxConnections: options.maxConnections ?? 10
      }).pipe(
        Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
        Effect.mapError(storeFailed("connect"))
      )
      return yield* store.make(client, { readOnly: options.readOnly === true })
    })
  )
