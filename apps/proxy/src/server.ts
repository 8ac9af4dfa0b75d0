/**
 * @module
 * Starts the proxy on a real port and stops it cleanly: `main.ts` uses it for the process, tests use it in-process.
 *
 * Shutdown (SIGTERM): stop accepting connections, let requests in flight finish (including those waiting for budget
 * and those streaming their answer) up to the grace period, answer with `Connection: close` meanwhile, then close
 * every connection, the upstream pools and the Redis connections.
 */
import { readFileSync } from "node:fs"
import { createServer, type RequestListener } from "node:http"
import type { AddressInfo } from "node:net"
import { getRequestListener } from "@hono/node-server"
import * as Redact from "@profilesync/core/Redact"
import type { Hono } from "hono"
import type { Redis } from "ioredis"
import { createApp } from "./app.ts"
import type { ProxyConfig } from "./config.ts"
import { limitConnections, serverOptions } from "./connection-limits.ts"
import { directRoute } from "./direct-route.ts"
import { type Logger, makeLogger } from "./log.ts"
import type { InFlightState } from "./middleware/in-flight/index.ts"
import { makeRuntime, type ProxyRuntime } from "./runtime.ts"
import { startTracing } from "./telemetry.ts"
import { makeUpstream } from "./upstream.ts"
import { makeVendors } from "./vendors.ts"

/** Options of {@link startProxy}. */
export interface StartProxyOptions {
  /** Where log lines go. Default stdout. */
  readonly write?: ((line: string) => void) | undefined
}

/** A running proxy. */
export interface RunningProxy {
  /** `http://HOST:PORT`. */
  readonly url: string
  readonly port: number
  readonly app: Hono
  readonly logger: Logger
  readonly runtime: ProxyRuntime
  readonly inFlight: InFlightState
  /** Stops accepting, drains in-flight requests for up to `graceMillis` (default from the config), closes everything. */
  readonly shutdown: (graceMillis?: number) => Promise<{ readonly drained: boolean }>
}

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { readonly version: string })
    .version

const loopback = new Set(["127.0.0.1", "::1", "localhost"])

const hidePassword = (url: string) => url.replace(/\/\/([^:@/]*):([^@/]*)@/, "//$1:REDACTED@")

/** Starts the proxy. */
export const startProxy = async (config: ProxyConfig, options: StartProxyOptions = {}): Promise<RunningProxy> => {
  // Every secret the proxy holds is hidden from everything it sends: answers, logs, metrics, errors.
  Redact.registerUrlPassword(config.redisUrl)
  const logger = makeLogger({
    level: config.logLevel,
    secrets: [config.ocamba.token, config.copernica.token, ...config.proxyKeys],
    write: options.write
  })
  const vendors = makeVendors(config)
  const runtime = await makeRuntime(config, vendors, logger)
  // OpenTelemetry is loaded only when the OTEL_* variables turn tracing on.
  const tracing =
    config.tracing === undefined
      ? undefined
      : await startTracing(config.tracing, { serviceVersion: packageVersion(), redact: logger.redact })
  if (config.tracing !== undefined && config.tracing.unsupported.length > 0) {
    logger.log("warn", "OpenTelemetry: only the otlp exporter is built in", { ignored: config.tracing.unsupported })
  }
  const upstream = makeUpstream()
  const inFlight: InFlightState = { count: 0, draining: false }

  let readiness: Redis | undefined
  if (config.redisUrl !== undefined) {
    // Loaded only when a Redis is configured, like the throttle's Redis store.
    const { Redis } = await import("ioredis")
    readiness = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000)
    })
    // Outages are reported by /readyz and by the throttle's own fallback warning, not once per reconnect.
    readiness.on("error", () => {})
  }
  const client = readiness
  const redisReady =
    client === undefined
      ? undefined
      : () =>
          client.ping().then(
            (answer) => answer === "PONG",
            () => false
          )

  const dependencies = {
    config,
    vendors,
    logger,
    runtime: runtime.runtime,
    throttle: runtime.throttle,
    breakers: runtime.breakers,
    upstream,
    inFlight
  }
  const app = createApp({ ...dependencies, redisReady, tracing })
  const viaHono: RequestListener = getRequestListener(app.fetch, { hostname: config.host })
  // The usual vendor request is served by node:http directly (`direct-route.ts`); with tracing on, every request
  // goes through the app, whose tracing middleware makes the spans.
  const direct = tracing === undefined ? directRoute(dependencies) : undefined
  const listener: RequestListener =
    direct === undefined
      ? viaHono
      : (incoming, response) => {
          if (!direct(incoming, response)) viaHono(incoming, response)
        }
  const server = createServer(serverOptions(config), listener)
  limitConnections(server, config)
  // A caller that half-closes its socket after a complete request can still read: answer it (Node's default ends
  // the socket at the caller's FIN and drops the answer).
  ;(server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(config.port, config.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const host = config.host.includes(":") ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`

  if (!loopback.has(config.host) && config.proxyKeys.length === 0) {
    logger.log(
      "warn",
      "listening beyond loopback without PROXY_KEYS: anyone who can reach the port spends the budget",
      {
        host: config.host
      }
    )
  }
  logger.log("info", "listening", {
    url,
    credentialsMode: config.credentialsMode,
    budget: config.redisUrl === undefined ? "memory" : `redis ${hidePassword(config.redisUrl)}`,
    replicas: config.replicas,
    proxyKeys: config.proxyKeys.length,
    vendors: Object.fromEntries(
      Object.values(vendors).map((vendor) => [
        vendor.name,
        {
          baseUrl: vendor.config.baseUrl,
          account: vendor.config.account,
          credentials:
            config.credentialsMode === "pass-through"
              ? "caller's"
              : vendor.config.token === undefined
                ? "none"
                : "configured",
          limits:
            vendor.config.limits === "adaptive"
              ? "adaptive"
              : vendor.config.limits.map((window) => `${window.limit}/${window.windowMillis}ms`).join(",")
        }
      ])
    )
  })

  let stopping: Promise<{ drained: boolean }> | undefined
  const shutdown = (graceMillis = config.shutdownGraceMillis) => {
    stopping ??= (async () => {
      inFlight.draining = true
      logger.log("info", "draining", { inFlight: inFlight.count, graceMs: graceMillis })
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const idle = new Promise<boolean>((resolve) => {
        if (inFlight.count === 0) return resolve(true)
        inFlight.onIdle = () => resolve(true)
      })
      let timer: NodeJS.Timeout | undefined
      const drained = await Promise.race([
        idle,
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMillis)
        })
      ])
      clearTimeout(timer)
      // Keep-alive connections left idle by the last answers, and whatever did not finish in time.
      server.closeIdleConnections()
      server.closeAllConnections()
      await closed
      await upstream.close()
      await runtime.dispose()
      await tracing?.dispose()
      if (client !== undefined) await client.quit().catch(() => client.disconnect())
      logger.log(drained ? "info" : "warn", "stopped", { drained, abandoned: inFlight.count })
      return { drained }
    })()
    return stopping
  }

  return { url, port, app, logger, runtime, inFlight, shutdown }
}
