/**
 * @module
 * One structured JSON line per request, written when the answer's headers are ready: request id, method, path
 * (credentials redacted), status, duration, vendor, operation, the throttle key spent, the time waited for budget,
 * attempts, the upstream status, and whether the vendor or the proxy answered. It also counts the request in
 * `profilesync_proxy_requests_total` and the duration histogram. Headers are never logged.
 */

import type { MiddlewareHandler } from "hono"
import type { Logger } from "../../log.ts"
import * as Metrics from "../../metrics.ts"

/** Options of {@link accessLog}. */
export interface AccessLogOptions {
  readonly logger: Logger
  /** Paths that are counted but not logged at `info` (probes and scrapes). Default `/healthz`, `/readyz`, `/metrics`. */
  readonly quietPaths?: ReadonlyArray<string> | undefined
}

/** Creates the middleware. */
export const accessLog = ({
  logger,
  quietPaths = ["/healthz", "/readyz", "/metrics"]
}: AccessLogOptions): MiddlewareHandler =>
  async function accessLog(context, next) {
    const started = performance.now()
    await next()
    const durationMillis = Math.round((performance.now() - started) * 100) / 100
    const status = context.res.status
    const vendor = context.get("vendor")
    const operation = context.get("operationId")
    Metrics.requestsTotal.at(vendor ?? "-", operation ?? "-", String(status)).value++
    if (vendor !== undefined) {
      Metrics.requestDuration.observe(Metrics.requestDuration.at(vendor), durationMillis / 1000)
      Metrics.recordAddedLatency(vendor, durationMillis, context.get("forward"))
    }
    const url = new URL(context.req.url)
    const level = status >= 500 ? "warn" : quietPaths.includes(url.pathname) ? "debug" : "info"
    if (!logger.enabled(level)) return
    const forward = context.get("forward")
    // The line is written member by member: one per request, so no object is built only to be serialised.
    const requestId = context.get("requestId")
    let members = requestId === undefined ? "" : `"requestId":${JSON.stringify(requestId)},`
    members += `"method":${JSON.stringify(context.req.method)},"path":${JSON.stringify(logger.redact(`${url.pathname}${url.search}`))},"status":${status},"durationMs":${durationMillis}`
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
