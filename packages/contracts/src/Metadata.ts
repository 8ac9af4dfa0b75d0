/**
 * Typed views of the profilesync vendor extensions (`openapi/EXTENSIONS.md`): where an operation's facts come from,
 * the vendor's rate limits, and whether repeating a request is safe. The throttle, the retry policy, the sandbox and
 * the proxy all read these, so the specs stay the one place the facts live.
 */

/** Where an operation's facts come from: the vendor's own docs, or our inference (with the reason). */
export interface Provenance {
  readonly status: "documented" | "inferred"
  readonly source: string
  readonly note?: string
}

/** One rate window: at most `limit` requests in any `windowSeconds`. */
export interface RateWindow {
  readonly limit: number
  readonly windowSeconds: number
}

/**
 * The vendor's limits for an operation. Every window applies at once. `status: "unknown"` means the vendor publishes
 * none (Copernica): `windows` is then empty and clients must throttle adaptively.
 */
export interface RateLimits {
  readonly status: "documented" | "unknown"
  readonly scope: "account"
  readonly windows: ReadonlyArray<RateWindow>
  readonly source?: string
  readonly note?: string
}

/**
 * Whether repeating a request after an unknown outcome is safe:
 * - `safe`: repeating cannot change the outcome;
 * - `check-first`: look (as `note` says) whether the first attempt took effect before repeating;
 * - `never`: never repeat automatically.
 */
export type RetryPolicy = "safe" | "check-first" | "never"

/** The retry-safety extension of an operation. */
export interface RetrySafety {
  readonly policy: RetryPolicy
  readonly note?: string
}

/** Everything the contracts know about one operation, generated from the spec. */
export interface OperationMetadata {
  readonly operationId: string
  readonly method: "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
  /** The OpenAPI path template, relative to the server URL, e.g. `/profile-properties/{id}`. */
  readonly path: string
  /** Other spellings of the path the vendor accepts (the Copernica PHP helper's `imports/`). */
  readonly pathAliases: ReadonlyArray<string>
  readonly summary?: string
  readonly provenance: Provenance
  readonly rateLimits: RateLimits
  readonly retry: RetrySafety
  /** The largest upload the vendor accepts, in bytes, where it says so. */
  readonly maxUploadBytes?: number
}
