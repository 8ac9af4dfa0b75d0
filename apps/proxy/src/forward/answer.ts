/**
 * @module
 * The caller's answer: the vendor's answer streamed on (every secret the proxy holds taken out, its links pointed at
 * the proxy) or the proxy's own refusal in the vendor's error shape, both with the shared budget's rate-limit headers,
 * the request id and who answered; and what the outcome of the attempts (an Effect `Exit`) comes to.
 */
import { Readable } from "node:stream"
import type * as CircuitBreaker from "@profilesync/core/CircuitBreaker"
import type * as Throttle from "@profilesync/core/Throttle"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import {
  errorAnswer,
  fromCircuitBreakerError,
  fromThrottleError,
  type ProxyError,
  ProxyErrorReason,
  proxyError
} from "../errors.ts"
import { setRateLimitHeaders } from "../rate-limit-headers.ts"
import type { UpstreamAnswer } from "../upstream.ts"
import {
  droppedPathHeader,
  droppedQueryHeader,
  type Exchange,
  type ForwardAnswer,
  type VendorRoute
} from "./exchange.ts"
import type { PreparedRequest } from "./prepare.ts"
import { redactAnswer } from "./redact-answer.ts"
import { snapshotOf } from "./retry.ts"
import { isUpstreamFailure, type UpstreamFailure } from "./upstream-failure.ts"

const toWebBody = (body: ForwardAnswer["body"]): ConstructorParameters<typeof Response>[0] => {
  if (body === null || typeof body === "string") return body
  if (Buffer.isBuffer(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  return Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>
}

/** Adds the budget's rate-limit headers, the request id, who answered and what query or path was dropped. */
const withBudgetHeaders = (
  route: VendorRoute,
  exchange: Exchange,
  answer: ForwardAnswer,
  source: "upstream" | "proxy"
): ForwardAnswer => {
  const { record, snapshot } = exchange
  const headers = answer.headers
  record.source = source
  if (Option.isSome(snapshot)) setRateLimitHeaders(headers, route.vendor, snapshot.value)
  headers.set("x-request-id", exchange.requestId)
  headers.set("x-profilesync-source", source)
  if (record.droppedQuery !== undefined) headers.set(droppedQueryHeader, record.droppedQuery.join(", "))
  if (record.droppedPath !== undefined) headers.set(droppedPathHeader, record.droppedPath)
  return answer
}

/** The proxy's own answer to `error`, in the vendor's error shape. */
export const refuse = (route: VendorRoute, exchange: Exchange, error: ProxyError): ForwardAnswer =>
  withBudgetHeaders(route, exchange, errorAnswer(route.vendor, error, exchange.requestId), "proxy")

/** The answer as a web `Response` (Hono's). */
export const toResponse = (answer: ForwardAnswer): Response =>
  new Response(toWebBody(answer.body), { status: answer.status, headers: answer.headers })

/** The answer to a caller that went away (499, nginx's "client closed request"): nobody reads it. */
const callerGoneAnswer = (): ForwardAnswer => ({ status: 499, headers: new Headers(), body: null })

/** Passes the vendor's answer on. */
const respond = (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  answer: UpstreamAnswer
): ForwardAnswer => {
  const redacted = redactAnswer(answer)
  if ("undecodable" in redacted) {
    return refuse(
      route,
      exchange,
      proxyError(
        ProxyErrorReason.UpstreamUnreachable({
          message: `the vendor answered with content-encoding ${redacted.undecodable}, which the proxy cannot read`
        })
      )
    )
  }
  const publicBase = `${route.config.publicBaseUrl ?? prepared.url.origin}${route.vendor.prefix}`
  rewriteLocations(redacted.headers, route.base, publicBase)
  if (prepared.method === "HEAD" || (Buffer.isBuffer(redacted.body) && redacted.body.byteLength === 0)) {
    // No body: nothing for the server to label `text/plain` (Copernica's 201 has none), nothing to send to HEAD.
    if (redacted.body !== null && !Buffer.isBuffer(redacted.body)) redacted.body.destroy()
    return withBudgetHeaders(
      route,
      exchange,
      { status: redacted.status, headers: redacted.headers, body: null },
      "upstream"
    )
  }
  return withBudgetHeaders(route, exchange, redacted, "upstream")
}

/** A failed attempt's answer: the vendor's 429 or 5xx passed on, or the proxy's own for what had no answer. */
const answerFailure = (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  failure: UpstreamFailure
): ForwardAnswer => {
  const reason = failure.reason
  switch (reason._tag) {
    case "RateLimited":
    case "ServerError":
      return respond(route, exchange, prepared, reason.answer)
    case "Transport":
      return refuse(
        route,
        exchange,
        proxyError(ProxyErrorReason.UpstreamUnreachable({ message: reason.failure.code ?? "connection failed" }))
      )
    case "Timeout":
      return refuse(route, exchange, proxyError(ProxyErrorReason.UpstreamTimeout({ after: reason.after })))
    case "BodyTooLarge":
      return refuse(route, exchange, proxyError(ProxyErrorReason.PayloadTooLarge({ limit: reason.limit })))
  }
}

/**
 * The answer to the outcome of the attempts: the vendor's answer, 499 when the caller went away, the vendor's last
 * 429 or 5xx, or the proxy's refusal (no slot within the deadline, the breaker open). Anything else is a bug: thrown.
 */
export const answerOutcome = async (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  callerGone: () => boolean,
  exit: Exit.Exit<UpstreamAnswer, unknown>,
  lastFailure: UpstreamFailure | undefined
): Promise<ForwardAnswer> => {
  const { record } = exchange
  if (Exit.isSuccess(exit) && callerGone()) {
    // The caller's socket went away while the vendor answered: the outcome is in the record (and the log).
    const answerBody = exit.value.body
    if (answerBody !== null && !Buffer.isBuffer(answerBody)) answerBody.destroy()
    record.source = "upstream"
    return callerGoneAnswer()
  }
  if (Exit.isSuccess(exit)) return respond(route, exchange, prepared, exit.value)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) {
    if (Cause.isInterruptedOnly(exit.cause)) {
      // The caller's socket is gone. Waiting for budget: its reservation was released. Sent: the upstream outcome is
      // in the record (and the log); the answer's body is let go.
      record.upstreamStatus ??= "caller-gone"
      record.source = "upstream"
      return callerGoneAnswer()
    }
    throw Cause.squash(exit.cause)
  }
  const error = failure.value
  if (isUpstreamFailure(error)) return answerFailure(route, exchange, prepared, error)
  if (Option.isNone(exchange.snapshot)) {
    exchange.snapshot = await route.runtime.runPromise(snapshotOf(route.throttle, prepared.key))
  }
  const tag = (error as { _tag?: string })._tag
  // A throttle refusal after a vendor 429 or 5xx passes that answer on: it says more than "no slot".
  if (lastFailure !== undefined && tag === "ThrottleError") return answerFailure(route, exchange, prepared, lastFailure)
  if (tag === "ThrottleError") {
    const retryAfter = queueFullRetryAfter(exchange.snapshot)
    return refuse(route, exchange, fromThrottleError(error as Throttle.ThrottleError, retryAfter))
  }
  if (tag === "CircuitBreakerError") {
    return refuse(route, exchange, fromCircuitBreakerError(error as CircuitBreaker.CircuitBreakerError))
  }
  throw error
}

/**
 * Points `Location` and Copernica's `X-location` at the proxy's route instead of the vendor (where following them
 * would escape the proxy and need a credential the caller does not have): a URL under the vendor's base URL, absolute
 * or as a path, becomes the same path under `publicBase` (the proxy's public URL plus the vendor's prefix).
 */
export const rewriteLocations = (headers: Headers, upstreamBase: URL, publicBase: string): void => {
  const basePath = upstreamBase.pathname.replace(/\/+$/, "")
  for (const name of ["location", "x-location", "content-location"]) {
    const value = headers.get(name)
    if (value === null) continue
    let target: URL
    try {
      target = new URL(value, upstreamBase)
    } catch {
      continue
    }
    if (target.origin !== upstreamBase.origin) continue
    if (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) continue
    // The vendor's credential never travels back to the caller in a URL.
    target.searchParams.delete("access_token")
    headers.set(name, `${publicBase}${target.pathname.slice(basePath.length)}${target.search}`)
  }
}

/** For `QueueFull`, which carries no wait: until the cooldown ends or the fullest window frees a slot. */
const queueFullRetryAfter = (snapshot: Option.Option<Throttle.Snapshot>): Duration.Duration =>
  Option.match(snapshot, {
    onNone: () => Duration.seconds(1),
    onSome: (value) => {
      const full = value.windows.filter((window) => window.remaining === 0).map((window) => window.resetAfter)
      const freed = full.length === 0 ? Duration.seconds(1) : full.reduce((left, right) => Duration.max(left, right))
      return Duration.max(value.cooldown, freed)
    }
  })
