/**
 * @module
 * Request counters per vendor and per account, which the inspection API and `sandbox.counters()` report.
 */
import type { Vendor } from "./faults/fault-injector.ts"
import type { WindowUsage } from "./limits/fixed-window-limiter.ts"

/**
 * Answers counted by status class.
 *
 * @category Inspection
 * @since 0.0.0
 */
export interface ResponseClassCounts {
  "2xx": number
  "3xx": number
  "4xx": number
  "5xx": number
}

/**
 * Counts for one account.
 *
 * @category Inspection
 * @since 0.0.0
 */
export interface AccountCounters {
  requests: number
  responses: ResponseClassCounts
  /** 429 answers sent to the account (window, concurrency and storm). */
  rateLimited: number
  dropped: number
}

/**
 * Counts for one vendor; `unauthorized` requests have no account and appear only here.
 *
 * @category Inspection
 * @since 0.0.0
 */
export interface VendorCounters extends AccountCounters {
  unauthorized: number
  accounts: Record<string, AccountCounters>
}

/**
 * An account's counts together with its current window usage.
 *
 * @category Inspection
 * @since 0.0.0
 */
export interface AccountCountersSnapshot extends AccountCounters {
  readonly windows: ReadonlyArray<WindowUsage>
  readonly inFlight: number
}

/**
 * What `sandbox.counters()` and `GET /_sandbox/counters` return.
 *
 * @category Inspection
 * @since 0.0.0
 */
export interface CountersSnapshot {
  /** Requests to either vendor (the inspection API is not counted). */
  readonly requests: number
  readonly responses: ResponseClassCounts
  readonly rateLimited: number
  readonly dropped: number
  /** Answers that did not validate against the spec: a sandbox bug when non-zero. */
  readonly invalidResponses: number
  readonly invalidResponseMessages: ReadonlyArray<string>
  readonly vendors: Readonly<
    Record<Vendor, Omit<VendorCounters, "accounts"> & { readonly accounts: Record<string, AccountCountersSnapshot> }>
  >
}

const emptyClasses = (): ResponseClassCounts => ({ "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 })
const emptyAccount = (): AccountCounters => ({ requests: 0, responses: emptyClasses(), rateLimited: 0, dropped: 0 })
const emptyVendor = (): VendorCounters => ({ ...emptyAccount(), unauthorized: 0, accounts: {} })

const classOf = (status: number): keyof ResponseClassCounts | undefined =>
  status >= 200 && status < 300
    ? "2xx"
    : status >= 300 && status < 400
      ? "3xx"
      : status >= 400 && status < 500
        ? "4xx"
        : status >= 500 && status < 600
          ? "5xx"
          : undefined

const maximumKeptMessages = 50

/**
 * Mutable request counters.
 *
 * @category Inspection
 * @since 0.0.0
 */
export class RequestCounters {
  vendors: Record<Vendor, VendorCounters> = { ocamba: emptyVendor(), copernica: emptyVendor() }
  invalidResponses = 0
  invalidResponseMessages: Array<string> = []

  /** Records one finished request. */
  record(vendor: Vendor, account: string | undefined, outcome: number | "dropped"): void {
    const vendorCounters = this.vendors[vendor]
    let accountCounters: AccountCounters | undefined
    if (account !== undefined) {
      accountCounters = vendorCounters.accounts[account] ?? emptyAccount()
      vendorCounters.accounts[account] = accountCounters
    }
    for (const counters of accountCounters === undefined ? [vendorCounters] : [vendorCounters, accountCounters]) {
      counters.requests++
      if (outcome === "dropped") {
        counters.dropped++
        continue
      }
      const responseClass = classOf(outcome)
      if (responseClass !== undefined) {
        counters.responses[responseClass]++
      }
      if (outcome === 429) {
        counters.rateLimited++
      }
    }
    // Authentication runs first, so a request without an account is exactly one refused for its credentials.
    if (account === undefined) {
      vendorCounters.unauthorized++
    }
  }

  /** Records an answer that failed validation against the spec. */
  recordInvalidResponse(message: string): void {
    this.invalidResponses++
    if (this.invalidResponseMessages.length < maximumKeptMessages) {
      this.invalidResponseMessages.push(message)
    }
  }

  reset(): void {
    this.vendors = { ocamba: emptyVendor(), copernica: emptyVendor() }
    this.invalidResponses = 0
    this.invalidResponseMessages = []
  }
}
