/**
 * @module
 * An upstream attempt that did not end in an answer to pass on as a success: the vendor's 429 or 5xx (kept, so it can
 * be passed through when no retry is allowed), a transport error, a timeout, or a streamed body that grew past its
 * limit. With core's retry and breaker, these decide what is repeated, by `reason._tag` only.
 */
import { Retry } from "@profilesync/core"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { TransportFailure, UpstreamAnswer } from "../upstream.ts"

/** Why an attempt failed. */
export type UpstreamFailureReason = Data.TaggedEnum<{
  /** The vendor answered 429; the account is paused for every replica. `concurrency`: `Retry-After: -1`. */
  RateLimited: { readonly answer: UpstreamAnswer; readonly concurrency: boolean }
  /** The vendor answered 5xx. */
  ServerError: { readonly answer: UpstreamAnswer }
  Transport: { readonly failure: TransportFailure }
  Timeout: { readonly after: Duration.Duration }
  /** A streamed upload passed its limit while it was being sent; the upstream request was aborted. */
  BodyTooLarge: { readonly limit: number }
}>

/** Constructors and guards of {@link UpstreamFailureReason}. */
export const UpstreamFailureReason = Data.taggedEnum<UpstreamFailureReason>()

/** A failed upstream attempt. */
export class UpstreamFailure extends Data.TaggedError("UpstreamFailure")<{ readonly reason: UpstreamFailureReason }> {}

const retryableStatuses: ReadonlySet<number> = new Set([502, 503, 504])

/** Whether the error is an {@link UpstreamFailure} (the attempt's other errors are core's throttle and breaker). */
export const isUpstreamFailure = (error: unknown): error is UpstreamFailure =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "UpstreamFailure"

/**
 * Retry or stop, for an attempt of a request whose body can (`replayable`) or cannot be sent again.
 *
 * **Details**
 *
 * - A vendor 429 is repeated with no extra delay: the attempt already paused the account, so the next attempt waits
 *   in the throttle's queue, in order, behind the cooldown (and fails at once if that is past the caller's deadline).
 * - 502, 503, 504, timeouts and transport errors are repeated after backoff; other 5xx are passed on.
 * - Throttle refusals and an open breaker are never repeated: waiting longer is exactly what the caller's deadline
 *   forbids, and repeating into an open breaker defeats it.
 * - A body that cannot be replayed (a streamed upload) is never repeated.
 */
export const classify =
  (replayable: boolean) =>
  (error: unknown): Retry.Decision => {
    if (!replayable || !isUpstreamFailure(error)) return Retry.Decision.Stop()
    const reason = error.reason
    switch (reason._tag) {
      case "RateLimited":
        return Retry.Decision.Retry({ retryAfter: Option.some(Duration.zero) })
      case "ServerError":
        return retryableStatuses.has(reason.answer.status)
          ? Retry.Decision.Retry({ retryAfter: Option.none() })
          : Retry.Decision.Stop()
      case "Transport":
      case "Timeout":
        return Retry.Decision.Retry({ retryAfter: Option.none() })
      case "BodyTooLarge":
        return Retry.Decision.Stop()
    }
  }

/**
 * Whether a failed attempt may have taken effect at the vendor (core's reading, so the proxy and the clients agree):
 * a 429 and a refused connection certainly did not; a 5xx, a timeout or a dropped connection may have.
 */
export const isAmbiguous = (error: unknown): boolean => {
  if (!isUpstreamFailure(error)) return false
  const reason = error.reason
  switch (reason._tag) {
    case "RateLimited":
    case "BodyTooLarge":
      return false
    case "Transport":
      return reason.failure.reachedServer
    case "ServerError":
    case "Timeout":
      return true
  }
}

/** Whether the failure says the vendor is unwell (counted by the circuit breaker), as core's clients count. */
export const isBreakerFailure = (error: unknown): boolean =>
  isUpstreamFailure(error) &&
  (error.reason._tag === "ServerError" || error.reason._tag === "Transport" || error.reason._tag === "Timeout")
