/**
 * Tests for `Retry`: backoff and jitter, `Retry-After` handling, the attempt hooks, and repeat safety per operation
 * policy (`safe`, `check-first`, `never`). All time runs on `TestClock`; randomness on a fixed or seeded `Random`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Retry from "../src/Retry.ts"

// A stand-in for a vendor client's error: one tagged error with a `reason` union, as `OcambaError` will have.
type VendorReason =
  | {
      readonly _tag: "RateLimited"
      readonly retryAfter: Option.Option<Duration.Duration>
      readonly concurrencyLimited: boolean
    }
  | { readonly _tag: "ServerError"; readonly status: number }
  | { readonly _tag: "Transport" }
  | { readonly _tag: "Timeout" }
  | { readonly _tag: "BadRequest"; readonly message: string }
  | { readonly _tag: "NotFound" }

class VendorError extends Data.TaggedError("VendorError")<{ readonly reason: VendorReason }> {}

const serverError = (status = 500) => new VendorError({ reason: { _tag: "ServerError", status } })
const transport = new VendorError({ reason: { _tag: "Transport" } })
const badRequest = new VendorError({ reason: { _tag: "BadRequest", message: "label is required" } })
const rateLimited = (retryAfter: Option.Option<Duration.Duration>) =>
  new VendorError({ reason: { _tag: "RateLimited", retryAfter, concurrencyLimited: false } })

const classify = Retry.transientByTag(["RateLimited", "ServerError", "Transport", "Timeout"])
const isAmbiguous = (error: VendorError): boolean =>
  error.reason._tag === "Transport" || error.reason._tag === "Timeout" || error.reason._tag === "ServerError"

// An attempt that fails with `failures[n]` on its n-th run (counting from 0) and succeeds with `value` once the list
// is used up; `runs` counts every run.
const scripted = <A>(runs: Ref.Ref<number>, failures: ReadonlyArray<VendorError>, value: A) =>
  Effect.flatMap(
    Ref.getAndUpdate(runs, (n) => n + 1),
    (n) => {
      const failure = failures[n]
      return failure === undefined ? Effect.succeed(value) : Effect.fail(failure)
    }
  )

const millis = (duration: Duration.Duration) => Duration.toMillis(duration)

describe("nextDelay", () => {
  it.effect.prop(
    "full jitter stays within [0, min(maxDelay, baseDelay * 2^(attempt - 1)))",
    {
      seed: FastCheck.integer(),
      attempt: FastCheck.integer({ min: 1, max: 70 }),
      base: FastCheck.integer({ min: 0, max: 10_000 }),
      cap: FastCheck.integer({ min: 0, max: 120_000 })
    },
    ({ attempt, base, cap, seed }) =>
      Effect.gen(function* () {
        const policy = Retry.makePolicy({ baseDelay: Duration.millis(base), maxDelay: Duration.millis(cap) })
        const delay = millis(yield* Retry.nextDelay(policy, { attempt, retryAfter: Option.none() }))
        const ceiling = Math.min(cap, base * 2 ** (attempt - 1))
        assert.isTrue(Number.isInteger(delay))
        assert.isTrue(delay >= 0)
        assert.isTrue(ceiling === 0 ? delay === 0 : delay < ceiling, `delay ${delay} ceiling ${ceiling}`)
      }).pipe(Effect.withRandom(Random.make(seed)))
  )

  it.effect("scales the random draw by a ceiling that doubles per attempt up to the cap", () =>
    Effect.gen(function* () {
      const policy = Retry.makePolicy({ baseDelay: "500 millis", maxDelay: "30 seconds" })
      const delays: Array<number> = []
      for (const attempt of [1, 2, 3, 4, 7, 8, 30]) {
        delays.push(millis(yield* Retry.nextDelay(policy, { attempt, retryAfter: Option.none() })))
      }
      // Ceilings: 500, 1000, 2000, 4000, 32000 → 30000 (capped), 30000, 30000; the fixed draw is half of each.
      assert.deepStrictEqual(delays, [250, 500, 1000, 2000, 15_000, 15_000, 15_000])
    }).pipe(Effect.withRandom(Random.fixed([0.5])))
  )

  it.effect("covers the whole range: a draw near 0 waits near 0, a draw near 1 waits just under the ceiling", () =>
    Effect.gen(function* () {
      const policy = Retry.makePolicy({ baseDelay: "1 second" })
      const low = yield* Retry.nextDelay(policy, { attempt: 3, retryAfter: Option.none() })
      const high = yield* Retry.nextDelay(policy, { attempt: 3, retryAfter: Option.none() })
      assert.strictEqual(millis(low), 0)
      assert.strictEqual(millis(high), 3999)
    }).pipe(Effect.withRandom(Random.fixed([0, 0.99999])))
  )

  it.effect("honours a Retry-After and only adds jitter on top of it", () =>
    Effect.gen(function* () {
      const policy = Retry.makePolicy({ retryAfterJitter: "1 second" })
      const early = yield* Retry.nextDelay(policy, { attempt: 4, retryAfter: Option.some(Duration.seconds(7)) })
      const late = yield* Retry.nextDelay(policy, { attempt: 4, retryAfter: Option.some(Duration.seconds(7)) })
      assert.strictEqual(millis(early), 7000)
      assert.strictEqual(millis(late), 7999)
    }).pipe(Effect.withRandom(Random.fixed([0, 0.99999])))
  )

  it.effect("clamps a Retry-After above maxRetryAfter to the cap", () =>
    Effect.gen(function* () {
      const policy = Retry.makePolicy({ maxRetryAfter: "5 minutes", retryAfterJitter: 0 })
      const delay = yield* Retry.nextDelay(policy, { attempt: 1, retryAfter: Option.some(Duration.hours(2)) })
      assert.strictEqual(millis(delay), 5 * 60_000)
    })
  )
})

describe("backoff", () => {
  it.effect.prop(
    "waits what nextDelay says for each attempt, with or without a Retry-After, from the same draws",
    {
      seed: FastCheck.integer(),
      base: FastCheck.integer({ min: 0, max: 10_000 }),
      cap: FastCheck.integer({ min: 0, max: 120_000 }),
      retryAfters: FastCheck.array(FastCheck.option(FastCheck.integer({ min: 0, max: 600_000 })), {
        minLength: 1,
        maxLength: 40
      })
    },
    ({ base, cap, retryAfters, seed }) =>
      Effect.gen(function* () {
        const policy = Retry.makePolicy({ baseDelay: Duration.millis(base), maxDelay: Duration.millis(cap) })
        const inputs = retryAfters.map((retryAfter) => Option.map(Option.fromNullable(retryAfter), Duration.millis))
        const scheduled = yield* Schedule.run(Retry.backoff(policy), 0, inputs).pipe(
          Effect.withRandom(Random.make(seed))
        )
        const direct = yield* Effect.forEach(inputs, (retryAfter, index) =>
          Retry.nextDelay(policy, { attempt: index + 1, retryAfter })
        ).pipe(Effect.withRandom(Random.make(seed)))
        assert.deepStrictEqual(Array.from(scheduled, millis), direct.map(millis))
      })
  )

  it.effect("drives Effect.retry: doubling ceilings, the cap, then a Retry-After honoured", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const policy = Retry.makePolicy({ baseDelay: "1 second", maxDelay: "3 seconds", retryAfterJitter: 0 })
      const fiber = yield* scripted(
        runs,
        [transport, transport, transport, rateLimited(Option.some(Duration.seconds(7)))],
        "ok"
      ).pipe(
        Effect.retry(
          Retry.backoff(policy).pipe(
            Schedule.mapInput((error: VendorError) =>
              error.reason._tag === "RateLimited" ? error.reason.retryAfter : Option.none()
            ),
            Schedule.intersect(Schedule.recurs(4))
          )
        ),
        Effect.withRandom(Random.fixed([0.5])),
        Effect.fork
      )
      // Waits: 500 (half of 1 s), 1000 (half of 2 s), 1500 (half of 3 s, capped), 7000 (the Retry-After).
      for (const [wait, runsAfter] of [
        [500, 2],
        [1000, 3],
        [1500, 4],
        [7000, 5]
      ] as const) {
        yield* TestClock.adjust(Duration.millis(wait - 1))
        assert.strictEqual(yield* Ref.get(runs), runsAfter - 1)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(yield* Ref.get(runs), runsAfter)
      }
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
    })
  )
})

describe("makePolicy", () => {
  it("applies the documented defaults", () => {
    const policy = Retry.makePolicy()
    assert.strictEqual(policy.maxAttempts, 5)
    assert.strictEqual(millis(policy.baseDelay), 500)
    assert.strictEqual(millis(policy.maxDelay), 30_000)
    assert.strictEqual(millis(policy.maxRetryAfter), 300_000)
    assert.strictEqual(millis(policy.retryAfterJitter), 1000)
    assert.deepStrictEqual(Retry.makePolicy(Retry.defaultPolicy), Retry.defaultPolicy)
  })

  it("keeps at least one attempt", () => {
    assert.strictEqual(Retry.makePolicy({ maxAttempts: 0 }).maxAttempts, 1)
    assert.strictEqual(Retry.makePolicy({ maxAttempts: 2.7 }).maxAttempts, 2)
    assert.strictEqual(Retry.makePolicy({ maxAttempts: Number.NaN }).maxAttempts, 5)
  })
})

describe("transientByTag", () => {
  it("retries listed reason tags and own tags, stops on anything else", () => {
    const decide = Retry.transientByTag(["ServerError", "TimeoutException"])
    assert.strictEqual(decide(serverError(502))._tag, "Retry")
    assert.strictEqual(decide({ _tag: "TimeoutException" })._tag, "Retry")
    assert.strictEqual(decide(badRequest)._tag, "Stop")
    assert.strictEqual(decide(new Error("ServerError"))._tag, "Stop")
    assert.strictEqual(decide("ServerError")._tag, "Stop")
    assert.strictEqual(decide(undefined)._tag, "Stop")
  })

  it("reads retryAfter from the reason when it is an Option or a Duration", () => {
    const decide = Retry.transientByTag(["RateLimited"])
    const withOption = decide(rateLimited(Option.some(Duration.seconds(7))))
    const withDuration = decide({ _tag: "Limited", reason: { _tag: "RateLimited", retryAfter: Duration.seconds(3) } })
    const withGarbage = decide({ _tag: "Limited", reason: { _tag: "RateLimited", retryAfter: "7" } })
    assert.deepStrictEqual(withOption, Retry.Decision.Retry({ retryAfter: Option.some(Duration.seconds(7)) }))
    assert.deepStrictEqual(withDuration, Retry.Decision.Retry({ retryAfter: Option.some(Duration.seconds(3)) }))
    assert.deepStrictEqual(withGarbage, Retry.Decision.Retry({ retryAfter: Option.none() }))
  })

  it("uses getRetryAfter when given", () => {
    const decide = Retry.transientByTag<VendorError>(["ServerError"], () => Option.some(Duration.seconds(2)))
    assert.deepStrictEqual(
      decide(serverError()),
      Retry.Decision.Retry({ retryAfter: Option.some(Duration.seconds(2)) })
    )
  })
})

describe("retry", () => {
  it.effect("waits a full-jitter backoff between attempts, on the Clock", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const delays: Array<number> = []
      const fiber = yield* scripted(runs, [serverError(), serverError(), serverError()], "ok").pipe(
        Retry.retry({
          policy: { baseDelay: "1 second" },
          classify,
          onRetry: ({ delay }) => Effect.sync(() => delays.push(millis(delay)))
        }),
        Effect.withRandom(Random.fixed([0.5])),
        Effect.fork
      )
      // Fixed draw 0.5 of ceilings 1 s, 2 s, 4 s: the retries come at 500 ms, +1000 ms, +2000 ms.
      yield* TestClock.adjust("499 millis")
      assert.strictEqual(yield* Ref.get(runs), 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Ref.get(runs), 2)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(yield* Ref.get(runs), 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Ref.get(runs), 3)
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(yield* Ref.get(runs), 4)
      assert.deepStrictEqual(delays, [500, 1000, 2000])
    })
  )

  it.effect("respects maxAttempts and fails with the last error, unchanged", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const givenUp: Array<Retry.GiveUpEvent<VendorError>> = []
      const fiber = yield* scripted(
        runs,
        [serverError(500), serverError(502), serverError(503), serverError(504)],
        1
      ).pipe(
        Retry.retry({
          policy: { maxAttempts: 3 },
          classify,
          onGiveUp: (event) => Effect.sync(() => givenUp.push(event))
        }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail(serverError(503)))
      assert.strictEqual(yield* Ref.get(runs), 3)
      assert.deepStrictEqual(givenUp, [{ attempts: 3, error: serverError(503), reason: "Exhausted" }])
    })
  )

  it.effect("keeps the delays within the cap however many attempts", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const delays: Array<number> = []
      const fiber = yield* scripted(
        runs,
        Array.from({ length: 12 }, () => transport),
        "ok"
      ).pipe(
        Retry.retry({
          policy: { maxAttempts: 13, baseDelay: "1 second", maxDelay: "10 seconds" },
          classify,
          onRetry: ({ delay }) => Effect.sync(() => delays.push(millis(delay)))
        }),
        Effect.withRandom(Random.fixed([0.99999])),
        Effect.fork
      )
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(delays.length, 12)
      assert.deepStrictEqual(delays.slice(0, 5), [999, 1999, 3999, 7999, 9999])
      assert.isTrue(delays.every((delay) => delay < 10_000))
    })
  )

  it.effect("honours a Retry-After of 7 s: no attempt before 7 s, one after", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const fiber = yield* scripted(runs, [rateLimited(Option.some(Duration.seconds(7)))], "ok").pipe(
        Retry.retry({ classify, policy: { baseDelay: "10 millis" } }),
        Effect.fork
      )
      yield* TestClock.adjust("6999 millis")
      assert.strictEqual(yield* Ref.get(runs), 1)
      // The default jitter adds at most 1 s on top of the vendor's 7 s.
      yield* TestClock.adjust("1001 millis")
      assert.strictEqual(yield* Ref.get(runs), 2)
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
    })
  )

  it.effect("clamps a Retry-After above maxRetryAfter to the cap instead of dropping the retry", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const events: Array<Retry.RetryEvent<VendorError>> = []
      const fiber = yield* scripted(runs, [rateLimited(Option.some(Duration.hours(1)))], "ok").pipe(
        Retry.retry({
          classify,
          policy: { maxRetryAfter: "5 minutes", retryAfterJitter: 0 },
          onRetry: (event) => Effect.sync(() => events.push(event))
        }),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.millis(5 * 60_000 - 1))
      assert.strictEqual(yield* Ref.get(runs), 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Ref.get(runs), 2)
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(events.length, 1)
      assert.strictEqual(millis(events[0]!.delay), 5 * 60_000)
      assert.deepStrictEqual(events[0]!.retryAfter, Option.some(Duration.hours(1)))
    })
  )

  it.effect("runs beforeAttempt before every attempt, retries included", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const trace: Array<string> = []
      const attempt = Effect.zipRight(
        Effect.sync(() => trace.push("attempt")),
        scripted(runs, [serverError(), transport, serverError(), transport], "ok")
      )
      const fiber = yield* attempt.pipe(
        Retry.retry({ classify, policy: { maxAttempts: 4 }, beforeAttempt: Effect.sync(() => trace.push("acquire")) }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail(transport))
      assert.deepStrictEqual(trace, [
        "acquire",
        "attempt",
        "acquire",
        "attempt",
        "acquire",
        "attempt",
        "acquire",
        "attempt"
      ])
    })
  )

  it.effect("ends the loop with a beforeAttempt failure without classifying it", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const acquisitions = yield* Ref.make(0)
      const beforeAttempt = Effect.flatMap(
        Ref.updateAndGet(acquisitions, (n) => n + 1),
        (n) => (n >= 2 ? Effect.fail("budget exhausted" as const) : Effect.void)
      )
      const fiber = yield* scripted(runs, [serverError()], "ok").pipe(
        Retry.retry({ classify, beforeAttempt }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const exit: Exit.Exit<string, VendorError | "budget exhausted"> = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("budget exhausted"))
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("does not retry a Stop decision", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const givenUp: Array<Retry.GiveUpEvent<VendorError>> = []
      const exit = yield* scripted(runs, [badRequest], "ok").pipe(
        Retry.retry({ classify, onGiveUp: (event) => Effect.sync(() => givenUp.push(event)) }),
        Effect.exit
      )
      assert.deepStrictEqual(exit, Exit.fail(badRequest))
      assert.strictEqual(yield* Ref.get(runs), 1)
      assert.deepStrictEqual(givenUp, [{ attempts: 1, error: badRequest, reason: "Stopped" }])
    })
  )

  it.effect("does not retry defects", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const exit = yield* Effect.zipRight(
        Ref.update(runs, (n) => n + 1),
        Effect.die("bug")
      ).pipe(Retry.retry({ classify: () => Retry.Decision.Retry({ retryAfter: Option.none() }) }), Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("types the error for a classify written inline, data-first and data-last", () =>
    Effect.gen(function* () {
      const failing: Effect.Effect<string, VendorError> = Effect.fail(badRequest)
      const dataLast = failing.pipe(
        Retry.retry({
          classify: (error) => (error.reason._tag === "Timeout" ? classify(error) : Retry.Decision.Stop())
        })
      )
      const dataFirst = Retry.retry(failing, {
        classify: (error) => (error.reason._tag === "Timeout" ? classify(error) : Retry.Decision.Stop())
      })
      const first: Exit.Exit<string, VendorError> = yield* Effect.exit(dataLast)
      const second: Exit.Exit<string, VendorError> = yield* Effect.exit(dataFirst)
      assert.deepStrictEqual(first, Exit.fail(badRequest))
      assert.deepStrictEqual(second, Exit.fail(badRequest))
    })
  )
})

describe("checkFirst", () => {
  it.effect("does not write again when the check finds the result of an ambiguous failure", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const checked: Array<Retry.CheckEvent<VendorError>> = []
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [transport], { id: "written" }),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some({ id: "found" })
        ),
        isAmbiguous,
        classify,
        onCheck: (event) => Effect.sync(() => checked.push(event))
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { id: "found" })
      assert.strictEqual(yield* Ref.get(writes), 1)
      assert.strictEqual(yield* Ref.get(checks), 1)
      assert.deepStrictEqual(checked, [{ attempt: 1, error: transport, found: true }])
    })
  )

  it.effect("writes exactly once more when the check finds nothing", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [serverError(502)], { id: "written" }),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.none()
        ),
        isAmbiguous,
        classify
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { id: "written" })
      assert.strictEqual(yield* Ref.get(writes), 2)
      assert.strictEqual(yield* Ref.get(checks), 1)
    })
  )

  it.effect("repeats a certain refusal without checking", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const events: Array<Retry.RetryEvent<VendorError>> = []
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [rateLimited(Option.some(Duration.seconds(2))), rateLimited(Option.none())], "ok"),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some("found")
        ),
        isAmbiguous,
        classify,
        onRetry: (event) => Effect.sync(() => events.push(event))
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(yield* Ref.get(writes), 3)
      assert.strictEqual(yield* Ref.get(checks), 0)
      assert.deepStrictEqual(
        events.map((event) => event.checking),
        [false, false]
      )
    })
  )

  it.effect("waits the delay before checking, so a write still in flight can land", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [rateLimited(Option.some(Duration.seconds(3)))], "ok"),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some("found")
        ),
        // Treat the 429 as ambiguous here only to have a known delay before the check.
        isAmbiguous: () => true,
        classify,
        policy: { retryAfterJitter: 0 }
      }).pipe(Effect.fork)
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual(yield* Ref.get(checks), 0)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Ref.get(checks), 1)
      assert.strictEqual(yield* Fiber.join(fiber), "found")
    })
  )

  it.effect("checks once after the last attempt fails ambiguously, and reports a write that happened", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      // The first write is refused for certain (429, no check), the second and last one times out.
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [rateLimited(Option.none()), transport], "written"),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some("found")
        ),
        isAmbiguous,
        classify,
        policy: { maxAttempts: 2 }
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "found")
      assert.strictEqual(yield* Ref.get(writes), 2)
      assert.strictEqual(yield* Ref.get(checks), 1)
    })
  )

  it.effect("fails with the last error when the final check finds nothing", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const givenUp: Array<Retry.GiveUpEvent<VendorError>> = []
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [transport, serverError(504)], "ok"),
        check: Effect.succeed(Option.none()),
        isAmbiguous,
        classify,
        policy: { maxAttempts: 2 },
        onGiveUp: (event) => Effect.sync(() => givenUp.push(event))
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail(serverError(504)))
      assert.strictEqual(yield* Ref.get(writes), 2)
      assert.deepStrictEqual(givenUp, [{ attempts: 2, error: serverError(504), reason: "Exhausted" }])
    })
  )

  it.effect("ends with the check's error when the check fails, without writing again", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const fiber = yield* Retry.checkFirst({
        attempt: scripted(writes, [transport], "ok"),
        check: Effect.fail("check failed" as const),
        isAmbiguous,
        classify
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      const exit: Exit.Exit<string, VendorError | "check failed"> = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("check failed"))
      assert.strictEqual(yield* Ref.get(writes), 1)
    })
  )

  it.effect("does not check or repeat a Stop decision", () =>
    Effect.gen(function* () {
      const writes = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const exit = yield* Retry.checkFirst({
        attempt: scripted(writes, [badRequest], "ok"),
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some("found")
        ),
        isAmbiguous: () => true,
        classify
      }).pipe(Effect.exit)
      assert.deepStrictEqual(exit, Exit.fail(badRequest))
      assert.strictEqual(yield* Ref.get(writes), 1)
      assert.strictEqual(yield* Ref.get(checks), 0)
    })
  )
})

describe("forOperation", () => {
  it.effect("never: makes one attempt even for a transient error", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const acquisitions = yield* Ref.make(0)
      const givenUp: Array<Retry.GiveUpEvent<VendorError>> = []
      const fiber = yield* scripted(runs, [serverError()], "ok").pipe(
        Retry.forOperation("never", {
          classify,
          beforeAttempt: Ref.update(acquisitions, (n) => n + 1),
          onGiveUp: (event) => Effect.sync(() => givenUp.push(event))
        }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail(serverError()))
      assert.strictEqual(yield* Ref.get(runs), 1)
      assert.strictEqual(yield* Ref.get(acquisitions), 1)
      assert.deepStrictEqual(givenUp, [{ attempts: 1, error: serverError(), reason: "Stopped" }])
    })
  )

  it.effect("safe: retries without checking", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const fiber = yield* scripted(runs, [transport, transport], "ok").pipe(
        Retry.forOperation("safe", {
          classify,
          isAmbiguous,
          check: Effect.as(
            Ref.update(checks, (n) => n + 1),
            Option.some("found")
          )
        }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(yield* Ref.get(runs), 3)
      assert.strictEqual(yield* Ref.get(checks), 0)
    })
  )

  it.effect("check-first: checks an ambiguous failure before repeating", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const fiber = yield* Retry.forOperation(scripted(runs, [transport], "written"), "check-first", {
        classify,
        isAmbiguous,
        check: Effect.as(
          Ref.update(checks, (n) => n + 1),
          Option.some("found")
        )
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "found")
      assert.strictEqual(yield* Ref.get(runs), 1)
      assert.strictEqual(yield* Ref.get(checks), 1)
    })
  )

  it.effect("check-first without a check: repeats certain refusals, never an ambiguous failure", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const givenUp: Array<Retry.GiveUpEvent<VendorError>> = []
      const fiber = yield* scripted(runs, [rateLimited(Option.none()), transport], "ok").pipe(
        Retry.forOperation("check-first", {
          classify,
          isAmbiguous,
          onGiveUp: (event) => Effect.sync(() => givenUp.push(event))
        }),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail(transport))
      assert.strictEqual(yield* Ref.get(runs), 2)
      assert.deepStrictEqual(givenUp, [{ attempts: 2, error: transport, reason: "Ambiguous" }])
    })
  )

  it.effect("check-first without isAmbiguous treats every failure as ambiguous", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const exit = yield* scripted(runs, [rateLimited(Option.none())], "ok").pipe(
        Retry.forOperation("check-first", { classify }),
        Effect.exit
      )
      assert.deepStrictEqual(exit, Exit.fail(rateLimited(Option.none())))
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )
})
