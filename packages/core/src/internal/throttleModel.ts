/**
 * The throttle's data values: its one error type with a reason union, its events and the parsed form of a
 * `Retry-After` header. They live here, apart from the service, so the stores and the service can build them without
 * importing the public module; `Throttle.ts` re-exports and documents them.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"

/** Why the throttle refused or could not serve a call. */
export type ThrottleErrorReason = Data.TaggedEnum<{
  QueueFull: { readonly key: string; readonly maxQueue: number }
  DeadlineExceeded: { readonly key: string; readonly retryAfter: Duration.Duration }
  StoreUnavailable: { readonly key: string; readonly cause: unknown }
}>

/** Constructors and guards for {@link ThrottleErrorReason}. */
export const ThrottleErrorReason = Data.taggedEnum<ThrottleErrorReason>()

/** The throttle's one error; callers branch on `reason._tag`. */
export class ThrottleError extends Data.TaggedError("ThrottleError")<{ readonly reason: ThrottleErrorReason }> {
  override get message(): string {
    const reason = this.reason
    if (reason._tag === "QueueFull") {
      return `Throttle queue for "${reason.key}" is full (${reason.maxQueue} waiting callers)`
    }
    if (reason._tag === "DeadlineExceeded") {
      return `The next slot for "${reason.key}" is ${Duration.format(reason.retryAfter)} away, beyond the deadline`
    }
    return `The throttle store is unavailable for "${reason.key}": ${String(reason.cause)}`
  }
}

/** What the throttle did, published to subscribers as it happens. */
export type ThrottleEvent = Data.TaggedEnum<{
  Admitted: { readonly key: string; readonly waited: Duration.Duration }
  Refused: { readonly key: string; readonly reason: ThrottleErrorReason }
  CooldownStarted: { readonly key: string; readonly until: Date; readonly retryAfter: Duration.Duration }
  ConcurrencyLowered: { readonly key: string; readonly maxConcurrent: number }
  RateChanged: { readonly key: string; readonly limit: number; readonly window: Duration.Duration }
  StoreFallback: { readonly replicas: number; readonly cause: unknown }
  StoreRecovered: Record<never, never>
}>

/** Constructors, guards and a matcher for {@link ThrottleEvent}. */
export const ThrottleEvent = Data.taggedEnum<ThrottleEvent>()

/** A parsed `Retry-After` header. */
export type RetryAfter = Data.TaggedEnum<{
  Delay: { readonly delay: Duration.Duration }
  LowerConcurrency: Record<never, never>
}>

/** Constructors and guards for {@link RetryAfter}. */
export const RetryAfter = Data.taggedEnum<RetryAfter>()

/** Builds a failed acquisition. */
export const fail = (reason: ThrottleErrorReason): ThrottleError => new ThrottleError({ reason })

/** A store command failed; the fallback store catches exactly this. */
export const storeUnavailable = (key: string, cause: unknown): ThrottleError =>
  new ThrottleError({ reason: ThrottleErrorReason.StoreUnavailable({ key, cause }) })

/** Inside `withThrottle`: tells the throttle that the admitted request has left (see `Throttle.markSent`). */
export const currentSent: FiberRef.FiberRef<Effect.Effect<void> | undefined> = FiberRef.unsafeMake<
  Effect.Effect<void> | undefined
>(undefined)
