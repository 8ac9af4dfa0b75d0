/**
 * The throttle's state of one key: its policy looked up and checked, the windows the store is given (safety margin,
 * measured admission-to-send delay and adaptive rate included), the adaptive rate's rises and falls, and the
 * snapshot a caller reads. Plain functions on a mutable record; `throttle.ts` owns the records and the events.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Throttle from "../Throttle.ts"
import * as Concurrency from "./throttleConcurrency.ts"
import * as Log from "./throttleLog.ts"
import * as Metrics from "./throttleMetrics.ts"

export interface AdaptiveState {
  rate: number
  /** When the rate last changed (or when the cooldown that lowered it ends): recovery counts from here. */
  lastChange: number
  /** When the rate was last lowered: several 429s of one burst lower it once, not once each. */
  lastDecrease: number
  readonly windowMillis: number
  readonly ceiling: number
  readonly floor: number
  readonly decreaseFactor: number
  readonly increaseStep: number
}

export interface KeyState {
  readonly key: string
  /** The configured windows, safety margin included. */
  readonly windows: ReadonlyArray<Log.EffectiveWindow>
  readonly adaptive: AdaptiveState | undefined
  /** The last admission-to-send delays reported (`sent`), a ring; their maximum widens every window. */
  readonly delays: Float64Array
  delayCount: number
  /** The widening in force: the largest recent admission-to-send delay, at most the shortest window. */
  measuredDelay: number
  /** The windows the store is given (margin, measured delay and adaptive rate included); rebuilt when they change. */
  effective: ReadonlyArray<Log.EffectiveWindow> | undefined
  longest: number
  readonly gate: Concurrency.ConcurrencyGate
  /** Callers in `acquire`/`withThrottle` that have not been admitted yet. */
  depth: number
  readonly queueDepth: Metric.Metric.Gauge<number>
  readonly waitTime: Metric.Metric.Histogram<number>
  readonly admitted: Metric.Metric.Counter<number>
  readonly refusedQueueFull: Metric.Metric.Counter<number>
  readonly refusedDeadline: Metric.Metric.Counter<number>
  readonly cooldowns: Metric.Metric.Counter<number>
}

// How many recent admission-to-send delays the widening is the maximum of.
const delaySamples = 32

export const defect = (message: string) => Effect.die(new Cause.IllegalArgumentException(message))

export const isPositiveInteger = (value: number): boolean => Number.isInteger(value) && value >= 1

export const lookup = (keys: Throttle.KeyPolicies, key: string): Throttle.KeyPolicy | undefined => {
  if (typeof keys === "function") return keys(key)
  const exact = keys[key]
  if (exact !== undefined) return exact
  const separator = key.indexOf(":")
  return separator > 0 ? keys[key.slice(0, separator)] : undefined
}

// Checks a policy once, when its key is first used; a bad policy is a configuration defect, not a runtime error.
export const validate = (key: string, policy: Throttle.KeyPolicy): string | undefined => {
  if (policy.windows.length === 0 && policy.adaptive === undefined) {
    return `Throttle key "${key}" has no window and no adaptive rate: it would be unlimited`
  }
  for (const window of policy.windows) {
    if (!isPositiveInteger(window.limit))
      return `Throttle key "${key}": limit ${window.limit} is not a whole number >= 1`
    if (Duration.toMillis(Duration.decode(window.window)) <= 0) return `Throttle key "${key}": a window is not positive`
  }
  if (policy.maxConcurrent !== undefined && !isPositiveInteger(policy.maxConcurrent)) {
    return `Throttle key "${key}": maxConcurrent ${policy.maxConcurrent} is not a whole number >= 1`
  }
  const adaptive = policy.adaptive
  if (adaptive !== undefined) {
    const floor = adaptive.floor ?? 1
    const factor = adaptive.decreaseFactor ?? 0.5
    if (!isPositiveInteger(floor) || !isPositiveInteger(adaptive.ceiling) || !isPositiveInteger(adaptive.initial)) {
      return `Throttle key "${key}": adaptive initial, floor and ceiling must be whole numbers >= 1`
    }
    if (adaptive.initial < floor || adaptive.initial > adaptive.ceiling) {
      return `Throttle key "${key}": adaptive initial must lie between floor and ceiling`
    }
    if (!(factor > 0 && factor < 1)) return `Throttle key "${key}": adaptive decreaseFactor must lie in (0, 1)`
    if (!isPositiveInteger(adaptive.increaseStep ?? 1)) {
      return `Throttle key "${key}": adaptive increaseStep must be a whole number >= 1`
    }
    if (Duration.toMillis(Duration.decode(adaptive.window)) <= 0) {
      return `Throttle key "${key}": adaptive window is not positive`
    }
  }
  return undefined
}

/** A key's state when it is first used, at `now`, with `marginMillis` added to every window. */
export const make = (key: string, policy: Throttle.KeyPolicy, now: number, marginMillis: number): KeyState => {
  const adaptive = policy.adaptive
  const tagged = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>) => Metric.tagged(metric, "key", key)
  return {
    key,
    windows: policy.windows.map((window) => ({
      limit: window.limit,
      millis: Duration.toMillis(Duration.decode(window.window)) + marginMillis
    })),
    adaptive:
      adaptive === undefined
        ? undefined
        : {
            rate: adaptive.initial,
            lastChange: now,
            lastDecrease: Number.NEGATIVE_INFINITY,
            windowMillis: Duration.toMillis(Duration.decode(adaptive.window)),
            ceiling: adaptive.ceiling,
            floor: adaptive.floor ?? 1,
            decreaseFactor: adaptive.decreaseFactor ?? 0.5,
            increaseStep: adaptive.increaseStep ?? 1
          },
    delays: new Float64Array(delaySamples),
    delayCount: 0,
    measuredDelay: 0,
    effective: undefined,
    longest: 0,
    gate: Concurrency.make(policy.maxConcurrent ?? Number.POSITIVE_INFINITY),
    depth: 0,
    queueDepth: tagged(Metrics.queueDepth),
    waitTime: tagged(Metrics.waitTime),
    admitted: tagged(Metrics.admitted),
    refusedQueueFull: Metric.tagged(tagged(Metrics.refused), "reason", "QueueFull"),
    refusedDeadline: Metric.tagged(tagged(Metrics.refused), "reason", "DeadlineExceeded"),
    cooldowns: tagged(Metrics.cooldowns)
  }
}

/** The windows the store is given, built once and kept until the widening or the adaptive rate changes. */
export const windowsOf = (state: KeyState, marginMillis: number): ReadonlyArray<Log.EffectiveWindow> => {
  if (state.effective !== undefined) return state.effective
  const widen = state.measuredDelay
  const windows = state.windows.map((window) => ({ limit: window.limit, millis: window.millis + widen }))
  if (state.adaptive !== undefined) {
    windows.push({ limit: state.adaptive.rate, millis: state.adaptive.windowMillis + marginMillis + widen })
  }
  state.effective = windows
  state.longest = Log.longestMillis(windows)
  return windows
}

// A request that left `delay` ms after its slot reaches the vendor that much later than the log says: windows are
// widened by the largest recent delay, so two calls a window apart in the log are a window apart at the vendor too.
export const recordDelay = (state: KeyState, delay: number, marginMillis: number): void => {
  state.delays[state.delayCount++ % delaySamples] = delay
  let largest = 0
  const filled = Math.min(state.delayCount, delaySamples)
  for (let index = 0; index < filled; index++) largest = Math.max(largest, state.delays[index]!)
  let shortest = Number.POSITIVE_INFINITY
  for (const window of state.windows) shortest = Math.min(shortest, window.millis - marginMillis)
  const widen = Math.ceil(Math.min(largest, Number.isFinite(shortest) ? shortest : largest))
  if (widen !== state.measuredDelay) {
    state.measuredDelay = widen
    state.effective = undefined
  }
}

/** Raises an adaptive rate by its step after a success, at most once per window; the new rate, or undefined. */
export const raiseRate = (state: KeyState, now: number): number | undefined => {
  const adaptive = state.adaptive
  if (adaptive === undefined || adaptive.rate >= adaptive.ceiling) return undefined
  if (now - adaptive.lastChange < adaptive.windowMillis) return undefined
  adaptive.rate = Math.min(adaptive.ceiling, adaptive.rate + adaptive.increaseStep)
  state.effective = undefined
  adaptive.lastChange = now
  return adaptive.rate
}

/**
 * Lowers an adaptive rate after a refusal with a cooldown of `durationMillis`; the new rate when it changed, or
 * undefined. Recovery counts from the end of the cooldown: no call runs before it.
 */
export const lowerRate = (state: KeyState, now: number, durationMillis: number): number | undefined => {
  const adaptive = state.adaptive
  if (adaptive === undefined) return undefined
  let changed: number | undefined
  // The calls of one burst are all refused together; lowering once per window keeps a burst of 429s from
  // collapsing the rate to its floor (as TCP lowers its window once per round trip).
  if (now - adaptive.lastDecrease >= adaptive.windowMillis) {
    adaptive.lastDecrease = now
    const lowered = Math.max(adaptive.floor, Math.floor(adaptive.rate * adaptive.decreaseFactor))
    if (lowered !== adaptive.rate) {
      adaptive.rate = lowered
      state.effective = undefined
      changed = lowered
    }
  }
  adaptive.lastChange = Math.max(adaptive.lastChange, now + Math.max(0, durationMillis))
  return changed
}

/** What a caller reads about a key: the store's usage of each window, in the windows the caller configured. */
export const toSnapshot = (
  state: KeyState,
  windows: ReadonlyArray<Log.EffectiveWindow>,
  snapshot: Throttle.StoreSnapshot,
  marginMillis: number
): Throttle.Snapshot => {
  const capacity = state.gate.capacity()
  return {
    key: state.key,
    backend: snapshot.backend,
    windows: snapshot.windows.map((usage, index) => ({
      limit: usage.limit,
      window: Duration.millis((windows[index]?.millis ?? 0) - marginMillis - state.measuredDelay),
      used: usage.used,
      remaining: Math.max(0, usage.limit - usage.used),
      resetAfter: Duration.millis(usage.resetAfter)
    })),
    cooldown: Duration.millis(
      snapshot.cooldownUntilMillis > snapshot.nowMillis ? snapshot.cooldownUntilMillis - snapshot.nowMillis : 0
    ),
    reserved: snapshot.reserved,
    queueDepth: state.depth,
    inFlight: state.gate.inFlight(),
    maxConcurrent: Number.isFinite(capacity) ? Option.some(capacity) : Option.none()
  }
}
