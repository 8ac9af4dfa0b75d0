/**
 * Tests of the Redis throttle against a real `redis-server` (started per test on 127.0.0.1), in real time: the
 * sliding-window guarantee across several clients (each client stands for a process), cooldowns shared between
 * clients, deadlines, released reservations, key expiry, script reloading and the fallback to the local share while
 * Redis is down.
 */
import { assert, describe, it } from "@effect/vitest"
import { startRelay } from "@profilesync/test-support"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import * as Throttle from "../src/Throttle.ts"
import * as ThrottleRedis from "../src/ThrottleRedis.ts"
import { countBetween, maxInSpan } from "./support/Admissions.ts"
import * as RedisServer from "./support/RedisServer.ts"

const now = Effect.sync(() => performance.now())

/** A separate connection for looking at the keys the throttle writes. */
const inspector = (url: string): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new Redis(url)),
    (client) => Effect.promise(() => client.quit())
  )

const logKey = (key: string) => `profilesync:throttle:{${key}}:log`

/** Waits for the first event with the given tag. */
const nextEvent = <Tag extends Throttle.ThrottleEvent["_tag"]>(
  events: Queue.Dequeue<Throttle.ThrottleEvent>,
  tag: Tag,
  timeout: Duration.DurationInput
) =>
  Queue.take(events).pipe(
    Effect.repeat({ until: Throttle.ThrottleEvent.$is(tag) }),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => new Error(`no ${tag} event within ${String(timeout)}`) })
  )

const reasonOf = <A>(exit: Exit.Exit<A, Throttle.ThrottleError>): string | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.reason._tag : undefined

describe("Redis store", () => {
  it.scopedLive("keeps every window under its limit across several processes and lets keys expire", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const policy: Throttle.KeyPolicy = {
        windows: [
          { limit: 10, window: "200 millis" },
          { limit: 30, window: "1200 millis" }
        ]
      }
      // Three clients, as three processes would have, each with four eager callers.
      const throttles = yield* Effect.forEach([1, 2, 3], () =>
        ThrottleRedis.make({ redis: server.url, replicas: 3, keys: { vendor: policy } })
      )
      const times: Array<number> = []
      const caller = (throttle: Throttle.ThrottleService) =>
        // The admission times the throttle decided on, not when the fiber ran next: on a loaded host a fiber of the
        // first batch that records its time 50 ms late puts 31 in a 1200 ms span that the throttle never admitted.
        Effect.forever(
          Effect.flatMap(throttle.acquire("vendor:shared"), (admission) =>
            Effect.sync(() => times.push(admission.admittedAtMillis))
          )
        )
      const started = Date.now()
      const fibers = yield* Effect.forEach(
        throttles.flatMap((throttle) => [throttle, throttle, throttle, throttle]),
        (throttle) => Effect.fork(caller(throttle))
      )
      yield* Effect.sleep(Duration.millis(2600))
      yield* Effect.forEach(fibers, Fiber.interrupt)

      assert.isAtMost(maxInSpan(times, 200), 10)
      assert.isAtMost(maxInSpan(times, 1200), 30)
      // 30 at once, 30 more one long window (1.25 s with the margin) later, a third batch at 2.5 s.
      assert.isAtLeast(countBetween(times, started, started + 2600), 60)
      for (const throttle of throttles) {
        assert.strictEqual((yield* throttle.snapshot("vendor:shared")).backend, "redis")
      }

      const redis = yield* inspector(server.url)
      const timeToLive = yield* Effect.promise(() => redis.pttl(logKey("vendor:shared")))
      assert.isAbove(timeToLive, 0)
      // Longest window plus margin, plus at most the furthest reservation (interrupted ones are released).
      assert.isAtMost(timeToLive, 2 * 1250)
    })
  )

  it.scopedLive("serves callers of different processes in arrival order", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const keys: Throttle.KeyPolicies = { vendor: { windows: [{ limit: 5, window: "300 millis" }] } }
      const first = yield* ThrottleRedis.make({ redis: server.url, replicas: 2, keys })
      const second = yield* ThrottleRedis.make({ redis: server.url, replicas: 2, keys })
      const order: Array<string> = []
      const take = (throttle: Throttle.ThrottleService, name: string) =>
        Effect.fork(Effect.tap(throttle.acquire("vendor:order"), () => Effect.sync(() => order.push(name))))
      const early = yield* Effect.forEach(Array.from({ length: 10 }), () => take(first, "first"))
      // Every early caller has its slot (five now, five reserved) before the other process asks.
      yield* first
        .snapshot("vendor:order")
        .pipe(Effect.repeat({ until: (snapshot) => snapshot.reserved + (snapshot.windows[0]?.used ?? 0) >= 10 }))
      const late = yield* take(second, "second")
      yield* Effect.forEach([...early, late], Fiber.join)
      assert.deepStrictEqual(order, [...Array.from({ length: 10 }, () => "first"), "second"])
    })
  )

  it.scopedLive("applies a pause from one process to the callers of another", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const keys: Throttle.KeyPolicies = { vendor: { windows: [{ limit: 10, window: "1 second" }] } }
      const pausing = yield* ThrottleRedis.make({ redis: server.url, replicas: 2, keys })
      const other = yield* ThrottleRedis.make({ redis: server.url, replicas: 2, keys })
      const events = yield* pausing.subscribe

      yield* Effect.forEach(Array.from({ length: 10 }), () => other.acquire("vendor:cooldown"))
      // Waiting in the other process for a slot about 1050 ms away.
      const waiting = yield* Effect.fork(Effect.zipRight(other.acquire("vendor:cooldown"), now))
      yield* Effect.sleep(Duration.millis(100))
      const pausedAt = yield* now
      yield* pausing.pause("vendor:cooldown", Duration.millis(1500))
      const later = yield* Effect.fork(Effect.zipRight(other.acquire("vendor:cooldown"), now))
      // The other process sees the cooldown in its snapshot.
      const seen = Duration.toMillis((yield* other.snapshot("vendor:cooldown")).cooldown)
      assert.isAbove(seen, 1300)
      assert.isAtMost(seen, 1500)

      const waitingAt = yield* Fiber.join(waiting)
      const laterAt = yield* Fiber.join(later)
      // Clocks differ a little between Redis and here; the cooldown is 1500 ms.
      assert.isAtLeast(waitingAt - pausedAt, 1450)
      assert.isAtLeast(laterAt - pausedAt, 1450)
      assert.isAtMost(waitingAt - pausedAt, 2200)
      const started = yield* nextEvent(events, "CooldownStarted", "1 second")
      assert.strictEqual(Duration.toMillis(started.retryAfter), 1500)
    })
  )

  it.scopedLive("fails a deadline at once and reserves nothing; releases an abandoned reservation", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const throttle = yield* ThrottleRedis.make({
        redis: server.url,
        replicas: 1,
        keys: { vendor: { windows: [{ limit: 10, window: "1 second" }] } }
      })
      const redis = yield* inspector(server.url)
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire("vendor:deadline"))

      const before = yield* now
      const exit = yield* Effect.exit(throttle.acquire("vendor:deadline", { deadline: "300 millis" }))
      assert.strictEqual(reasonOf(exit), "DeadlineExceeded")
      assert.isBelow((yield* now) - before, 200)
      assert.strictEqual(yield* Effect.promise(() => redis.zcard(logKey("vendor:deadline"))), 10)

      const abandoned = yield* Effect.fork(throttle.acquire("vendor:deadline"))
      yield* Effect.sleep(Duration.millis(100))
      assert.strictEqual(yield* Effect.promise(() => redis.zcard(logKey("vendor:deadline"))), 11)
      yield* Fiber.interrupt(abandoned)
      assert.strictEqual(yield* Effect.promise(() => redis.zcard(logKey("vendor:deadline"))), 10)
    })
  )

  it.scopedLive("reloads its scripts when Redis has forgotten them", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const throttle = yield* ThrottleRedis.make({
        redis: server.url,
        replicas: 1,
        keys: { vendor: { windows: [{ limit: 10, window: "1 second" }] } }
      })
      const redis = yield* inspector(server.url)
      yield* throttle.acquire("vendor:scripts")
      yield* Effect.promise(() => redis.script("FLUSH"))
      yield* throttle.acquire("vendor:scripts")
      const snapshot = yield* throttle.snapshot("vendor:scripts")
      assert.strictEqual(snapshot.backend, "redis")
      assert.strictEqual(snapshot.windows[0]?.used, 2)
    })
  )
})

describe("fallback", () => {
  it.scopedLive("runs on the local share while Redis is down, loudly, and shares again when it is back", () => {
    const logs: Array<{ readonly level: string; readonly message: string }> = []
    const logger = Logger.make(({ logLevel, message }) => {
      logs.push({ level: logLevel.label, message: Array.isArray(message) ? message.join(" ") : String(message) })
    })
    return Effect.gen(function* () {
      const server = yield* RedisServer.make
      const options: ThrottleRedis.Options = {
        redis: server.url,
        replicas: 2,
        keys: { vendor: { windows: [{ limit: 10, window: "500 millis" }] } },
        commandTimeout: "100 millis",
        recoveryInterval: "200 millis"
      }
      const throttle = yield* ThrottleRedis.make(options)
      // The second replica, idle: while it holds its lease the first one has the whole shared limit.
      yield* ThrottleRedis.make(options)
      const events = yield* throttle.subscribe
      const times: Array<number> = []
      const caller = Effect.forever(
        Effect.zipRight(
          throttle.acquire("vendor:fallback"),
          Effect.flatMap(now, (time) => Effect.sync(() => times.push(time)))
        )
      )
      const started = yield* now
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(caller))
      yield* Effect.sleep(Duration.millis(1200))

      yield* server.stop
      const fallback = yield* nextEvent(events, "StoreFallback", "3 seconds")
      const fellBackAt = yield* now
      assert.strictEqual(fallback.replicas, 2)
      yield* Effect.sleep(Duration.millis(1500))
      const local = yield* throttle.snapshot("vendor:fallback")
      assert.strictEqual(local.backend, "memory")
      assert.strictEqual(local.windows[0]?.limit, 5)

      const restartedAt = yield* now
      yield* server.start
      yield* nextEvent(events, "StoreRecovered", "5 seconds")
      const recoveredAt = yield* now
      yield* Effect.sleep(Duration.millis(1500))
      yield* Effect.forEach(fibers, Fiber.interrupt)
      const shared = yield* throttle.snapshot("vendor:fallback")
      assert.strictEqual(shared.backend, "redis")
      assert.strictEqual(shared.windows[0]?.limit, 10)

      const localTimes = times.filter((time) => time >= fellBackAt && time < restartedAt)
      const sharedTimes = times.filter((time) => time >= recoveredAt + 600)
      console.log(
        `fallback: ${countBetween(times, started, fellBackAt)} shared before, ${localTimes.length} local in ` +
          `${Math.round(restartedAt - fellBackAt)} ms (max ${maxInSpan(localTimes, 500)} per 500 ms), ` +
          `${sharedTimes.length} shared after (max ${maxInSpan(sharedTimes, 500)} per 500 ms), ` +
          `recovered ${Math.round(recoveredAt - restartedAt)} ms after the restart`
      )
      // Never more than the whole limit, even across the switch; only this process's share while local.
      assert.isAtMost(maxInSpan(times, 500), 10)
      assert.isAtMost(maxInSpan(localTimes, 500), 5)
      assert.isAbove(localTimes.length, 0)
      // Shared again: the full limit is available to this process.
      assert.isAbove(maxInSpan(sharedTimes, 500), 5)

      // One warning per replica.
      const warnings = logs.filter((log) => log.level === "WARN")
      assert.strictEqual(warnings.length, 2)
      assert.match(warnings[0]!.message, /falling back/)
      assert.strictEqual(logs.filter((log) => /answers again/.test(log.message)).length, 2)
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })
})

describe("a replica cut off from Redis", () => {
  const windows: ReadonlyArray<Throttle.Window> = [
    { limit: 10, window: "250 millis" },
    { limit: 40, window: "2 seconds" }
  ]
  for (const mode of ["blackhole", "refuse"] as const) {
    it.scopedLive(`(${mode}) spends its share while the others lower theirs: together never over the limit`, () =>
      Effect.gen(function* () {
        const server = yield* RedisServer.make
        const relay = yield* Effect.acquireRelease(
          Effect.promise(() => startRelay(server.port, "redis")),
          (relay) => Effect.promise(relay.close)
        )
        const options = (url: string): ThrottleRedis.Options => ({
          redis: url,
          replicas: 3,
          keys: { vendor: { windows } },
          commandTimeout: "300 millis",
          recoveryInterval: "300 millis"
        })
        const first = yield* ThrottleRedis.make(options(server.url))
        const third = yield* ThrottleRedis.make(options(server.url))
        const cut = yield* ThrottleRedis.make(options(relay.url))
        const events = yield* cut.subscribe
        const times: Array<{ readonly at: number; readonly replica: string }> = []
        const caller = (throttle: Throttle.ThrottleService, replica: string) =>
          // The admission times the throttle decided on: on a loaded host a fiber may record its own time late.
          Effect.forever(
            Effect.flatMap(throttle.acquire("vendor:cut"), (admission) =>
              Effect.sync(() => times.push({ at: admission.admittedAtMillis, replica }))
            )
          )
        const fibers = yield* Effect.forEach(
          [first, third, cut].flatMap((throttle, index) => Array.from({ length: 4 }, () => [throttle, index] as const)),
          ([throttle, index]) => Effect.fork(caller(throttle, ["first", "third", "cut"][index]!))
        )
        yield* Effect.sleep(Duration.millis(1500))

        relay.cut(mode)
        yield* nextEvent(events, "StoreFallback", "3 seconds")
        const fellBackAt = Date.now()
        yield* Effect.sleep(Duration.millis(3000))
        const restoredAt = Date.now()
        relay.restore()
        yield* nextEvent(events, "StoreRecovered", "5 seconds")
        const recoveredAt = Date.now()
        yield* Effect.sleep(Duration.millis(1500))
        yield* Effect.forEach(fibers, Fiber.interrupt)

        const all = times.map((time) => time.at)
        const cutOff = times.filter((time) => time.replica === "cut" && time.at > fellBackAt && time.at < restoredAt)
        const others = times.filter((time) => time.replica !== "cut" && time.at > fellBackAt && time.at < restoredAt)
        console.log(
          `cut off (${mode}): ${cutOff.length} local admissions and ${others.length} by the others in ` +
            `${Math.round(restoredAt - fellBackAt)} ms; recovered ${Math.round(recoveredAt - restoredAt)} ms after ` +
            `the link came back; at most ${maxInSpan(all, 250)} per 250 ms and ${maxInSpan(all, 2000)} per 2 s`
        )
        // What the vendor would count: never more than the whole limit, before, during and after the cut.
        assert.isAtMost(maxInSpan(all, 250), 10)
        assert.isAtMost(maxInSpan(all, 2000), 40)
        // The cut-off replica kept serving on its share, the others on the rest.
        assert.isAbove(cutOff.length, 0)
        assert.isAtMost(
          maxInSpan(
            cutOff.map((time) => time.at),
            250
          ),
          3
        )
        assert.isAbove(others.length, 0)
      })
    )
  }
})

describe("a replica whose lease lapses while the others wait", () => {
  it.scopedLive("moves the reservations placed at the full limit before the lapse under the lowered limit", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const relay = yield* Effect.acquireRelease(
        Effect.promise(() => startRelay(server.port, "redis")),
        (relay) => Effect.promise(relay.close)
      )
      const options = (url: string): ThrottleRedis.Options => ({
        redis: url,
        replicas: 2,
        keys: { vendor: { windows: [{ limit: 10, window: "1 second" }] } },
        commandTimeout: "200 millis",
        recoveryInterval: "200 millis"
      })
      const busy = yield* ThrottleRedis.make(options(server.url))
      const slow = yield* ThrottleRedis.make(options(relay.url))
      const events = yield* slow.subscribe
      const times: Array<number> = []
      const record = (throttle: Throttle.ThrottleService) =>
        Effect.flatMap(throttle.acquire("vendor:lapse"), (admission) =>
          Effect.sync(() => times.push(admission.admittedAtMillis))
        )
      // The whole limit now, and ten callers waiting for the same slot one window later: both replicas were present
      // when those slots were given.
      yield* Effect.forEach(Array.from({ length: 10 }), () => record(busy))
      const waiting = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(record(busy)))
      yield* busy.snapshot("vendor:lapse").pipe(Effect.repeat({ until: (snapshot) => snapshot.reserved >= 10 }))
      // The other replica's commands stop being answered (a slow link, not a refused one): it falls back, and its
      // lease lapses well before the waiting slots come.
      relay.cut("blackhole")
      yield* nextEvent(events, "StoreFallback", "3 seconds")
      const local = yield* Effect.forEach(Array.from({ length: 5 }), () => Effect.fork(record(slow)))
      yield* Effect.forEach([...waiting, ...local], Fiber.join)
      // What the vendor counts: the waiting slots given at the full limit must not come on top of the fallen-back
      // replica's share (5 + 10 in one second before the fix).
      assert.isAtMost(maxInSpan(times, 1000), 10)
      assert.strictEqual(times.length, 25)
    })
  )
})

describe("a replica coming back over a slow link", () => {
  it.scopedLive("takes no local slot while it writes its local slots into Redis and takes its lease again", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.make
      const relay = yield* Effect.acquireRelease(
        Effect.promise(() => startRelay(server.port, "redis")),
        (relay) => Effect.promise(relay.close)
      )
      const options = (url: string): ThrottleRedis.Options => ({
        redis: url,
        replicas: 2,
        keys: { vendor: { windows: [{ limit: 10, window: "1 second" }] } },
        commandTimeout: "1500 millis",
        recoveryInterval: "200 millis"
      })
      const busy = yield* ThrottleRedis.make(options(server.url))
      const returning = yield* ThrottleRedis.make(options(relay.url))
      const events = yield* returning.subscribe
      const times: Array<{ readonly at: number; readonly replica: string }> = []
      const caller = (throttle: Throttle.ThrottleService, replica: string) =>
        Effect.forever(
          Effect.flatMap(throttle.acquire("vendor:rejoin"), (admission) =>
            // The returning replica's own clock time: a caller held back while the replica rejoins reports the time
            // it asked as its admission time (its reservation is then made in Redis, after the others').
            Effect.sync(() => times.push({ at: replica === "busy" ? admission.admittedAtMillis : Date.now(), replica }))
          )
        )
      const fibers = yield* Effect.forEach(
        [busy, returning].flatMap((throttle, index) => Array.from({ length: 4 }, () => [throttle, index] as const)),
        ([throttle, index]) => Effect.fork(caller(throttle, index === 0 ? "busy" : "returning"))
      )
      relay.cut("refuse")
      yield* nextEvent(events, "StoreFallback", "3 seconds")
      const fellBackAt = Date.now()
      // Running on its share until it has admitted locally.
      yield* Effect.sync(() => times.some((time) => time.replica === "returning" && time.at > fellBackAt)).pipe(
        Effect.repeat({ until: (admitted) => admitted, schedule: Schedule.spaced("20 millis") })
      )
      // Redis answers again, but every command takes 600 ms (300 each way): writing the local slots and taking the lease back span
      // most of a window, in which the local share comes round again.
      relay.slow(300)
      relay.restore()
      yield* nextEvent(events, "StoreRecovered", "10 seconds")
      relay.slow(0)
      const recoveredAt = Date.now()
      yield* Effect.sync(() => times.filter((time) => time.at > recoveredAt + 1000).length).pipe(
        Effect.repeat({ until: (count) => count >= 10, schedule: Schedule.spaced("20 millis") })
      )
      yield* Effect.forEach(fibers, Fiber.interrupt)
      // The returning replica's admissions through the slow link are left out: when such a call leaves is uncertain by
      // the link's delay (Redis records the slot when the script runs), a separate matter from the one tested here.
      const counted = times.filter((time) => time.replica === "busy" || time.at < recoveredAt).map((time) => time.at)
      console.log(
        `rejoin over a slow link: at most ${maxInSpan(counted, 1000)} per second; recovered ` +
          `${Math.round(recoveredAt - fellBackAt)} ms after the fallback`
      )
      // The slots taken locally while the lease was being taken back were not in Redis: 10 + up to 5 before the fix.
      assert.isAtMost(maxInSpan(counted, 1000), 10)
    })
  )
})
