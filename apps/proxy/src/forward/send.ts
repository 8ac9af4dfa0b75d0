/**
 * @module
 * One attempt upstream and what its answer means, and the fast path that makes the first attempt without any Effect:
 * a closed breaker and a slot free now in this process's memory (the common case under the vendor's limits). When
 * that attempt fails or no slot is free now, the retry loop (`retry.ts`) takes over.
 */
import * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Metrics from "../metrics.ts"
import { rateLimitHeaderNames } from "../rate-limit-headers.ts"
import { transportFailure, type UpstreamAnswer } from "../upstream.ts"
import type { Exchange, VendorRoute } from "./exchange.ts"
import type { PreparedRequest } from "./prepare.ts"
import { isUpstreamFailure, UpstreamFailure, UpstreamFailureReason } from "./upstream-failure.ts"

// What a send that ran out of time throws (its own abort, told apart from every other failure).
const timedOut = Symbol("timed out")

/**
 * Sends the prepared request once. The timeout is a timer on the request's AbortSignal rather than an Effect race (no
 * extra fiber per request). It bounds the wait for the answer's headers (and, for uploads, the upload itself); a
 * stalled answer body is bounded by undici's `bodyTimeout`. Nothing else aborts a request once sent: it is seen
 * through even if the caller goes away, so a write the vendor carried out is always logged with its outcome (and the
 * vendor's id).
 */
export const sendOnce = (route: VendorRoute, prepared: PreparedRequest): Promise<UpstreamAnswer> => {
  const controller = new AbortController()
  let expired = false
  const timer = setTimeout(() => {
    expired = true
    controller.abort()
  }, prepared.timeoutMillis)
  return route.upstream.send(prepared.upstreamRequest, controller.signal, rateLimitHeaderNames).then(
    (answer) => {
      clearTimeout(timer)
      return answer
    },
    (error: unknown) => {
      clearTimeout(timer)
      throw expired ? timedOut : error
    }
  )
}

/** What an answer means: a success to pass on, or (429, 5xx) a failure that may be retried or passed on. */
export const judge = (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  answer: UpstreamAnswer
): UpstreamFailure | undefined => {
  const { record } = exchange
  const vendorName = route.vendor.name
  record.upstreamStatus = answer.status
  // Reads create nothing: only a write's answer is searched for the vendor's id (it costs a JSON parse).
  if (prepared.method !== "GET" && prepared.method !== "HEAD") record.vendorId = createdId(answer)
  Metrics.upstreamRequestsTotal.at(vendorName, prepared.operation.operationId, String(answer.status)).value++
  if (answer.status === 429) {
    Metrics.upstreamRateLimitedTotal.at(vendorName).value++
    const parsed = Throttle.parseRetryAfter(answer.headers.get("retry-after"), Date.now())
    const concurrency = Option.exists(parsed, Throttle.RetryAfter.$is("LowerConcurrency"))
    return new UpstreamFailure({
      reason: UpstreamFailureReason.RateLimited({ answer, concurrency, retryAfter: Option.some(Duration.zero) })
    })
  }
  if (answer.status >= 500) {
    return new UpstreamFailure({ reason: UpstreamFailureReason.ServerError({ answer, status: answer.status }) })
  }
  return undefined
}

/** The failure a send that threw stands for: its timeout, an upload over the limit, or the transport's error. */
export const failureOf = (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest,
  error: unknown
): UpstreamFailure => {
  const { record } = exchange
  const operationId = prepared.operation.operationId
  if (error === timedOut) {
    record.upstreamStatus = "timeout"
    Metrics.upstreamRequestsTotal.at(route.vendor.name, operationId, "timeout").value++
    return new UpstreamFailure({
      reason: UpstreamFailureReason.Timeout({ after: Duration.millis(prepared.timeoutMillis) })
    })
  }
  const outgoing = prepared.outgoing
  if (outgoing.kind === "stream" && outgoing.exceeded()) {
    return new UpstreamFailure({ reason: UpstreamFailureReason.BodyTooLarge({ limit: outgoing.limit }) })
  }
  const failure = transportFailure(error)
  record.upstreamStatus = failure.code ?? "transport"
  Metrics.upstreamRequestsTotal.at(route.vendor.name, operationId, failure.code ?? "transport").value++
  return new UpstreamFailure({
    reason: UpstreamFailureReason.Transport({ failure, reachedServer: failure.reachedServer })
  })
}

/** Takes the budget snapshot for the headers synchronously when the throttle can (in memory); says whether it did. */
export const takeSnapshotNow = (route: VendorRoute, exchange: Exchange, key: string): boolean => {
  const taken = route.throttle.snapshotNow(key)
  if (taken === undefined) return false
  exchange.snapshot = Option.some(taken)
  return true
}

/**
 * The fast path: with a closed breaker and a slot free now, the first attempt, made and judged; `undefined` when
 * either is missing (then the retry loop makes it). Its answer is the whole request unless it is a failure; then the
 * retry loop continues from it, as if that attempt had been its first.
 */
export const tryFastPath = async (
  route: VendorRoute,
  exchange: Exchange,
  prepared: PreparedRequest
): Promise<UpstreamAnswer | UpstreamFailure | undefined> => {
  const pass = route.breaker.tryPass()
  if (pass === undefined) return undefined
  const ticket = route.throttle.tryAdmit(prepared.key)
  if (ticket === undefined) return undefined
  const { record } = exchange
  record.attempts = 1
  ticket.sent()
  const sentAt = performance.now()
  let first: UpstreamAnswer | UpstreamFailure
  try {
    const answer = await sendOnce(route, prepared)
    first = judge(route, exchange, prepared, answer) ?? answer
  } catch (error) {
    first = failureOf(route, exchange, prepared, error)
  }
  record.upstreamMillis += performance.now() - sentAt
  const failed = isUpstreamFailure(first)
  ticket.done(!failed)
  pass(failed ? first : undefined)
  takeSnapshotNow(route, exchange, prepared.key)
  return first
}

/** What the vendor says it created: `X-Created` (Copernica), `Location`, or a small JSON answer's `id` (Ocamba). */
const createdId = (answer: UpstreamAnswer): string | undefined => {
  const header = answer.headers.get("x-created") ?? answer.headers.get("location") ?? undefined
  if (header !== undefined) return header
  if (answer.status >= 300 || !Buffer.isBuffer(answer.body) || answer.body.byteLength > 4096) return undefined
  try {
    const id = (JSON.parse(answer.body.toString("utf8")) as { id?: unknown } | null)?.id
    return typeof id === "string" || typeof id === "number" ? String(id) : undefined
  } catch {
    return undefined
  }
}
