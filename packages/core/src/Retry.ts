/**
 * Safe retries for vendor calls: bounded attempts, exponential backoff with full jitter, the vendor's `Retry-After`
 * honoured (and clamped), and repeat safety per operation (`x-profilesync-retry: safe | check-first | never`).
 *
 * The module never reads error messages. The caller says what an error means through `classify` (retry or stop)
 * and, for check-first operations, `isAmbiguous` (could the write have happened?).
 *
 * **Layout**
 *
 * This file is the whole public contract of retries (policies, classification, outcomes, the error, the retry loop's
 * signature), which is why it runs past 400 lines: signatures and their documentation, each delegating in a line or two.
 * The loop is in `internal/retry.ts`.
 *
 * @since 0.1.0
 */
import type * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/retry.ts"

/**
 * What to do with a failed attempt: `Retry` (optionally after the vendor's `Retry-After`) or `Stop`.
 *
 * **Details**
 *
 * `retryAfter` is the vendor's own wait (a `Retry-After` header, a rate-limit reset). When it is present the
 * retry waits that long (clamped to `maxRetryAfter`, plus a small jitter) instead of the exponential backoff.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision = Data.TaggedEnum<{
  Retry: { readonly retryAfter: Option.Option<Duration.Duration> }
  Stop: Record<never, never>
}>

/**
 * Constructors and matchers for {@link Decision}.
 *
 * @example
 * ```ts
 * import * as Option from "effect/Option"
 * import { Retry } from "@profilesync/core"
 *
 * const classify = (error: OcambaError): Retry.Decision =>
 *   error.reason._tag === "RateLimited"
 *     ? Retry.Decision.Retry({ retryAfter: error.reason.retryAfter })
 *     : Retry.Decision.Stop()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const Decision: Data.TaggedEnum.Constructor<Decision> = internal.Decision

/**
 * Timing and bounds of a retry loop, with every default applied. Build one with {@link makePolicy}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts in total, the first included. At least 1. */
  readonly maxAttempts: number
  /** Backoff ceiling before the first retry; it doubles for each further retry. */
  readonly baseDelay: Duration.Duration
  /** Upper bound of the backoff ceiling. */
  readonly maxDelay: Duration.Duration
  /** Upper bound of a vendor `Retry-After`; a longer one is clamped to this, not ignored. */
  readonly maxRetryAfter: Duration.Duration
  /** Largest random delay added on top of a vendor `Retry-After`. */
  readonly retryAfterJitter: Duration.Duration
}

/**
 * Options for a {@link RetryPolicy}; every field is optional and has a default.
 *
 * **Details**
 *
 * - `maxAttempts`: attempts in total, the first included (default `5`). Rounded down; anything below 1 means 1.
 * - `baseDelay`: backoff ceiling before the first retry (default `500 millis`).
 * - `maxDelay`: cap of the backoff ceiling (default `30 seconds`).
 * - `maxRetryAfter`: cap of a vendor `Retry-After` (default `5 minutes`). A longer `Retry-After` is clamped to the
 *   cap, not dropped (sindresorhus/ky#603): the retry still happens, just sooner than the vendor asked.
 * - `retryAfterJitter`: largest random delay added on top of a `Retry-After` (default `1 second`).
 *
 * A resolved {@link RetryPolicy} is itself a valid `RetryPolicyOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicyOptions {
  readonly maxAttempts?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  readonly retryAfterJitter?: Duration.DurationInput | undefined
}

/**
 * The policy used when none is given: 5 attempts, 500 ms base, 30 s cap, `Retry-After` capped at 5 minutes with up
 * to 1 s of jitter.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: RetryPolicy = internal.defaultPolicy

/**
 * Resolves {@link RetryPolicyOptions} into a {@link RetryPolicy}, filling in defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePolicy: (options?: RetryPolicyOptions) => RetryPolicy = internal.makePolicy

/**
 * How long to wait after a failed attempt before the next one.
 *
 * **Details**
 *
 * - Without a `retryAfter`: full jitter, a delay drawn uniformly from `[0, min(maxDelay, baseDelay · 2^(attempt - 1)))`
 *   and rounded down to whole milliseconds. After attempt 1 the ceiling is `baseDelay`, after attempt 2 it is
 *   `2 · baseDelay`, and so on up to `maxDelay`.
 * - With a `retryAfter`: `min(retryAfter, maxRetryAfter)` plus a delay drawn from `[0, retryAfterJitter)`. The
 *   vendor's time is honoured exactly rather than mixed with backoff: it knows when its window reopens, and the
 *   jitter only adds, so no caller comes back early, while callers refused together do not come back in lockstep
 *   (sindresorhus/ky#509).
 *
 * Randomness comes from Effect's `Random` service, so `Effect.withRandom(Random.fixed([...]))` makes it
 * deterministic in tests.
 *
 * This is the `attempt`-th wait of {@link backoff}, computed directly: with the same draws of `Random` the two give
 * the same waits.
 *
 * @since 0.1.0
 * @category utils
 */
export const nextDelay: (
  policy: RetryPolicy,
  failure: {
    /** The number of the attempt that failed, starting at 1. */
    readonly attempt: number
    readonly retryAfter: Option.Option<Duration.Duration>
  }
) => Effect.Effect<Duration.Duration> = internal.nextDelay

/**
 * The waits of a retry loop as an Effect `Schedule`: it takes each failure's `Retry-After` as input and outputs the
 * wait before the next attempt, the one {@link nextDelay} describes.
 *
 * **Details**
 *
 * Built from `Schedule` combinators: `exponential(baseDelay, 2)` for the ceilings, `modifyDelay` to cap them at
 * `maxDelay`, `passthrough` to see the input, `modifyDelayEffect` for the full jitter or the clamped `Retry-After`
 * with its jitter, and `delays` to output the wait. It recurs forever: bound it with `Schedule.recurs` or
 * `maxAttempts` of your own. {@link retry}, {@link checkFirst} and {@link forOperation} step it once per failure;
 * their own logic (classification, check-first, attempt bounds) stays outside the schedule.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 * import * as Schedule from "effect/Schedule"
 * import { Retry } from "@profilesync/core"
 *
 * // A read that is safe to repeat, with the same backoff as core's clients (no Retry-After: input None).
 * const profiles = listProfiles.pipe(
 *   Effect.retry(
 *     Retry.backoff(Retry.defaultPolicy).pipe(
 *       Schedule.mapInput(() => Option.none()),
 *       Schedule.intersect(Schedule.recurs(4))
 *     )
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const backoff: (policy: RetryPolicy) => Schedule.Schedule<Duration.Duration, Option.Option<Duration.Duration>> =
  internal.backoff

/**
 * A classifier that retries errors whose tag is in `tags` and stops on every other error.
 *
 * **Details**
 *
 * An error matches when its own `_tag` or its `reason._tag` is listed, so the same list works for errors with a
 * `reason` union (`OcambaError` with `reason: RateLimited | ServerError | …`) and for flat tagged errors
 * (`TimeoutException`).
 *
 * The `Retry-After` comes from `getRetryAfter` when given. Otherwise it is read from `reason.retryAfter` (or
 * `retryAfter` on the error itself) when that is an `Option<Duration>` or a `Duration`; anything else means none.
 *
 * **Gotchas**
 *
 * Tags are matched exactly; the message text is never looked at.
 *
 * @example
 * ```ts
 * import { Retry } from "@profilesync/core"
 *
 * const classify = Retry.transientByTag(["RateLimited", "ServerError", "Transport", "Timeout"])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const transientByTag: <E = unknown>(
  tags: ReadonlyArray<string>,
  getRetryAfter?: (error: E) => Option.Option<Duration.Duration>
) => (error: E) => Decision = internal.transientByTag

/**
 * A failed vendor call as far as retrying it is concerned: the reason's `_tag` and the few fields the decision reads.
 * Core's clients (`OcambaError`, `CopernicaError`) and the proxy's upstream failures both have this shape.
 *
 * - `RateLimited`: a 429 (`source: "vendor"`), or the throttle could not give a slot in time (`"throttle"`);
 *   `retryAfter` is the vendor's wait.
 * - `ServerError`: a 5xx answer, with its `status`.
 * - `Transport`: the request did not complete; `reachedServer: false` when it certainly had no effect.
 * - `Timeout`: no answer in time.
 * - Any other tag (a 4xx, an invalid answer, an open breaker, ...) is never retried and never ambiguous.
 *
 * @since 0.2.0
 * @category models
 */
export interface VendorFailureReason {
  readonly _tag: string
  readonly status?: number | undefined
  readonly reachedServer?: boolean | undefined
  readonly retryAfter?: Option.Option<Duration.Duration> | undefined
  readonly source?: "vendor" | "throttle" | undefined
}

/**
 * The one classification of vendor failures, used by core's clients and by the proxy: retry a 429 from the vendor
 * (after its `Retry-After`), transport errors, timeouts and 502/503/504; never a throttle refusal, a 4xx or anything
 * else. `everyServerError` also retries a 500 and every other 5xx (core's clients do for reads, where repeating cannot
 * write anything). Decided on `_tag` only, never on message text.
 *
 * @since 0.2.0
 * @category constructors
 */
export const vendorDecision: (
  reason: VendorFailureReason,
  options?: { readonly everyServerError?: boolean | undefined }
) => Decision = internal.vendorDecision

/**
 * Whether a failed vendor call may have taken effect (for check-first operations): a 429, a refused connection or a
 * throttle refusal certainly did not; a timeout, a dropped connection or a 5xx may have.
 *
 * @since 0.2.0
 * @category utils
 */
export const isAmbiguousVendorFailure: (reason: VendorFailureReason) => boolean = internal.isAmbiguousVendorFailure

/**
 * Whether a failure says the vendor is unwell rather than the request wrong (what a circuit breaker counts): a
 * transport error, a timeout or a 5xx.
 *
 * @since 0.2.0
 * @category utils
 */
export const isVendorUnwell: (reason: VendorFailureReason) => boolean = internal.isVendorUnwell

/**
 * Reported to `onRetry` after a failed attempt, before the wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryEvent<E> {
  /** The number of the attempt that failed, starting at 1; the next attempt is `attempt + 1`. */
  readonly attempt: number
  readonly error: E
  /** How long the loop waits before the next attempt (or, when `checking`, before the check). */
  readonly delay: Duration.Duration
  /** The vendor's `Retry-After` from the classification, before clamping. */
  readonly retryAfter: Option.Option<Duration.Duration>
  /** Whether the failure was ambiguous, so `check` runs before the next attempt (check-first only). */
  readonly checking: boolean
}

/**
 * Reported to `onGiveUp` when the loop fails with its last error.
 *
 * **Details**
 *
 * `reason` says why there is no further attempt:
 * - `Stopped`: `classify` returned `Stop` (or the operation's policy is `never`).
 * - `Exhausted`: `maxAttempts` attempts were made.
 * - `Ambiguous`: a check-first operation failed in a way that may have taken effect, and no `check` was given.
 *
 * @since 0.1.0
 * @category models
 */
export interface GiveUpEvent<E> {
  /** Attempts made, the first included. */
  readonly attempts: number
  /** The last error, which is also the error the loop fails with. */
  readonly error: E
  readonly reason: "Stopped" | "Exhausted" | "Ambiguous"
}

/**
 * Reported to `onCheck` after a check-first operation ran its check.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckEvent<E> {
  /** The number of the attempt whose ambiguous failure was checked. */
  readonly attempt: number
  readonly error: E
  /** Whether the check found the attempt's result (`true` means no further write). */
  readonly found: boolean
}

/**
 * Options of {@link retry}.
 *
 * **Details**
 *
 * - `policy`: timing and bounds, see {@link RetryPolicyOptions} (defaults: {@link defaultPolicy}).
 * - `classify`: turns a failure into a {@link Decision}. Required: only the caller knows which errors are transient.
 * - `beforeAttempt`: run before every attempt, the first included. Pass the throttle acquisition here so that every
 *   retry spends budget from the same shared limiter as a first attempt. A failure of `beforeAttempt` ends the loop
 *   with that failure; it is not classified.
 * - `onRetry`: observes each retry (attempt number, delay, error) for logs, metrics or events.
 * - `onGiveUp`: observes the final failure with the number of attempts made and why the loop stopped.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions<E, EB = never, RB = never> {
  readonly policy?: RetryPolicyOptions | undefined
  readonly classify: (error: E) => Decision
  readonly beforeAttempt?: Effect.Effect<unknown, EB, RB> | undefined
  readonly onRetry?: ((event: RetryEvent<E>) => Effect.Effect<unknown>) | undefined
  readonly onGiveUp?: ((event: GiveUpEvent<E>) => Effect.Effect<unknown>) | undefined
}

/**
 * Runs an effect, repeating it after failures that `classify` calls transient, with backoff between attempts.
 *
 * **Details**
 *
 * - Up to `maxAttempts` attempts; the wait between them comes from {@link backoff} (stepped once per failure) and
 *   the `Clock`, so `TestClock` controls it.
 * - `beforeAttempt` runs before every attempt, so retries are throttled like first attempts.
 * - The result is the first success. The failure is the last error, unchanged.
 * - The number of attempts is observable three ways: `onRetry` gets each failed attempt's number, `onGiveUp` gets
 *   the total when the loop fails, and the current span (if any) gets the attribute `profilesync.retry.attempts`
 *   on success and failure.
 *
 * **Gotchas**
 *
 * - Only use this for operations that are safe to repeat (`x-profilesync-retry: safe`). For writes that could
 *   happen twice use {@link checkFirst} or {@link forOperation}.
 * - Defects and interruptions are never retried.
 *
 * @example
 * ```ts
 * import { Retry } from "@profilesync/core"
 *
 * const profiles = listProfiles.pipe(
 *   Retry.retry({
 *     classify: Retry.transientByTag(["RateLimited", "ServerError", "Transport", "Timeout"]),
 *     beforeAttempt: throttle.acquire("ocamba"),
 *     onRetry: ({ attempt, delay }) => Effect.logWarning(`attempt ${attempt} failed, retrying in ${Duration.format(delay)}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retry: {
  <E, EB = never, RB = never>(
    options: RetryOptions<NoInfer<E>, EB, RB>
  ): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | EB, R | RB>
  <A, E, R, EB = never, RB = never>(
    self: Effect.Effect<A, E, R>,
    options: RetryOptions<NoInfer<E>, EB, RB>
  ): Effect.Effect<A, E | EB, R | RB>
} = internal.retry

/**
 * The check of a check-first operation: how to find out whether an attempt whose outcome is unknown took effect.
 *
 * **Details**
 *
 * - `check`: looks for the attempt's result at the vendor. `Some(result)` means the write happened, and the loop
 *   succeeds with it; `None` means it did not, and the attempt is repeated.
 * - `isAmbiguous`: whether a failure leaves the outcome unknown (transport error, timeout, 5xx: the vendor may have
 *   done the work). Failures that are certain not to have taken effect (a 429 refusal, a 503 before processing) are
 *   repeated without a check, if `classify` says `Retry`.
 * - `onCheck`: observes each check and whether it found the result.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckOptions<A, E, EC = never, RC = never> {
  readonly check: Effect.Effect<Option.Option<A>, EC, RC>
  readonly isAmbiguous: (error: E) => boolean
  readonly onCheck?: ((event: CheckEvent<E>) => Effect.Effect<unknown>) | undefined
}

/**
 * Options of {@link checkFirst}: the `attempt` (the write), its {@link CheckOptions} and the {@link RetryOptions}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckFirstOptions<A, E, R, EC = never, RC = never, EB = never, RB = never>
  extends RetryOptions<NoInfer<E>, EB, RB>,
    CheckOptions<NoInfer<A>, NoInfer<E>, EC, RC> {
  readonly attempt: Effect.Effect<A, E, R>
}

/**
 * Retries a write that must not happen twice: after a failure whose outcome is unknown, it checks whether the
 * write took effect before repeating it.
 *
 * **Details**
 *
 * After a failed attempt:
 * 1. `classify` says `Stop`: fail with the error.
 * 2. `isAmbiguous` says no (the vendor certainly refused, e.g. 429): wait and repeat, like {@link retry}.
 * 3. `isAmbiguous` says yes: wait, run `check`; if it finds the result, succeed with it and never write again;
 *    if not, repeat the write.
 *
 * When the last allowed attempt fails ambiguously, the check still runs once: a write that did happen is reported
 * as a success rather than as a failure that a later run would repeat. The wait comes before the check because a
 * write that timed out may still be in flight at the vendor.
 *
 * This is what makes a POST safe to retry. For example:
 * - creating an Ocamba Hood profile property: list the properties and look for the label;
 * - committing an import: read the import's state;
 * - a Copernica `add` import: look the profiles up by their key fields.
 *
 * `maxAttempts` counts writes; checks do not count. `beforeAttempt` runs before each write, not before `check`.
 *
 * **Gotchas**
 *
 * - `check` is not throttled or retried here: if it calls the vendor, put the throttle in it, and wrap it in
 *   {@link retry} (a read is safe to repeat). A failing check ends the loop with the check's error, because without
 *   an answer a repeat could write twice.
 * - A check can only be as good as the vendor's consistency: if the vendor accepts the write but shows it later
 *   (queued imports), the check must look at what the write returns synchronously, such as the import's id.
 *
 * @example
 * ```ts
 * import * as Option from "effect/Option"
 * import { Retry } from "@profilesync/core"
 *
 * const property = Retry.checkFirst({
 *   attempt: createProperty({ label: "plan" }),
 *   check: listProperties.pipe(Effect.map(Array.findFirst((property) => property.label === "plan"))),
 *   isAmbiguous: (error) => ["Transport", "Timeout", "ServerError"].includes(error.reason._tag),
 *   classify: Retry.transientByTag(["RateLimited", "Transport", "Timeout", "ServerError"]),
 *   beforeAttempt: throttle.acquire("ocamba")
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const checkFirst: <A, E, R, EC = never, RC = never, EB = never, RB = never>(
  options: CheckFirstOptions<A, E, R, EC, RC, EB, RB>
) => Effect.Effect<A, E | EC | EB, R | RC | RB> = internal.checkFirst

/**
 * The retry policy of a vendor operation, as declared by `x-profilesync-retry.policy` in the OpenAPI specs.
 *
 * - `safe`: repeating cannot change the outcome (reads, PATCH, triggers).
 * - `check-first`: repeating could write twice; check whether the first attempt took effect.
 * - `never`: never repeated automatically.
 *
 * @since 0.1.0
 * @category models
 */
export type OperationPolicy = "safe" | "check-first" | "never"

/**
 * Options of {@link forOperation}: the {@link RetryOptions} plus, for check-first operations, the optional parts of
 * {@link CheckOptions}.
 *
 * **Details**
 *
 * - `check`: used only by `check-first`. Without it, a `check-first` operation never repeats an ambiguous failure
 *   (it gives up with reason `Ambiguous`) and only repeats certain refusals.
 * - `isAmbiguous`: used only by `check-first` (default: every failure is ambiguous, the conservative reading).
 *
 * @since 0.1.0
 * @category models
 */
export interface ForOperationOptions<A, E, EC = never, RC = never, EB = never, RB = never>
  extends RetryOptions<E, EB, RB> {
  readonly check?: Effect.Effect<Option.Option<A>, EC, RC> | undefined
  readonly isAmbiguous?: ((error: E) => boolean) | undefined
  readonly onCheck?: ((event: CheckEvent<E>) => Effect.Effect<unknown>) | undefined
}

/**
 * Retries an operation as its declared {@link OperationPolicy} allows.
 *
 * **Details**
 *
 * - `safe`: {@link retry}.
 * - `check-first`: {@link checkFirst} (with the `check` and `isAmbiguous` from the options, see
 *   {@link ForOperationOptions}).
 * - `never`: one attempt (after `beforeAttempt`); a failure is returned as is, and `onGiveUp` reports `Stopped`.
 *
 * Meant for clients that take the policy from the generated contracts at run time, so the same call site handles
 * every operation.
 *
 * @example
 * ```ts
 * import { Retry } from "@profilesync/core"
 *
 * const created = createProperty(body).pipe(
 *   Retry.forOperation(operations.createProfileProperty.retry.policy, {
 *     classify,
 *     isAmbiguous,
 *     check: findPropertyByLabel(body.label),
 *     beforeAttempt: throttle.acquire("ocamba")
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const forOperation: {
  <E, A2 = never, EC = never, RC = never, EB = never, RB = never>(
    operation: OperationPolicy,
    options: ForOperationOptions<A2, NoInfer<E>, EC, RC, EB, RB>
  ): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | EC | EB, R | RC | RB>
  <A, E, R, EC = never, RC = never, EB = never, RB = never>(
    self: Effect.Effect<A, E, R>,
    operation: OperationPolicy,
    options: ForOperationOptions<NoInfer<A>, NoInfer<E>, EC, RC, EB, RB>
  ): Effect.Effect<A, E | EC | EB, R | RC | RB>
} = internal.forOperation
