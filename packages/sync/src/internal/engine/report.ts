/**
 * The run's report, built from the run's and the targets' counters, and the vendor requests the run made (from the
 * `profilesync_vendor_requests_total` metric, tagged with the sync's name); and the counts the state store keeps
 * per run.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import type * as Sync from "../../Sync.ts"
import type * as SyncConfig from "../../SyncConfig.ts"
import type * as Rejects from "../syncRejects.ts"
import type { Target, TargetName } from "../target/Target.ts"
import type { RunCounters } from "./runCounters.ts"

const requestsMetric = "profilesync_vendor_requests_total"

/** HTTP requests each vendor received from effects tagged `sync = label` (retries included). @internal */
export const vendorRequests = (label: string): Effect.Effect<ReadonlyMap<string, number>> =>
  Effect.map(Metric.snapshot, (pairs) => {
    const counts = new Map<string, number>()
    for (const pair of pairs) {
      if (pair.metricKey.name !== requestsMetric) continue
      const tags = pair.metricKey.tags
      if (!tags.some((tag) => tag.key === "sync" && tag.value === label)) continue
      const vendor = tags.find((tag) => tag.key === "vendor")?.value
      const metricState = pair.metricState
      if (vendor !== undefined && MetricState.isCounterState(metricState)) {
        counts.set(vendor, (counts.get(vendor) ?? 0) + Number(metricState.count))
      }
    }
    return counts
  })

/** @internal */
export const statePathOf = (state: SyncConfig.State): string =>
  state.sqlite !== undefined
    ? state.sqlite
    : `postgres (${state.postgres?.urlEnv !== undefined ? `urlEnv ${state.postgres.urlEnv}` : `urlFile ${state.postgres?.urlFile ?? ""}`})`

/** @internal */
export const build = (options: {
  readonly runId: string
  readonly config: SyncConfig.SyncConfig
  readonly dryRun: boolean
  readonly label: string
  readonly startedAt: number
  readonly requestsBefore: ReadonlyMap<string, number>
  readonly counters: RunCounters
  readonly targets: ReadonlyArray<Target>
  readonly rejects: Rejects.RejectsWriter | undefined
  readonly status: Sync.RunReport["status"]
}): Effect.Effect<Sync.RunReport> =>
  Effect.gen(function* () {
    const finishedAt = yield* Clock.currentTimeMillis
    const requestsAfter = yield* vendorRequests(options.label)
    const counters = yield* options.counters.get
    const targetReports: Partial<Record<TargetName, Sync.TargetReport>> = {}
    const vendorCalls: Partial<Record<TargetName, number>> = {}
    for (const target of options.targets) {
      targetReports[target.name] = yield* target.tally.report
      vendorCalls[target.name] = (requestsAfter.get(target.name) ?? 0) - (options.requestsBefore.get(target.name) ?? 0)
    }
    const rejectLines = options.rejects?.lines() ?? 0
    const rejectsFile = options.rejects?.path
    return {
      runId: options.runId,
      sync: options.config.name,
      status: options.status,
      dryRun: options.dryRun,
      startedAt: new Date(options.startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMilliseconds: finishedAt - options.startedAt,
      read: counters.rowsRead,
      rejected: counters.rowsRejected,
      ...(rejectLines > 0 && rejectsFile !== undefined ? { rejectsFile } : {}),
      rejectReasons: { ...counters.rejectReasons },
      duplicates: counters.duplicates,
      targets: targetReports,
      vendorCalls,
      statePath: statePathOf(options.config.state)
    }
  })

/** The report's counts, flat, as the state store keeps them per run. @internal */
export const countsOf = (report: Sync.RunReport): Record<string, number> => {
  const counts: Record<string, number> = {
    read: report.read,
    rejected: report.rejected,
    duplicates: report.duplicates
  }
  for (const [name, target] of Object.entries(report.targets)) {
    for (const [counter, value] of Object.entries(target ?? {})) {
      if (typeof value === "number") counts[`${name}.${counter}`] = value
    }
  }
  for (const [name, calls] of Object.entries(report.vendorCalls)) counts[`${name}.vendorCalls`] = calls ?? 0
  return counts
}

/** How a run ended, from its targets. @internal */
export const statusOf = (
  stopping: boolean,
  targets: ReadonlyArray<{
    readonly stopped: boolean
    readonly failed: number
    readonly errors: number
  }>
): Sync.RunReport["status"] =>
  stopping
    ? "interrupted"
    : targets.every((target) => target.stopped)
      ? "failed"
      : targets.some((target) => target.stopped || target.failed > 0 || target.errors > 0)
        ? "partial"
        : "succeeded"
