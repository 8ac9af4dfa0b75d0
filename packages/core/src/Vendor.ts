/**
 * What the Ocamba and Copernica clients share: how a secret is given, the options of a client that talks through the
 * proxy sidecar, and the reason and details every failed call carries (each client wraps them in its own tagged error,
 * `OcambaError` or `CopernicaError`).
 *
 * @since 0.2.0
 */
import type * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * A secret given as a string or as an Effect `Redacted`.
 *
 * @since 0.2.0
 * @category models
 */
export type Secret = string | Redacted.Redacted<string>

/**
 * Options of a client that talks through the profilesync proxy sidecar.
 *
 * @since 0.2.0
 * @category models
 */
export interface ProxyOptions {
  /** The proxy's URL, e.g. `http://127.0.0.1:8787`. */
  readonly proxyUrl: string
  /** The proxy key, when the proxy requires one. */
  readonly proxyKey?: Secret | undefined
}

/**
 * Why a vendor call failed. Shared by both clients; each wraps it in its own tagged error.
 *
 * @since 0.2.0
 * @category errors
 */
export type VendorErrorReason = Data.TaggedEnum<{
  /** The vendor answered 429 (`source: "vendor"`), or the throttle could not give a slot in time (`"throttle"`). */
  RateLimited: {
    readonly retryAfter: Option.Option<Duration.Duration>
    readonly concurrencyLimited: boolean
    readonly source: "vendor" | "throttle"
  }
  Unauthorized: { readonly status: number; readonly message: string }
  /** The vendor refused the request; `message` is the vendor's own. */
  BadRequest: { readonly status: number; readonly message: string }
  NotFound: { readonly status: number; readonly message: string }
  ServerError: { readonly status: number; readonly message: string }
  /** The request did not complete. `reachedServer: false` means it certainly had no effect (connection refused). */
  Transport: { readonly message: string; readonly reachedServer: boolean }
  Timeout: { readonly after: Duration.Duration }
  /** The vendor's answer does not match the spec; `message` names the JSON path. */
  InvalidResponse: { readonly status: number; readonly message: string }
  CircuitOpen: { readonly retryAfter: Option.Option<Duration.Duration> }
}>

/**
 * What a failed call carries, whichever client made it.
 *
 * @since 0.2.0
 * @category errors
 */
export interface VendorFailure {
  /** The operation the caller asked for (never a check or a lookup made on its behalf). */
  readonly operation: string
  readonly requestId: string
  readonly attempts: number
  readonly reason: VendorErrorReason
  /**
   * What lies beneath `reason`, redacted: the socket error of a `Transport` failure (`connect ECONNREFUSED …`, with
   * its `code`), or for `CircuitOpen` the failure that opened the breaker.
   */
  readonly cause?: unknown
  /** When a write's outcome was unknown and looking it up failed too: that lookup's failure. */
  readonly checkFailure?: VendorFailure | undefined
}
