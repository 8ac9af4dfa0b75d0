/**
 * @module
 * One structured JSON line per request, written when the answer's headers are ready: request id, method, path
 * (credentials redacted), status, duration, vendor, operation, the throttle key spent, the time waited for budget,
 * attempts, the upstream status, and whether the vendor or the proxy answered. It also counts the request in
 * `profilesync_proxy_requests_total` and the duration histogram. Headers are never logged.
 */

import type { MiddlewareHandler } from "hono"
import type { ForwardRecord } from "../../forward/exchange.ts"
import type { Logger } from "../../log.ts"
import * as Metrics from "../../metrics.ts"

/** Options of {@link accessLog}. */
export interface AccessLogOptions {
  readonly logger: Logger
  /** Paths that are counted but not logged at `info` (probes and scrapes). Default `/healthz`, `/readyz`, `/metrics`. */
  readonly quietPaths?: ReadonlyArray<string> | undefined
}

/** One answered request, as the access log and the metrics see it. */
export interface AnsweredRequest {
  readonly requestId: string | undefined
  readonly method: string
  readonly pathname: string
  readonly search: string
  readonly status: number
  /** From receiving the request to its answer's headers. */
  readonly durationMillis: number
  readonly vendor: string | undefined
  readonly operation: string | undefined
  readonly forward: ForwardRecord | undefined
}

/**
 * Counts `request` in the metrics and writes its line (`quiet` paths at `debug`); the direct route of `node:http`
 * calls it too, so both servers log alike.
 */
export const recordRequest = (logger: Logger, quietPaths: ReadonlyArray<string>, request: AnsweredRequest): void => {
  const { status, vendor, operation, forward } = request
  const durationMillis = Math.round(request.durationMillis * 100) / 100
  Metrics.requestsTotal.at(vendor ?? "-", operation ?? "-", String(status)).value++
  if (vendor !== undefined) {
    Metrics.requestDuration.observe(Metrics.requestDuration.at(vendor), durationMillis / 1000)
    Metrics.recordAddedLatency(vendor, durationMillis, forward)
  }
  const level = status >= 500 ? "warn" : quietPaths.includes(request.pathname) ? "debug" : "info"
  if (!logger.enabled(level)) return
  // The line is written member by member: one per request, so no object is built only to be serialised.
  const requestId = request.requestId
  let members = requestId === undefined ? "" : `"requestId":${JSON.stringify(requestId)},`
  members += `"method":${JSON.stringify(request.method)},"path":${JSON.stringify(logger.redact(`${request.pathname}${request.search}`))},"status":${status},"durationMs":${durationMillis}`
  if (vendor !== undefined) members += `,"vendor":${JSON.stringify(vendor)}`
  if (operation !== undefined) members += `,"operation":${JSON.stringify(operation)}`
  if (forward !== undefined) {
    if (forward.throttleKey !== undefined) members += `,"throttleKey":${JSON.stringify(forward.throttleKey)}`
    members += `,"waitedMs":${forward.waitedMillis},"attempts":${forward.attempts}`
    if (forward.upstreamStatus !== undefined) members += `,"upstreamStatus":${JSON.stringify(forward.upstreamStatus)}`
    if (forward.vendorId !== undefined) members += `,"vendorId":${JSON.stringify(forward.vendorId)}`
    if (forward.droppedQuery !== undefined) members += `,"droppedQuery":${JSON.stringify(forward.droppedQuery)}`
    if (forward.droppedPath !== undefined) members += `,"droppedPath":${JSON.stringify(forward.droppedPath)}`
    if (forward.source !== undefined) members += `,"source":${JSON.stringify(forward.source)}`
  }
  logger.logJson(level, "request", members)
}

/** The paths counted but logged at `debug` by default. */
export const defaultQuietPaths: ReadonlyArray<string> = ["/healthz", "/readyz", "/metrics"]

/** Creates the middleware. */
export const accessLog = ({ logger, quietPaths = defaultQuietPaths }: AccessLogOptions): MiddlewareHandler =>
  async function accessLog(context, next) {
    const started = performance.now()
    await next()
    const durationMillis = performance.now() - started
    const url = new URL(context.req.url)
    recordRequest(logger, quietPaths, {
      requestId: context.get("requestId"),
      method: context.req.method,
      pathname: url.pathname,
      search: url.search,
      status: context.res.status,
      durationMillis,
      vendor: context.get("vendor"),
      operation: context.get("operationId"),
      forward: context.get("forward")
    })
  }
