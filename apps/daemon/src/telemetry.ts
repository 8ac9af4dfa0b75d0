/**
 * @module
 * OpenTelemetry for the daemon, off unless the standard `OTEL_*` variables ask for it: traces (each run, chunk,
 * vendor job and vendor call as a span) and the run metrics (runs, rows by outcome, duration, vendor calls), sent by
 * OTLP over HTTP. The OpenTelemetry packages are loaded only when a signal is on (`telemetry/sdk.ts`); off, the
 * engine's spans go to Effect's built-in tracer, which keeps nothing, and the run metrics are a few counters in
 * memory.
 *
 * The variables (the OpenTelemetry specification's):
 * - `OTEL_SDK_DISABLED=true`: everything off, whatever else is set;
 * - `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`: `otlp` turns the signal on, `none` off; unset, a signal is on
 *   when an OTLP endpoint for it is set (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` /
 *   `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`);
 * - `OTEL_EXPORTER_OTLP_HEADERS` (and the `_TRACES_`/`_METRICS_` ones), timeouts, certificates: read by the
 *   exporter itself; `OTEL_SERVICE_NAME` (default `profilesync`), `OTEL_RESOURCE_ATTRIBUTES`;
 * - `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between metric exports (default 60000; the last export is made when
 *   the process ends).
 */
import type { Sync } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * Which signals are on, and what the exporter is told beyond what it reads itself.
 *
 * @since 0.2.0
 * @category models
 */
export interface TelemetrySettings {
  readonly traces: boolean
  readonly metrics: boolean
  readonly serviceName: string
  readonly metricExportIntervalMillis: number
  /** `OTEL_*_EXPORTER` values other than `otlp` and `none`, which the daemon does not offer (warned about). */
  readonly unsupported: ReadonlyArray<string>
}

type Environment = Readonly<Record<string, string | undefined>>

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

const signalOn = (
  environment: Environment,
  exporterVariable: string,
  endpointVariable: string,
  unsupported: Array<string>
): boolean => {
  const exporters = environment[exporterVariable]
  if (!set(exporters)) return set(environment.OTEL_EXPORTER_OTLP_ENDPOINT) || set(environment[endpointVariable])
  const names = exporters.split(",").map((name) => name.trim().toLowerCase())
  for (const name of names)
    if (name !== "otlp" && name !== "none" && name !== "") unsupported.push(`${exporterVariable}=${name}`)
  return names.includes("otlp")
}

/**
 * Reads the settings from the environment; `undefined` when no signal is on (the default).
 *
 * @since 0.2.0
 * @category constructors
 */
export const settingsFromEnvironment = (environment: Environment): TelemetrySettings | undefined => {
  if (environment.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined
  const unsupported: Array<string> = []
  const traces = signalOn(environment, "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", unsupported)
  const metrics = signalOn(environment, "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", unsupported)
  if (!traces && !metrics && unsupported.length === 0) return undefined
  const interval = Number(environment.OTEL_METRIC_EXPORT_INTERVAL)
  return {
    traces,
    metrics,
    serviceName: set(environment.OTEL_SERVICE_NAME) ? environment.OTEL_SERVICE_NAME.trim() : "profilesync",
    metricExportIntervalMillis: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
    unsupported
  }
}

/**
 * The tracer and metric exporter the environment asks for, for the whole command (flushed when it ends), or nothing.
 * The OpenTelemetry packages are imported only here, and only when a signal is on.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (environment: Environment, serviceVersion: string): Layer.Layer<never> => {
  const settings = settingsFromEnvironment(environment)
  if (settings === undefined) return Layer.empty
  const warning =
    settings.unsupported.length === 0
      ? Layer.empty
      : Layer.effectDiscard(
          Effect.logWarning(
            `OpenTelemetry: only the otlp exporter is built in; ignored ${settings.unsupported.join(", ")}`
          )
        )
  if (!settings.traces && !settings.metrics) return warning
  return Layer.merge(
    warning,
    Layer.unwrapEffect(
      Effect.map(
        Effect.promise(() => import("./telemetry/sdk.ts")),
        (sdk) => sdk.layer(settings, serviceVersion)
      )
    )
  )
}

// The run metrics as Effect metrics, which the OTLP metric exporter sends when metrics are on. The same families as
// the textfile and `/metrics` (run-metrics.ts), counted from the same reports.

const runsTotal = Metric.counter("profilesync_sync_runs_total", {
  description: "Runs finished, by sync and status",
  incremental: true
})
const rowsTotal = Metric.counter("profilesync_sync_rows_total", {
  description: "Rows of finished runs, by sync, target and outcome",
  incremental: true
})
const rowsReadTotal = Metric.counter("profilesync_sync_rows_read_total", {
  description: "Source rows read by finished runs, by sync",
  incremental: true
})
const vendorCallsTotal = Metric.counter("profilesync_sync_vendor_calls_total", {
  description: "HTTP requests sent to a vendor by finished runs (retries included), by sync and target",
  incremental: true
})
const runDuration = Metric.histogram(
  "profilesync_sync_run_duration_seconds",
  MetricBoundaries.fromIterable([1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200]),
  "Run duration, by sync"
)

const rowOutcomes = [
  ["created", "created"],
  ["updated", "updated"],
  ["unchanged", "unchanged"],
  ["deleted", "deleted"],
  ["rejected", "rejected"],
  ["failed", "failed"],
  ["dead_lettered", "deadLettered"]
] as const satisfies ReadonlyArray<readonly [string, keyof Sync.TargetReport]>

/**
 * Counts a finished run in the Effect metrics that OTLP exports (a few counters in memory when it does not).
 *
 * @since 0.2.0
 * @category metrics
 */
export const recordRun = (report: Sync.RunReport): Effect.Effect<void> =>
  Effect.gen(function* () {
    const sync = report.sync
    yield* Metric.increment(Metric.tagged(Metric.tagged(runsTotal, "sync", sync), "status", report.status))
    yield* Metric.incrementBy(Metric.tagged(rowsReadTotal, "sync", sync), report.read)
    for (const [target, counts] of Object.entries(report.targets)) {
      if (counts === undefined) continue
      for (const [outcome, field] of rowOutcomes) {
        const tagged = Metric.tagged(
          Metric.tagged(Metric.tagged(rowsTotal, "sync", sync), "target", target),
          "outcome",
          outcome
        )
        yield* Metric.incrementBy(tagged, counts[field] as number)
      }
    }
    for (const [target, calls] of Object.entries(report.vendorCalls)) {
      yield* Metric.incrementBy(
        Metric.tagged(Metric.tagged(vendorCallsTotal, "sync", sync), "target", target),
        calls ?? 0
      )
    }
    yield* Metric.update(Metric.tagged(runDuration, "sync", sync), report.durationMilliseconds / 1000)
  })
