/**
 * Test support: the shared test Redis (`@profilesync/test-support`) as an Effect resource of the test's scope, with
 * `stop`/`start` as Effects (to simulate an outage).
 */
import { startRedisServer } from "@profilesync/test-support"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** A running (or stopped) test Redis server. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (as a crash would). */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port, empty. */
  readonly start: Effect.Effect<void, Error>
}

/** Starts a server for the current scope; it is killed and its directory removed when the scope closes. */
export const make: Effect.Effect<RedisServer, Error, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.tryPromise({
      try: startRedisServer,
      catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause)))
    }),
    (server) => Effect.promise(server.close)
  ),
  (server) => ({
    port: server.port,
    url: server.url,
    stop: Effect.promise(server.stop),
    start: Effect.tryPromise({
      try: server.start,
      catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause)))
    })
  })
)
