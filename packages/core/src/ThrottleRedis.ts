/**
 * The throttle shared through Redis: every process using the same Redis (and key prefix) draws on one budget per key,
 * with a loud fallback to this process's share of every limit while Redis is unreachable.
 *
 * **Details**
 *
 * A module of its own, at `@profilesync/core/ThrottleRedis`, so that `ioredis` is an optional peer dependency: install
 * it (`npm i ioredis`) when you share a budget through Redis; `@profilesync/core` and `@profilesync/core/Throttle`
 * never load it. The service is the same `Throttle` as the in-memory one (`Throttle.make`, `Throttle.layerMemory`).
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { RedisOptions as IoRedisOptions } from "ioredis"
import * as internal from "./internal/throttleRedis.ts"
import * as Throttle from "./Throttle.ts"

/**
 * Options of a throttle shared through Redis.
 *
 * **Details**
 *
 * The client is made with `enableOfflineQueue: false` and `maxRetriesPerRequest: 1`, so a Redis that is down is
 * noticed at once (a refused or lost connection) and a stuck one after `commandTimeout`; the throttle then falls back
 * to its local share instead of queueing commands. Your `retryStrategy` is kept; the default reconnects every 100 ms
 * to 1 s.
 *
 * Each process holds a lease in Redis, refreshed by every reservation and by a heartbeat (4 per `commandTimeout`).
 * While fewer than `replicas` processes hold a live lease, the shared limit is lowered by the share of each absent
 * one (it may be running on its local share), and a process that falls back takes no local slot before its own lease
 * has surely ended plus the shortest window: together they never exceed the vendor's limit. Slots given before a lease
 * lapsed and not yet used (callers still waiting for them) move under the lowered limit at the next reservation or
 * confirmation of the key, so they do not come on top of the absent process's share.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Throttle.Options {
  /** A `redis://` URL or ioredis options. */
  readonly redis: string | IoRedisOptions
  /**
   * How many processes share the budget. While Redis is unreachable each process uses `floor(limit / replicas)` (at
   * least 1) of every window, and while fewer than `replicas` processes reach Redis the shared limit is lowered by
   * the missing processes' shares: run as many processes as you declare, or you give up their shares.
   */
  readonly replicas: number
  /**
   * A Redis command not answered in this time counts as a failure (a slow Redis is waited for until then; a refused
   * or lost connection fails at once). Also the length of this process's lease. Default 2 seconds.
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** How long to wait for the first connection before starting on the local share. Default 1 second. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * How long Redis must answer, without a failure, before the throttle shares the budget again after a fallback
   * (it is probed four times per interval). Default 2 seconds.
   */
  readonly recoveryInterval?: Duration.DurationInput | undefined
  /**
   * Prefix of the Redis keys. Default `"profilesync:throttle:"`. On Redis Cluster, put a hash tag in it
   * (`"{profilesync}:throttle:"`): the scripts read the replicas' leases next to a key's log.
   */
  readonly keyPrefix?: string | undefined
}

/**
 * Makes a throttle shared through Redis, with a loud fallback to this process's share of the budget while Redis is
 * unreachable.
 *
 * **Details**
 *
 * On a failed or timed-out command the throttle logs a warning once, publishes `StoreFallback`, sets the
 * `profilesync_throttle_store_fallback` gauge, and continues in memory with `floor(limit / replicas)` of every window,
 * from the moment its lease in Redis has surely ended (the other processes then lower the shared limit by its share).
 * It keeps probing Redis and, once Redis has answered for a whole `recoveryInterval`, writes the slots and cooldowns it
 * took locally into Redis, takes its lease again, switches back, logs and publishes `StoreRecovered`; callers asking
 * meanwhile wait for the switch (a slot taken locally then would be missing from the shared log). It never runs
 * without a limit.
 *
 * **Gotchas**
 *
 * - All processes must use the same policy for a key: the script prunes with the windows it is given.
 * - Around a switch, the longer windows are exact only when the processes were using the budget evenly before it: a
 *   process that falls back counts its own recent calls against its share, not the others'.
 * - A caller waiting on a Redis slot when Redis goes away reserves again locally and loses its place.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Throttle.ThrottleService, never, Scope.Scope> = internal.make

/**
 * A throttle shared through Redis by `replicas` processes.
 *
 * @example
 * ```ts
 * import { ThrottleRedis } from "@profilesync/core/ThrottleRedis"
 *
 * ThrottleRedis.layer({
 *   redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
 *   replicas: 3,
 *   keys: { ocamba: { windows: [{ limit: 10, window: "1 second" }, { limit: 150, window: "1 minute" }] } }
 * })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Throttle.Throttle> =>
  Layer.scoped(Throttle.Throttle, make(options))
