/**
 * @module
 * What the steps of forwarding share: the handler's dependencies, one vendor's route (what is fixed per vendor, worked
 * out once), and one request's exchange (its id, the record the access log writes, the budget snapshot the answer's
 * rate-limit headers come from).
 */
import type { Readable } from "node:stream"
import type * as CircuitBreaker from "@profilesync/core/CircuitBreaker"
import type * as Retry from "@profilesync/core/Retry"
import type * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Option from "effect/Option"
import type { ProxyConfig } from "../config.ts"
import type { Logger } from "../log.ts"
import type { Upstream } from "../upstream.ts"
import type { VendorEdge } from "../vendors.ts"

/** What the access log records about a forwarded request (set on the context as `forward`). */
export interface ForwardRecord {
  throttleKey?: string
  attempts: number
  /** Time spent waiting for budget, over all attempts. */
  waitedMillis: number
  /** Time from sending to the vendor's answer headers (or failure), over all attempts. */
  upstreamMillis: number
  upstreamStatus?: number | string
  /** The id of what the vendor created (`X-Created`, `Location`, or the answer's `id`), for the log. */
  vendorId?: string | undefined
  /** Query parameters the vendor ignores, dropped rather than forwarded (also in `X-Profilesync-Dropped-Query`). */
  droppedQuery?: ReadonlyArray<string>
  /** Path segments the vendor ignores, dropped rather than forwarded (also in `X-Profilesync-Dropped-Path`). */
  droppedPath?: string
  /** `upstream`: the vendor's answer; `proxy`: the proxy answered itself (refusal, validation, failure). */
  source?: "upstream" | "proxy"
}

declare module "hono" {
  interface ContextVariableMap {
    vendor: VendorEdge["name"] | undefined
    operationId: string | undefined
    forward: ForwardRecord | undefined
  }
}

/** What the handler needs. */
export interface ForwardDependencies {
  readonly config: ProxyConfig
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly throttle: Throttle.ThrottleService
  readonly breakers: Readonly<Record<VendorEdge["name"], CircuitBreaker.CircuitBreaker<unknown>>>
  readonly upstream: Upstream
  readonly logger: Logger
}

/** The header that names the query parameters the proxy dropped because the vendor ignores them. */
export const droppedQueryHeader = "x-profilesync-dropped-query"

/** The header that names the path segments the proxy dropped because the vendor ignores them. */
export const droppedPathHeader = "x-profilesync-dropped-path"

/** The header a caller sets to bound its wait for budget, in milliseconds. */
export const deadlineHeader = "x-profilesync-deadline"

/** One vendor's route: its edge, the handler's dependencies, and what follows from them, worked out once. */
export interface VendorRoute extends ForwardDependencies {
  readonly vendor: VendorEdge
  /** The vendor's base URL; `origin` picks the connection pool, `basePath` prefixes every upstream path. */
  readonly base: URL
  readonly origin: string
  readonly basePath: string
  readonly breaker: CircuitBreaker.CircuitBreaker<unknown>
  readonly retryPolicy: Retry.RetryPolicyOptions
}

/** Works out `vendor`'s route. */
export const makeVendorRoute = (vendor: VendorEdge, dependencies: ForwardDependencies): VendorRoute => {
  const base = new URL(vendor.config.baseUrl)
  return {
    ...dependencies,
    vendor,
    base,
    origin: base.origin,
    basePath: base.pathname.replace(/\/+$/, ""),
    breaker: dependencies.breakers[vendor.name],
    retryPolicy: {
      maxAttempts: dependencies.config.retryMaxAttempts,
      baseDelay: Duration.millis(100),
      maxDelay: Duration.seconds(2),
      retryAfterJitter: Duration.millis(20)
    }
  }
}

/** One request on its way through the steps. */
export interface Exchange {
  readonly requestId: string
  readonly record: ForwardRecord
  /** The operation of the spec the request matched, once known (for the access log and the metrics). */
  operationId: string | undefined
  /** The account's budget as last seen, for the answer's rate-limit headers. */
  snapshot: Option.Option<Throttle.Snapshot>
}

/** The caller's answer, as either server writes it (Hono as a `Response`, the direct route with `node:http`). */
export interface ForwardAnswer {
  readonly status: number
  readonly headers: Headers
  /** Bytes or text read whole, a stream passed on as it comes, or `null`: no body. */
  readonly body: Buffer | string | Readable | null
}
