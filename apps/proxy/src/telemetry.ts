/**
 * @module
 * W3C trace context through the proxy, and OpenTelemetry traces of its requests when the standard `OTEL_*` variables
 * ask for them (off by default). Off, the caller's `traceparent` and `tracestate` go upstream unchanged, so a
 * caller's trace reaches the vendor as if the proxy were not there, and nothing of OpenTelemetry is loaded. On
 * (`telemetry/sdk.ts`, imported only then), each vendor request is a server span, the child of the caller's span
 * when it sent a `traceparent`, and the request upstream carries the proxy span's `traceparent` instead.
 *
 * The variables (the OpenTelemetry specification's): `OTEL_SDK_DISABLED=true` turns tracing off whatever else is
 * set; `OTEL_TRACES_EXPORTER=otlp` turns it on, `none` off; unset, it is on when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set. The OTLP/HTTP exporter reads its endpoint, `OTEL_EXPORTER_OTLP_HEADERS`,
 * timeout and certificates itself; `OTEL_SERVICE_NAME` (default `profilesync-proxy`) and `OTEL_RESOURCE_ATTRIBUTES`
 * name the service. The proxy's metrics stay on `/metrics`.
 */
import type { MiddlewareHandler } from "hono"

/** What the environment asks of tracing, when it is on. */
export interface TracingSettings {
  readonly serviceName: string
  /** `OTEL_TRACES_EXPORTER` values other than `otlp` and `none`, which the proxy does not offer (warned about). */
  readonly unsupported: ReadonlyArray<string>
}

/** The trace context the request upstream carries when tracing is on: the proxy span's. */
export interface UpstreamTraceContext {
  readonly traceparent: string
  readonly tracestate?: string | undefined
}

declare module "hono" {
  interface ContextVariableMap {
    upstreamTrace: UpstreamTraceContext | undefined
  }
}

/** Tracing, started: the middleware that makes each request's span, and the flush at shutdown. */
export interface ProxyTracing {
  readonly middleware: MiddlewareHandler
  /** Sends the spans still buffered and stops the exporter. */
  readonly dispose: () => Promise<void>
}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

/** Reads the settings from the environment; `undefined` when tracing is off (the default). */
export const tracingFromEnvironment = (
  environment: Readonly<Record<string, string | undefined>>
): TracingSettings | undefined => {
  if (environment.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined
  const exporters = environment.OTEL_TRACES_EXPORTER
  const unsupported: Array<string> = []
  let on: boolean
  if (set(exporters)) {
    const names = exporters.split(",").map((name) => name.trim().toLowerCase())
    for (const name of names) {
      if (name !== "otlp" && name !== "none" && name !== "") unsupported.push(`OTEL_TRACES_EXPORTER=${name}`)
    }
    on = names.includes("otlp")
  } else {
    on = set(environment.OTEL_EXPORTER_OTLP_ENDPOINT) || set(environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  }
  if (!on) return undefined
  const serviceName = set(environment.OTEL_SERVICE_NAME) ? environment.OTEL_SERVICE_NAME.trim() : "profilesync-proxy"
  return { serviceName, unsupported }
}

/** Starts tracing: loads OpenTelemetry (only now) and its OTLP exporter. */
export const startTracing = async (
  settings: TracingSettings,
  options: { readonly serviceVersion: string; readonly redact: (text: string) => string }
): Promise<ProxyTracing> => {
  const sdk = await import("./telemetry/sdk.ts")
  return sdk.start(settings, options)
}

/**
 * The trace headers of the request upstream (the forward handler's one hook): the proxy span's when tracing is on,
 * the caller's, unchanged, when it is off.
 */
export const setTraceHeaders = (
  own: UpstreamTraceContext | undefined,
  header: (name: string) => string | undefined,
  headers: Record<string, string>
): void => {
  if (own !== undefined) {
    headers.traceparent = own.traceparent
    if (own.tracestate !== undefined) headers.tracestate = own.tracestate
    return
  }
  const traceparent = header("traceparent")
  if (traceparent === undefined) return
  headers.traceparent = traceparent
  const tracestate = header("tracestate")
  if (tracestate !== undefined) headers.tracestate = tracestate
}
