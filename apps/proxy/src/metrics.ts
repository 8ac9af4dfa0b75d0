/**
 * @module
 * The proxy's metrics and their Prometheus text exposition (format 0.0.4). Everything comes from Effect's metric
 * registry (`Metric.snapshot`): the proxy's own series below, and those core records as the proxy uses it: the
 * throttle's queue depth, wait-time histogram, admissions, refusals and cooldowns (tag `key`), the store fallback
 * gauge, and the circuit breakers' state (tag `circuit_breaker`).
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKeyType from "effect/MetricKeyType"
import type * as MetricLabel from "effect/MetricLabel"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"

/** Requests answered, by vendor, operation (`-` when none matched) and status. */
export const requestsTotal = Metric.counter("profilesync_proxy_requests_total", {
  description: "Requests answered by the proxy, by vendor, operation and status",
  incremental: true
})

/** Requests sent upstream (every attempt), by vendor, operation and status (or transport outcome). */
export const upstreamRequestsTotal = Metric.counter("profilesync_proxy_upstream_requests_total", {
  description: "Requests sent to the vendor (each attempt), by vendor, operation and status or failure",
  incremental: true
})

/** Vendor 429 answers; each one pauses the account for every replica. */
export const upstreamRateLimitedTotal = Metric.counter("profilesync_proxy_upstream_429_total", {
  description: "429 answers from the vendor (each pauses the account's shared budget)",
  incremental: true
})

/** Attempts repeated after a 429, a 502/503/504, a timeout or a transport error. */
export const retriesTotal = Metric.counter("profilesync_proxy_retries_total", {
  description: "Upstream attempts repeated by the proxy, by vendor, operation and reason",
  incremental: true
})

/** Requests being handled right now (including those waiting for budget and those streaming their answer). */
export const inFlight = Metric.gauge("profilesync_proxy_in_flight_requests", {
  description: "Requests being handled by this process"
})

/** Time from receiving a request to sending the answer's headers, in milliseconds. */
export const requestDuration = Metric.histogram(
  "profilesync_proxy_request_duration_milliseconds",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 18 }),
  "Time from request to answer headers, including the wait for budget"
)

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<MetricLabel.MetricLabel>, extra: ReadonlyArray<[string, string]> = []) => {
  const all = [...tags.map((tag) => [tag.key, tag.value] as [string, string]), ...extra]
  return all.length === 0 ? "" : `{${all.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`
}

const number = (value: number | bigint): string =>
  typeof value === "bigint"
    ? value.toString()
    : Number.isNaN(value)
      ? "NaN"
      : value === Number.POSITIVE_INFINITY
        ? "+Inf"
        : value === Number.NEGATIVE_INFINITY
          ? "-Inf"
          : String(value)

const typeOf = (pair: MetricPair.MetricPair.Untyped): string => {
  const keyType = pair.metricKey.keyType
  if (MetricKeyType.isCounterKey(keyType)) return "counter"
  if (MetricKeyType.isGaugeKey(keyType)) return "gauge"
  if (MetricKeyType.isHistogramKey(keyType)) return "histogram"
  if (MetricKeyType.isSummaryKey(keyType)) return "summary"
  return "counter"
}

const samples = (pair: MetricPair.MetricPair.Untyped): Array<string> => {
  const name = pair.metricKey.name
  const tags = pair.metricKey.tags
  const state = pair.metricState
  if (MetricState.isCounterState(state)) return [`${name}${labels(tags)} ${number(state.count)}`]
  if (MetricState.isGaugeState(state)) return [`${name}${labels(tags)} ${number(state.value)}`]
  if (MetricState.isHistogramState(state)) {
    const lines = state.buckets
      .filter(([boundary]) => Number.isFinite(boundary))
      .map(([boundary, count]) => `${name}_bucket${labels(tags, [["le", number(boundary)]])} ${count}`)
    lines.push(`${name}_bucket${labels(tags, [["le", "+Inf"]])} ${state.count}`)
    lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`)
    return lines
  }
  if (MetricState.isSummaryState(state)) {
    const lines = state.quantiles.map(
      ([quantile, value]) =>
        `${name}${labels(tags, [["quantile", String(quantile)]])} ${number(Option.getOrElse(value, () => Number.NaN))}`
    )
    lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`, `${name}_count${labels(tags)} ${state.count}`)
    return lines
  }
  if (MetricState.isFrequencyState(state)) {
    return [...state.occurrences].map(([value, count]) => `${name}${labels(tags, [["value", value]])} ${count}`)
  }
  return []
}

/** Renders pairs as Prometheus text: one `# HELP`/`# TYPE` block per metric name, series sorted for stable output. */
export const renderPrometheus = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const byName = new Map<string, Array<MetricPair.MetricPair.Untyped>>()
  for (const pair of pairs) {
    const group = byName.get(pair.metricKey.name) ?? []
    group.push(pair)
    byName.set(pair.metricKey.name, group)
  }
  const blocks: Array<string> = []
  for (const name of [...byName.keys()].sort()) {
    const group = byName.get(name)!
    const first = group[0]!
    const help = Option.getOrElse(first.metricKey.description, () => name)
    const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${typeOf(first)}`]
    for (const pair of group.sort((left, right) =>
      labels(left.metricKey.tags).localeCompare(labels(right.metricKey.tags))
    )) {
      lines.push(...samples(pair))
    }
    blocks.push(lines.join("\n"))
  }
  return `${blocks.join("\n")}\n`
}

/** The whole registry in Prometheus text. */
export const prometheusText: Effect.Effect<string> = Effect.map(Metric.snapshot, renderPrometheus)
