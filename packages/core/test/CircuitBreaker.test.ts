/**
 * Tests for `CircuitBreaker`: opening after consecutive counted failures, failing fast while open, half-open probes,
 * stale outcomes, the change feed and the metrics. All time runs on `TestClock`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as CircuitBreaker from "../src/CircuitBreaker.ts"

type VendorReason =
  | { readonly _tag: "ServerError"; readonly status: number }
  | { readonly _tag: "Transport" }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "BadRequest"; readonly message: string }

class VendorError extends Data.TaggedError("VendorError")<{ readonly reason: VendorReason }> {}

const serverError = new VendorError({ reason: { _tag: "ServerError", status: 503 } })
const notFound = new VendorError({ reason: { _tag: "NotFound" } })

const isFailure = CircuitBreaker.failureByTag(["ServerError", "Transport", "Timeout"])

// A call that counts its runs and then fails with `error` (or succeeds when there is none).
const call = (runs: Ref.Ref<number>, error?: VendorError): Effect.Effect<string, VendorError> =>
  Effect.zipRight(
    Ref.update(runs, (n) => n + 1),
    error === undefined ? Effect.succeed("ok") : Effect.fail(error)
  )

const stateSummary = (state: CircuitBreaker.State): string =>
  CircuitBreaker.State.$match(state, {
    Closed: ({ consecutiveFailures }) => `Closed(${consecutiveFailures})`,
    Open: ({ until }) => `Open(until ${DateTime.toEpochMillis(until)})`,
    HalfOpen: ({ probesInFlight }) => `HalfOpen(${probesInFlight})`
  })

const rejectionOf = (exit: Exit.Exit<unknown, unknown>): CircuitBreaker.CircuitBreakerErrorReason | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return failure instanceof CircuitBreaker.CircuitBreakerError ? failure.reason : undefined
}

// Opens `breaker` (threshold 3) with three counted failures.
const trip = (breaker: CircuitBreaker.CircuitBreaker, runs: Ref.Ref<number>) =>
  Effect.repeatN(Effect.exit(breaker.protect(call(runs, serverError))), 2)

describe("CircuitBreaker", () => {
  // `tryPass` records on the default runtime (the system clock), so this one runs live.
  it.live("tryPass counts outcomes like protect, without an Effect while nothing changes", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "try-pass", failureThreshold: 3, isFailure })
      breaker.tryPass()!()
      breaker.tryPass()!(notFound)
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      breaker.tryPass()!(serverError)
      breaker.tryPass()!(serverError)
      yield* Effect.yieldNow()
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(2)")
      // A success resets the run, as with `protect`.
      breaker.tryPass()!()
      yield* Effect.yieldNow()
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      // A pass taken while closed still counts when it ends; at the threshold the breaker opens.
      const late = breaker.tryPass()!
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      late(serverError)
      yield* Effect.yieldNow()
      assert.match(stateSummary(yield* breaker.state), /^Open/)
      assert.isUndefined(breaker.tryPass())
      // An outcome from a generation that has ended changes nothing.
      late(serverError)
      yield* Effect.yieldNow()
      assert.match(stateSummary(yield* breaker.state), /^Open/)
    })
  )

  it.effect("starts closed and stays closed on success", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "starts-closed", isFailure })
      assert.strictEqual(yield* breaker.protect(call(runs)), "ok")
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      assert.strictEqual(breaker.name, "starts-closed")
    })
  )

  it.effect("opens after failureThreshold consecutive counted failures", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({
        name: "opens",
        failureThreshold: 3,
        resetAfter: "30 seconds",
        isFailure
      })
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(2)")
      const third = yield* Effect.exit(breaker.protect(call(runs, serverError)))
      // The call that trips the breaker still fails with its own error.
      assert.deepStrictEqual(third, Exit.fail(serverError))
      assert.strictEqual(stateSummary(yield* breaker.state), "Open(until 30000)")
      assert.strictEqual(yield* Ref.get(runs), 3)
    })
  )

  it.effect("fails fast while open without running the effect", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "fails-fast", failureThreshold: 3, isFailure })
      yield* trip(breaker, runs)
      const first = rejectionOf(yield* Effect.exit(breaker.protect(call(runs))))
      assert.deepStrictEqual(
        first,
        CircuitBreaker.CircuitBreakerErrorReason.Open({
          name: "fails-fast",
          retryAfter: Duration.seconds(30)
        })
      )
      yield* TestClock.adjust("10 seconds")
      const second = rejectionOf(yield* Effect.exit(breaker.protect(call(runs))))
      assert.deepStrictEqual(
        second,
        CircuitBreaker.CircuitBreakerErrorReason.Open({
          name: "fails-fast",
          retryAfter: Duration.seconds(20)
        })
      )
      assert.strictEqual(yield* Ref.get(runs), 3)
    })
  )

  it.effect("goes half-open after resetAfter and lets one probe through", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({
        name: "half-open",
        failureThreshold: 3,
        resetAfter: "30 seconds",
        isFailure
      })
      yield* trip(breaker, runs)
      yield* TestClock.adjust("29999 millis")
      assert.isDefined(rejectionOf(yield* Effect.exit(breaker.protect(call(runs)))))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(0)")

      const release = yield* Deferred.make<void>()
      const probe = yield* breaker.protect(Effect.zipRight(Deferred.await(release), call(runs))).pipe(Effect.fork)
      yield* Effect.yieldNow()
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(1)")
      // A second call while the probe is in flight is refused and not run.
      const refused = rejectionOf(yield* Effect.exit(breaker.protect(call(runs))))
      assert.deepStrictEqual(refused, CircuitBreaker.CircuitBreakerErrorReason.HalfOpen({ name: "half-open" }))
      assert.strictEqual(yield* Ref.get(runs), 3)

      yield* Deferred.succeed(release, undefined)
      assert.strictEqual(yield* Fiber.join(probe), "ok")
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      assert.strictEqual(yield* breaker.protect(call(runs)), "ok")
      assert.strictEqual(yield* Ref.get(runs), 5)
    })
  )

  it.effect("reopens for another resetAfter when the probe fails", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({
        name: "reopens",
        failureThreshold: 3,
        resetAfter: "30 seconds",
        isFailure
      })
      yield* trip(breaker, runs)
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* Effect.exit(breaker.protect(call(runs, serverError))), Exit.fail(serverError))
      assert.strictEqual(stateSummary(yield* breaker.state), "Open(until 60000)")
      assert.isDefined(rejectionOf(yield* Effect.exit(breaker.protect(call(runs)))))
      assert.strictEqual(yield* Ref.get(runs), 4)
    })
  )

  it.effect("lets halfOpenProbes calls through while half-open", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "probes", failureThreshold: 3, halfOpenProbes: 2, isFailure })
      yield* trip(breaker, runs)
      yield* TestClock.adjust("30 seconds")
      const release = yield* Deferred.make<void>()
      const probes = yield* Effect.forkAll(
        [1, 2].map(() => breaker.protect(Effect.zipRight(Deferred.await(release), call(runs))))
      )
      yield* Effect.yieldNow()
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(2)")
      assert.isDefined(rejectionOf(yield* Effect.exit(breaker.protect(call(runs)))))
      yield* Deferred.succeed(release, undefined)
      assert.deepStrictEqual(yield* Fiber.join(probes), ["ok", "ok"])
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      assert.strictEqual(yield* Ref.get(runs), 5)
    })
  )

  it.effect("does not count errors isFailure rejects, and they reset the run of failures", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "not-counted", failureThreshold: 3, isFailure })
      for (let n = 0; n < 10; n++) {
        yield* Effect.exit(breaker.protect(call(runs, notFound)))
      }
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* Effect.exit(breaker.protect(call(runs, notFound)))
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(2)")
      assert.strictEqual(yield* Ref.get(runs), 15)
    })
  )

  it.effect("counts every error when no isFailure is given", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "counts-all", failureThreshold: 2 })
      yield* Effect.exit(breaker.protect(call(runs, notFound)))
      yield* Effect.exit(breaker.protect(call(runs, notFound)))
      assert.strictEqual((yield* breaker.state)._tag, "Open")
    })
  )

  it.effect("frees the probe slot when a probe is interrupted", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "interrupted-probe", failureThreshold: 3, isFailure })
      yield* trip(breaker, runs)
      yield* TestClock.adjust("30 seconds")
      const probe = yield* breaker.protect(Effect.never).pipe(Effect.fork)
      yield* Effect.yieldNow()
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(1)")
      yield* Fiber.interrupt(probe)
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(0)")
      assert.strictEqual(yield* breaker.protect(call(runs)), "ok")
      assert.strictEqual(stateSummary(yield* breaker.state), "Closed(0)")
    })
  )

  it.effect("ignores the outcome of a call admitted before the breaker opened", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "stale", failureThreshold: 3, isFailure })
      const releaseSlow = yield* Deferred.make<void>()
      const slow = yield* breaker.protect(Effect.zipRight(Deferred.await(releaseSlow), call(runs))).pipe(Effect.fork)
      yield* Effect.yieldNow()
      yield* trip(breaker, runs)
      yield* TestClock.adjust("30 seconds")
      const releaseProbe = yield* Deferred.make<void>()
      const probe = yield* breaker
        .protect(Effect.zipRight(Deferred.await(releaseProbe), call(runs, serverError)))
        .pipe(Effect.exit, Effect.fork)
      yield* Effect.yieldNow()
      // The slow call was admitted while closed; its success says nothing about the vendor now and must not close
      // the half-open breaker ahead of the probe.
      yield* Deferred.succeed(releaseSlow, undefined)
      assert.strictEqual(yield* Fiber.join(slow), "ok")
      assert.strictEqual(stateSummary(yield* breaker.state), "HalfOpen(1)")
      yield* Deferred.succeed(releaseProbe, undefined)
      yield* Fiber.join(probe)
      assert.strictEqual(stateSummary(yield* breaker.state), "Open(until 60000)")
    })
  )

  it.effect("keeps a consistent count under concurrent failures and opens once", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "concurrent", failureThreshold: 5, isFailure })
      yield* Effect.forEach(
        Array.from({ length: 20 }, () => breaker.protect(call(runs, serverError))),
        Effect.exit,
        {
          concurrency: "unbounded"
        }
      )
      assert.strictEqual((yield* breaker.state)._tag, "Open")
      const opened = yield* Metric.value(
        Metric.tagged(CircuitBreaker.openedCounter, CircuitBreaker.metricTagKey, "concurrent")
      )
      assert.strictEqual(opened.count, 1)
    })
  )

  it.effect("publishes every transition on changes", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "changes", failureThreshold: 3, isFailure })
      const collected = yield* breaker.changes.pipe(Stream.take(5), Stream.runCollect, Effect.fork)
      yield* Effect.yieldNow()
      yield* trip(breaker, runs)
      yield* TestClock.adjust("30 seconds")
      yield* Effect.exit(breaker.protect(call(runs, serverError)))
      yield* TestClock.adjust("30 seconds")
      yield* breaker.protect(call(runs))
      const changes = Chunk.toReadonlyArray(yield* Fiber.join(collected))
      assert.deepStrictEqual(
        changes.map(({ from, to }) => `${stateSummary(from)} -> ${stateSummary(to)}`),
        [
          "Closed(3) -> Open(until 30000)",
          "Open(until 30000) -> HalfOpen(1)",
          "HalfOpen(1) -> Open(until 60000)",
          "Open(until 60000) -> HalfOpen(1)",
          "HalfOpen(1) -> Closed(0)"
        ]
      )
      assert.isTrue(changes.every((change) => change.name === "changes"))
    })
  )

  it.effect("reports its state, openings and refusals as metrics tagged with its name", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const name = "metrics"
      const breaker = yield* CircuitBreaker.make({ name, failureThreshold: 3, isFailure })
      const tagged = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>) =>
        Metric.value(Metric.tagged(metric, CircuitBreaker.metricTagKey, name))
      assert.strictEqual((yield* tagged(CircuitBreaker.stateGauge)).value, 0)
      yield* trip(breaker, runs)
      assert.strictEqual((yield* tagged(CircuitBreaker.stateGauge)).value, 2)
      yield* Effect.exit(breaker.protect(call(runs)))
      yield* Effect.exit(breaker.protect(call(runs)))
      assert.strictEqual((yield* tagged(CircuitBreaker.rejectedCounter)).count, 2)
      yield* TestClock.adjust("30 seconds")
      const release = yield* Deferred.make<void>()
      const probe = yield* breaker
        .protect(Effect.zipRight(Deferred.await(release), call(runs, serverError)))
        .pipe(Effect.exit, Effect.fork)
      yield* Effect.yieldNow()
      assert.strictEqual((yield* tagged(CircuitBreaker.stateGauge)).value, 1)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(probe)
      assert.strictEqual((yield* tagged(CircuitBreaker.stateGauge)).value, 2)
      assert.strictEqual((yield* tagged(CircuitBreaker.openedCounter)).count, 2)
    })
  )

  it.effect("protect also works module-level, data-first and data-last", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const breaker = yield* CircuitBreaker.make({ name: "dual", failureThreshold: 2, isFailure })
      yield* Effect.exit(CircuitBreaker.protect(call(runs, serverError), breaker))
      yield* Effect.exit(call(runs, serverError).pipe(CircuitBreaker.protect(breaker)))
      const exit = yield* Effect.exit(call(runs).pipe(breaker.protect))
      const reason = rejectionOf(exit)
      assert.strictEqual(reason?._tag, "Open")
      assert.strictEqual(yield* Ref.get(runs), 2)
    })
  )

  it("describes the refusal in the error message", () => {
    const open = new CircuitBreaker.CircuitBreakerError({
      reason: CircuitBreaker.CircuitBreakerErrorReason.Open({ name: "ocamba", retryAfter: Duration.seconds(12) })
    })
    const halfOpen = new CircuitBreaker.CircuitBreakerError({
      reason: CircuitBreaker.CircuitBreakerErrorReason.HalfOpen({ name: "ocamba" })
    })
    assert.strictEqual(open._tag, "CircuitBreakerError")
    assert.strictEqual(open.message, `circuit breaker "ocamba" is open; retry after 12s`)
    assert.strictEqual(halfOpen.message, `circuit breaker "ocamba" is half-open and its probes are in flight`)
  })
})
