/**
 * @module
 * The retry loop, as an Effect, for a request the fast path did not settle (a slot to wait for, a failed first
 * attempt, a breaker not closed, the Redis store): wait for a slot of the account's shared budget up to the caller's
 * deadline, send through the circuit breaker, and repeat as the operation's retry safety allows (core's
 * `Retry.forOperation`). A vendor 429 pauses the account for every caller in every replica, or lowers its concurrency.
 */
import * as Retry from "@profilesync/core/Retry"
import * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Metrics from "../metrics.ts"
import type { UpstreamAnswer } from "../upstream.ts"
import type { Exchange, VendorRoute } from "./exchange.ts"
import type { PreparedRequest } from "./prepare.ts"
import { failureOf, judge, sendOnce, takeSnapshotNow } from "./send.ts"
import { classify, isAmbiguous, isUpstreamFailure, type UpstreamFailure } from "./upstream-failure.ts"

/** The attempts of one request: the fast path's (if it made one and it failed), and the last failure seen. */
export interface Attempts {
  first: UpstreamAnswer | UpstreamFailure | undefined
  lastFailure: UpstreamFailure | undefined
}

/** The budget of `key` as the throttle sees it (through Redis when shared); `None` when it cannot tell. */
export const snapshotOf = (
  throttle: Throttle.ThrottleService,
  key: string
): Effect.Effect<Option.Option<Throttle.Snapshot>> =>
  throttle.snapshot(key).pipe(
    Effect.map(Option.some),
    Effect.catchAll(() => Effect.succeed(Option.none<Throttle.Snapshot>()))
  )

// A vendor 429 lowers the account's concurrency (`Retry-After: -1`) or pauses it for every caller, in every replica
// sharing the Redis store.
const rateLimited = (
  throttle: Throttle.ThrottleService,
  key: string,
  failure: UpstreamFailure
): Effect.Effect<void> => {
  const reason = failure.reason
  if (reason._tag !== "RateLimited") return Effect.void
  if (reason.concurrency) return throttle.lowerConcurrency(key)
  const parsed = Throttle.parseRetryAfter(reason.answer.headers.get("retry-after"), Date.now())
  const delay = Option.flatMap(parsed, (value) => (value._tag === "Delay" ? Option.some(value.delay) : Option.none()))
  return Effect.ignore(
    throttle.pause(
      key,
      Option.getOrElse(delay, () => Duration.seconds(1))
    )
  )
}

/** The retry loop of one request; `attempts.first` is the fast path's failed attempt, taken as the loop's first. */
export const retryLoop = (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  attempts: Attempts
): Effect.Effect<UpstreamAnswer, unknown> => {
  const { throttle, breaker, logger, vendor } = route
  const { record, requestId } = exchange
  const { key, operation } = prepared
  const operationId = operation.operationId

  const send = Effect.tryPromise({
    try: () => sendOnce(route, prepared),
    catch: (error) => failureOf(route, exchange, prepared, error)
  }).pipe(
    Effect.flatMap((answer) => {
      const failure = judge(route, exchange, prepared, answer)
      return failure === undefined
        ? Effect.succeed(answer)
        : Effect.zipRight(rateLimited(throttle, key, failure), Effect.fail(failure))
    })
  )

  // Right after admission the request goes out; the look at the budget (for the headers) comes after the answer, so
  // it never delays the request past its slot.
  const takeSnapshot = Effect.suspend(() =>
    takeSnapshotNow(route, exchange, key)
      ? Effect.void
      : Effect.flatMap(snapshotOf(throttle, key), (taken) =>
          Effect.sync(() => {
            exchange.snapshot = taken
          })
        )
  )

  const attempt = Effect.suspend(() => {
    if (isUpstreamFailure(attempts.first)) {
      // The fast path's attempt failed: this is it, as the retry loop sees it.
      const failure = attempts.first
      attempts.first = undefined
      attempts.lastFailure = failure
      return Effect.zipRight(rateLimited(throttle, key, failure), Effect.fail(failure))
    }
    const askedAt = Date.now()
    record.attempts++
    const admitted = Effect.suspend(() => {
      record.waitedMillis += Date.now() - askedAt
      // The throttle widens its windows by the time between the slot and the request leaving (a stalled loop).
      const sentAt = performance.now()
      return Effect.zipRight(Throttle.markSent, send).pipe(
        Effect.ensuring(Effect.sync(() => (record.upstreamMillis += performance.now() - sentAt))),
        breaker.protect,
        Effect.onExit(() => takeSnapshot),
        Effect.uninterruptible
      )
    })
    return admitted.pipe(
      throttle.withThrottle(key, { deadline: Duration.millis(Math.max(0, prepared.deadlineAt - Date.now())) }),
      Effect.tapError((error) =>
        Effect.sync(() => {
          if (isUpstreamFailure(error)) attempts.lastFailure = error
        })
      )
    )
  })

  return attempt.pipe(
    Retry.forOperation(operation.retry.policy, {
      policy: route.retryPolicy,
      classify: classify(prepared.outgoing.kind !== "stream"),
      isAmbiguous,
      onRetry: (event) =>
        Effect.sync(() => {
          const reason = isUpstreamFailure(event.error) ? event.error.reason._tag : "unknown"
          Metrics.retriesTotal.at(vendor.name, operationId, reason).value++
          if (logger.enabled("debug")) {
            logger.log("debug", "retrying upstream request", {
              requestId,
              operation: operationId,
              attempt: event.attempt,
              reason,
              delayMs: Duration.toMillis(event.delay)
            })
          }
        })
    })
  )
}
