/**
 * @module
 * What `profilesync check` finds: one {@link Finding} per thing it looked at (the config's files, the source, the
 * state store, Redis, and per target the proxy, the credentials, the properties or fields and the rate budget), the
 * exit code they add up to, and their text form.
 *
 * A finding's status says who has to act, so that the exit code does too: `fix` is a person's job (a token refused or
 * missing, a property that conflicts, a column the source lacks: exit 2, like a config error), `unavailable` is
 * something to retry (a vendor, proxy, store or Redis that did not answer: exit 1, like a failed run), and `warning`
 * (a property a run would create, a budget used up for now) does not fail the check.
 */
import { Redact } from "@profilesync/core"
import { ExitCode } from "../exit-code.ts"

/**
 * How one check ended.
 *
 * @since 0.1.0
 * @category models
 */
export type FindingStatus = "ok" | "warning" | "fix" | "unavailable"

/**
 * One thing `check` looked at: what (`subject`, e.g. `ocamba credentials`), how it ended, and one line saying what it
 * found, with more lines when there is a list to show.
 *
 * @since 0.1.0
 * @category models
 */
export interface Finding {
  readonly subject: string
  readonly status: FindingStatus
  readonly summary: string
  readonly details: ReadonlyArray<string>
}

/**
 * A {@link Finding}, its text redacted (a vendor may echo a token in an error body).
 *
 * @since 0.1.0
 * @category constructors
 */
export const finding = (
  subject: string,
  status: FindingStatus,
  summary: string,
  details: ReadonlyArray<string> = []
): Finding => ({
  subject,
  status,
  summary: Redact.text(summary),
  details: details.map((detail) => Redact.text(detail))
})

/**
 * Everything `check` found, also its `--json` form.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckReport {
  readonly file: string
  readonly sync: string
  /** `ok` when nothing needs doing (warnings allowed). */
  readonly status: "ok" | "fix" | "unavailable"
  readonly exitCode: ExitCode
  readonly findings: ReadonlyArray<Finding>
}

/**
 * The report of `findings`: a problem a person has to fix decides the status (exit 2) over one a retry may clear
 * (exit 1), so that a scheduler alerts a human when one is needed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeReport = (file: string, sync: string, findings: ReadonlyArray<Finding>): CheckReport => {
  const status = findings.some((item) => item.status === "fix")
    ? "fix"
    : findings.some((item) => item.status === "unavailable")
      ? "unavailable"
      : "ok"
  const exitCode =
    status === "fix" ? ExitCode.configError : status === "unavailable" ? ExitCode.failure : ExitCode.success
  return { file, sync, status, exitCode, findings }
}

const labels: Readonly<Record<FindingStatus, string>> = {
  ok: "ok",
  warning: "warning",
  fix: "FIX",
  unavailable: "UNAVAILABLE"
}

/**
 * The text form: one line per finding (status, subject, summary), its details indented below, and a closing line
 * that says what the exit code means.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatReport = (report: CheckReport): string => {
  const statusWidth = Math.max(...Object.values(labels).map((label) => label.length))
  const subjectWidth = Math.max(0, ...report.findings.map((item) => item.subject.length))
  const indent = " ".repeat(2 + statusWidth + 2 + subjectWidth + 2)
  const lines = [`Checking ${report.file} (sync ${report.sync})`]
  for (const item of report.findings) {
    lines.push(`  ${labels[item.status].padEnd(statusWidth)}  ${item.subject.padEnd(subjectWidth)}  ${item.summary}`)
    for (const detail of item.details) lines.push(`${indent}${detail}`)
  }
  const count = (status: FindingStatus) => report.findings.filter((item) => item.status === status).length
  const warnings = count("warning")
  const warningText = warnings === 0 ? "" : ` (${warnings} warning${warnings === 1 ? "" : "s"})`
  switch (report.status) {
    case "ok":
      lines.push(`Everything a run needs is in place${warningText}.`)
      break
    case "fix":
      lines.push(`${count("fix")} problem(s) to fix before a run can succeed (exit 2).`)
      break
    case "unavailable":
      lines.push(`${count("unavailable")} service(s) did not answer; try again later (exit 1).`)
      break
  }
  return lines.join("\n")
}
