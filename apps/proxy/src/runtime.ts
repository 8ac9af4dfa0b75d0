/**
 * @module
 * The Effect side of the proxy: core's throttle (in memory, or shared through Redis when `REDIS_URL` is set), one
 * circuit breaker per vendor, and a runtime whose logger writes core's log lines as the proxy's JSON lines. Built once
 * at start; `dispose` closes the throttle's Redis connection.
 */
import * as CircuitBreaker from "@profilesync/core/CircuitBreaker"
import * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import type { ProxyConfig } from "./config.ts"
import { isBreakerFailure } from "./forward/upstream-failure.ts"
import type { Logger as ProxyLogger } from "./log.ts"
import * as Metrics from "./metrics.ts"
import type { VendorEdge, VendorName } from "./vendors.ts"

/** The throttle, the breakers and the runtime that runs the per-request programs. */
export interface ProxyRuntime {
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly throttle: Throttle.ThrottleService
  readonly breakers: Readonly<Record<VendorName, CircuitBreaker.CircuitBreaker<unknown>>>
  readonly dispose: () => Promise<void>
}

const effectLevels: ReadonlyArray<readonly [LogLevel.LogLevel, "debug" | "info" | "warn" | "error"]> = [
  [LogLevel.Error, "error"],
  [LogLevel.Warning, "warn"],
  [LogLevel.Info, "info"]
]

/** Core's `Effect.log*` lines, written through the proxy's JSON logger. */
const loggerLayer = (logger: ProxyLogger): Layer.Layer<never> => {
  const bridge = Logger.make(({ logLevel, message, annotations }) => {
    const level = effectLevels.find(([effectLevel]) => LogLevel.greaterThanEqual(logLevel, effectLevel))?.[1] ?? "debug"
    if (!logger.enabled(level)) return
    const text = (Array.isArray(message) ? message : [message]).map(String).join(" ")
    const fields: Record<string, unknown> = { source: "core" }
    for (const [key, value] of annotations) fields[key] = value
    logger.log(level, text, fields)
  })
  return Layer.merge(Logger.replace(Logger.defaultLogger, bridge), Logger.minimumLogLevel(LogLevel.Debug))
}

/** Builds the runtime. */
export const makeRuntime = async (
  config: ProxyConfig,
  vendors: Readonly<Record<VendorName, VendorEdge>>,
  logger: ProxyLogger
): Promise<ProxyRuntime> => {
  const runtime = ManagedRuntime.make(loggerLayer(logger))
  const scope = await runtime.runPromise(Scope.make())
  const options: Throttle.Options = {
    keys: { ocamba: vendors.ocamba.policy, copernica: vendors.copernica.policy },
    safetyMargin: Duration.millis(config.safetyMarginMillis),
    maxQueue: config.maxQueue
  }
  // The Redis store (and ioredis) is loaded only when a Redis is configured: a proxy on its own starts without it.
  const redisUrl = config.redisUrl
  const throttle = await runtime.runPromise(
    Scope.extend(
      redisUrl === undefined
        ? Throttle.make(options)
        : Effect.flatMap(
            Effect.promise(() => import("@profilesync/core/ThrottleRedis")),
            (ThrottleRedis) => ThrottleRedis.make({ ...options, redis: redisUrl, replicas: config.replicas })
          ),
      scope
    )
  )
  const breakerOf = (name: VendorName) =>
    CircuitBreaker.make<unknown>({
      name,
      failureThreshold: 5,
      resetAfter: Duration.seconds(10),
      isFailure: isBreakerFailure
    })
  // Series that dashboards and alerts expect exist from the start, at zero, rather than after the first incident.
  for (const [vendor, edge] of Object.entries(vendors)) {
    Metrics.upstreamRateLimitedTotal.at(vendor)
    Metrics.recordBudgetWindows(
      vendor,
      edge.policy.windows.map((window, index) => ({
        name: edge.windowNames[index] ?? `window-${index}`,
        limit: window.limit,
        seconds: Duration.toSeconds(window.window)
      }))
    )
  }
  const breakers = await runtime.runPromise(
    Effect.all({ ocamba: breakerOf("ocamba"), copernica: breakerOf("copernica") })
  )
  return {
    runtime,
    throttle,
    breakers,
    dispose: async () => {
      await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}
