/**
 * @module
 * The proxy's Hono app: the middleware chain, the vendor routes and the operational endpoints.
 *
 * ```
 * request id → in-flight → access-log → request-target → /healthz, /readyz, /metrics
 *                                                      → [trace] → proxy-key → /ocamba/v1/hood/*  (forward, Ocamba)
 *                                                      → [trace] → proxy-key → /copernica/v3/*    (forward, Copernica)
 * ```
 *
 * `trace` (`telemetry.ts`) is there only when the `OTEL_*` variables turn tracing on.
 *
 * Anything else is 404. Errors thrown by a handler (bugs) are answered 500 in the vendor's shape and logged.
 *
 * Served over HTTP, the usual vendor request (a `GET` or `HEAD` without a body) does not reach this app: the direct
 * route of `direct-route.ts` takes the same steps without Hono. `app.request` always runs the app.
 */
import { randomUUID } from "node:crypto"
import * as Redact from "@profilesync/core/Redact"
import { Hono } from "hono"
import type { ProxyConfig } from "./config.ts"
import { type ErrorAnswer, errorResponse, ProxyErrorReason, proxyError } from "./errors.ts"
import { type ForwardDependencies, forward } from "./forward/handler.ts"
import type { Logger } from "./log.ts"
import { prometheusText } from "./metrics.ts"
import { accessLog } from "./middleware/access-log/index.ts"
import { type InFlightState, inFlight } from "./middleware/in-flight/index.ts"
import { proxyKey } from "./middleware/proxy-key/index.ts"
import { requestTarget } from "./middleware/request-target/index.ts"
import type { ProxyTracing } from "./telemetry.ts"
import type { VendorEdge, VendorName } from "./vendors.ts"

declare module "hono" {
  interface ContextVariableMap {
    /** The request's id (the caller's `X-Request-Id` when plain, else a new UUID), set first for every request. */
    requestId: string
  }
}

/** What the app needs. */
export interface AppDependencies extends ForwardDependencies {
  readonly vendors: Readonly<Record<VendorName, VendorEdge>>
  readonly inFlight: InFlightState
  /** Whether the shared store answers; `undefined` when no Redis is configured. */
  readonly redisReady?: (() => Promise<boolean>) | undefined
  readonly logger: Logger
  readonly config: ProxyConfig
  /** OpenTelemetry tracing, when the `OTEL_*` variables turn it on. */
  readonly tracing?: ProxyTracing | undefined
}

/**
 * The request's id: the caller's `X-Request-Id` when it is short and plain (at most 128 word characters, `-` and
 * `=`), so a caller's own id follows the request upstream; else a new UUID.
 */
export const requestIdOf = (header: string | undefined): string =>
  header === undefined || header === "" || header.length > 128 || /[^\w\-=]/.test(header) ? randomUUID() : header

/** Logs a bug a handler threw and makes its answer: 500, in the vendor's error shape. */
export const unexpectedError = (
  logger: Logger,
  vendor: VendorEdge | undefined,
  requestId: string | undefined,
  path: string,
  error: unknown
): ErrorAnswer => {
  logger.log("error", "unexpected error", {
    requestId,
    path: logger.redact(path),
    error: logger.redact(error instanceof Error ? (error.stack ?? error.message) : String(error))
  })
  const body = vendor?.errorBody(500, "The proxy failed unexpectedly.", requestId ?? "") ?? {
    error: { message: "The proxy failed unexpectedly." }
  }
  return {
    status: 500,
    headers: new Headers({ "content-type": "application/json", "x-profilesync-source": "proxy" }),
    body: JSON.stringify(body)
  }
}

/** Creates the app. */
export const createApp = (dependencies: AppDependencies): Hono => {
  const { vendors, config, logger, runtime } = dependencies
  const vendorOf = (path: string): VendorEdge | undefined =>
    Object.values(vendors).find((vendor) => path === `/${vendor.name}` || path.startsWith(`/${vendor.name}/`))

  const app = new Hono()
  // Every answer carries the id (`requestIdOf`), also those made by later middleware: it is set
  // on the answer itself once it exists (hono's `requestId` sets it only on its own context, a second layer to echo).
  app.use(async function requestId(context, next) {
    const id = requestIdOf(context.req.header("x-request-id"))
    context.set("requestId", id)
    await next()
    context.res.headers.set("x-request-id", id)
  })
  app.use(inFlight({ state: dependencies.inFlight }))
  app.use(accessLog({ logger }))
  app.use(requestTarget({ vendorOf }))

  app.get("/healthz", (context) => context.json({ status: "ok" }))
  app.get("/readyz", async (context) => {
    if (dependencies.inFlight.draining) return context.json({ status: "draining" }, 503)
    if (dependencies.redisReady !== undefined && !(await dependencies.redisReady())) {
      return context.json({ status: "redis unreachable" }, 503)
    }
    return context.json({ status: "ready" })
  })
  app.get("/metrics", async (context) =>
    context.body(Redact.text(await runtime.runPromise(prometheusText)), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8"
    })
  )

  for (const vendor of Object.values(vendors)) {
    // Only when tracing is on: otherwise the vendor routes carry no tracing middleware at all.
    if (dependencies.tracing !== undefined) app.use(`/${vendor.name}/*`, dependencies.tracing.middleware)
    app.use(`/${vendor.name}/*`, proxyKey({ keys: config.proxyKeys, vendor }))
    app.use(`/${vendor.name}`, proxyKey({ keys: config.proxyKeys, vendor }))
    app.all(`${vendor.prefix}/*`, forward(vendor, dependencies))
  }

  app.notFound((context) => {
    const path = new URL(context.req.url).pathname
    const vendor = vendorOf(path)
    context.set("vendor", vendor?.name)
    return errorResponse(
      vendor,
      proxyError(ProxyErrorReason.UnknownOperation({ method: context.req.method, path })),
      context.get("requestId") ?? ""
    )
  })
  app.onError((error, context) => {
    const path = new URL(context.req.url).pathname
    const answer = unexpectedError(logger, vendorOf(path), context.get("requestId"), path, error)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  })
  return app
}
