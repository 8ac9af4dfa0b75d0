/**
 * Implementation of `Retry.ts`: the retry loop shared by `retry`, `checkFirst` and `forOperation`, the backoff (an
 * Effect `Schedule`, and `nextDelay`'s direct arithmetic for one attempt) and the tag-based classifier.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Retry from "../Retry.ts"

/** @internal */
export const Decision: Data.TaggedEnum.Constructor<Retry.Decision> = Data.taggedEnum<Retry.Decision>()

/** @internal */
export const defaultPolicy: Retry.RetryPolicy = {
  maxAttempts: 5,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(30),
  maxRetryAfter: Duration.minutes(5),
  retryAfterJitter: Duration.seconds(1)
}

/** @internal */
export const makePolicy = (options?: Retry.RetryPolicyOptions): Retry.RetryPolicy => {
  const maxAttempts = options?.maxAttempts ?? defaultPolicy.maxAttempts
  return {
    // A policy must allow the first attempt, and a fractional or NaN count has no sensible meaning: round down and
    // keep at least one attempt rather than fail at run time.
    maxAttempts: Number.isFinite(maxAttempts) ? Math.max(1, Math.floor(maxAttempts)) : defaultPolicy.maxAttempts,
    baseDelay: Duration.decode(options?.baseDelay ?? defaultPolicy.baseDelay),
    maxDelay: Duration.decode(options?.maxDelay ?? defaultPolicy.maxDelay),
    maxRetryAfter: Duration.decode(options?.maxRetryAfter ?? defaultPolicy.maxRetryAfter),
    retryAfterJitter: Duration.decode(options?.retryAfterJitter ?? defaultPolicy.retryAfterJitter)
  }
}

/** @internal */
export const backoffCeiling = (policy: Retry.RetryPolicy, attempt: number): Duration.Duration => {
  const base = Duration.toMillis(policy.baseDelay)
  const cap = Duration.toMillis(policy.maxDelay)
  // The exponent is bounded so that `base * 2 ** exponent` stays finite (and never becomes `0 * Infinity = NaN`)
  // however many attempts a caller allows; 2^52 already exceeds any useful cap.
  const exponent = Math.min(Math.max(attempt - 1, 0), 52)
  return Duration.millis(Math.min(cap, base * 2 ** exponent))
}

/**
 * The wait after one failure, from its backoff ceiling and the vendor's `Retry-After`: one draw of `Random` either
 * way, so a fixed `Random` gives the same waits to `nextDelay` and to `backoff`.
 */
const drawDelay = (
  policy: Retry.RetryPolicy,
  ceiling: Duration.Duration,
  retryAfter: Option.Option<Duration.Duration>
): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.next, (random) =>
    Option.match(retryAfter, {
      // Full jitter (delay drawn uniformly from [0, ceiling)) spreads parallel retries over the whole window, which
      // "equal" or no jitter (or `Schedule.jittered`'s 0.8–1.2 factor) does not:
      // https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
      onNone: () => Duration.millis(Math.floor(random * Duration.toMillis(ceiling))),
      // The vendor said when the window reopens, so wait exactly that long: backoff would either retry too early
      // (and be refused again) or wait longer than needed. A Retry-After above the cap is clamped rather than
      // dropped (sindresorhus/ky#603), and a small jitter is only ever added, never subtracted, so parallel callers
      // refused together do not come back in lockstep (sindresorhus/ky#509) yet none returns before the vendor's
      // time.
      onSome: (retryAfter) =>
        Duration.sum(
          Duration.min(retryAfter, policy.maxRetryAfter),
          Duration.millis(Math.floor(random * Duration.toMillis(policy.retryAfterJitter)))
        )
    })
  )

/** @internal */
export const nextDelay = (
  policy: Retry.RetryPolicy,
  failure: { readonly attempt: number; readonly retryAfter: Option.Option<Duration.Duration> }
): Effect.Effect<Duration.Duration> => drawDelay(policy, backoffCeiling(policy, failure.attempt), failure.retryAfter)

/** @internal */
export const backoff = (
  policy: Retry.RetryPolicy
): Schedule.Schedule<Duration.Duration, Option.Option<Duration.Duration>> =>
  // The ceilings: `baseDelay`, doubled at each recurrence, capped at `maxDelay` (an exponent too large for a number
  // gives an infinite duration, which the cap takes down). `passthrough` makes the input (the failure's Retry-After)
  // the output, so the jitter step sees both it and the ceiling; `delays` outputs the wait that step chose.
  Schedule.exponential(policy.baseDelay, 2).pipe(
    Schedule.modifyDelay((_, ceiling) => Duration.min(ceiling, policy.maxDelay)),
    Schedule.passthrough<Duration.Duration, Option.Option<Duration.Duration>, never>,
    Schedule.modifyDelayEffect((retryAfter, ceiling) => drawDelay(policy, ceiling, retryAfter)),
    Schedule.delays
  )

const tagOf = (value: unknown): string | undefined =>
  Predicate.hasProperty(value, "_tag") && Predicate.isString(value._tag) ? value._tag : undefined

const retryAfterOf = (error: unknown): Option.Option<Duration.Duration> => {
  const source =
    Predicate.hasProperty(error, "reason") && Predicate.hasProperty(error.reason, "retryAfter")
      ? error.reason.retryAfter
      : Predicate.hasProperty(error, "retryAfter")
        ? error.retryAfter
        : undefined
  if (Option.isOption(source)) {
    return Option.filter(source, Duration.isDuration)
  }
  return Duration.isDuration(source) ? Option.some(source) : Option.none()
}

/** @internal */
export const errorTags = (error: unknown): ReadonlyArray<string> => {
  const tags: Array<string> = []
  const own = tagOf(error)
  if (own !== undefined) tags.push(own)
  const reason = Predicate.hasProperty(error, "reason") ? tagOf(error.reason) : undefined
  if (reason !== undefined) tags.push(reason)
  return tags
}

/** @internal */
export const transientByTag = <E = unknown>(
  tags: ReadonlyArray<string>,
  getRetryAfter?: (error: E) => Option.Option<Duration.Duration>
): ((error: E) => Retry.Decision) => {
  const transient = new Set(tags)
  return (error) =>
    errorTags(error).some((tag) => transient.has(tag))
      ? Decision.Retry({ retryAfter: getRetryAfter === undefined ? retryAfterOf(error) : getRetryAfter(error) })
      : Decision.Stop()
}

const retryableServerStatuses: ReadonlySet<number> = new Set([502, 503, 504])

/** @internal */
export const vendorDecision = (
  reason: Retry.VendorFailureReason,
  options?: { readonly everyServerError?: boolean | undefined }
): Retry.Decision => {
  switch (reason._tag) {
    case "RateLimited":
      // A slot the throttle cannot give before the deadline will not come sooner by asking again.
      return reason.source === "throttle"
        ? Decision.Stop()
        : Decision.Retry({ retryAfter: reason.retryAfter ?? Option.none() })
    case "Transport":
    case "Timeout":
      return Decision.Retry({ retryAfter: Option.none() })
    case "ServerError":
      return options?.everyServerError === true || retryableServerStatuses.has(reason.status ?? 0)
        ? Decision.Retry({ retryAfter: Option.none() })
        : Decision.Stop()
    default:
      return Decision.Stop()
  }
}

/** @internal */
export const isAmbiguousVendorFailure = (reason: Retry.VendorFailureReason): boolean => {
  switch (reason._tag) {
    case "Transport":
      return reason.reachedServer !== false
    case "Timeout":
    case "ServerError":
      return true
    default:
      return false
  }
}

/** @internal */
export const isVendorUnwell = (reason: Retry.VendorFailureReason): boolean =>
  reason._tag === "Transport" || reason._tag === "Timeout" || reason._tag === "ServerError"

const attemptsAttribute = "profilesync.retry.attempts"

interface LoopOptions<A2, E, EB, RB, EC, RC> {
  readonly policy: Retry.RetryPolicy
  readonly classify: (error: E) => Retry.Decision
  readonly beforeAttempt: Effect.Effect<unknown, EB, RB> | undefined
  readonly onRetry: ((event: Retry.RetryEvent<E>) => Effect.Effect<unknown>) | undefined
  readonly onGiveUp: ((event: Retry.GiveUpEvent<E>) => Effect.Effect<unknown>) | undefined
  // Present only for check-first operations.
  readonly ambiguity:
    | {
        readonly isAmbiguous: (error: E) => boolean
        readonly check: Effect.Effect<Option.Option<A2>, EC, RC> | undefined
        readonly onCheck: ((event: Retry.CheckEvent<E>) => Effect.Effect<unknown>) | undefined
      }
    | undefined
}

/**
 * The `backoff` schedule and its state between failures; `undefined` until the first failure, so that a call that
 * succeeds at once (nearly all of them, on the proxy's hot path) builds nothing.
 */
type BackoffState =
  | {
      readonly schedule: Schedule.Schedule<Duration.Duration, Option.Option<Duration.Duration>>
      readonly value: unknown
    }
  | undefined

/**
 * The wait after a failure, from one step of the `backoff` schedule. It recurs forever: the loop, not the schedule,
 * decides when to stop (check-first needs a wait even after the last attempt), so the step's decision is never
 * `Done` and only its state and output are used.
 */
const nextWait = (policy: Retry.RetryPolicy, retryAfter: Option.Option<Duration.Duration>, state: BackoffState) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const schedule = state?.schedule ?? backoff(policy)
    return Effect.map(
      schedule.step(now, retryAfter, state === undefined ? schedule.initial : state.value),
      ([value, delay]) => ({ delay, state: { schedule, value } })
    )
  })

const loop = <A, E, R, A2, EB, RB, EC, RC>(
  self: Effect.Effect<A, E, R>,
  options: LoopOptions<A2, E, EB, RB, EC, RC>
): Effect.Effect<A | A2, E | EB | EC, R | RB | RC> => {
  const { ambiguity, beforeAttempt, classify, onGiveUp, onRetry, policy } = options
  const onCheck = ambiguity?.onCheck

  // The attempt count goes on the caller's span (when there is one) so traces show how many writes a call took
  // without changing the success or error type.
  const annotate = (attempts: number) => Effect.annotateCurrentSpan(attemptsAttribute, attempts)

  const giveUp = (error: E, attempts: number, reason: Retry.GiveUpEvent<E>["reason"]) =>
    Effect.zipRight(
      Effect.zipRight(onGiveUp === undefined ? Effect.void : onGiveUp({ attempts, error, reason }), annotate(attempts)),
      Effect.fail(error)
    )

  const onFailure = (
    error: E,
    attempt: number,
    state: BackoffState
  ): Effect.Effect<A | A2, E | EB | EC, R | RB | RC> => {
    const decision = classify(error)
    if (decision._tag === "Stop") {
      return giveUp(error, attempt, "Stopped")
    }
    const ambiguous = ambiguity?.isAmbiguous(error) === true
    const check = ambiguity?.check
    if (ambiguous && check === undefined) {
      // A check-first operation without a way to check: repeating could write twice, so never repeat.
      return giveUp(error, attempt, "Ambiguous")
    }
    const exhausted = attempt >= policy.maxAttempts
    if (exhausted && !ambiguous) {
      return giveUp(error, attempt, "Exhausted")
    }
    return Effect.gen(function* () {
      const { delay, state: nextState } = yield* nextWait(policy, decision.retryAfter, state)
      if (!exhausted && onRetry !== undefined) {
        yield* onRetry({ attempt, error, delay, retryAfter: decision.retryAfter, checking: ambiguous })
      }
      // Wait before checking too: a write that timed out or got a 5xx may still be in flight at the vendor, and a
      // check that runs at once can miss it and let the repeat write a duplicate.
      yield* Effect.sleep(delay)
      if (ambiguous && check !== undefined) {
        const found = yield* check
        if (onCheck !== undefined) {
          yield* onCheck({ attempt, error, found: Option.isSome(found) })
        }
        if (Option.isSome(found)) {
          yield* annotate(attempt)
          return found.value
        }
        if (exhausted) {
          return yield* giveUp(error, attempt, "Exhausted")
        }
      }
      return yield* run(attempt + 1, nextState)
    })
  }

  const run = (attempt: number, state: BackoffState): Effect.Effect<A | A2, E | EB | EC, R | RB | RC> => {
    // `beforeAttempt` sits outside the error handler on purpose: its failure (for example a throttle that gives
    // up) is not a vendor error and must not be classified or retried here.
    const attemptOnce = Effect.matchEffect(self, {
      onFailure: (error) => onFailure(error, attempt, state),
      onSuccess: (value) => Effect.as(annotate(attempt), value)
    })
    return beforeAttempt === undefined ? attemptOnce : Effect.zipRight(beforeAttempt, attemptOnce)
  }

  return run(1, undefined)
}

/** @internal */
export const retry = dual<
  <E, EB = never, RB = never>(
    options: Retry.RetryOptions<NoInfer<E>, EB, RB>
  ) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | EB, R | RB>,
  <A, E, R, EB = never, RB = never>(
    self: Effect.Effect<A, E, R>,
    options: Retry.RetryOptions<NoInfer<E>, EB, RB>
  ) => Effect.Effect<A, E | EB, R | RB>
>(2, (self, options) =>
  loop(self, {
    policy: makePolicy(options.policy),
    classify: options.classify,
    beforeAttempt: options.beforeAttempt,
    onRetry: options.onRetry,
    onGiveUp: options.onGiveUp,
    ambiguity: undefined
  })
)

/** @internal */
export const checkFirst = <A, E, R, EC = never, RC = never, EB = never, RB = never>(
  options: Retry.CheckFirstOptions<A, E, R, EC, RC, EB, RB>
): Effect.Effect<A, E | EC | EB, R | RC | RB> =>
  loop(options.attempt, {
    policy: makePolicy(options.policy),
    classify: options.classify,
    beforeAttempt: options.beforeAttempt,
    onRetry: options.onRetry,
    onGiveUp: options.onGiveUp,
    ambiguity: { isAmbiguous: options.isAmbiguous, check: options.check, onCheck: options.onCheck }
  })

const stop = (): Retry.Decision => Decision.Stop()

// Without `isAmbiguous`, a check-first operation assumes every failure may have taken effect: the conservative
// reading of "the outcome is unknown".
const alwaysAmbiguous = (): boolean => true

/** @internal */
export const forOperation = dual<
  <E, A2 = never, EC = never, RC = never, EB = never, RB = never>(
    operation: Retry.OperationPolicy,
    options: Retry.ForOperationOptions<A2, NoInfer<E>, EC, RC, EB, RB>
  ) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | EC | EB, R | RC | RB>,
  <A, E, R, EC = never, RC = never, EB = never, RB = never>(
    self: Effect.Effect<A, E, R>,
    operation: Retry.OperationPolicy,
    options: Retry.ForOperationOptions<NoInfer<A>, NoInfer<E>, EC, RC, EB, RB>
  ) => Effect.Effect<A, E | EC | EB, R | RC | RB>
>(
  3,
  <A, E, R, A2, EC, RC, EB, RB>(
    self: Effect.Effect<A, E, R>,
    operation: Retry.OperationPolicy,
    options: Retry.ForOperationOptions<A2, E, EC, RC, EB, RB>
  ): Effect.Effect<A | A2, E | EC | EB, R | RC | RB> =>
    loop(self, {
      policy: makePolicy(options.policy),
      classify: operation === "never" ? stop : options.classify,
      beforeAttempt: options.beforeAttempt,
      onRetry: options.onRetry,
      onGiveUp: options.onGiveUp,
      ambiguity:
        operation === "check-first"
          ? {
              isAmbiguous: options.isAmbiguous ?? alwaysAmbiguous,
              check: options.check,
              onCheck: options.onCheck
            }
          : undefined
    })
)
