/**
 * The run's report, built from the run's and the targets' counters, and the vendor requests the run made and the
 * time they waited for the throttle (from core's vendor metrics, tagged with the sync's name); and the counts the
 * state store keeps per run.
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
import type * as SourceSchema from "../syncSourceSchema.ts"
import type { Target, TargetName } from "../target/Target.ts"
import type { RunCounters } from "./runCounters.ts"

/** Per vendor, from metrics tagged with the run's label: requests sent, and seconds waited for the throttle. */
export interface VendorTotals {
  readonly requests: ReadonlyMap<string, number>
  readonly throttleWaitSeconds: ReadonlyMap<string, number>
}

const metricNames = {
  requests: "profilesync_vendor_requests_total",
  throttleWaitSeconds: "profilesync_vendor_throttle_wait_seconds_total"
} as const

/** The vendor counters of effects tagged `sync = label` (retries included), summed per vendor. @internal */
export const vendorTotals = (label: string): Effect.Effect<VendorTotals> =>
  Effect.map(Metric.snapshot, (pairs) => {
    const totals = { requests: new Map<string, number>(), throttleWaitSeconds: new Map<string, number>() }
    for (const pair of pairs) {
      const total =
        pair.metricKey.name === metricNames.requests
          ? totals.requests
          : pair.metricKey.name === metricNames.throttleWaitSeconds
            ? totals.throttleWaitSeconds
            : undefined
      if (total === undefined) continue
      const tags = pair.metricKey.tags
      if (!tags.some((tag) => tag.key === "sync" && tag.value === label)) continue
      const vendor = tags.find((tag) => tag.key === "vendor")?.value
      const metricState = pair.metricState
      if (vendor !== undefined && MetricState.isCounterState(metricState)) {
        total.set(vendor, (total.get(vendor) ?? 0) + Number(metricState.count))
      }
    }
    return totals
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
  readonly totalsBefore: VendorTotals
  readonly counters: RunCounters
  readonly targets: ReadonlyArray<Target>
  readonly rejects: Rejects.RejectsWriter | undefined
  readonly schema: SourceSchema.Schema | undefined
  readonly status: Sync.RunReport["status"]
}): Effect.Effect<Sync.RunReport> =>
  Effect.gen(function* () {
    const finishedAt = yield* Clock.currentTimeMillis
    const after = yield* vendorTotals(options.label)
    const counters = yield* options.counters.get
    const targetReports: Partial<Record<TargetName, Sync.TargetReport>> = {}
    const vendorCalls: Partial<Record<TargetName, number>> = {}
    const throttleWaitMilliseconds: Partial<Record<TargetName, number>> = {}
    const before = options.totalsBefore
    for (const target of options.targets) {
      targetReports[target.name] = yield* target.tally.report
      vendorCalls[target.name] = (after.requests.get(target.name) ?? 0) - (before.requests.get(target.name) ?? 0)
      const waited =
        (after.throttleWaitSeconds.get(target.name) ?? 0) - (before.throttleWaitSeconds.get(target.name) ?? 0)
      throttleWaitMilliseconds[target.name] = Math.round(waited * 1000)
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
      throttleWaitMilliseconds,
      statePath: statePathOf(options.config.state),
      ...(options.schema === undefined ? {} : { sourceColumns: options.schema.columns }),
      ...(options.schema?.newColumns === undefined ? {} : { newColumns: options.schema.newColumns })
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
  for (const [name, waited] of Object.entries(report.throttleWaitMilliseconds)) {
    counts[`${name}.throttleWaitMilliseconds`] = waited ?? 0
  }
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
