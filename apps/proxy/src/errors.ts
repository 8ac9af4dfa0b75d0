/**
 * @module
 * Every answer the proxy makes itself (rather than forwarding the vendor's) is a {@link ProxyError}, and this module
 * is the one place that turns one into an HTTP answer, in the vendor's own error shape: Ocamba
 * `{code, title, message, trace_id}`, Copernica `{"error":{"message"}}`. Core's tagged errors (`ThrottleError`,
 * `CircuitBreakerError`) are mapped here too, by `_tag` and `reason._tag`, never by message.
 */
import type * as CircuitBreaker from "@profilesync/core/CircuitBreaker"
import type * as Throttle from "@profilesync/core/Throttle"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { VendorEdge } from "./vendors.ts"

/** Why the proxy answered a request itself. */
export type ProxyErrorReason = Data.TaggedEnum<{
  /** Absolute-form targets, control characters: refused before routing. */
  BadTarget: { readonly message: string }
  /** No operation of the spec matches: the proxy is never an open proxy. */
  UnknownOperation: { readonly method: string; readonly path: string }
  /** The path is an operation's, the method is not: `allowed` goes in the `Allow` header. */
  MethodNotAllowed: { readonly method: string; readonly path: string; readonly allowed: ReadonlyArray<string> }
  /** `PROXY_KEYS` is set and the caller sent no key or a wrong one. */
  ProxyKeyRequired: Record<never, never>
  /** Pass-through mode and the caller sent no credential. */
  MissingCredential: Record<never, never>
  /** Inject mode and the proxy has no credential for this vendor. */
  VendorNotConfigured: Record<never, never>
  /** The spec refuses the request; `message` names the JSON path. */
  InvalidRequest: { readonly message: string }
  PayloadTooLarge: { readonly limit: number }
  /** The shared budget has no slot within the caller's deadline, or the queue is full. */
  Throttled: { readonly retryAfter: Duration.Duration; readonly cause: "DeadlineExceeded" | "QueueFull" }
  /** The vendor failed repeatedly; the breaker refuses calls until `retryAfter`. */
  CircuitOpen: { readonly retryAfter: Option.Option<Duration.Duration> }
  UpstreamUnreachable: { readonly message: string }
  UpstreamTimeout: { readonly after: Duration.Duration }
  /** The proxy is shutting down. */
  Draining: Record<never, never>
}>

/** Constructors and guards of {@link ProxyErrorReason}. */
export const ProxyErrorReason = Data.taggedEnum<ProxyErrorReason>()

/** The proxy's own error: branch on `reason._tag`. */
export class ProxyError extends Data.TaggedError("ProxyError")<{ readonly reason: ProxyErrorReason }> {}

/** Shorthand for `new ProxyError({ reason })`. */
export const proxyError = (reason: ProxyErrorReason): ProxyError => new ProxyError({ reason })

/** Maps core's throttle refusal; `QueueFull` carries no wait, so `retryAfter` is the caller's best estimate. */
export const fromThrottleError = (
  error: Throttle.ThrottleError,
  queueFullRetryAfter: Duration.Duration
): ProxyError => {
  const reason = error.reason
  switch (reason._tag) {
    case "DeadlineExceeded":
      return proxyError(ProxyErrorReason.Throttled({ retryAfter: reason.retryAfter, cause: "DeadlineExceeded" }))
    case "QueueFull":
      return proxyError(ProxyErrorReason.Throttled({ retryAfter: queueFullRetryAfter, cause: "QueueFull" }))
    case "StoreUnavailable":
      // The Redis throttle falls back to memory and never fails this way; a store that does is a transient outage.
      return proxyError(ProxyErrorReason.Throttled({ retryAfter: Duration.seconds(1), cause: "QueueFull" }))
  }
}

/** Maps core's circuit breaker refusal. */
export const fromCircuitBreakerError = (error: CircuitBreaker.CircuitBreakerError): ProxyError =>
  proxyError(
    ProxyErrorReason.CircuitOpen({
      retryAfter: error.reason._tag === "Open" ? Option.some(error.reason.retryAfter) : Option.none()
    })
  )

/** `Retry-After` in whole seconds, rounded up and at least 1 (RFC 9110 §10.2.3 has no fractions). */
export const retryAfterSeconds = (duration: Duration.Duration): number =>
  Math.max(1, Math.ceil(Duration.toMillis(duration) / 1000))

interface Answer {
  readonly status: number
  readonly message: string
  readonly retryAfter?: Duration.Duration | undefined
}

const answerOf = (vendor: VendorEdge | undefined, reason: ProxyErrorReason): Answer => {
  const copernica = vendor?.name === "copernica"
  switch (reason._tag) {
    case "BadTarget":
      return { status: 400, message: reason.message }
    case "UnknownOperation":
      // Copernica answers unknown routes with "Invalid method" (observed by rmuit/copernica-api); the proxy keeps the
      // vendor's words but says 404, because it forwards only the operations of the spec.
      return { status: 404, message: copernica ? "Invalid method" : `No route ${reason.method} ${reason.path}.` }
    case "MethodNotAllowed":
      // RFC 9110 §15.5.6; Copernica answers a wrong method on a known path with its 400 "Invalid method"
      // (rmuit/copernica-api `tests/ApiBehaviorTest.php`), so the proxy does too, with the Allow header.
      return copernica
        ? { status: 400, message: "Invalid method" }
        : { status: 405, message: `Method ${reason.method} is not allowed on ${reason.path}.` }
    case "ProxyKeyRequired":
      return { status: 401, message: "Missing or unknown X-Proxy-Key." }
    case "MissingCredential":
      return { status: 401, message: "Unauthorized." }
    case "VendorNotConfigured":
      return { status: 503, message: `The proxy has no ${vendor?.name ?? "vendor"} credentials configured.` }
    case "InvalidRequest":
      // The sandbox and Copernica prefix validation messages this way.
      return { status: 400, message: copernica ? `Invalid data provided: ${reason.message}` : reason.message }
    case "PayloadTooLarge":
      return { status: 413, message: `request body: larger than the limit of ${reason.limit} bytes` }
    case "Throttled":
      return {
        status: 429,
        message:
          reason.cause === "QueueFull"
            ? "Too many requests: the queue for this account's shared budget is full."
            : `Too many requests: the shared budget of this account has no slot within the deadline; retry after ${retryAfterSeconds(reason.retryAfter)} s.`,
        retryAfter: reason.retryAfter
      }
    case "CircuitOpen":
      return {
        status: 503,
        message: "The vendor failed repeatedly; requests are paused for a while.",
        retryAfter: Option.getOrElse(reason.retryAfter, () => Duration.seconds(1))
      }
    case "UpstreamUnreachable":
      return { status: 502, message: `The vendor could not be reached: ${reason.message}` }
    case "UpstreamTimeout":
      return { status: 504, message: `The vendor did not answer within ${Duration.toMillis(reason.after)} ms.` }
    case "Draining":
      return {
        status: 503,
        message: "The proxy is shutting down; retry on another replica.",
        retryAfter: Duration.seconds(1)
      }
  }
}

/** The parts of the proxy's answer to an error: what {@link errorResponse} and the direct route both write. */
export interface ErrorAnswer {
  readonly status: number
  readonly headers: Headers
  /** JSON text. */
  readonly body: string
}

/**
 * The answer to a {@link ProxyError}, in `vendor`'s error shape (a neutral `{"error":{"message"}}` outside the
 * vendor routes). It carries `X-Profilesync-Source: proxy`, so callers and tests can tell it from a vendor's answer.
 */
export const errorAnswer = (vendor: VendorEdge | undefined, error: ProxyError, requestId: string): ErrorAnswer => {
  const reason = error.reason
  const headers = new Headers({ "content-type": "application/json", "x-profilesync-source": "proxy" })
  if (reason._tag === "MissingCredential" && vendor !== undefined) {
    const unauthorized = vendor.unauthorized(requestId)
    return { status: unauthorized.status, headers, body: JSON.stringify(unauthorized.body) }
  }
  const answer = answerOf(vendor, reason)
  if (answer.retryAfter !== undefined) headers.set("retry-after", String(retryAfterSeconds(answer.retryAfter)))
  if (reason._tag === "MethodNotAllowed") headers.set("allow", reason.allowed.join(", "))
  const body =
    vendor === undefined
      ? { error: { message: answer.message } }
      : vendor.errorBody(answer.status, answer.message, requestId)
  return { status: answer.status, headers, body: JSON.stringify(body) }
}

/** {@link errorAnswer} as a web `Response` (the Hono app's). */
export const errorResponse = (vendor: VendorEdge | undefined, error: ProxyError, requestId: string): Response => {
  const answer = errorAnswer(vendor, error, requestId)
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}
