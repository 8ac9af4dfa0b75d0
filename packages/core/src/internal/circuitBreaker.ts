/**
 * Implementation of `CircuitBreaker.ts`: the state machine (Closed → Open → HalfOpen → Closed or Open), its
 * metrics and its change feed.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type * as CircuitBreaker from "../CircuitBreaker.ts"
import { errorTags } from "./retry.ts"

/** @internal */
export const State: Data.TaggedEnum.Constructor<CircuitBreaker.State> = Data.taggedEnum<CircuitBreaker.State>()

/** @internal */
export const CircuitBreakerErrorReason: Data.TaggedEnum.Constructor<CircuitBreaker.CircuitBreakerErrorReason> =
  Data.taggedEnum<CircuitBreaker.CircuitBreakerErrorReason>()

/**
 * The failure of a call the breaker refused without running it.
 *
 * **Details**
 *
 * A tagged error (`_tag: "CircuitBreakerError"`) with a `reason` ({@link CircuitBreakerErrorReason}). Vendor
 * clients map it to their own error (for example `OcambaError` with reason `CircuitOpen`).
 *
 * **Gotchas**
 *
 * Retrying a refused call right away defeats the breaker: classify it as `Stop`, or honour `retryAfter`.
 *
 * @since 0.1.0
 * @category errors
 */
export class CircuitBreakerError extends Data.TaggedError("CircuitBreakerError")<{
  readonly reason: CircuitBreaker.CircuitBreakerErrorReason
}> {
  override get message(): string {
    const reason = this.reason
    return reason._tag === "Open"
      ? `circuit breaker "${reason.name}" is open; retry after ${Duration.format(reason.retryAfter)}`
      : `circuit breaker "${reason.name}" is half-open and its probes are in flight`
  }
}

/** @internal */
export const tagKey = "circuit_breaker"

/** @internal */
export const stateGauge: Metric.Metric.Gauge<number> = Metric.gauge("profilesync_circuit_breaker_state", {
  description: "State of the circuit breaker: 0 closed, 1 half-open, 2 open."
})

/** @internal */
export const openedCounter: Metric.Metric.Counter<number> = Metric.counter("profilesync_circuit_breaker_opened_total", {
  description: "Times the circuit breaker opened (from closed or after a failed half-open probe).",
  incremental: true
})

/** @internal */
export const rejectedCounter: Metric.Metric.Counter<number> = Metric.counter(
  "profilesync_circuit_breaker_rejected_total",
  {
    description: "Calls the circuit breaker failed at once without running them.",
    incremental: true
  }
)

/** @internal */
export const failureByTag = (tags: ReadonlyArray<string>): ((error: unknown) => boolean) => {
  const counted = new Set(tags)
  return (error) => errorTags(error).some((tag) => counted.has(tag))
}

// Every transition bumps `generation`. A call remembers the generation it was admitted in, and its outcome only
// counts if the breaker is still in that generation: a slow call admitted while closed must not close a breaker that
// has since opened, nor reopen one that a probe has since closed.
type Internal =
  | { readonly _tag: "Closed"; readonly generation: number; readonly consecutiveFailures: number }
  | { readonly _tag: "Open"; readonly generation: number; readonly untilMillis: number }
  | { readonly _tag: "HalfOpen"; readonly generation: number; readonly probesInFlight: number }

type Admission =
  | { readonly _tag: "Pass"; readonly generation: number }
  | { readonly _tag: "Reject"; readonly reason: CircuitBreaker.CircuitBreakerErrorReason }

// "Healthy" is any answer that says the vendor works: a success, or an error `isFailure` does not count (a 400 or a
// 404 is the vendor answering properly). "Neutral" (interruption, defect) says nothing about the vendor.
type Outcome = "Healthy" | "Unhealthy" | "Neutral"

const gaugeValue = (state: Internal["_tag"]): number => (state === "Closed" ? 0 : state === "HalfOpen" ? 1 : 2)

const toPublic = (state: Internal): CircuitBreaker.State => {
  switch (state._tag) {
    case "Closed":
      return State.Closed({ consecutiveFailures: state.consecutiveFailures })
    case "Open":
      return State.Open({ until: DateTime.unsafeMake(state.untilMillis) })
    case "HalfOpen":
      return State.HalfOpen({ probesInFlight: state.probesInFlight })
  }
}

const positiveInteger = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) ? Math.max(1, Math.floor(value)) : fallback

/** @internal */
export const make = <E = unknown>(
  options: CircuitBreaker.CircuitBreakerOptions<E>
): Effect.Effect<CircuitBreaker.CircuitBreaker<E>> =>
  Effect.gen(function* () {
    const name = options.name
    const failureThreshold = positiveInteger(options.failureThreshold, 5)
    const halfOpenProbes = positiveInteger(options.halfOpenProbes, 1)
    const resetAfterMillis = Duration.toMillis(Duration.decode(options.resetAfter ?? Duration.seconds(30)))
    const isFailure = options.isFailure ?? (() => true)

    const gauge = Metric.tagged(stateGauge, tagKey, name)
    const opened = Metric.tagged(openedCounter, tagKey, name)
    const rejected = Metric.tagged(rejectedCounter, tagKey, name)

    const initial: Internal = { _tag: "Closed", generation: 0, consecutiveFailures: 0 }
    const ref = yield* SynchronizedRef.make<Internal>(initial)
    // The state as last written, for `tryPass`; written inside the ref's updates, so in the same order.
    let latest: Internal = initial
    const pubsub = yield* PubSub.unbounded<CircuitBreaker.StateChange>()
    yield* Metric.set(gauge, 0)

    // Publishing and metrics happen inside the SynchronizedRef update, so concurrent transitions are reported in
    // the order they happened.
    const transition = (from: Internal, to: Internal): Effect.Effect<Internal> =>
      Effect.gen(function* () {
        yield* Metric.set(gauge, gaugeValue(to._tag))
        if (to._tag === "Open") {
          yield* Metric.increment(opened)
        }
        yield* PubSub.publish(pubsub, { name, from: toPublic(from), to: toPublic(to) })
        return to
      })

    const openAt = (from: Internal, now: number) =>
      transition(from, { _tag: "Open", generation: from.generation + 1, untilMillis: now + resetAfterMillis })

    const admit = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      SynchronizedRef.modifyEffect(
        ref,
        (state): Effect.Effect<readonly [Admission, Internal]> =>
          Effect.map(decide(state, now), (result) => {
            latest = result[1]
            return result
          })
      )
    )

    const decide = (state: Internal, now: number): Effect.Effect<readonly [Admission, Internal]> => {
      switch (state._tag) {
        case "Closed":
          return Effect.succeed([{ _tag: "Pass", generation: state.generation }, state])
        case "Open": {
          if (now < state.untilMillis) {
            const retryAfter = Duration.millis(state.untilMillis - now)
            return Effect.succeed([
              { _tag: "Reject", reason: CircuitBreakerErrorReason.Open({ name, retryAfter }) },
              state
            ])
          }
          // The breaker has no timer: it becomes half-open at the first call after `resetAfter`, and that call is
          // the first probe.
          const halfOpen: Internal = { _tag: "HalfOpen", generation: state.generation + 1, probesInFlight: 1 }
          return Effect.map(transition(state, halfOpen), (next) => [
            { _tag: "Pass", generation: next.generation },
            next
          ])
        }
        case "HalfOpen":
          return state.probesInFlight < halfOpenProbes
            ? Effect.succeed([
                { _tag: "Pass", generation: state.generation },
                {
                  ...state,
                  probesInFlight: state.probesInFlight + 1
                }
              ])
            : Effect.succeed([{ _tag: "Reject", reason: CircuitBreakerErrorReason.HalfOpen({ name }) }, state])
      }
    }

    const record = (generation: number, outcome: Outcome) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SynchronizedRef.updateEffect(ref, (state) =>
          Effect.map(next(state, generation, outcome, now), (result) => {
            latest = result
            return result
          })
        )
      )

    const next = (state: Internal, generation: number, outcome: Outcome, now: number): Effect.Effect<Internal> => {
      if (state.generation !== generation || (outcome === "Neutral" && state._tag === "Closed")) {
        return Effect.succeed(state)
      }
      switch (state._tag) {
        case "Closed": {
          if (outcome === "Healthy") {
            return Effect.succeed(state.consecutiveFailures === 0 ? state : { ...state, consecutiveFailures: 0 })
          }
          const consecutiveFailures = state.consecutiveFailures + 1
          // The change reports the run that tripped the breaker (`Closed(3) -> Open` at a threshold of 3).
          return consecutiveFailures >= failureThreshold
            ? openAt({ ...state, consecutiveFailures }, now)
            : Effect.succeed({ ...state, consecutiveFailures })
        }
        case "HalfOpen": {
          if (outcome === "Neutral") {
            // An interrupted probe proved nothing; free its slot for the next call.
            return Effect.succeed({ ...state, probesInFlight: Math.max(0, state.probesInFlight - 1) })
          }
          return outcome === "Healthy"
            ? transition(state, { _tag: "Closed", generation: state.generation + 1, consecutiveFailures: 0 })
            : openAt(state, now)
        }
        case "Open":
          // Unreachable: no call is admitted in an open generation. Kept for exhaustiveness.
          return Effect.succeed(state)
      }
    }

    const outcomeOf = (exit: Exit.Exit<unknown, E>): Outcome => {
      if (Exit.isSuccess(exit)) return "Healthy"
      return Option.match(Cause.failureOption(exit.cause), {
        onNone: () => "Neutral",
        onSome: (error) => (isFailure(error) ? "Unhealthy" : "Healthy")
      })
    }

    const protect = <A, E2 extends E, R>(
      self: Effect.Effect<A, E2, R>
    ): Effect.Effect<A, E2 | CircuitBreaker.CircuitBreakerError, R> =>
      // Admission and the outcome's bookkeeping must not be separated by an interruption, or a half-open probe slot
      // could leak and keep the breaker half-open forever.
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          admit,
          (admission): Effect.Effect<A, E2 | CircuitBreaker.CircuitBreakerError, R> =>
            admission._tag === "Reject"
              ? Effect.zipRight(
                  Metric.increment(rejected),
                  Effect.fail(new CircuitBreakerError({ reason: admission.reason }))
                )
              : Effect.onExit(restore(self), (exit) => record(admission.generation, outcomeOf(exit)))
        )
      )

    const state = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.map(SynchronizedRef.get(ref), (current) =>
        // Reading does not move the breaker; it reports what the next call would see.
        current._tag === "Open" && now >= current.untilMillis
          ? State.HalfOpen({ probesInFlight: 0 })
          : toPublic(current)
      )
    )

    const tryPass = (): ((error?: E) => void) | undefined => {
      const admitted = latest
      if (admitted._tag !== "Closed") return undefined
      return (error) => {
        const outcome: Outcome = error === undefined || !isFailure(error) ? "Healthy" : "Unhealthy"
        const current = latest
        // A healthy answer to a closed breaker with no failures in its run changes nothing: no Effect to run.
        if (
          outcome === "Healthy" &&
          (current.generation !== admitted.generation ||
            (current._tag === "Closed" && current.consecutiveFailures === 0))
        ) {
          return
        }
        Effect.runFork(record(admitted.generation, outcome))
      }
    }

    return {
      name,
      protect,
      tryPass,
      state,
      changes: Stream.fromPubSub(pubsub)
    }
  })

/** @internal */
export const protect = dual<
  <E>(
    breaker: CircuitBreaker.CircuitBreaker<E>
  ) => <A, E2 extends E, R>(
    self: Effect.Effect<A, E2, R>
  ) => Effect.Effect<A, E2 | CircuitBreaker.CircuitBreakerError, R>,
  <A, E2 extends E, R, E>(
    self: Effect.Effect<A, E2, R>,
    breaker: CircuitBreaker.CircuitBreaker<E>
  ) => Effect.Effect<A, E2 | CircuitBreaker.CircuitBreakerError, R>
>(2, (self, breaker) => breaker.protect(self))
