/**
 * The throttle's data values: its one error type with a reason union, its events and the parsed form of a
 * `Retry-After` header. They live here, apart from the service, so the stores and the service can build them without
 * importing the public module at run time: their types are `Throttle.ts`'s, which re-exports the error.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Throttle from "../Throttle.ts"

/** See `Throttle.ThrottleErrorReason`. */
export type ThrottleErrorReason = Throttle.ThrottleErrorReason
/** See `Throttle.ThrottleEvent`. */
export type ThrottleEvent = Throttle.ThrottleEvent
/** See `Throttle.RetryAfter`. */
export type RetryAfter = Throttle.RetryAfter

/** Constructors and guards for {@link ThrottleErrorReason}. */
export const ThrottleErrorReason = Data.taggedEnum<ThrottleErrorReason>()

/**
 * The throttle's only error. Branch on `reason._tag`, never on the message.
 *
 * @example
 * ```ts
 * Effect.catchTag(program, "ThrottleError", (error) =>
 *   error.reason._tag === "DeadlineExceeded" ? answer503(error.reason.retryAfter) : Effect.fail(error))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
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

/** Constructors, guards and a matcher for {@link ThrottleEvent}. */
export const ThrottleEvent = Data.taggedEnum<ThrottleEvent>()

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
