/**
 * The throttle keeps calls to a vendor inside the vendor's rate limits: every window of a key at once (Ocamba: 10 per
 * second AND 150 per minute), shared by every process through Redis, in first-come-first-served order, pausing the
 * whole key after a 429.
 *
 * **Details**
 *
 * The vendor counts windows whose alignment we cannot see. A sliding window that never holds more than the limit keeps
 * every fixed window of the same length under it too, so the throttle keeps a sliding log per key: the times of the
 * calls admitted within the longest window (at most 150 entries for Ocamba), plus reservations made by waiting callers.
 * A call is admitted only when, for every window, fewer than `limit` entries lie in `(now - window, now]`; all windows
 * are checked and the entry written in one atomic step (a Lua script in Redis, one synchronous step in memory). This
 * uses the whole budget (150 per minute, a burst of 10 at once), where a token bucket either wastes it or overruns it.
 *
 * A caller that cannot go now reserves the earliest future slot (an entry at a future time) and sleeps until then:
 * callers are served in the order they asked, across processes, with no polling and no thundering herd. A
 * reservation abandoned before its time (the fiber is interrupted) is released.
 *
 * A 429 is reported with `pause(key, retryAfter)`: a cooldown every process respects, which also moves every waiting
 * reservation after it, in order. `Retry-After: -1` is reported with `lowerConcurrency(key)`. Keys whose vendor
 * publishes no limit use an adaptive rate. Every wait is an Effect sleep on `Clock` (`TestClock` drives the memory
 * throttle); the Redis throttle takes the time itself from Redis `TIME`, so the callers' clocks do not matter.
 *
 * **Gotchas**
 *
 * - The throttle only sees calls made through it: another client using the same vendor account shares the vendor's
 *   budget without telling us. A 429 then arrives anyway; report it with `pause`.
 * - The slot is the time the call may start. Call the vendor right after admission; the safety margin (50 ms by
 *   default) absorbs small delays between admission and the vendor receiving the request.
 * - Every process sharing a Redis key must use the same policy for it.
 *
 * **Layout**
 *
 * This file is the whole public contract of the throttle (policies, events, errors, the service's methods, the store
 * interface, layers), which is why it runs past 400 lines: signatures and their documentation, each delegating
 * in a line or two. The service is in `internal/throttle.ts` and `internal/throttleKeyState.ts`, the stores in
 * `internal/throttle*Store.ts`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Option from "effect/Option"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/throttle.ts"
import * as MemoryStore from "./internal/throttleMemoryStore.ts"
import * as Metrics from "./internal/throttleMetrics.ts"
import * as Model from "./internal/throttleModel.ts"
import { ThrottleError } from "./internal/throttleModel.ts"
import * as RedisOnDemand from "./internal/throttleRedisOnDemand.ts"
import * as RetryAfterParser from "./internal/throttleRetryAfter.ts"
import type * as ThrottleRedis from "./ThrottleRedis.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------------------------------

/**
 * One rate limit: at most `limit` calls in any span of length `window`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Window {
  readonly limit: number
  readonly window: Duration.DurationInput
}

/**
 * A rate that adapts to a vendor whose limit is not published (Copernica: `x-profilesync-rate-limits.status:
 * unknown`).
 *
 * **Details**
 *
 * The key gets one extra window of `rate` calls per `window`. The rate starts at `initial`; a 429 reported through
 * `pause` multiplies it by `decreaseFactor` (rounded down, never below `floor`; at most once per `window`, so the
 * 429s of one burst count once), and each full `window` after the cooldown that ends with a successful
 * `withThrottle` call adds `increaseStep`, up to `ceiling`. Reservations already made keep their slots, so a higher
 * rate shows in admissions once the queue made at the lower rate has drained.
 *
 * **Gotchas**
 *
 * The current rate lives in each process: a 429 seen by one process pauses the key everywhere (the cooldown is
 * shared) but lowers the rate only where it was seen.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdaptivePolicy {
  /** Calls per `window` to start with, e.g. 5. */
  readonly initial: number
  /** The span the rate is counted over, e.g. `"1 second"`. */
  readonly window: Duration.DurationInput
  /** The highest rate it recovers to. */
  readonly ceiling: number
  /** The lowest rate it falls to. Default 1. */
  readonly floor?: number | undefined
  /** Multiplies the rate on each 429. Default 0.5. */
  readonly decreaseFactor?: number | undefined
  /** Added to the rate after each full window of successful calls. Default 1. */
  readonly increaseStep?: number | undefined
}

/**
 * How one key is throttled.
 *
 * **Details**
 *
 * `windows` all apply at once. `maxConcurrent` bounds the calls of the key running at the same time in this process
 * (only `withThrottle` holds a permit while its effect runs). `adaptive` adds a window computed from an adaptive rate.
 * A policy needs at least one window or `adaptive`: a key is never left without a limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyPolicy {
  readonly windows: ReadonlyArray<Window>
  readonly maxConcurrent?: number | undefined
  readonly adaptive?: AdaptivePolicy | undefined
}

/**
 * The policies of all keys: a record or a function.
 *
 * **Details**
 *
 * A record is looked up with the whole key first (`"ocamba:acme"`), then with the part before the first `:`
 * (`"ocamba"`), so one entry covers every account of a vendor. A function returns `undefined` for an unknown key.
 * Using an unknown key is a defect (the fiber dies): keys come from configuration, not from users.
 *
 * @since 0.1.0
 * @category models
 */
export type KeyPolicies = Readonly<Record<string, KeyPolicy>> | ((key: string) => KeyPolicy | undefined)

/**
 * Converts the contracts' `x-profilesync-rate-limits` metadata to windows.
 *
 * **Gotchas**
 *
 * An operation with `status: unknown` has no windows: give its key an `adaptive` policy instead.
 *
 * @example
 * ```ts
 * Throttle.windowsFromRateLimits({ windows: [{ limit: 10, windowSeconds: 1 }, { limit: 150, windowSeconds: 60 }] })
 * // [{ limit: 10, window: Duration.seconds(1) }, { limit: 150, window: Duration.seconds(60) }]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const windowsFromRateLimits = (metadata: {
  readonly windows: ReadonlyArray<{ readonly limit: number; readonly windowSeconds: number }>
}): ReadonlyArray<Window> =>
  metadata.windows.map((window) => ({ limit: window.limit, window: Duration.seconds(window.windowSeconds) }))

// ---------------------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Options shared by every throttle.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The policy of each key. */
  readonly keys: KeyPolicies
  /**
   * Added to every window, to absorb the difference between our clock and the vendor's and the time a request takes
   * to reach the vendor after admission. Default 50 millis. Windows are widened further by the largest of the last 32
   * admission-to-send delays reported with `sent` or {@link markSent} (at most the shortest window), and in Redis by
   * the largest any process reported within the longest window.
   */
  readonly safetyMargin?: Duration.DurationInput | undefined
  /** Callers of one key that may wait in this process; the next one fails at once with `QueueFull`. Default 1000. */
  readonly maxQueue?: number | undefined
  /** The longest cooldown `pause` applies; longer ones are cut to it. Default 5 minutes. */
  readonly maxCooldown?: Duration.DurationInput | undefined
  /** Events kept for a slow subscriber before the oldest are dropped. Default 1024. */
  readonly eventCapacity?: number | undefined
}

/**
 * Options of an in-process throttle.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions extends Options {
  /** The store; default a fresh in-memory store (see {@link memoryStore}). */
  readonly store?: ThrottleStore | undefined
}

/**
 * Options of one acquisition.
 *
 * @since 0.1.0
 * @category models
 */
export interface AcquireOptions {
  /**
   * The longest the caller will wait. When the slot it would get is further away, it fails at once with
   * `DeadlineExceeded` (carrying how far away the slot is) and reserves nothing. Default: waits as long as needed.
   */
  readonly deadline?: Duration.DurationInput | undefined
  /** Entries taken in every window, for a request the vendor counts as several. Default 1. */
  readonly cost?: number | undefined
}

/**
 * A successful acquisition.
 *
 * @since 0.1.0
 * @category models
 */
export interface Admission {
  readonly key: string
  readonly waited: Duration.Duration
  /**
   * The time of the slot it was given, in epoch milliseconds on the throttle's `Clock` (a caller that woke late was
   * admitted later, but its lateness counts from here: see `sent`).
   */
  readonly admittedAtMillis: number
}

/**
 * The state of one window of a key.
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowSnapshot {
  /** The limit in force (this process's share while the shared store is unreachable). */
  readonly limit: number
  /** The configured window, without the safety margin. */
  readonly window: Duration.Duration
  /** Entries in the window (with its margin) that ends now, including reservations already made. */
  readonly used: number
  readonly remaining: number
  /** Until the oldest counted entry leaves the window. */
  readonly resetAfter: Duration.Duration
}

/**
 * The state of a key, e.g. for `RateLimit` response headers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly key: string
  /** Where the log lives right now: `"memory"` in a memory throttle or while Redis is unreachable. */
  readonly backend: "memory" | "redis"
  readonly windows: ReadonlyArray<WindowSnapshot>
  /** Time left in the key's cooldown; zero when there is none. */
  readonly cooldown: Duration.Duration
  /** Reservations made for the future (callers waiting, in every process). */
  readonly reserved: number
  /** Callers of the key waiting in this process. */
  readonly queueDepth: number
  /** `withThrottle` calls of the key running in this process. */
  readonly inFlight: number
  /** The current concurrency cap in this process, when there is one. */
  readonly maxConcurrent: Option.Option<number>
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors and events
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why the throttle refused a call.
 *
 * **Details**
 *
 * - `QueueFull`: `maxQueue` callers of the key already wait in this process.
 * - `DeadlineExceeded`: the slot is further away than the caller's deadline; `retryAfter` says how far (zero when the
 *   wait was for a concurrency permit, whose release time cannot be known).
 * - `StoreUnavailable`: the store failed and nothing could take over. The Redis throttle falls back to memory, so it
 *   does not fail this way; a custom store may.
 *
 * @since 0.1.0
 * @category errors
 */
export type ThrottleErrorReason = Data.TaggedEnum<{
  QueueFull: { readonly key: string; readonly maxQueue: number }
  DeadlineExceeded: { readonly key: string; readonly retryAfter: Duration.Duration }
  StoreUnavailable: { readonly key: string; readonly cause: unknown }
}>

/**
 * Constructors and guards for {@link ThrottleErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const ThrottleErrorReason: Data.TaggedEnum.Constructor<ThrottleErrorReason> = Model.ThrottleErrorReason

export { ThrottleError }

/**
 * What the throttle did, as it happens.
 *
 * **Details**
 *
 * `Admitted`, `Refused`, `CooldownStarted` (a `pause` that started or extended a cooldown; `until` is on the store's
 * clock, which is Redis's for the Redis throttle), `ConcurrencyLowered`, `RateChanged` (adaptive keys),
 * `StoreFallback` (Redis unreachable: now on the local share) and `StoreRecovered`.
 *
 * @since 0.1.0
 * @category models
 */
export type ThrottleEvent = Data.TaggedEnum<{
  Admitted: { readonly key: string; readonly waited: Duration.Duration }
  Refused: { readonly key: string; readonly reason: ThrottleErrorReason }
  CooldownStarted: { readonly key: string; readonly until: Date; readonly retryAfter: Duration.Duration }
  ConcurrencyLowered: { readonly key: string; readonly maxConcurrent: number }
  RateChanged: { readonly key: string; readonly limit: number; readonly window: Duration.Duration }
  StoreFallback: { readonly replicas: number; readonly cause: unknown }
  StoreRecovered: Record<never, never>
}>

/**
 * Constructors, guards (`ThrottleEvent.$is("Admitted")`) and a matcher for {@link ThrottleEvent}.
 *
 * @since 0.1.0
 * @category models
 */
export const ThrottleEvent: Data.TaggedEnum.Constructor<ThrottleEvent> = Model.ThrottleEvent

// ---------------------------------------------------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A parsed `Retry-After` header: wait `delay` (give it to `pause`), or `LowerConcurrency` for the `-1` some vendors
 * send (give the key to `lowerConcurrency`).
 *
 * @since 0.1.0
 * @category models
 */
export type RetryAfter = Data.TaggedEnum<{
  Delay: { readonly delay: Duration.Duration }
  LowerConcurrency: Record<never, never>
}>

/**
 * Constructors and guards for {@link RetryAfter}.
 *
 * @since 0.1.0
 * @category models
 */
export const RetryAfter: Data.TaggedEnum.Constructor<RetryAfter> = Model.RetryAfter

/**
 * Parses a `Retry-After` header value.
 *
 * **Details**
 *
 * Reads delay-seconds (`"120"`; a fraction such as `"1.5"` is accepted too), the three HTTP-date forms of RFC 9110
 * (`"Sun, 06 Nov 1994 08:49:37 GMT"`, the RFC 850 and asctime forms, all GMT) and `"-1"`. A date in the past gives a
 * zero delay. Every delay is capped at `max` (default 5 minutes), so a wrong header cannot stop a sync for hours.
 *
 * **Gotchas**
 *
 * Returns `None` for an absent or unreadable header: the caller chooses its own backoff then.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRetryAfter = (
  header: string | null | undefined,
  now: Date | number,
  options?: { readonly max?: Duration.DurationInput | undefined }
): Option.Option<RetryAfter> =>
  RetryAfterParser.parse(header, now, Duration.decode(options?.max ?? Duration.minutes(5)))

// ---------------------------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The throttle's Effect metrics, for exporters and tests.
 *
 * **Details**
 *
 * - `queueDepth` (gauge, tag `key`): callers waiting in this process.
 * - `waitTime` (histogram in seconds, `profilesync_throttle_wait_seconds`, tag `key`): time from asking to admission.
 * - `admitted` (counter, tag `key`), `refused` (counter, tags `key` and `reason`), `cooldowns` (counter, tag `key`).
 * - `storeFallback` (gauge): 1 while running on the per-process share because Redis is unreachable.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: {
  readonly queueDepth: Metric.Metric.Gauge<number>
  readonly waitTime: Metric.Metric.Histogram<number>
  readonly admitted: Metric.Metric.Counter<number>
  readonly refused: Metric.Metric.Counter<number>
  readonly cooldowns: Metric.Metric.Counter<number>
  readonly storeFallback: Metric.Metric.Gauge<number>
} = {
  queueDepth: Metrics.queueDepth,
  waitTime: Metrics.waitTime,
  admitted: Metrics.admitted,
  refused: Metrics.refused,
  cooldowns: Metrics.cooldowns,
  storeFallback: Metrics.storeFallback
}

// ---------------------------------------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A window as a store sees it: the safety margin is already added; times are integer milliseconds.
 *
 * @since 0.1.0
 * @category stores
 */
export interface StoreWindow {
  readonly limit: number
  readonly millis: number
}

/**
 * Asks a store for the earliest slot of `cost` entries.
 *
 * @since 0.1.0
 * @category stores
 */
export interface ReserveRequest {
  readonly key: string
  /** Unique id of the reservation; its entries are `<reservation>#0` … `<reservation>#<cost - 1>`. */
  readonly reservation: string
  readonly cost: number
  readonly windows: ReadonlyArray<StoreWindow>
  /** When the slot is further away than this, nothing is written and the answer is `TooLate`. */
  readonly maxDelayMillis?: number | undefined
  /**
   * The part of every window's length that is this process's measured admission-to-send delay (already included in
   * `windows`). A shared store widens every process's windows to the largest one reported recently.
   */
  readonly measuredDelayMillis?: number | undefined
}

/**
 * The answer to a {@link ReserveRequest}: how long to wait for the slot.
 *
 * @since 0.1.0
 * @category stores
 */
export type ReserveOutcome =
  | { readonly _tag: "Reserved"; readonly delayMillis: number }
  | { readonly _tag: "TooLate"; readonly delayMillis: number }

/**
 * Identifies a reservation.
 *
 * @since 0.1.0
 * @category stores
 */
export interface ReservationRequest {
  readonly key: string
  readonly reservation: string
  readonly cost: number
}

/**
 * Whether a reservation may run now. A cooldown started after the reservation may have moved it (`Wait`); a store
 * that lost it (expiry, fallback) answers `Missing` and the caller reserves again.
 *
 * @since 0.1.0
 * @category stores
 */
export type ConfirmOutcome =
  | { readonly _tag: "Admitted" }
  | { readonly _tag: "Wait"; readonly delayMillis: number }
  | { readonly _tag: "Missing" }

/**
 * Starts a cooldown of `durationMillis` and moves every waiting reservation after it, keeping their order.
 *
 * @since 0.1.0
 * @category stores
 */
export interface PauseRequest {
  readonly key: string
  readonly durationMillis: number
  readonly windows: ReadonlyArray<StoreWindow>
}

/**
 * The end of the key's cooldown on the store's clock; `extended` is false when a longer cooldown was already running.
 *
 * @since 0.1.0
 * @category stores
 */
export interface PauseOutcome {
  readonly untilMillis: number
  readonly extended: boolean
}

/**
 * Asks how full the windows of a key are.
 *
 * @since 0.1.0
 * @category stores
 */
export interface SnapshotRequest {
  readonly key: string
  readonly windows: ReadonlyArray<StoreWindow>
}

/**
 * How full the windows of a key are, on the store's clock.
 *
 * @since 0.1.0
 * @category stores
 */
export interface StoreSnapshot {
  readonly backend: "memory" | "redis"
  readonly nowMillis: number
  /** 0 when there is no cooldown. */
  readonly cooldownUntilMillis: number
  readonly reserved: number
  /** In the order of the request's windows. */
  readonly windows: ReadonlyArray<{ readonly limit: number; readonly used: number; readonly resetAfter: number }>
}

/**
 * Where the sliding logs live.
 *
 * **Details**
 *
 * Each operation must be atomic for the key: the memory store does it in one synchronous step; the Redis store in one
 * Lua script that reads Redis `TIME`. Stores return delays, never sleep: the throttle sleeps on Effect's `Clock`.
 * Failures are `ThrottleError` with reason `StoreUnavailable`.
 *
 * @since 0.1.0
 * @category stores
 */
export interface ThrottleStore {
  readonly reserve: (request: ReserveRequest) => Effect.Effect<ReserveOutcome, ThrottleError>
  readonly confirm: (request: ReservationRequest) => Effect.Effect<ConfirmOutcome, ThrottleError>
  readonly release: (request: ReservationRequest) => Effect.Effect<void, ThrottleError>
  readonly pause: (request: PauseRequest) => Effect.Effect<PauseOutcome, ThrottleError>
  readonly snapshot: (request: SnapshotRequest) => Effect.Effect<StoreSnapshot, ThrottleError>
}

/**
 * A fresh in-memory store: exact within one process, timed by Effect's `Clock` (so `TestClock` drives it).
 *
 * @since 0.1.0
 * @category stores
 */
export const memoryStore: Effect.Effect<ThrottleStore> = MemoryStore.make

// ---------------------------------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The throttle service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThrottleService {
  /**
   * Waits for a slot in every window of `key` and takes it.
   *
   * **Details**
   *
   * Callers are served in the order they asked, in every process sharing the store. The slot is reserved when the
   * caller asks; the caller then sleeps until it. Interrupting the caller before its slot releases the slot.
   *
   * **Gotchas**
   *
   * - Call the vendor right after admission: the slot was counted at its time, and a call made much later can bunch
   *   up with the calls after it (the safety margin absorbs only small delays).
   * - Takes no concurrency permit; use `withThrottle` for keys with `maxConcurrent`.
   * - `cost` must be a whole number from 1 to the smallest limit of the key (for an adaptive key, also at most its
   *   `floor`); anything else is a defect.
   * - A cooldown started while the caller waits moves its slot; if the new slot is beyond its deadline it fails with
   *   `DeadlineExceeded` when it wakes (before its original slot, never later).
   */
  readonly acquire: (key: string, options?: AcquireOptions) => Effect.Effect<Admission, ThrottleError>
  /**
   * Runs `self` with a concurrency permit of `key` (when the key has `maxConcurrent`) and a rate slot.
   *
   * **Details**
   *
   * The permit is taken first (FIFO), then the slot, so a slot is never held while waiting for a permit (a late
   * call would bunch up with later slots). Success of `self` counts towards recovering the concurrency cap and the
   * adaptive rate. A `deadline` also bounds the wait for the permit; that wait cannot be predicted, so it fails when
   * the deadline passes rather than at once.
   */
  readonly withThrottle: (
    key: string,
    options?: AcquireOptions
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ThrottleError, R>
  /**
   * Reports a vendor 429: pauses `key` in every process sharing the store until `retryAfter` has passed (capped by
   * `maxCooldown`), holding every waiting caller, in order, and lowers an adaptive rate.
   */
  readonly pause: (key: string, retryAfter: Duration.DurationInput) => Effect.Effect<void, ThrottleError>
  /**
   * Tells the throttle that the request of an `acquire` has left, now. The time since admission (a stalled event loop,
   * a slow request build) widens the key's windows while it lasts, so that calls a window apart in the log still reach
   * the vendor a window apart. Inside `withThrottle`, use {@link markSent}.
   */
  readonly sent: (admission: Admission) => Effect.Effect<void>
  /** Reports `Retry-After: -1`: halves the concurrency cap of `key` in this process (at least 1). */
  readonly lowerConcurrency: (key: string) => Effect.Effect<void>
  /** Every event, from the moment the stream starts running. */
  readonly events: Stream.Stream<ThrottleEvent>
  /** A subscription to events that is live as soon as this effect completes (deterministic in tests). */
  readonly subscribe: Effect.Effect<Queue.Dequeue<ThrottleEvent>, never, Scope.Scope>
  /** The state of `key`. */
  readonly snapshot: (key: string) => Effect.Effect<Snapshot, ThrottleError>
  /**
   * Takes a slot of `key` now, synchronously and without running an Effect, when that needs no waiting: an in-memory
   * throttle, a key already used once, nobody waiting for it in this process, a free concurrency permit and room in
   * every window now (cost 1). Otherwise returns `undefined` and changes nothing: use `withThrottle`.
   *
   * **Details**
   *
   * For hot paths that must not pay for a fiber per call (the proxy). The ticket's `sent` and `done` do what
   * `withThrottle` does around its effect: call `sent()` right before the request leaves and `done(succeeded)` once
   * when it ends. Times come from the system clock, not Effect's `Clock`.
   *
   * @since 0.2.0
   */
  readonly tryAdmit: (key: string) => Ticket | undefined
  /**
   * The state of `key` now, synchronously: for an in-memory throttle and a key already used once; `undefined`
   * otherwise (use `snapshot`).
   *
   * @since 0.2.0
   */
  readonly snapshotNow: (key: string) => Snapshot | undefined
}

/**
 * A slot taken by `ThrottleService.tryAdmit`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Ticket {
  readonly admission: Admission
  /** The request leaves now (see `ThrottleService.sent`). */
  readonly sent: () => void
  /**
   * The call ended: returns the concurrency permit; a success counts towards recovering the concurrency cap and an
   * adaptive rate. Only the first call counts.
   */
  readonly done: (succeeded: boolean) => void
}

/**
 * The throttle service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Throttle extends Context.Tag("@profilesync/core/Throttle")<Throttle, ThrottleService>() {}

/**
 * Makes a throttle over a store (default: a fresh in-memory store, exact for one process).
 *
 * **Gotchas**
 *
 * Two throttles over two memory stores do not know each other: use `ThrottleRedis.make` (the subpath
 * `@profilesync/core/ThrottleRedis`) when several processes call the same vendor account.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: MemoryOptions) => Effect.Effect<ThrottleService, never, Scope.Scope> = internal.make

/**
 * A throttle for one process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options: MemoryOptions): Layer.Layer<Throttle> => Layer.scoped(Throttle, make(options))

/**
 * Inside an effect run by `withThrottle`: tells the throttle that the request has left, now (see
 * `ThrottleService.sent`). Call it right before handing the request to the HTTP client; elsewhere it does nothing.
 *
 * @since 0.2.0
 * @category accessors
 */
export const markSent: Effect.Effect<void> = Effect.flatMap(FiberRef.get(Model.currentSent), (sent) =>
  sent === undefined ? Effect.void : sent
)

/**
 * `ThrottleService.acquire` through the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const acquire = (key: string, options?: AcquireOptions): Effect.Effect<Admission, ThrottleError, Throttle> =>
  Effect.flatMap(Throttle, (service) => service.acquire(key, options))

/**
 * `ThrottleService.withThrottle` through the context.
 *
 * @example
 * ```ts
 * const imported = postImport(rows).pipe(Throttle.withThrottle(`ocamba:${account}`, { deadline: "30 seconds" }))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const withThrottle =
  (key: string, options?: AcquireOptions) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | ThrottleError, R | Throttle> =>
    Effect.flatMap(Throttle, (service) => service.withThrottle(key, options)(self))

/**
 * `ThrottleRedis.layer(options)` from `@profilesync/core/ThrottleRedis`, loaded only when the layer is built.
 *
 * **When to use**
 *
 * In code that offers Redis as an option (a config setting, an environment variable): the module and `ioredis`, an
 * optional peer dependency, stay unloaded for everyone who does not turn it on. Building the layer without `ioredis`
 * installed dies with a message that names the package.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerRedisOnDemand = (options: ThrottleRedis.Options): Layer.Layer<Throttle> =>
  RedisOnDemand.layer(options)
