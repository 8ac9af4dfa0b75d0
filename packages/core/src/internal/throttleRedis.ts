/**
 * The throttle shared through Redis: opens the ioredis client, and runs the service over the fallback store (Redis
 * while it answers, this process's share in memory while it does not). Only `ThrottleRedis` imports this module, so
 * `ioredis` is loaded only by those who share a budget through Redis.
 */
import { randomUUID } from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import * as Redact from "../Redact.ts"
import type * as Throttle from "../Throttle.ts"
import type * as ThrottleRedis from "../ThrottleRedis.ts"
import { makeWith } from "./throttle.ts"
import * as FallbackStore from "./throttleFallbackStore.ts"
import { defect, isPositiveInteger } from "./throttleKeyState.ts"
import * as MemoryStore from "./throttleMemoryStore.ts"
import * as RedisStore from "./throttleRedisStore.ts"

// Long enough for a Redis on a starved host (hundreds of milliseconds), short enough to notice a dead one.
const commandTimeoutMillis = (options: ThrottleRedis.Options): number =>
  Duration.toMillis(Duration.decode(options.commandTimeout ?? Duration.seconds(2)))

/** Opens the ioredis client the Redis store runs on, tuned to notice an unreachable Redis quickly. */
const connect = (options: ThrottleRedis.Options): Effect.Effect<Redis, never, Scope.Scope> => {
  const commandTimeout = commandTimeoutMillis(options)
  const connectTimeout = Duration.decode(options.connectTimeout ?? Duration.seconds(1))
  const given = typeof options.redis === "string" ? {} : options.redis
  if (typeof options.redis === "string") Redact.registerUrlPassword(options.redis)
  else Redact.register(given.password)
  const settings = {
    ...given,
    commandTimeout,
    // Fail at once while disconnected instead of queueing: the throttle then runs on its local share.
    enableOfflineQueue: false,
    // A lazy client would not connect before its first command, which fails at once without the offline queue.
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Duration.toMillis(connectTimeout),
    retryStrategy: given.retryStrategy ?? ((attempt: number) => Math.min(attempt * 100, 1000))
  }
  return Effect.acquireRelease(
    Effect.sync(() => {
      const client = typeof options.redis === "string" ? new Redis(options.redis, settings) : new Redis(settings)
      // ioredis emits "error" on every failed reconnect; without a listener Node prints each one. The throttle
      // reports the outage itself (one warning per transition, a StoreFallback event and a gauge).
      client.on("error", () => {})
      return client
    }),
    (client) => Effect.sync(() => client.disconnect())
  ).pipe(
    Effect.tap((client) =>
      Effect.async<void>((resume) => {
        if (client.status === "ready") return resume(Effect.void)
        const ready = () => resume(Effect.void)
        client.once("ready", ready)
        return Effect.sync(() => client.off("ready", ready))
      }).pipe(Effect.timeoutOption(connectTimeout))
    )
  )
}

/** A throttle shared through Redis, falling back to the local share while Redis is unreachable. */
export const make = (options: ThrottleRedis.Options): Effect.Effect<Throttle.ThrottleService, never, Scope.Scope> =>
  Effect.gen(function* () {
    if (!isPositiveInteger(options.replicas)) {
      return yield* defect(`Throttle replicas ${options.replicas} is not a whole number >= 1`)
    }
    return yield* makeWith(options, (publish) =>
      Effect.gen(function* () {
        const client = yield* connect(options)
        const memory = yield* MemoryStore.make
        const leaseMillis = commandTimeoutMillis(options)
        return yield* FallbackStore.make({
          redis: RedisStore.make(client, {
            keyPrefix: options.keyPrefix ?? "profilesync:throttle:",
            replicaId: randomUUID(),
            replicas: options.replicas,
            leaseMillis,
            unreachableMillis: leaseMillis
          }),
          memory,
          replicas: options.replicas,
          recoveryInterval: Duration.decode(options.recoveryInterval ?? Duration.seconds(2)),
          heartbeatInterval: Duration.millis(Math.max(5, leaseMillis / 4)),
          publish
        })
      })
    )
  })
