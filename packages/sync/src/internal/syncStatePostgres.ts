/**
 * The state store in PostgreSQL, over the driver modules it is given (`@effect/sql-pg`'s `PgClient` and
 * `@effect/experimental`'s `Reactivity`): imported statically by `SyncState/Postgres`, or loaded when
 * `SyncState.layerPostgres` is built (from the application's loader, see `Drivers`).
 *
 * @internal
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as PgClient from "@effect/sql-pg/PgClient"
import * as Redact from "@profilesync/core/Redact"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type PostgresOptions, SyncState, type SyncStateError } from "../SyncState.ts"
import { storeFailed } from "./syncStateError.ts"
import * as store from "./syncStateStore.ts"

/** The driver modules a PostgreSQL store uses. @internal */
export interface PostgresDriver {
  readonly PgClient: typeof PgClient
  readonly Reactivity: typeof Reactivity
}

/** The store in PostgreSQL, over `driver`. @internal */
export const layer = (driver: PostgresDriver, options: PostgresOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
      Redact.registerUrlPassword(Redacted.value(url))
      const client = yield* driver.PgClient.make({
        url,
        applicationName: "profilesync state",
        maxConnections: options.maxConnections ?? 10
      }).pipe(
        Effect.provideServiceEffect(driver.Reactivity.Reactivity, driver.Reactivity.make),
        Effect.mapError(storeFailed("connect"))
      )
      return yield* store.make(client, { readOnly: options.readOnly === true })
    })
  )
