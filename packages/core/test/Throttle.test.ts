/**
 * Tests of the in-memory throttle, timed by `TestClock`: the sliding-window guarantee under random arrivals, budget
 * use under saturation, fairness, deadlines, the queue bound, cooldowns, concurrency, adaptive rates, snapshots and
 * `Retry-After` parsing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as Throttle from "../src/Throttle.ts"
import { countBetween, fixedWindowRefusals, maxInSpan } from "./support/Admissions.ts"

const ocamba: Throttle.KeyPolicy = {
  windows: [
    { limit: 10, window: "1 second" },
    { limit: 150, window: "1 minute" }
  ]
}
const perSecond: Throttle.KeyPolicy = { windows: [{ limit: 10, window: "1 second" }] }

/** Lets forked fibers run up to their next suspension without moving the clock. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** Acquires and records the admission time on the clock. */
const acquireAt = (throttle: Throttle.ThrottleService, key: string, options?: Throttle.AcquireOptions) =>
  Effect.zipRight(throttle.acquire(key, options), Clock.currentTimeMillis)

const reasonOf = <A>(exit: Exit.Exit<A, Throttle.ThrottleError>): string | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.reason._tag : undefined

// ---------------------------------------------------------------------------------------------------------------------

interface Step {
  readonly gap: number
  readonly burst: number
  readonly deadline: number | undefined
}

/** Runs callers (each a list of steps: sleep `gap`, then `burst` acquisitions at once) and returns admission times. */
const simulate = (policy: Throttle.KeyPolicy, callers: ReadonlyArray<ReadonlyArray<Step>>) =>
  Effect.gen(function* () {
    const throttle = yield* Throttle.make({ keys: { vendor: policy } })
    const times: Array<number> = []
    let refused = 0
    let unlimitedRequests = 0
    const caller = (steps: ReadonlyArray<Step>) =>
      Effect.forEach(
        steps,
        (step) =>
          Effect.zipRight(
            Effect.sleep(Duration.millis(step.gap)),
            Effect.forEach(
              Array.from({ length: step.burst }),
              () => {
                if (step.deadline === undefined) unlimitedRequests++
                return acquireAt(
                  throttle,
                  "vendor:account",
                  step.deadline === undefined ? undefined : { deadline: Duration.millis(step.deadline) }
                ).pipe(
                  Effect.tap((time) => Effect.sync(() => times.push(time))),
                  Effect.catchTag("ThrottleError", () => Effect.sync(() => refused++))
                )
              },
              { concurrency: "unbounded", discard: true }
            )
          ),
        { discard: true }
      )
    const fiber = yield* Effect.fork(Effect.forEach(callers, caller, { concurrency: "unbounded", discard: true }))
    yield* TestClock.adjust(Duration.hours(3))
    yield* Fiber.join(fiber)
    return { times, refused, unlimitedRequests }
  }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext))

const stepArbitrary = (maxGap: number, maxBurst: number) =>
  fc.record({
    gap: fc.integer({ min: 0, max: maxGap }),
    burst: fc.integer({ min: 1, max: maxBurst }),
    deadline: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined, freq: 4 })
  })

describe("sliding window", () => {
  it("never admits more than the limit in any span of a window, 10 per second", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(stepArbitrary(1500, 8), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (callers) => {
          const { times, refused, unlimitedRequests } = await Effect.runPromise(simulate(perSecond, callers))
          assert.isAtMost(maxInSpan(times, 1000), 10)
          // Everyone without a deadline gets in eventually; only deadline callers can be refused.
          assert.isAtLeast(times.length, unlimitedRequests)
          assert.strictEqual(
            times.length + refused,
            callers.flat().reduce((sum, step) => sum + step.burst, 0)
          )
        }
      ),
      { numRuns: 25 }
    )
  })

  it("never admits more than the limit in any span of either window, 10 per second and 150 per minute", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(stepArbitrary(40_000, 60), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        async (callers) => {
          const { times } = await Effect.runPromise(simulate(ocamba, callers))
          assert.isAtMost(maxInSpan(times, 1000), 10)
          assert.isAtMost(maxInSpan(times, 60_000), 150)
        }
      ),
      { numRuns: 8 }
    )
  })

  it.scoped("uses at least 97% of 150 per minute under saturation, with no 429 from fixed windows", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { ocamba } })
      const times: Array<number> = []
      const caller = Effect.forever(
        Effect.flatMap(acquireAt(throttle, "ocamba:saturated"), (time) => Effect.sync(() => times.push(time)))
      )
      const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.fork(caller))
      yield* TestClock.adjust(Duration.minutes(5))
      yield* Effect.forEach(fibers, Fiber.interrupt)

      const admitted = countBetween(times, 0, 300_000)
      const budget = 150 * 5
      console.log(`saturated 5 minutes: ${admitted} admitted of ${budget} (${((100 * admitted) / budget).toFixed(1)}%)`)
      assert.isAtLeast(admitted, 0.97 * budget)
      // A burst of 10 goes at once.
      assert.strictEqual(countBetween(times, 0, 1), 10)
      assert.isAtMost(maxInSpan(times, 1000), 10)
      assert.isAtMost(maxInSpan(times, 60_000), 150)
      // A vendor counting fixed windows, whatever their alignment, refuses nothing.
      for (const offset of [0, 1, 50, 333, 999]) assert.strictEqual(fixedWindowRefusals(times, 10, 1000, offset), 0)
      for (const offset of [0, 1, 14_999, 30_000, 59_999]) {
        assert.strictEqual(fixedWindowRefusals(times, 150, 60_000, offset), 0)
      }
    })
  )
})

describe("measured send delay", () => {
  it.scoped("widens every window by the delay between admission and the request leaving", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond }, safetyMargin: 0 })
      const first = yield* throttle.acquire("vendor:delay")
      yield* Effect.forEach(Array.from({ length: 9 }), () => throttle.acquire("vendor:delay"))
      // The first request left 200 ms after its slot (a stalled event loop): it reaches the vendor 200 ms late.
      yield* TestClock.adjust("200 millis")
      yield* throttle.sent(first)
      const eleventh = yield* Effect.fork(acquireAt(throttle, "vendor:delay"))
      yield* settle
      // Without the delay it would go at 1000 ms, a window after the first's slot but 800 ms after it arrived.
      yield* TestClock.adjust("999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(eleventh)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(eleventh), 1200)
    })
  )

  it.scoped("is reported with markSent inside withThrottle", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond }, safetyMargin: 0 })
      const stalled = Effect.zipRight(TestClock.adjust("300 millis"), Throttle.markSent)
      yield* throttle.withThrottle("vendor:marked")(stalled)
      const snapshot = yield* throttle.snapshot("vendor:marked")
      // The configured window is reported as configured; the widening shows in when the entry leaves it.
      assert.strictEqual(Duration.toMillis(snapshot.windows[0]!.window), 1000)
      assert.strictEqual(Duration.toMillis(snapshot.windows[0]!.resetAfter), 1000)
    })
  )
})

describe("fast path", () => {
  it.scoped("admits an uncontended burst at once, in order, and falls back to waiting when the window is full", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      const events = yield* throttle.subscribe
      const times = yield* Effect.forEach(Array.from({ length: 10 }), () => acquireAt(throttle, "vendor:fast"))
      assert.deepStrictEqual(
        times,
        Array.from({ length: 10 }, () => 0)
      )
      const eleventh = yield* Effect.fork(acquireAt(throttle, "vendor:fast"))
      yield* settle
      yield* TestClock.adjust("1050 millis")
      assert.strictEqual(yield* Fiber.join(eleventh), 1050)
      // Listeners still see every admission, and the metrics count them.
      const all = yield* Queue.takeAll(events)
      assert.strictEqual([...all].filter(Throttle.ThrottleEvent.$is("Admitted")).length, 11)
      const snapshot = yield* throttle.snapshot("vendor:fast")
      assert.strictEqual(snapshot.windows[0]!.used, 1)
    })
  )

  // `tryAdmit` and `snapshotNow` read the system clock, so these run on it (`it.live`).
  it.live("tryAdmit takes slots synchronously from the same log, and refuses what would need a wait", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const throttle = yield* Throttle.make({ keys: { vendor: { ...perSecond, maxConcurrent: 3 } } })
        // An unseen key has no state yet: the first call takes the full path.
        assert.isUndefined(throttle.tryAdmit("vendor:sync"))
        assert.isUndefined(throttle.snapshotNow("vendor:sync"))
        yield* throttle.acquire("vendor:sync")
        const tickets = [throttle.tryAdmit("vendor:sync"), throttle.tryAdmit("vendor:sync")]
        assert.isTrue(tickets.every((ticket) => ticket !== undefined))
        // Three permits (`acquire` takes none): a third ticket fits, a fourth does not until one is done.
        const third = throttle.tryAdmit("vendor:sync")
        assert.isDefined(third)
        assert.isUndefined(throttle.tryAdmit("vendor:sync"))
        third!.done(true)
        third!.done(true)
        const fourth = throttle.tryAdmit("vendor:sync")
        assert.isDefined(fourth)
        const snapshot = throttle.snapshotNow("vendor:sync")!
        assert.strictEqual(snapshot.windows[0]!.used, 5)
        assert.strictEqual(snapshot.inFlight, 3)
        assert.deepStrictEqual(
          snapshot.windows.map((window) => window.used),
          (yield* throttle.snapshot("vendor:sync")).windows.map((window) => window.used)
        )
        for (const ticket of [...tickets, fourth]) ticket!.done(false)
        // Five more fill the window; the next one would wait, so it is refused and nothing is written.
        for (let index = 0; index < 5; index++) throttle.tryAdmit("vendor:sync")!.done(true)
        assert.isUndefined(throttle.tryAdmit("vendor:sync"))
        assert.strictEqual(throttle.snapshotNow("vendor:sync")!.windows[0]!.used, 10)
        assert.strictEqual(throttle.snapshotNow("vendor:sync")!.inFlight, 0)
      })
    )
  )
})

describe("fairness", () => {
  it.scoped("serves callers in arrival order: an occasional caller waits only for those who came before it", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      const greedyBefore = yield* Effect.forEach(Array.from({ length: 30 }), () =>
        Effect.fork(acquireAt(throttle, "vendor:fair"))
      )
      yield* settle
      const occasional = yield* Effect.fork(acquireAt(throttle, "vendor:fair"))
      yield* settle
      const greedyAfter = yield* Effect.forEach(Array.from({ length: 30 }), () =>
        Effect.fork(acquireAt(throttle, "vendor:fair"))
      )
      yield* TestClock.adjust(Duration.seconds(10))
      const before = yield* Effect.forEach(greedyBefore, Fiber.join)
      const mine = yield* Fiber.join(occasional)
      const after = yield* Effect.forEach(greedyAfter, Fiber.join)
      // 30 ahead of it at 10 per (1 s + 50 ms margin): slots 0, 1050, 2100, then its own at 3150.
      assert.strictEqual(mine, 3150)
      assert.isTrue(before.every((time) => time <= mine))
      assert.isTrue(after.every((time) => time >= mine))
    })
  )

  it.scoped("bounds the occasional caller's wait by its queue position while a greedy caller saturates", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      const greedy = Effect.forever(throttle.acquire("vendor:busy"))
      // The greedy caller keeps 50 acquisitions outstanding at all times.
      const fibers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(greedy))
      const waits = yield* Effect.fork(
        Effect.forEach([10_000, 10_000, 10_000], (gap) =>
          Effect.zipRight(
            Effect.sleep(Duration.millis(gap)),
            Effect.map(throttle.acquire("vendor:busy"), (admission) => Duration.toMillis(admission.waited))
          )
        )
      )
      yield* TestClock.adjust(Duration.seconds(60))
      const waited = yield* Fiber.join(waits)
      yield* Effect.forEach(fibers, Fiber.interrupt)
      // At most 50 ahead of it: it runs within the 6th window (6 × 1050 ms), however greedy the other caller is.
      for (const wait of waited) {
        assert.isAbove(wait, 0)
        assert.isAtMost(wait, 6 * 1050)
      }
    })
  )
})

describe("deadline", () => {
  it.scoped("fails at once with DeadlineExceeded and reserves nothing when the slot is beyond it", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire("vendor:deadline"))
      const attempt = yield* Effect.fork(Effect.exit(throttle.acquire("vendor:deadline", { deadline: "500 millis" })))
      yield* settle
      // Finished without the clock moving.
      const polled = yield* Fiber.poll(attempt)
      assert.isTrue(Option.isSome(polled))
      const exit = yield* Fiber.join(attempt)
      assert.strictEqual(reasonOf(exit), "DeadlineExceeded")
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error.reason._tag === "DeadlineExceeded") {
        assert.strictEqual(Duration.toMillis(exit.cause.error.reason.retryAfter), 1050)
      }
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
      assert.strictEqual((yield* throttle.snapshot("vendor:deadline")).reserved, 0)
      // The slot it would have taken is still the next one.
      const later = yield* Effect.fork(acquireAt(throttle, "vendor:deadline"))
      yield* TestClock.adjust(Duration.seconds(2))
      assert.strictEqual(yield* Fiber.join(later), 1050)
    })
  )

  it.scoped("admits when the slot is within the deadline", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire("vendor:within"))
      const attempt = yield* Effect.fork(acquireAt(throttle, "vendor:within", { deadline: "2 seconds" }))
      yield* TestClock.adjust(Duration.seconds(2))
      assert.strictEqual(yield* Fiber.join(attempt), 1050)
    })
  )
})

describe("queue bound", () => {
  it.scoped("fails at once with QueueFull when maxQueue callers already wait", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({
        keys: { vendor: { windows: [{ limit: 1, window: "1 second" }] } },
        maxQueue: 3
      })
      yield* throttle.acquire("vendor:queue")
      const waiting = yield* Effect.forEach(Array.from({ length: 3 }), () =>
        Effect.fork(acquireAt(throttle, "vendor:queue"))
      )
      yield* settle
      assert.strictEqual((yield* throttle.snapshot("vendor:queue")).queueDepth, 3)
      const refused = yield* Effect.exit(throttle.acquire("vendor:queue"))
      assert.strictEqual(reasonOf(refused), "QueueFull")
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
      yield* TestClock.adjust(Duration.seconds(5))
      assert.deepStrictEqual(yield* Effect.forEach(waiting, Fiber.join), [1050, 2100, 3150])
      // Once drained, callers queue again.
      const next = yield* Effect.fork(acquireAt(throttle, "vendor:queue"))
      yield* TestClock.adjust(Duration.seconds(2))
      assert.strictEqual(yield* Fiber.join(next), 5000)
    })
  )
})

describe("interruption", () => {
  it.scoped("releases a reservation abandoned before its time", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire("vendor:abandon"))
      const abandoned = yield* Effect.fork(throttle.acquire("vendor:abandon"))
      yield* settle
      assert.strictEqual((yield* throttle.snapshot("vendor:abandon")).reserved, 1)
      yield* Fiber.interrupt(abandoned)
      assert.strictEqual((yield* throttle.snapshot("vendor:abandon")).reserved, 0)
      assert.strictEqual((yield* throttle.snapshot("vendor:abandon")).queueDepth, 0)
      // Ten more fit into the released window at 1050, not eleven.
      const next = yield* Effect.forEach(Array.from({ length: 11 }), () =>
        Effect.fork(acquireAt(throttle, "vendor:abandon"))
      )
      yield* TestClock.adjust(Duration.seconds(3))
      const times = yield* Effect.forEach(next, Fiber.join)
      assert.strictEqual(times.filter((time) => time === 1050).length, 10)
      assert.strictEqual(times[10], 2100)
    })
  )
})

describe("pause", () => {
  it.scoped("holds every waiting caller, in order, until the cooldown ends", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      const events = yield* throttle.subscribe
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire("vendor:pause"))
      const order: Array<string> = []
      const waiter = (name: string) =>
        Effect.fork(Effect.tap(acquireAt(throttle, "vendor:pause"), () => Effect.sync(() => order.push(name))))
      const first = yield* waiter("first")
      const second = yield* waiter("second")
      yield* settle
      yield* TestClock.adjust(Duration.millis(100))
      yield* throttle.pause("vendor:pause", Duration.seconds(5))
      const third = yield* waiter("third")
      yield* settle
      const cooldown = (yield* throttle.snapshot("vendor:pause")).cooldown
      assert.strictEqual(Duration.toMillis(cooldown), 5000)
      yield* TestClock.adjust(Duration.millis(4999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))
      yield* TestClock.adjust(Duration.seconds(2))
      assert.deepStrictEqual(yield* Effect.forEach([first, second, third], Fiber.join), [5100, 5100, 5100])
      assert.deepStrictEqual(order, ["first", "second", "third"])
      const all = yield* Queue.takeAll(events)
      const started = [...all].filter(Throttle.ThrottleEvent.$is("CooldownStarted"))
      assert.strictEqual(started.length, 1)
      assert.strictEqual(Duration.toMillis(started[0]!.retryAfter), 5000)
      assert.strictEqual(started[0]!.until.getTime(), 5100)
    })
  )

  it.scoped("caps a cooldown at maxCooldown", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond }, maxCooldown: "10 seconds" })
      yield* throttle.pause("vendor:cap", Duration.hours(1))
      const next = yield* Effect.fork(acquireAt(throttle, "vendor:cap"))
      yield* TestClock.adjust(Duration.minutes(1))
      assert.strictEqual(yield* Fiber.join(next), 10_000)
    })
  )
})

describe("concurrency", () => {
  it.scoped("halves the cap on lowerConcurrency and recovers it additively after successes", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({
        keys: { vendor: { windows: [{ limit: 1000, window: "1 second" }], maxConcurrent: 4 } }
      })
      let running = 0
      let most = 0
      const call = throttle.withThrottle("vendor:concurrency")(
        Effect.acquireUseRelease(
          Effect.sync(() => {
            running++
            most = Math.max(most, running)
          }),
          () => Effect.sleep(Duration.seconds(1)),
          () => Effect.sync(() => running--)
        )
      )
      const batch = (size: number) =>
        Effect.fork(Effect.forEach(Array.from({ length: size }), () => call, { concurrency: "unbounded" }))

      const first = yield* batch(8)
      yield* settle
      assert.strictEqual(running, 4)
      yield* throttle.lowerConcurrency("vendor:concurrency")
      const cap = (yield* throttle.snapshot("vendor:concurrency")).maxConcurrent
      assert.deepStrictEqual(cap, Option.some(2))
      // The 4 running finish; the next ones run at most 2 at a time.
      yield* TestClock.adjust(Duration.seconds(1))
      most = running
      yield* TestClock.adjust(Duration.seconds(10))
      yield* Fiber.join(first)
      assert.strictEqual(most, 2)
      // Only calls started after the lowering count: 2 successes at cap 2 raise it to 3, then 2 of the 3 needed.
      const recovered = (yield* throttle.snapshot("vendor:concurrency")).maxConcurrent
      assert.deepStrictEqual(recovered, Option.some(3))
      const second = yield* batch(3)
      yield* TestClock.adjust(Duration.seconds(5))
      yield* Fiber.join(second)
      assert.deepStrictEqual((yield* throttle.snapshot("vendor:concurrency")).maxConcurrent, Option.some(4))
      // Never above the configured maximum.
      const third = yield* batch(12)
      yield* TestClock.adjust(Duration.seconds(10))
      yield* Fiber.join(third)
      assert.deepStrictEqual((yield* throttle.snapshot("vendor:concurrency")).maxConcurrent, Option.some(4))
    })
  )
})

describe("cost", () => {
  it.scoped("takes `cost` entries in every window at once, and dies on a cost above the smallest limit", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      yield* throttle.acquire("vendor:cost", { cost: 4 })
      yield* throttle.acquire("vendor:cost", { cost: 4 })
      assert.strictEqual((yield* throttle.snapshot("vendor:cost")).windows[0]?.used, 8)
      // 3 more do not fit beside 8: the next slot is one window (with margin) later.
      const heavy = yield* Effect.fork(acquireAt(throttle, "vendor:cost", { cost: 3 }))
      const light = yield* Effect.fork(acquireAt(throttle, "vendor:cost", { cost: 1 }))
      yield* TestClock.adjust(Duration.seconds(2))
      assert.strictEqual(yield* Fiber.join(heavy), 1050)
      // First come, first served: the light call does not overtake the heavy one, though it would have fitted at 0.
      assert.strictEqual(yield* Fiber.join(light), 1050)
      const exit = yield* Effect.exit(throttle.acquire("vendor:cost", { cost: 11 }))
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
    })
  )
})

describe("concurrency deadline", () => {
  it.scoped("fails with DeadlineExceeded when no permit frees up before the deadline, and leaves the queue clean", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({
        keys: { vendor: { windows: [{ limit: 100, window: "1 second" }], maxConcurrent: 1 } }
      })
      const busy = yield* Effect.fork(throttle.withThrottle("vendor:permit")(Effect.sleep(Duration.seconds(10))))
      yield* settle
      const attempt = yield* Effect.fork(
        Effect.exit(throttle.withThrottle("vendor:permit", { deadline: "500 millis" })(Effect.void))
      )
      yield* settle
      assert.strictEqual((yield* throttle.snapshot("vendor:permit")).queueDepth, 1)
      yield* TestClock.adjust(Duration.millis(500))
      const exit = yield* Fiber.join(attempt)
      assert.strictEqual(reasonOf(exit), "DeadlineExceeded")
      const snapshot = yield* throttle.snapshot("vendor:permit")
      assert.strictEqual(snapshot.queueDepth, 0)
      assert.strictEqual(snapshot.inFlight, 1)
      // The permit goes to the next caller once the busy one ends: nothing was left behind in the gate.
      const next = yield* Effect.fork(
        Effect.zipRight(throttle.withThrottle("vendor:permit")(Effect.void), Clock.currentTimeMillis)
      )
      yield* TestClock.adjust(Duration.seconds(10))
      yield* Fiber.join(busy)
      assert.strictEqual(yield* Fiber.join(next), 10_000)
    })
  )
})

describe("adaptive", () => {
  it.scoped("halves the rate on a 429 and recovers it by one per window of successes", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({
        keys: { copernica: { windows: [], adaptive: { initial: 6, window: "1 second", ceiling: 8 } } },
        safetyMargin: Duration.zero
      })
      const events = yield* throttle.subscribe
      const limitNow = Effect.map(throttle.snapshot("copernica:acme"), (snapshot) => snapshot.windows[0]?.limit)
      assert.strictEqual(yield* limitNow, 6)

      yield* throttle.pause("copernica:acme", Duration.seconds(1))
      assert.strictEqual(yield* limitNow, 3)

      const times: Array<number> = []
      const caller = Effect.forever(
        throttle.withThrottle("copernica:acme")(
          Effect.flatMap(Clock.currentTimeMillis, (time) => Effect.sync(() => times.push(time)))
        )
      )
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(caller))
      // Successes at 2 s and 3 s (a full window after the cooldown ended at 1 s, then after the last raise).
      yield* TestClock.adjust(Duration.millis(3500))
      assert.strictEqual(yield* limitNow, 5)
      yield* TestClock.adjust(Duration.millis(12_500))
      yield* Effect.forEach(fibers, Fiber.interrupt)

      const changes = [...(yield* Queue.takeAll(events))].filter(Throttle.ThrottleEvent.$is("RateChanged"))
      assert.deepStrictEqual(
        changes.map((change) => change.limit),
        [3, 4, 5, 6, 7, 8]
      )
      // Nothing ran during the cooldown, then 3 in the first second; never more than the ceiling in any second, and
      // the full ceiling once recovered.
      assert.strictEqual(countBetween(times, 0, 1000), 0)
      assert.strictEqual(countBetween(times, 1000, 2000), 3)
      assert.isAtMost(maxInSpan(times, 1000), 8)
      assert.strictEqual(countBetween(times, 14_000, 15_000), 8)
      console.log(
        "adaptive admissions per second:",
        Array.from({ length: 16 }, (_, second) => countBetween(times, second * 1000, (second + 1) * 1000)).join(" ")
      )

      yield* throttle.pause("copernica:acme", Duration.millis(1))
      assert.strictEqual(yield* limitNow, 4)
      // More 429s from the same burst do not lower it again within the window.
      yield* throttle.pause("copernica:acme", Duration.millis(1))
      yield* throttle.pause("copernica:acme", Duration.millis(1))
      assert.strictEqual(yield* limitNow, 4)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* throttle.pause("copernica:acme", Duration.millis(1))
      assert.strictEqual(yield* limitNow, 2)
    })
  )
})

describe("snapshot", () => {
  it.scoped("reports used and remaining per window, reservations and queue depth", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { ocamba } })
      yield* Effect.forEach(Array.from({ length: 3 }), () => throttle.acquire("ocamba:snapshot"))
      const snapshot = yield* throttle.snapshot("ocamba:snapshot")
      assert.strictEqual(snapshot.backend, "memory")
      assert.deepStrictEqual(
        snapshot.windows.map((window) => [
          window.limit,
          Duration.toMillis(window.window),
          window.used,
          window.remaining
        ]),
        [
          [10, 1000, 3, 7],
          [150, 60_000, 3, 147]
        ]
      )
      assert.strictEqual(Duration.toMillis(snapshot.windows[0]!.resetAfter), 1050)
      assert.strictEqual(Duration.toMillis(snapshot.cooldown), 0)
      assert.deepStrictEqual(snapshot.maxConcurrent, Option.none())
    })
  )
})

describe("observability", () => {
  it.scoped("publishes Admitted and Refused events and updates the metrics", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.make({ keys: { vendor: perSecond } })
      const events = yield* throttle.subscribe
      const key = "vendor:observed"
      yield* Effect.forEach(Array.from({ length: 10 }), () => throttle.acquire(key))
      yield* Effect.exit(throttle.acquire(key, { deadline: Duration.zero }))
      const waiter = yield* Effect.fork(throttle.acquire(key))
      yield* TestClock.adjust(Duration.seconds(2))
      yield* Fiber.join(waiter)
      const all = [...(yield* Queue.takeAll(events))]
      assert.strictEqual(all.filter(Throttle.ThrottleEvent.$is("Admitted")).length, 11)
      const refused = all.filter(Throttle.ThrottleEvent.$is("Refused"))
      assert.deepStrictEqual(
        refused.map((event) => event.reason._tag),
        ["DeadlineExceeded"]
      )
      const last = all.filter(Throttle.ThrottleEvent.$is("Admitted")).at(-1)!
      assert.strictEqual(Duration.toMillis(last.waited), 1050)

      const admitted = yield* Metric.value(Metric.tagged(Throttle.metrics.admitted, "key", key))
      assert.strictEqual(admitted.count, 11)
      const waits = yield* Metric.value(Metric.tagged(Throttle.metrics.waitTime, "key", key))
      assert.strictEqual(waits.count, 11)
      assert.strictEqual(waits.max, 1.05)
      const refusals = yield* Metric.value(
        Metric.tagged(Metric.tagged(Throttle.metrics.refused, "key", key), "reason", "DeadlineExceeded")
      )
      assert.strictEqual(refusals.count, 1)
    })
  )
})

describe("policies", () => {
  it.effect("dies on a key without a policy", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.scoped(
        Effect.flatMap(Throttle.make({ keys: { vendor: perSecond } }), (throttle) =>
          Effect.exit(throttle.acquire("other:key"))
        )
      )
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
    })
  )

  it.effect("dies on a policy without any limit", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.scoped(
        Effect.flatMap(Throttle.make({ keys: { vendor: { windows: [] } } }), (throttle) =>
          Effect.exit(throttle.acquire("vendor:a"))
        )
      )
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
    })
  )

  it.effect("looks a key up whole, then by the part before the first colon", () =>
    Effect.gen(function* () {
      const snapshot = yield* Effect.scoped(
        Effect.flatMap(
          Throttle.make({
            keys: { vendor: perSecond, "vendor:special": { windows: [{ limit: 2, window: "1 second" }] } }
          }),
          (throttle) => Effect.all([throttle.snapshot("vendor:special"), throttle.snapshot("vendor:other")])
        )
      )
      assert.deepStrictEqual(
        snapshot.map((one) => one.windows[0]?.limit),
        [2, 10]
      )
    })
  )

  it("converts the contracts' rate-limit metadata to windows", () => {
    const windows = Throttle.windowsFromRateLimits({
      windows: [
        { limit: 10, windowSeconds: 1 },
        { limit: 150, windowSeconds: 60 }
      ]
    })
    assert.deepStrictEqual(
      windows.map((window) => [window.limit, Duration.toMillis(Duration.decode(window.window))]),
      [
        [10, 1000],
        [150, 60_000]
      ]
    )
  })
})

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0)
  const delayOf = (header: string | undefined, max?: Duration.DurationInput) => {
    const parsed = Throttle.parseRetryAfter(header, now, max === undefined ? undefined : { max })
    if (Option.isNone(parsed)) return "none"
    return parsed.value._tag === "Delay" ? Duration.toMillis(parsed.value.delay) : parsed.value._tag
  }

  it("reads delay-seconds", () => {
    assert.strictEqual(delayOf("120"), 120_000)
    assert.strictEqual(delayOf(" 0 "), 0)
    assert.strictEqual(delayOf("1.5"), 1500)
  })

  it("reads the three HTTP-date forms as GMT", () => {
    assert.strictEqual(delayOf("Thu, 15 Jan 2026 12:00:30 GMT"), 30_000)
    assert.strictEqual(delayOf("Thursday, 15-Jan-26 12:01:00 GMT"), 60_000)
    assert.strictEqual(delayOf("Thu Jan 15 12:00:05 2026"), 5000)
  })

  it("gives zero for a date in the past", () => {
    assert.strictEqual(delayOf("Thu, 15 Jan 2026 11:00:00 GMT"), 0)
  })

  it("reads -1 as a request to lower concurrency", () => {
    assert.strictEqual(delayOf("-1"), "LowerConcurrency")
  })

  it("returns None for garbage and absent headers", () => {
    for (const header of ["", "soon", "5s", "-5", "1e3", "Thu, 15 Jan 2026 25:00:00 GMT", "2026-01-15T12:00:30Z"]) {
      assert.strictEqual(delayOf(header), "none", header)
    }
    assert.strictEqual(delayOf(undefined), "none")
    assert.isTrue(Option.isNone(Throttle.parseRetryAfter(null, now)))
  })

  it("caps the delay at the maximum, 5 minutes by default", () => {
    assert.strictEqual(delayOf("86400"), 300_000)
    assert.strictEqual(delayOf("Fri, 16 Jan 2026 12:00:00 GMT"), 300_000)
    assert.strictEqual(delayOf("90", "1 minute"), 60_000)
  })
})
