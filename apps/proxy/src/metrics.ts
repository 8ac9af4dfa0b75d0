/**
 * @module
 * The proxy's metrics and their Prometheus text exposition (format 0.0.4, accepted by `promtool check metrics`).
 *
 * The proxy's own series are plain numbers updated in place on the request path (a series is found by its label
 * values once and kept, so counting a request allocates nothing); core's series (the throttle's queue depth, wait
 * time, admissions, refusals and cooldowns, tag `key`; the store fallback gauge; the circuit breakers' state and
 * counters, tag `circuit_breaker`) come from Effect's metric registry when scraped. Effect's own `effect_*` runtime
 * series are left out: they describe Effect's fibers, which the proxy's hot path mostly does without.
 * apps/proxy/README.md lists every series; it is the one place they are documented.
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricKeyType from "effect/MetricKeyType"
import type * as MetricLabel from "effect/MetricLabel"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"

/** One series of a family: its rendered labels and its value (a counter's count, a gauge's value). */
export interface Series {
  readonly labels: string
  value: number
}

/** One histogram series: cumulative counts per upper bound, and the sum and count of observations. */
export interface HistogramSeries {
  readonly labels: string
  readonly buckets: Float64Array
  sum: number
  count: number
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const renderLabels = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0 ? "" : `{${pairs.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`

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

/** A counter or gauge with fixed label names; `at(...values)` finds (or adds) the series of those label values. */
export class Family {
  readonly series = new Map<string, Series>()
  constructor(
    readonly name: string,
    readonly type: "counter" | "gauge",
    readonly help: string,
    readonly labelNames: ReadonlyArray<string>
  ) {}

  /** The series of `values` (one per label name, in order). Keep it to update it without a lookup. */
  at(...values: ReadonlyArray<string>): Series {
    const key = values.join("\u0000")
    let found = this.series.get(key)
    if (found === undefined) {
      found = {
        labels: renderLabels(this.labelNames.map((name, index) => [name, values[index] ?? ""] as const)),
        value: 0
      }
      this.series.set(key, found)
    }
    return found
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`]
    for (const series of [...this.series.values()].sort((left, right) => left.labels.localeCompare(right.labels))) {
      lines.push(`${this.name}${series.labels} ${number(series.value)}`)
    }
    return lines.join("\n")
  }
}

/** A histogram with fixed label names and bucket bounds (in seconds). */
export class HistogramFamily {
  readonly series = new Map<string, HistogramSeries>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: ReadonlyArray<string>,
    readonly bounds: ReadonlyArray<number>
  ) {}

  at(...values: ReadonlyArray<string>): HistogramSeries {
    const key = values.join("\u0000")
    let found = this.series.get(key)
    if (found === undefined) {
      found = {
        labels: renderLabels(this.labelNames.map((name, index) => [name, values[index] ?? ""] as const)),
        buckets: new Float64Array(this.bounds.length),
        sum: 0,
        count: 0
      }
      this.series.set(key, found)
    }
    return found
  }

  /** Records one observation in `series`. */
  observe(series: HistogramSeries, value: number): void {
    series.sum += value
    series.count++
    const bounds = this.bounds
    for (let index = bounds.length - 1; index >= 0 && value <= bounds[index]!; index--) series.buckets[index]!++
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`]
    for (const series of [...this.series.values()].sort((left, right) => left.labels.localeCompare(right.labels))) {
      const withLe = (le: string) =>
        series.labels === "" ? `{le="${le}"}` : `${series.labels.slice(0, -1)},le="${le}"}`
      this.bounds.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${withLe(number(bound))} ${series.buckets[index]}`)
      })
      lines.push(
        `${this.name}_bucket${withLe("+Inf")} ${series.count}`,
        `${this.name}_sum${series.labels} ${number(series.sum)}`,
        `${this.name}_count${series.labels} ${series.count}`
      )
    }
    return lines.join("\n")
  }
}

/** The proxy's own series. One set per process (like Effect's registry, which core's series use). */
export const requestsTotal = new Family(
  "profilesync_proxy_requests_total",
  "counter",
  "Requests answered by the proxy, by vendor, operation and status",
  ["vendor", "operation", "status"]
)

/** Requests sent upstream (every attempt), by vendor, operation and status (or transport outcome). */
export const upstreamRequestsTotal = new Family(
  "profilesync_proxy_upstream_requests_total",
  "counter",
  "Requests sent to the vendor (each attempt), by vendor, operation and status or failure",
  ["vendor", "operation", "status"]
)

/** Vendor 429 answers; each one pauses the account for every replica. */
export const upstreamRateLimitedTotal = new Family(
  "profilesync_proxy_upstream_429_total",
  "counter",
  "429 answers from the vendor (each pauses the account's shared budget)",
  ["vendor"]
)

/** Attempts repeated after a 429, a 5xx, a timeout or a transport error. */
export const retriesTotal = new Family(
  "profilesync_proxy_retries_total",
  "counter",
  "Upstream attempts repeated by the proxy, by vendor, operation and reason",
  ["vendor", "operation", "reason"]
)

/** Requests being handled right now (including those waiting for budget and those streaming their answer). */
const inFlightRequests = new Family(
  "profilesync_proxy_in_flight_requests",
  "gauge",
  "Requests being handled by this process",
  []
)
export const inFlight: Series = inFlightRequests.at()

/** Time from receiving a request to sending the answer's headers, in seconds (1 ms to about 2 minutes). */
export const requestDuration = new HistogramFamily(
  "profilesync_proxy_request_duration_seconds",
  "Time from request to answer headers, including the wait for budget",
  ["vendor"],
  Array.from({ length: 18 }, (_, index) => 2 ** index / 1000)
)

/** What the proxy itself added to a forwarded request, in seconds (1 ms to about 2 minutes). */
const addedLatency = new HistogramFamily(
  "profilesync_proxy_added_latency_seconds",
  "Time the proxy added to a forwarded request: arrival to answer headers, minus the vendor's time and the wait for budget",
  ["vendor"],
  Array.from({ length: 18 }, (_, index) => 2 ** index / 10_000)
)

/** Records what the proxy added to a request it forwarded (none for requests it answered without the vendor). */
export const recordAddedLatency = (
  vendor: string,
  durationMillis: number,
  forward: { readonly waitedMillis: number; readonly upstreamMillis: number } | undefined
): void => {
  if (forward === undefined || forward.upstreamMillis === 0) return
  const added = Math.max(0, durationMillis - forward.upstreamMillis - forward.waitedMillis)
  addedLatency.observe(addedLatency.at(vendor), added / 1000)
}

/** Each fixed window of a vendor's per-account budget: how many requests it allows, and how long it is. */
const budgetWindowRequests = new Family(
  "profilesync_proxy_budget_window_requests",
  "gauge",
  "Requests one account may send per window of the shared budget, by vendor and window (burst, steady)",
  ["vendor", "window"]
)
const budgetWindowSeconds = new Family(
  "profilesync_proxy_budget_window_seconds",
  "gauge",
  "Length of each window of the shared budget, by vendor and window",
  ["vendor", "window"]
)

/** Publishes a vendor's configured windows, so dashboards can set each account's use against them. */
export const recordBudgetWindows = (
  vendor: string,
  windows: ReadonlyArray<{ readonly name: string; readonly limit: number; readonly seconds: number }>
): void => {
  for (const window of windows) {
    budgetWindowRequests.at(vendor, window.name).value = window.limit
    budgetWindowSeconds.at(vendor, window.name).value = window.seconds
  }
}

const own: ReadonlyArray<Family | HistogramFamily> = [
  requestsTotal,
  upstreamRequestsTotal,
  upstreamRateLimitedTotal,
  retriesTotal,
  inFlightRequests,
  requestDuration,
  addedLatency,
  budgetWindowRequests,
  budgetWindowSeconds
]

const typeOf = (pair: MetricPair.MetricPair.Untyped): string => {
  const keyType = pair.metricKey.keyType
  if (MetricKeyType.isCounterKey(keyType)) return "counter"
  if (MetricKeyType.isGaugeKey(keyType)) return "gauge"
  if (MetricKeyType.isHistogramKey(keyType)) return "histogram"
  if (MetricKeyType.isSummaryKey(keyType)) return "summary"
  return "untyped"
}

const tagsOf = (tags: ReadonlyArray<MetricLabel.MetricLabel>, extra: ReadonlyArray<readonly [string, string]> = []) =>
  renderLabels([...tags.map((tag) => [tag.key, tag.value] as const), ...extra])

const samples = (pair: MetricPair.MetricPair.Untyped): Array<string> => {
  const name = pair.metricKey.name
  const tags = pair.metricKey.tags
  const state = pair.metricState
  if (MetricState.isCounterState(state)) return [`${name}${tagsOf(tags)} ${number(state.count)}`]
  if (MetricState.isGaugeState(state)) return [`${name}${tagsOf(tags)} ${number(state.value)}`]
  if (MetricState.isHistogramState(state)) {
    const lines = state.buckets
      .filter(([boundary]) => Number.isFinite(boundary))
      .map(([boundary, count]) => `${name}_bucket${tagsOf(tags, [["le", number(boundary)]])} ${count}`)
    lines.push(`${name}_bucket${tagsOf(tags, [["le", "+Inf"]])} ${state.count}`)
    lines.push(`${name}_sum${tagsOf(tags)} ${number(state.sum)}`, `${name}_count${tagsOf(tags)} ${state.count}`)
    return lines
  }
  if (MetricState.isSummaryState(state)) {
    const lines = state.quantiles.map(
      ([quantile, value]) =>
        `${name}${tagsOf(tags, [["quantile", String(quantile)]])} ${number(Option.getOrElse(value, () => Number.NaN))}`
    )
    lines.push(`${name}_sum${tagsOf(tags)} ${number(state.sum)}`, `${name}_count${tagsOf(tags)} ${state.count}`)
    return lines
  }
  if (MetricState.isFrequencyState(state)) {
    return [...state.occurrences].map(([value, count]) => `${name}${tagsOf(tags, [["value", value]])} ${count}`)
  }
  return []
}

/**
 * Renders Effect metric pairs as Prometheus text: one `# HELP`/`# TYPE` block per metric name, series sorted for
 * stable output, Effect's own `effect_*` series left out.
 */
export const renderPrometheus = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): Array<string> => {
  const byName = new Map<string, Array<MetricPair.MetricPair.Untyped>>()
  for (const pair of pairs) {
    if (pair.metricKey.name.startsWith("effect_")) continue
    const group = byName.get(pair.metricKey.name) ?? []
    group.push(pair)
    byName.set(pair.metricKey.name, group)
  }
  const blocks: Array<string> = []
  for (const [name, group] of byName) {
    const first = group[0]!
    const help = Option.getOrElse(first.metricKey.description, () => name)
    const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${typeOf(first)}`]
    for (const pair of group.sort((left, right) =>
      tagsOf(left.metricKey.tags).localeCompare(tagsOf(right.metricKey.tags))
    )) {
      lines.push(...samples(pair))
    }
    blocks.push(lines.join("\n"))
  }
  return blocks
}

/** Every series, the proxy's and core's, in Prometheus text, sorted by name. */
export const prometheusText: Effect.Effect<string> = Effect.map(Metric.snapshot, (pairs) => {
  const blocks = new Map<string, string>()
  for (const family of own) blocks.set(family.name, family.render())
  for (const block of renderPrometheus(pairs)) blocks.set(block.slice(7, block.indexOf(" ", 7)), block)
  return `${[...blocks.keys()]
    .sort()
    .map((name) => blocks.get(name))
    .join("\n")}\n`
})
