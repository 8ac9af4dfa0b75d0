/**
 * A circuit breaker per vendor: after a run of consecutive failures it fails calls at once instead of sending them
 * to a vendor that is down, then lets a probe through to find out whether the vendor is back.
 *
 * The breaker never reads error messages: the caller's `isFailure` says which errors mean "the vendor is unhealthy".
 *
 * @since 0.1.0
 */
import type * as Data from "effect/Data"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/circuitBreaker.ts"
import { CircuitBreakerError } from "./internal/circuitBreaker.ts"

/**
 * The state of a breaker.
 *
 * **Details**
 *
 * - `Closed`: calls run; `consecutiveFailures` counts failures `isFailure` counts since the last healthy answer.
 * - `Open`: calls fail at once with {@link CircuitBreakerError} until `until`.
 * - `HalfOpen`: up to `halfOpenProbes` calls run as probes; the first outcome closes or reopens the breaker.
 *
 * @since 0.1.0
 * @category models
 */
export type State = Data.TaggedEnum<{
  Closed: { readonly consecutiveFailures: number }
  Open: { readonly until: DateTime.Utc }
  HalfOpen: { readonly probesInFlight: number }
}>

/**
 * Constructors and matchers for {@link State}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const State: Data.TaggedEnum.Constructor<State> = internal.State

/**
 * A transition of a breaker, as published on {@link CircuitBreaker.changes}.
 *
 * **Gotchas**
 *
 * Only transitions between `Closed`, `Open` and `HalfOpen` are published, not every change of
 * `consecutiveFailures`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StateChange {
  /** The breaker's name. */
  readonly name: string
  readonly from: State
  readonly to: State
}

/**
 * Why a breaker refused a call.
 *
 * **Details**
 *
 * - `Open`: the breaker is open; `retryAfter` is the time until it lets a probe through.
 * - `HalfOpen`: the breaker is half-open and all its probe slots are taken; the probes' outcome is not known yet,
 *   so there is no meaningful time to wait.
 *
 * @since 0.1.0
 * @category errors
 */
export type CircuitBreakerErrorReason = Data.TaggedEnum<{
  Open: { readonly name: string; readonly retryAfter: Duration.Duration }
  HalfOpen: { readonly name: string }
}>

/**
 * Constructors and matchers for {@link CircuitBreakerErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const CircuitBreakerErrorReason: Data.TaggedEnum.Constructor<CircuitBreakerErrorReason> =
  internal.CircuitBreakerErrorReason

export { CircuitBreakerError }

/**
 * Options of {@link make}.
 *
 * **Details**
 *
 * - `name`: the vendor (or endpoint group) the breaker protects; used in errors, changes and metric tags.
 * - `failureThreshold`: consecutive counted failures that open the breaker (default `5`).
 * - `resetAfter`: how long the breaker stays open before it lets a probe through (default `30 seconds`).
 * - `halfOpenProbes`: calls let through while half-open (default `1`).
 * - `isFailure`: whether an error counts as a failure (default: every error counts). Count what says the vendor is
 *   unhealthy (5xx, transport errors, timeouts), not what says the request was wrong (400, 404) or throttled (429).
 *
 * **Gotchas**
 *
 * An error that `isFailure` does not count is a healthy answer: it resets the run of consecutive failures, and as a
 * half-open probe it closes the breaker (the vendor answered). Interruptions and defects say nothing about the
 * vendor and are ignored (an interrupted probe frees its slot).
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreakerOptions<E = unknown> {
  readonly name: string
  readonly failureThreshold?: number | undefined
  readonly resetAfter?: Duration.DurationInput | undefined
  readonly halfOpenProbes?: number | undefined
  readonly isFailure?: ((error: E) => boolean) | undefined
}

/**
 * A circuit breaker; see {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker<E = unknown> {
  readonly name: string
  /**
   * Runs `self` if the breaker admits it, and records its outcome; fails with {@link CircuitBreakerError} without
   * running it otherwise. Pipeable: `effect.pipe(breaker.protect)`.
   */
  readonly protect: <A, E2 extends E, R>(self: Effect.Effect<A, E2, R>) => Effect.Effect<A, E2 | CircuitBreakerError, R>
  /**
   * `protect` without an Effect, for hot paths that must not pay for a fiber per call: when the breaker is closed,
   * returns the function to call once with the call's outcome (no argument for a success, else the error); otherwise
   * `undefined` (use `protect`, which rejects the call or runs it as a half-open probe). The outcome counts exactly as
   * with `protect`.
   *
   * @since 0.2.0
   */
  readonly tryPass: () => ((error?: E) => void) | undefined
  /**
   * The current state. Reading it does not change it: an open breaker whose `resetAfter` has passed reads as
   * `HalfOpen` with no probes in flight, and moves there at the next call.
   */
  readonly state: Effect.Effect<State>
  /** Transitions from the moment the stream is run; earlier ones are not replayed. */
  readonly changes: Stream.Stream<StateChange>
}

/**
 * Creates a circuit breaker. Make one per vendor and share it between all calls to that vendor.
 *
 * **Details**
 *
 * - Closed: calls run. Each failure that `isFailure` counts adds to a run of consecutive failures; any other answer
 *   resets it. At `failureThreshold` the breaker opens.
 * - Open: calls fail at once with `CircuitBreakerError` (reason `Open` with the time left) and are not run.
 * - After `resetAfter` (measured on the Effect `Clock`), the next call moves the breaker to half-open and runs as a
 *   probe; up to `halfOpenProbes` calls run, others fail with reason `HalfOpen`. The first probe outcome decides: a
 *   healthy answer closes the breaker, a counted failure reopens it for another `resetAfter`.
 *
 * State lives in a `SynchronizedRef`, so concurrent calls see consistent transitions, and the outcome of a call
 * admitted before a transition (a slow call that finishes after the breaker opened) is ignored.
 *
 * Metrics, tagged `circuit_breaker=<name>`: {@link stateGauge}, {@link openedCounter}, {@link rejectedCounter}.
 *
 * **Gotchas**
 *
 * Put the breaker inside the retry (`request.pipe(breaker.protect, Retry.retry(...))`) so each attempt is counted,
 * and classify `CircuitBreakerError` as `Stop` so a refusal is not retried.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@profilesync/core"
 *
 * const breaker = yield* CircuitBreaker.make({
 *   name: "ocamba",
 *   isFailure: CircuitBreaker.failureByTag(["ServerError", "Transport", "Timeout"])
 * })
 * const profiles = yield* listProfiles.pipe(breaker.protect)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = unknown>(options: CircuitBreakerOptions<E>) => Effect.Effect<CircuitBreaker<E>> = internal.make

/**
 * Runs an effect through a breaker; the module-level, dual form of {@link CircuitBreaker.protect}.
 *
 * @since 0.1.0
 * @category combinators
 */
export const protect: {
  <E>(
    breaker: CircuitBreaker<E>
  ): <A, E2 extends E, R>(self: Effect.Effect<A, E2, R>) => Effect.Effect<A, E2 | CircuitBreakerError, R>
  <A, E2 extends E, R, E>(
    self: Effect.Effect<A, E2, R>,
    breaker: CircuitBreaker<E>
  ): Effect.Effect<A, E2 | CircuitBreakerError, R>
} = internal.protect

/**
 * An `isFailure` predicate that counts errors whose own `_tag` or `reason._tag` is in `tags`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@profilesync/core"
 *
 * const isFailure = CircuitBreaker.failureByTag(["ServerError", "Transport", "Timeout"])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const failureByTag: (tags: ReadonlyArray<string>) => (error: unknown) => boolean = internal.failureByTag

/**
 * Gauge `profilesync_circuit_breaker_state`: 0 closed, 1 half-open, 2 open. Each breaker reports under the tag
 * `circuit_breaker=<name>`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const stateGauge: Metric.Metric.Gauge<number> = internal.stateGauge

/**
 * Counter `profilesync_circuit_breaker_opened_total`: times a breaker opened, tagged `circuit_breaker=<name>`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const openedCounter: Metric.Metric.Counter<number> = internal.openedCounter

/**
 * Counter `profilesync_circuit_breaker_rejected_total`: calls a breaker failed at once, tagged
 * `circuit_breaker=<name>`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const rejectedCounter: Metric.Metric.Counter<number> = internal.rejectedCounter

/**
 * The tag key under which every breaker metric carries the breaker's name: `circuit_breaker`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metricTagKey: string = internal.tagKey
