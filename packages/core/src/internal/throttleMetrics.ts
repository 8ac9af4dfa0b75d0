/**
 * The throttle's Effect metrics. Per-key metrics carry a `key` tag (the throttle key, e.g. `ocamba:<account>`), so a
 * Prometheus exporter shows one series per vendor account.
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/** Callers of a key waiting in this process (for a concurrency permit or a reserved slot). */
export const queueDepth = Metric.gauge("profilesync_throttle_queue_depth", {
  description: "Callers waiting for a throttle slot in this process"
})

/** How long admitted callers waited, in seconds (Prometheus' base unit; buckets from 1 ms to about 9 minutes). */
export const waitTime = Metric.histogram(
  "profilesync_throttle_wait_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 20 }),
  "Time from asking the throttle to being admitted"
)

/** Calls admitted. */
export const admitted = Metric.counter("profilesync_throttle_admitted_total", {
  description: "Calls admitted by the throttle",
  incremental: true
})

/** Calls refused, tagged with the reason. */
export const refused = Metric.counter("profilesync_throttle_refused_total", {
  description: "Calls refused by the throttle (QueueFull, DeadlineExceeded)",
  incremental: true
})

/** Cooldowns started (429 answers reported through `pause`). */
export const cooldowns = Metric.counter("profilesync_throttle_cooldowns_total", {
  description: "Cooldowns started after a vendor 429",
  incremental: true
})

/** 1 while this process runs on its local share because the shared store is unreachable, else 0. */
export const storeFallback = Metric.gauge("profilesync_throttle_store_fallback", {
  description: "1 while the throttle runs on its per-process share because Redis is unreachable"
})
