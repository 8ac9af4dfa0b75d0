/**
 * Tests for `SyncState/Postgres` (through `SyncState.layerPostgres`, which loads it): the shared store suite
 * (`support/SyncStateSuite.ts`) on a real PostgreSQL server started for this file (`support/PostgresServer.ts`), one
 * new database per test.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, beforeAll } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as SyncState from "../../src/SyncState.ts"
import * as PostgresServer from "../support/PostgresServer.ts"
import { describeBulk } from "../support/SyncStateBulkSuite.ts"
import { describeHistory } from "../support/SyncStateHistorySuite.ts"
import { describeStore, type StoreKind } from "../support/SyncStateSuite.ts"

const serverScope = Effect.runSync(Scope.make())
let server: PostgresServer.PostgresServer | undefined

beforeAll(async () => {
  server = await Effect.runPromise(Scope.extend(PostgresServer.make, serverScope))
}, 60_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(serverScope, Exit.void))
})

let counter = 0

const kind: StoreKind = {
  name: "postgres",
  fresh: Effect.suspend(() => {
    if (server === undefined) return Effect.fail(new Error("the PostgreSQL test server did not start"))
    return Effect.map(PostgresServer.createDatabase(server, `state_${++counter}`), (url) => ({
      open: () => SyncState.layerPostgres({ url }),
      openReadOnly: () => SyncState.layerPostgres({ url, readOnly: true }),
      client: () => Layer.provide(PgClient.layer({ url: Redacted.make(url) }), Reactivity.layer)
    }))
  }),
  unopenable: () =>
    SyncState.layerPostgres({ url: `postgres://profilesync@127.0.0.1:${server?.port}/no_such_database` })
}

describeStore(kind)
describeHistory(kind)
describeBulk(kind)
