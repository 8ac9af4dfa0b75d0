/**
 * The text form of a run report, for the CLI and logs: one headline, the rows read and those every target rejected
 * with the kinds of reasons, and one line per target with what it did (or, in a dry run, would do), the rows only it
 * rejected and why, and what went wrong. Every list of reasons adds up to the count it explains.
 *
 * @internal
 */
import * as Redact from "@profilesync/core/Redact"
import type * as Sync from "../Sync.ts"

const number = (value: number): string => value.toLocaleString("en-US")

const plural = (count: number, singular: string, pluralForm = `${singular}s`): string =>
  `${number(count)} ${count === 1 ? singular : pluralForm}`

const seconds = (milliseconds: number): string =>
  milliseconds < 1000 ? `${milliseconds} ms` : `${(milliseconds / 1000).toFixed(1)} s`

const byCount = (reasons: Record<string, number>) => Object.entries(reasons).sort(([, left], [, right]) => right - left)

// A target's rejected rows: those every target refused (the headline's), plus those only this one refused.
const rejectedText = (name: Sync.TargetName, target: Sync.TargetReport, rejectedEverywhere: number): string =>
  target.rejectedOnlyHere === 0
    ? `${number(target.rejected)} rejected`
    : `${number(target.rejected)} rejected (${number(rejectedEverywhere)} for every target + ` +
      `${number(target.rejectedOnlyHere)} for ${name} only)`

const targetLine = (
  name: Sync.TargetName,
  target: Sync.TargetReport,
  calls: number | undefined,
  throttleWaitMilliseconds: number | undefined,
  dryRun: boolean,
  rejectedEverywhere: number
): Array<string> => {
  const counts = dryRun
    ? `would create ${number(target.created)}, update ${number(target.updated)}, delete ${number(target.deleted)}; ` +
      `${number(target.unchanged)} unchanged`
    : `${number(target.created)} created, ${number(target.updated)} updated, ${number(target.unchanged)} unchanged, ` +
      `${number(target.deleted)} deleted, ${number(target.failed)} failed`
  const parts = [counts]
  const jobs = dryRun ? `${plural(target.chunks, "job")} would be sent` : plural(target.chunks, "job")
  parts.push(target.resumedJobs > 0 ? `${jobs}, ${plural(target.resumedJobs, "job")} resumed` : jobs)
  if (name === "ocamba" && (target.propertiesCreated > 0 || target.propertiesUpdated > 0)) {
    parts.push(
      `${plural(target.propertiesCreated, "property", "properties")} ${dryRun ? "to create" : "created"}, ` +
        `${number(target.propertiesUpdated)} ${dryRun ? "to update" : "updated"}`
    )
  }
  if (name === "copernica" && target.fieldsCreated > 0) {
    parts.push(`${plural(target.fieldsCreated, "field")} ${dryRun ? "to create" : "created"}`)
  }
  if (target.rejected > 0) parts.push(rejectedText(name, target, rejectedEverywhere))
  if (target.deadLettered > 0) parts.push(`${number(target.deadLettered)} new dead letters`)
  if (target.skippedDeadLetters > 0) parts.push(`${number(target.skippedDeadLetters)} dead letters skipped`)
  if (target.deadLettersReplayed > 0) parts.push(`${number(target.deadLettersReplayed)} dead letters replayed`)
  if (target.neutralised > 0) parts.push(`${number(target.neutralised)} neutralised as spreadsheet formulas`)
  if (target.pendingDeletes > 0) parts.push(`${number(target.pendingDeletes)} left the source and were not deleted`)
  if (calls !== undefined) parts.push(plural(calls, "vendor call"))
  // Below a second the wait is noise; above it, it says where a slow run's time went.
  if (throttleWaitMilliseconds !== undefined && throttleWaitMilliseconds >= 1000) {
    parts.push(`${(throttleWaitMilliseconds / 1000).toFixed(1)} s waiting for the rate limit`)
  }
  const lines = [`  ${name}: ${parts.join("; ")}`]
  for (const [reason, count] of byCount(target.rejectReasons)) {
    lines.push(`    rejected for ${name} only: ${reason}: ${number(count)}`)
  }
  if (target.vendorJobs.length > 0) {
    const shown = target.vendorJobs.slice(0, 5).join(", ")
    lines.push(`    jobs: ${shown}${target.vendorJobs.length > 5 ? `, … (${target.vendorJobs.length} in all)` : ""}`)
  }
  const missing = target.missingKeys ?? []
  if (missing.length > 0) {
    // A dry run's preview of the deletes: the keys, so a truncated export shows itself before anything is deleted.
    const total = target.deleted > 0 ? target.deleted : target.pendingDeletes
    const what = target.deleted > 0 ? "would delete" : "left the source"
    lines.push(`    ${what}: ${missing.join(", ")}${total > missing.length ? `, … (${number(total)} in all)` : ""}`)
  }
  for (const error of target.errors) lines.push(`    ! ${error}`)
  return lines
}

/** @internal */
export const formatReport = (report: Sync.RunReport): string => {
  const lines = [
    `${report.sync}: ${report.dryRun ? "dry run " : ""}${report.status} in ${seconds(report.durationMilliseconds)} ` +
      `(run ${report.runId}, started ${report.startedAt})`
  ]
  if (report.dryRun) lines.push("  nothing was sent and the state is unchanged")
  const duplicates = report.duplicates > 0 ? ` (${plural(report.duplicates, "duplicate key")})` : ""
  const several = Object.keys(report.targets).length > 1
  lines.push(
    `  read ${plural(report.read, "row")}, rejected ${number(report.rejected)}` +
      `${several ? " for every target" : ""}${duplicates}`
  )
  // Each rejected row counts once, under its first reason, so the lines add up to the count above.
  for (const [reason, count] of byCount(report.rejectReasons)) lines.push(`    ${reason}: ${number(count)}`)
  if (report.rejectsFile !== undefined) lines.push(`    every reason of every bad row: ${report.rejectsFile}`)
  if (report.newColumns !== undefined && report.newColumns.length > 0) {
    lines.push(`  new source columns since the last successful run: ${report.newColumns.join(", ")}`)
  }
  for (const name of ["ocamba", "copernica"] as const) {
    const target = report.targets[name]
    if (target !== undefined) {
      lines.push(
        ...targetLine(
          name,
          target,
          report.vendorCalls[name],
          report.throttleWaitMilliseconds?.[name],
          report.dryRun,
          report.rejected
        )
      )
    }
  }
  lines.push(`  state: ${report.statePath}`)
  // Error lines quote vendors, and a vendor may echo the credentials it was sent.
  return Redact.text(lines.join("\n"))
}
