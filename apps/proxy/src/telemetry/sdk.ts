/**
 * @module
 * The OpenTelemetry side of `telemetry.ts`, imported only when tracing is on: `@effect/opentelemetry`'s Node tracer
 * provider with a batching span processor over the OTLP/HTTP exporter (which reads the `OTEL_EXPORTER_OTLP_*`
 * variables itself), and the middleware that gives each vendor request its server span.
 *
 * The span's parent is the caller's `traceparent` (W3C trace context, `tracestate` kept); its attributes come from
 * what the forward handler recorded (`forward` on the context): the vendor, the operation, the account (the throttle
 * key, never the credential), the seconds waited for the shared budget, the retries, the upstream status and who
 * answered. The path is redacted like the access log's, and the query (which may hold a caller's token) is left out.
 */

import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Resource from "@effect/opentelemetry/Resource"
import * as Tracer from "@effect/opentelemetry/Tracer"
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, trace } from "@opentelemetry/api"
import { W3CTraceContextPropagator } from "@opentelemetry/core"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { MiddlewareHandler } from "hono"
import type { ProxyTracing, TracingSettings } from "../telemetry.ts"

const propagator = new W3CTraceContextPropagator()

const headerGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()]
}

/** Starts the tracer provider and returns the middleware and the flush. */
export const start = async (
  settings: TracingSettings,
  options: { readonly serviceVersion: string; readonly redact: (text: string) => string }
): Promise<ProxyTracing> => {
  const runtime = ManagedRuntime.make(
    Tracer.layerTracer.pipe(
      Layer.provideMerge(NodeSdk.layerTracerProvider(new BatchSpanProcessor(new OTLPTraceExporter()))),
      Layer.provide(
        Resource.layerFromEnv(
          Resource.configToAttributes({ serviceName: settings.serviceName, serviceVersion: options.serviceVersion })
        )
      )
    )
  )
  const tracer = await runtime.runPromise(Tracer.OtelTracer)

  const middleware: MiddlewareHandler = async function traceRequest(context, next) {
    const request = context.req.raw
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter)
    const method = request.method
    const vendor = context.get("vendor")
    const span = tracer.startSpan(
      `${method} ${new URL(request.url).pathname.split("/", 2).join("/")}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": method,
          "url.path": options.redact(new URL(request.url).pathname),
          ...(vendor === undefined ? {} : { "profilesync.vendor": vendor })
        }
      },
      parent
    )
    const carrier: Record<string, string> = {}
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
      set: (target, key, value) => {
        target[key] = value
      }
    })
    if (carrier.traceparent !== undefined) {
      context.set("upstreamTrace", { traceparent: carrier.traceparent, tracestate: carrier.tracestate })
    }
    try {
      await next()
    } finally {
      const status = context.res.status
      const operation = context.get("operationId")
      const forward = context.get("forward")
      const finalVendor = context.get("vendor")
      if (finalVendor !== undefined && operation !== undefined) span.updateName(`${finalVendor}.${operation}`)
      span.setAttribute("http.response.status_code", status)
      const requestId = context.get("requestId")
      if (requestId !== undefined) span.setAttribute("profilesync.request_id", requestId)
      if (finalVendor !== undefined) span.setAttribute("profilesync.vendor", finalVendor)
      if (operation !== undefined) span.setAttribute("profilesync.operation", operation)
      if (forward !== undefined) {
        if (forward.throttleKey !== undefined) span.setAttribute("profilesync.account", forward.throttleKey)
        span.setAttribute("profilesync.throttle_wait_seconds", forward.waitedMillis / 1000)
        span.setAttribute("profilesync.attempts", forward.attempts)
        span.setAttribute("profilesync.retries", Math.max(0, forward.attempts - 1))
        if (forward.upstreamStatus !== undefined) {
          span.setAttribute("profilesync.upstream_status", String(forward.upstreamStatus))
        }
        if (forward.source !== undefined) span.setAttribute("profilesync.source", forward.source)
      }
      // The outcome: the status the caller got, and whether the proxy or the vendor answered it.
      span.setAttribute("profilesync.outcome", status < 400 ? "ok" : String(status))
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    }
  }

  return { middleware, dispose: () => runtime.dispose() }
}
