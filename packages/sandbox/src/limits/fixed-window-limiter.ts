/**
 * @module
 * Per-account fixed-window request counting and an in-flight cap, the way Ocamba documents its limits.
 *
 * Ocamba counts "fixed windows of 1 s and 1 min" per account
 * (https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits). A fixed window has index
 * `floor((now - alignmentOffset) / windowMilliseconds)`; its count starts from zero when the index changes.
 *
 * **Decision: only admitted requests are counted.** A request refused with 429 does not use up the window, which is
 * how most fixed-window gateways behave and the kinder reading of the vendor's page. `countRejectedRequests: true`
 * switches to the stricter behaviour (every attempt counts) for clients that want to prove they survive it.
 * Requests refused for authentication never reach the limiter, so they are never counted.
 */
import type { Clock } from "../time.ts"

/**
 * One window: at most `limit` admitted requests per `windowMilliseconds`.
 *
 * @category Rate limits
 * @since 0.0.0
 */
export interface RateLimitWindow {
  readonly limit: number
  readonly windowMilliseconds: number
}

/**
 * The usage of one window for one account, as the inspection API reports it.
 *
 * @category Rate limits
 * @since 0.0.0
 */
export interface WindowUsage {
  readonly limit: number
  readonly windowMilliseconds: number
  readonly used: number
  readonly remaining: number
  /** When the current window started, in epoch milliseconds of the sandbox clock. */
  readonly windowStart: number
  /** Milliseconds until the current window ends. */
  readonly resetInMilliseconds: number
}

/**
 * Options of {@link FixedWindowLimiter}.
 *
 * @category Rate limits
 * @since 0.0.0
 */
export interface FixedWindowLimiterOptions {
  readonly windows: ReadonlyArray<RateLimitWindow>
  /** Most requests of one account in flight at once; `undefined` means no cap. */
  readonly concurrency?: number | undefined
  /** Shifts the window boundaries, since the vendor's alignment is invisible to clients. Default 0. */
  readonly alignmentOffsetMilliseconds?: number | undefined
  /** Count refused requests too. Default false (see the module note). */
  readonly countRejectedRequests?: boolean | undefined
  readonly now: Clock
}

/**
 * The limiter's answer for one request.
 *
 * @category Rate limits
 * @since 0.0.0
 */
export type AdmissionDecision =
  | {
      readonly admitted: true
      /** The window with the fewest requests left after this one, which the `X-RateLimit-*` headers describe. */
      readonly tightestWindow: WindowUsage | undefined
      /** Ends the request's in-flight slot; call exactly once when the answer is complete. */
      readonly release: () => void
    }
  | {
      readonly admitted: false
      readonly reason: "window"
      /** Whole seconds until the last blocking window ends, at least 1. */
      readonly retryAfterSeconds: number
      readonly window: WindowUsage
    }
  | { readonly admitted: false; readonly reason: "concurrency" }

interface WindowCount {
  index: number
  count: number
}

interface AccountCounts {
  readonly windows: Array<WindowCount>
  inFlight: number
}

/**
 * Counts admitted requests per account in fixed windows and caps requests in flight.
 *
 * @category Rate limits
 * @since 0.0.0
 */
export class FixedWindowLimiter {
  readonly #accounts = new Map<string, AccountCounts>()
  #options: FixedWindowLimiterOptions

  constructor(options: FixedWindowLimiterOptions) {
    this.#options = options
  }

  /** The windows and cap in force. */
  get options(): FixedWindowLimiterOptions {
    return this.#options
  }

  /** Replaces windows or the cap at run time; counts of windows that still exist are kept. */
  reconfigure(options: Partial<Omit<FixedWindowLimiterOptions, "now">>): void {
    const windowsChanged = options.windows !== undefined
    this.#options = { ...this.#options, ...options }
    if (windowsChanged) {
      for (const account of this.#accounts.values()) {
        account.windows.length = 0
        for (let index = 0; index < this.#options.windows.length; index++) {
          account.windows.push({ index: Number.NaN, count: 0 })
        }
      }
    }
  }

  /** Forgets every count (in-flight requests keep their slots so that their release stays balanced). */
  reset(): void {
    for (const [accountId, account] of this.#accounts) {
      if (account.inFlight === 0) {
        this.#accounts.delete(accountId)
      } else {
        for (const window of account.windows) {
          window.count = 0
        }
      }
    }
  }

  /** Decides whether one request of the account may proceed, and records it if so. */
  tryAdmit(accountId: string): AdmissionDecision {
    const account = this.#account(accountId)
    const now = this.#options.now()
    const concurrency = this.#options.concurrency
    if (concurrency !== undefined && account.inFlight >= concurrency) {
      return { admitted: false, reason: "concurrency" }
    }
    const usages = this.#currentUsages(account, now)
    let blocking: WindowUsage | undefined
    for (const usage of usages) {
      if (
        usage.used >= usage.limit &&
        (blocking === undefined || usage.resetInMilliseconds > blocking.resetInMilliseconds)
      ) {
        blocking = usage
      }
    }
    if (blocking !== undefined) {
      if (this.#options.countRejectedRequests === true) {
        this.#increment(account, now)
      }
      return {
        admitted: false,
        reason: "window",
        retryAfterSeconds: Math.max(1, Math.ceil(blocking.resetInMilliseconds / 1000)),
        window: blocking
      }
    }
    this.#increment(account, now)
    account.inFlight++
    let released = false
    const release = (): void => {
      if (!released) {
        released = true
        account.inFlight--
      }
    }
    return { admitted: true, tightestWindow: tightest(this.#currentUsages(account, now)), release }
  }

  /** The current usage of every window for the account (zero counts when it has sent nothing). */
  usage(accountId: string): ReadonlyArray<WindowUsage> {
    const account = this.#accounts.get(accountId)
    const now = this.#options.now()
    if (account === undefined) {
      return this.#options.windows.map((window) => describe(window, 0, windowStart(window, now, this.#offset()), now))
    }
    return this.#currentUsages(account, now)
  }

  /** Requests of the account in flight now. */
  inFlight(accountId: string): number {
    return this.#accounts.get(accountId)?.inFlight ?? 0
  }

  /** Accounts that have sent at least one counted request since the last reset. */
  accountIds(): ReadonlyArray<string> {
    return [...this.#accounts.keys()]
  }

  #offset(): number {
    return this.#options.alignmentOffsetMilliseconds ?? 0
  }

  #account(accountId: string): AccountCounts {
    let account = this.#accounts.get(accountId)
    if (account === undefined) {
      account = { windows: this.#options.windows.map(() => ({ index: Number.NaN, count: 0 })), inFlight: 0 }
      this.#accounts.set(accountId, account)
    }
    return account
  }

  #currentUsages(account: AccountCounts, now: number): Array<WindowUsage> {
    const offset = this.#offset()
    return this.#options.windows.map((window, position) => {
      const index = windowIndex(window, now, offset)
      const stored = account.windows[position]
      const used = stored !== undefined && stored.index === index ? stored.count : 0
      return describe(window, used, windowStart(window, now, offset), now)
    })
  }

  #increment(account: AccountCounts, now: number): void {
    const offset = this.#offset()
    this.#options.windows.forEach((window, position) => {
      const index = windowIndex(window, now, offset)
      const stored = account.windows[position]
      if (stored === undefined) {
        account.windows[position] = { index, count: 1 }
      } else if (stored.index === index) {
        stored.count++
      } else {
        stored.index = index
        stored.count = 1
      }
    })
  }
}

const windowIndex = (window: RateLimitWindow, now: number, offset: number): number =>
  Math.floor((now - offset) / window.windowMilliseconds)

const windowStart = (window: RateLimitWindow, now: number, offset: number): number =>
  windowIndex(window, now, offset) * window.windowMilliseconds + offset

const describe = (window: RateLimitWindow, used: number, start: number, now: number): WindowUsage => ({
  limit: window.limit,
  windowMilliseconds: window.windowMilliseconds,
  used,
  remaining: Math.max(0, window.limit - used),
  windowStart: start,
  resetInMilliseconds: start + window.windowMilliseconds - now
})

// The headers can describe one window only; the one closest to refusing is the one a client must respect.
const tightest = (usages: ReadonlyArray<WindowUsage>): WindowUsage | undefined => {
  let chosen: WindowUsage | undefined
  for (const usage of usages) {
    if (chosen === undefined || usage.remaining < chosen.remaining) {
      chosen = usage
    }
  }
  return chosen
}
