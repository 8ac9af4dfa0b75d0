/**
 * The Redis throttle store: the sliding log of a key is a sorted set (score = admitted or reserved time in ms, member =
 * `<reservation id>#<index>`) shared by every process, changed only by one atomic Lua script per operation.
 *
 * Each script reads the time from Redis `TIME`, so the callers' clocks never enter a decision; the delay it returns is
 * slept on Effect's `Clock` by the caller. Every key expires by itself (`PEXPIRE`) once its last entry has left the
 * longest window. The replicas' leases are one sorted set per prefix (`<prefix>replicas`); on Redis Cluster the prefix
 * must carry a hash tag so that it and every key's log share a slot. The Lua scripts are in `throttleRedisScripts.ts`.
 */
import * as Effect from "effect/Effect"
import type { Redis } from "ioredis"
import type * as Throttle from "../Throttle.ts"
import * as Log from "./throttleLog.ts"
import * as Model from "./throttleModel.ts"
import { type Script, scripts } from "./throttleRedisScripts.ts"

/** The Redis store plus what the fallback store needs. */
export interface RedisStore extends Throttle.ThrottleStore {
  /** Whether Redis answers (touches no lease). */
  readonly ping: Effect.Effect<void, Model.ThrottleError>
  /** Refreshes this replica's lease; also tells whether Redis answers. */
  readonly heartbeat: Effect.Effect<void, Model.ThrottleError>
  /**
   * The latest time, on this process's clock, until which a lease refresh already sent may keep this replica present
   * in Redis (every command carries the bound, so even one delivered late cannot extend it).
   */
  readonly leaseEndsBy: () => number
  /** Adds entries given as offsets from the Redis clock's now (negative = past), keeping members already there. */
  readonly seed: (
    key: string,
    entries: ReadonlyArray<{ readonly offsetMillis: number; readonly member: string }>,
    timeToLiveMillis: number
  ) => Effect.Effect<void, Model.ThrottleError>
}

/** Who this replica is and how its presence is kept. */
export interface Options {
  readonly keyPrefix: string
  readonly replicaId: string
  readonly replicas: number
  /** How long a lease lasts without a refresh. */
  readonly leaseMillis: number
  /** A command not answered in this time fails (the caller then treats Redis as unreachable). */
  readonly unreachableMillis: number
}

const windowArguments = (windows: ReadonlyArray<Log.EffectiveWindow>): Array<number> =>
  windows.flatMap((window) => [window.limit, window.millis])

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith("NOSCRIPT")

/** The limits in force in Redis while `absent` replicas may be running on their local share. */
export const loweredLimit = (limit: number, replicas: number, absent: number): number =>
  absent === 0 ? limit : Math.max(1, limit - absent * Math.max(1, Math.floor(limit / replicas)))

/** Makes a store over an ioredis client; the caller owns the client. */
export const make = (redis: Redis, options: Options): RedisStore => {
  const { keyPrefix, replicaId, replicas, leaseMillis } = options
  const logKey = (key: string) => `${keyPrefix}{${key}}:log`
  const cooldownKey = (key: string) => `${keyPrefix}{${key}}:cooldown`
  const absentKey = (key: string) => `${keyPrefix}{${key}}:absent`
  const delayKey = (key: string) => `${keyPrefix}{${key}}:delay`
  // Members name the replica that made them, so the others can drop its waiting reservations once its lease lapses.
  const own = (reservation: string) => `${replicaId}/${reservation}`
  const leaseKey = `${keyPrefix}replicas`

  // Redis's clock minus ours, as an upper bound from the last timed reply, and how uncertain it is (the round trip).
  let offsetMillis: number | undefined
  let offsetUncertainty = 0
  let leaseEnds = Number.NEGATIVE_INFINITY
  // The windows of the latest reservation per key: a confirm applies the limits lowered by absent replicas with them.
  const reservedWith = new Map<
    string,
    { readonly windows: ReadonlyArray<Log.EffectiveWindow>; readonly measured: number }
  >()

  const observeClock = (sentAt: number, redisNow: number | undefined) => {
    if (redisNow === undefined) return
    offsetMillis = redisNow - sentAt
    offsetUncertainty = Math.max(0, Date.now() - sentAt)
  }

  // The lease bound sent with a command: our "now + lease" on Redis's clock. Before the clock is known, 0 (no lease).
  const leaseBound = (sentAt: number): number => {
    if (offsetMillis === undefined) return 0
    leaseEnds = Math.max(leaseEnds, sentAt + leaseMillis + offsetUncertainty)
    return sentAt + leaseMillis + offsetMillis
  }

  // EVALSHA first (the script body is sent once per server); a server that has not seen the script yet (restart,
  // SCRIPT FLUSH, failover) answers NOSCRIPT and gets the body through EVAL, which also caches it.
  const run = (
    key: string,
    which: Script,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<string | number>
  ): Effect.Effect<unknown, Model.ThrottleError> =>
    Effect.tryPromise({
      try: () =>
        redis
          .evalsha(which.sha, keys.length, ...keys, ...args)
          .catch((error: unknown) =>
            isNoScript(error) ? redis.eval(which.source, keys.length, ...keys, ...args) : Promise.reject(error)
          ),
      catch: (cause) => Model.storeUnavailable(key, cause)
    }).pipe(
      Effect.timeoutFail({
        duration: options.unreachableMillis,
        onTimeout: () =>
          Model.storeUnavailable(key, new Error(`Redis did not answer within ${options.unreachableMillis} ms`))
      })
    )

  const numbers = (key: string, reply: unknown): Effect.Effect<ReadonlyArray<number>, Model.ThrottleError> =>
    Array.isArray(reply) && reply.every((value) => typeof value === "number")
      ? Effect.succeed(reply as ReadonlyArray<number>)
      : Effect.fail(Model.storeUnavailable(key, new Error(`Unexpected reply from Redis: ${JSON.stringify(reply)}`)))

  return {
    reserve: (request) =>
      Effect.suspend(() => {
        const sentAt = Date.now()
        if (replicas > 1) {
          reservedWith.set(request.key, { windows: request.windows, measured: request.measuredDelayMillis ?? 0 })
        }
        return run(
          request.key,
          scripts.reserve,
          [logKey(request.key), cooldownKey(request.key), leaseKey, absentKey(request.key), delayKey(request.key)],
          [
            own(request.reservation),
            request.cost,
            request.maxDelayMillis ?? -1,
            replicaId,
            replicas,
            leaseMillis,
            leaseBound(sentAt),
            request.measuredDelayMillis ?? 0,
            ...windowArguments(request.windows)
          ]
        ).pipe(
          Effect.flatMap((reply) => numbers(request.key, reply)),
          Effect.map(([reserved, delayMillis, redisNow]): Throttle.ReserveOutcome => {
            observeClock(sentAt, redisNow)
            return reserved === 1
              ? { _tag: "Reserved", delayMillis: delayMillis ?? 0 }
              : { _tag: "TooLate", delayMillis: delayMillis ?? 0 }
          })
        )
      }),
    confirm: (request) =>
      run(
        request.key,
        scripts.confirm,
        [logKey(request.key), leaseKey, absentKey(request.key), delayKey(request.key)],
        [
          `${own(request.reservation)}#0`,
          replicaId,
          replicas,
          reservedWith.get(request.key)?.measured ?? 0,
          ...windowArguments(reservedWith.get(request.key)?.windows ?? [])
        ]
      ).pipe(
        Effect.map((reply): Throttle.ConfirmOutcome => {
          if (typeof reply !== "number" || reply < 0) return { _tag: "Missing" }
          return reply === 0 ? { _tag: "Admitted" } : { _tag: "Wait", delayMillis: reply }
        })
      ),
    release: (request) =>
      Effect.tryPromise({
        try: () => redis.zrem(logKey(request.key), ...Log.membersOf(own(request.reservation), request.cost)),
        catch: (cause) => Model.storeUnavailable(request.key, cause)
      }).pipe(Effect.asVoid),
    pause: (request) =>
      run(
        request.key,
        scripts.pause,
        [logKey(request.key), cooldownKey(request.key)],
        [request.durationMillis, ...windowArguments(request.windows)]
      ).pipe(
        Effect.flatMap((reply) => numbers(request.key, reply)),
        Effect.map(([untilMillis, extended]) => ({ untilMillis: untilMillis ?? 0, extended: extended === 1 }))
      ),
    snapshot: (request) =>
      run(
        request.key,
        scripts.snapshot,
        [logKey(request.key), cooldownKey(request.key), leaseKey],
        [replicaId, replicas, ...request.windows.map((window) => window.millis)]
      ).pipe(
        Effect.flatMap((reply) => numbers(request.key, reply)),
        Effect.map((reply): Throttle.StoreSnapshot => {
          const now = reply[0] ?? 0
          const cooldownUntil = reply[1] ?? 0
          const absent = reply[3] ?? 0
          return {
            backend: "redis",
            nowMillis: now,
            cooldownUntilMillis: cooldownUntil > now ? cooldownUntil : 0,
            reserved: reply[2] ?? 0,
            windows: request.windows.map((window, index) => {
              const used = reply[4 + index * 2] ?? 0
              const oldest = reply[5 + index * 2] ?? 0
              return {
                limit: loweredLimit(window.limit, replicas, absent),
                used,
                resetAfter: used === 0 ? 0 : Math.max(0, oldest + window.millis - now)
              }
            })
          }
        })
      ),
    heartbeat: Effect.suspend(() => {
      const sentAt = Date.now()
      return run("", scripts.heartbeat, [leaseKey], [replicaId, leaseMillis, leaseBound(sentAt)]).pipe(
        Effect.flatMap((reply) => numbers("", reply)),
        Effect.map(([redisNow]) => observeClock(sentAt, redisNow))
      )
    }),
    ping: Effect.tryPromise({
      try: () => redis.ping(),
      catch: (cause) => Model.storeUnavailable("", cause)
    }).pipe(
      Effect.timeoutFail({
        duration: options.unreachableMillis,
        onTimeout: () => Model.storeUnavailable("", new Error("Redis did not answer PING"))
      }),
      Effect.asVoid
    ),
    leaseEndsBy: () => leaseEnds,
    seed: (key, entries, timeToLiveMillis) =>
      entries.length === 0
        ? Effect.void
        : run(
            key,
            scripts.seed,
            [logKey(key)],
            [
              Math.max(1, Math.ceil(timeToLiveMillis)),
              ...entries.flatMap((entry) => [entry.offsetMillis, own(entry.member)])
            ]
          ).pipe(Effect.asVoid)
  }
}
