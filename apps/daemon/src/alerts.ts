/**
 * @module
 * What a sync alerts on: the alerts a finished run, a run that ended on an error, or a missed scheduled tick give,
 * each with the JSON payload a webhook receives (a Slack-compatible `text` and the same facts as fields). Delivery
 * is `alert-delivery.ts`'s.
 */
import type { Sync, SyncConfig } from "@profilesync/sync"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { defectFailure, toCliFailure } from "./errors.ts"
import { ExitCode } from "./exit-code.ts"
import { problemSummary } from "./run-sync.ts"

/**
 * One alert about one sync.
 *
 * **Details**
 *
 * `kind` is one of `alerts.on` in the config; `summary` is one line for people; `details` are the facts behind it
 * for machines (counts, shares, per target).
 *
 * @since 0.2.0
 * @category models
 */
export interface Alert {
  readonly kind: SyncConfig.AlertKind
  readonly sync: string
  readonly runId?: string | undefined
  readonly summary: string
  readonly details: Readonly<Record<string, unknown>>
}

/**
 * What a webhook receives: `text` for Slack (and Mattermost, Teams' incoming webhooks, Discord's `/slack`
 * endpoint), the rest for anything that reads JSON.
 *
 * @since 0.2.0
 * @category models
 */
export interface AlertPayload {
  readonly text: string
  readonly alert: SyncConfig.AlertKind
  readonly sync: string
  readonly runId: string | null
  readonly at: string
  readonly summary: string
  readonly details: Readonly<Record<string, unknown>>
}

/**
 * The payload of an alert, sent at `at`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const payloadOf = (alert: Alert, at: Date): AlertPayload => ({
  text: `[profilesync] ${alert.sync}: ${alert.summary}`,
  alert: alert.kind,
  sync: alert.sync,
  runId: alert.runId ?? null,
  at: at.toISOString(),
  summary: alert.summary,
  details: alert.details
})

const targetsOf = (report: Sync.RunReport) =>
  Object.entries(report.targets).filter((entry): entry is [string, Sync.TargetReport] => entry[1] !== undefined)

const perTarget = (report: Sync.RunReport, field: "deadLettered" | "deletesRefused" | "rejected") =>
  Object.fromEntries(targetsOf(report).map(([name, target]) => [name, target[field]]))

const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((sum, n) => sum + n, 0)

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`

/**
 * The alerts a finished run gives under the config's `alerts` (none for a dry run, which changes nothing).
 *
 * **Details**
 *
 * - `failed`/`partial`: the run's status.
 * - `rejections`: the rows a target (or every target) refused, over `maxRejectedShare` of the rows read.
 * - `deadLetters`: rows the run moved to the dead letters.
 * - `deleteRefused`: deletes held back because they were over `maxDeleteShare`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertsOfReport = (report: Sync.RunReport, settings: SyncConfig.Alerts): ReadonlyArray<Alert> => {
  if (report.dryRun) return []
  const wanted = new Set(settings.on)
  const alerts: Array<Alert> = []
  const base = { sync: report.sync, runId: report.runId }
  if ((report.status === "failed" || report.status === "partial") && wanted.has(report.status)) {
    alerts.push({
      ...base,
      kind: report.status,
      summary: problemSummary(report) ?? `run ${report.runId} ${report.status}`,
      details: {
        status: report.status,
        read: report.read,
        rejected: report.rejected,
        failed: Object.fromEntries(targetsOf(report).map(([name, target]) => [name, target.failed])),
        errors: Object.fromEntries(targetsOf(report).map(([name, target]) => [name, target.errors.slice(0, 5)]))
      }
    })
  }
  if (wanted.has("rejections") && report.read > 0) {
    const rejected = Math.max(report.rejected, ...targetsOf(report).map(([, target]) => target.rejected))
    const share = rejected / report.read
    if (share > settings.maxRejectedShare) {
      alerts.push({
        ...base,
        kind: "rejections",
        summary:
          `run ${report.runId} rejected ${rejected} of ${report.read} row(s) (${percent(share)}), over ` +
          `maxRejectedShare (${percent(settings.maxRejectedShare)})` +
          (report.rejectsFile === undefined ? "" : `; reasons in ${report.rejectsFile}`),
        details: {
          read: report.read,
          rejected,
          share,
          maxRejectedShare: settings.maxRejectedShare,
          perTarget: perTarget(report, "rejected"),
          reasons: report.rejectReasons
        }
      })
    }
  }
  const deadLettered = perTarget(report, "deadLettered")
  if (wanted.has("deadLetters") && total(deadLettered) > 0) {
    alerts.push({
      ...base,
      kind: "deadLetters",
      summary:
        `run ${report.runId} moved ${total(deadLettered)} row(s) to the dead letters; ` +
        "see `profilesync dead-letters list`",
      details: { deadLettered: total(deadLettered), perTarget: deadLettered }
    })
  }
  const refused = perTarget(report, "deletesRefused")
  if (wanted.has("deleteRefused") && total(refused) > 0) {
    alerts.push({
      ...base,
      kind: "deleteRefused",
      summary:
        `run ${report.runId} held back ${total(refused)} delete(s) over maxDeleteShare; if the source really ` +
        "lost those profiles, run again with --allow-mass-delete",
      details: { refused: total(refused), perTarget: refused }
    })
  }
  return alerts
}

/**
 * The alert of a run that ended on an error before it had a report (the source or the state store could not be
 * read, ...): `message` is the error's printable, already redacted, line.
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertOfFailure = (sync: string, message: string, settings: SyncConfig.Alerts): ReadonlyArray<Alert> =>
  settings.on.includes("failed")
    ? [{ kind: "failed", sync, summary: `run failed: ${message}`, details: { status: "failed", error: message } }]
    : []

/**
 * Why a scheduled tick did not run: the process was not there (down, asleep, too busy) when it was due, or its run
 * could not start.
 *
 * @since 0.2.0
 * @category models
 */
export type MissedReason =
  | {
      readonly _tag: "Late"
      readonly due: Date
      readonly missed: number
      readonly noticedAt: Date
      /** Whether the schedule runs the sync now (it woke for a tick) or waits for the next tick (it just started). */
      readonly runsNow: boolean
    }
  | { readonly _tag: "NotStarted"; readonly due: Date; readonly detail: string }

/**
 * The alert of a missed tick.
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertOfMissedRun = (
  sync: string,
  reason: MissedReason,
  settings: SyncConfig.Alerts
): ReadonlyArray<Alert> => {
  if (!settings.on.includes("missedRun")) return []
  const due = reason.due.toISOString()
  return reason._tag === "Late"
    ? [
        {
          kind: "missedRun",
          sync,
          summary:
            `the run due at ${due} did not happen on schedule (${reason.missed} tick(s) missed by ` +
            `${reason.noticedAt.toISOString()}: the daemon was down, asleep or too busy)` +
            (reason.runsNow ? "; it runs now" : "; it runs at the next tick"),
          details: { reason: "late", due, missedTicks: reason.missed, noticedAt: reason.noticedAt.toISOString() }
        }
      ]
    : [
        {
          kind: "missedRun",
          sync,
          summary: `the run due at ${due} could not start: ${reason.detail}`,
          details: { reason: "notStarted", due, error: reason.detail }
        }
      ]
}

const reportOf = (error: unknown): Sync.RunReport | undefined =>
  Predicate.hasProperty(error, "report") && Predicate.isObject(error.report)
    ? (error.report as Sync.RunReport)
    : undefined

/**
 * The alerts of a run's outcome: its report's, or, when it ended on an error before it had one, a `failed` alert
 * (an interrupted run and a run another process held the lock for give none: the scheduler decides whether that
 * tick was missed).
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertsOfExit = (
  sync: string,
  exit: Exit.Exit<Sync.RunReport, unknown>,
  settings: SyncConfig.Alerts
): ReadonlyArray<Alert> => {
  if (Exit.isSuccess(exit)) return alertsOfReport(exit.value, settings)
  if (Cause.isInterruptedOnly(exit.cause)) return []
  const error = Cause.failureOption(exit.cause)
  if (Option.isNone(error)) return alertOfFailure(sync, defectFailure(exit.cause).message, settings)
  const failure = toCliFailure(error.value)
  const report = reportOf(error.value)
  if (report !== undefined) {
    // The report's errors are per target; the error that ended the run is said here.
    return alertsOfReport(report, settings).map((alert) =>
      alert.kind === "failed"
        ? {
            ...alert,
            summary: `run ${report.runId} failed: ${failure.message}`,
            details: { ...alert.details, error: failure.message }
          }
        : alert
    )
  }
  return failure.exitCode === ExitCode.locked ? [] : alertOfFailure(sync, failure.message, settings)
}
