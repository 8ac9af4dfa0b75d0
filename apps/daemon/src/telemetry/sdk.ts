/**
 * @module
 * The OpenTelemetry side of `telemetry.ts`, imported only when a signal is on: `@effect/opentelemetry`'s Node SDK with
 * a batching span processor over the OTLP/HTTP trace exporter and a periodic reader over the OTLP/HTTP metric
 * exporter. Both exporters read their endpoint, headers, timeout and certificates from the `OTEL_EXPORTER_OTLP_*`
 * variables themselves. The layer's end flushes what is left (bounded by the shutdown timeout), so a `profilesync
 * run` that exits right after its run still sends its spans and metrics.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Layer from "effect/Layer"
import type { TelemetrySettings } from "../telemetry.ts"

/** The SDK's layer for the signals that are on. */
export const layer = (settings: TelemetrySettings, serviceVersion: string): Layer.Layer<never> =>
  // Built for its effects (the tracer, the metric producer and their flush at the end); it provides nothing else.
  Layer.provide(
    Layer.empty,
    NodeSdk.layer(() => ({
      resource: { serviceName: settings.serviceName, serviceVersion },
      spanProcessor: settings.traces ? [new BatchSpanProcessor(new OTLPTraceExporter())] : undefined,
      metricReader: settings.metrics
        ? [
            new PeriodicExportingMetricReader({
              exporter: new OTLPMetricExporter(),
              exportIntervalMillis: settings.metricExportIntervalMillis,
              exportTimeoutMillis: Math.min(30_000, settings.metricExportIntervalMillis)
            })
          ]
        : undefined,
      shutdownTimeout: "5 seconds"
    }))
  )
