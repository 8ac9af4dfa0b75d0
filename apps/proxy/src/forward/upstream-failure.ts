/**
 * @module
 * An upstream attempt that did not end in an answer to pass on as a success: the vendor's 429 or 5xx (kept, so it can
 * be passed through when no retry is allowed), a transport error, a timeout, or a streamed body that grew past its
 * limit. What is repeated, what may have taken effect and what the breaker counts is core's one classification of
 * vendor failures (`Retry.vendorDecision`, `Retry.isAmbiguousVendorFailure`, `Retry.isVendorUnwell`), which reads the
 * reasons' `_tag` and the fields below only.
 */
import * as Retry from "@profilesync/core/Retry"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import type { TransportFailure, UpstreamAnswer } from "../upstream.ts"

/** Why an attempt failed. */
export type UpstreamFailureReason = Data.TaggedEnum<{
  /**
   * The vendor answered 429; the account is paused for every replica. `concurrency`: `Retry-After: -1`.
   * `retryAfter` is zero: the attempt already paused the account, so the next attempt waits in the throttle's queue,
   * in order, behind the cooldown (and fails at once if that is past the caller's deadline).
   */
  RateLimited: {
    readonly answer: UpstreamAnswer
    readonly concurrency: boolean
    readonly retryAfter: Option.Option<Duration.Duration>
  }
  /** The vendor answered 5xx. */
  ServerError: { readonly answer: UpstreamAnswer; readonly status: number }
  /** No answer; `reachedServer` is false when the request certainly never reached the vendor. */
  Transport: { readonly failure: TransportFailure; readonly reachedServer: boolean }
  Timeout: { readonly after: Duration.Duration }
  /** A streamed upload passed its limit while it was being sent; the upstream request was aborted. */
  BodyTooLarge: { readonly limit: number }
}>

/** Constructors and guards of {@link UpstreamFailureReason}. */
export const UpstreamFailureReason = Data.taggedEnum<UpstreamFailureReason>()

/** A failed upstream attempt. */
export class UpstreamFailure extends Data.TaggedError("UpstreamFailure")<{ readonly reason: UpstreamFailureReason }> {}

/** Whether the error is an {@link UpstreamFailure} (the attempt's other errors are core's throttle and breaker). */
export const isUpstreamFailure = (error: unknown): error is UpstreamFailure =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "UpstreamFailure"

/**
 * Retry or stop, for an attempt of a request whose body can (`replayable`) or cannot be sent again: core's
 * classification, with two limits of the proxy's own. A body that cannot be replayed (a streamed upload) is never
 * repeated, and a 500 is passed on rather than repeated even for reads (core's clients repeat it there): the caller
 * has its own retries, and the proxy does not multiply them on an answer that is seldom transient. Throttle refusals
 * and an open breaker are not upstream failures and are never repeated: waiting longer is exactly what the caller's
 * deadline forbids, and repeating into an open breaker defeats it.
 */
export const classify =
  (replayable: boolean) =>
  (error: unknown): Retry.Decision =>
    replayable && isUpstreamFailure(error) ? Retry.vendorDecision(error.reason) : Retry.Decision.Stop()

/** Whether a failed attempt may have taken effect at the vendor (core's reading, so the proxy and the clients agree). */
export const isAmbiguous = (error: unknown): boolean =>
  isUpstreamFailure(error) && Retry.isAmbiguousVendorFailure(error.reason)

/** Whether the failure says the vendor is unwell (counted by the circuit breaker), as core's clients count. */
export const isBreakerFailure = (error: unknown): boolean =>
  isUpstreamFailure(error) && Retry.isVendorUnwell(error.reason)
