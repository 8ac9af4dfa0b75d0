/**
 * @module
 * Processing of a committed Ocamba import: each data row is upserted into the profile store by `email` (first) or
 * `mobile_phone_number`, or reported failed with a reason that names the row.
 *
 * The vendor documents report rows with `event_date`, `event_time`, `profile_id`, `code: "SUCCESS"` and
 * `update_time` only, so by default the report holds the successful rows with those fields and nothing else: a failed
 * row is known by its absence. With the `richImportReport` option (our invention) every row is reported, with `row`,
 * `message` and our failure codes: `MISSING_IDENTIFIER` (neither email nor mobile phone number, which the commit page
 * says is required), `INVALID_EMAIL`, and `NOT_PROCESSED` for the rows after an injected processing failure.
 */
import type { ImportFailureDecision } from "../faults/fault-injector.ts"
import { formatIsoDate, formatTimestamp } from "../time.ts"
import type { OcambaAccountState, OcambaImport, OcambaReportRow } from "./state.ts"

// Deliberately loose: one "@" with text on both sides and no spaces; the vendor's own rule is not published.
const emailPattern = /^[^\s@]+@[^\s@]+$/

/**
 * Processes every row of a committed import, filling its report and counts and setting its final status.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const processOcambaImport = (
  account: OcambaAccountState,
  record: OcambaImport,
  now: number,
  failure: ImportFailureDecision | undefined,
  richReport = false
): void => {
  const mapping = record.committedMapping ?? []
  const targets = mapping.map((item) => ({
    columnIndex: record.columns.indexOf(item.label),
    target: account.findPropertyByLabel(item.property.label)?.target ?? item.property.label
  }))
  const timestamp = formatTimestamp(now)
  const eventDate = formatIsoDate(now)
  const failAt = failure === undefined ? record.rows.length : Math.floor(failure.failAfterShare * record.rows.length)
  let imported = 0
  let failed = 0
  const report = (row: number, code: string, profileId: string, message?: string): void => {
    if (!richReport && code !== "SUCCESS") return
    const entry: OcambaReportRow = {
      event_date: eventDate,
      event_time: timestamp,
      profile_id: profileId,
      code,
      update_time: timestamp,
      ...(richReport ? { row } : {}),
      ...(richReport && message !== undefined ? { message } : {})
    }
    record.report.push(entry)
  }
  record.rows.forEach((cells, index) => {
    const rowNumber = index + 1
    if (index >= failAt) {
      failed++
      report(rowNumber, "NOT_PROCESSED", "", `Row ${rowNumber} was not processed: the import failed part way.`)
      return
    }
    const values: Record<string, string> = {}
    for (const { columnIndex, target } of targets) {
      const value = (cells[columnIndex] ?? "").trim()
      // An empty cell leaves the stored value alone rather than erasing it.
      if (value !== "") {
        values[target] = value
      }
    }
    const email = values.email
    const phone = values.mobile_phone_number
    if (email === undefined && phone === undefined) {
      failed++
      report(rowNumber, "MISSING_IDENTIFIER", "", `Row ${rowNumber} has neither email nor mobile_phone_number.`)
      return
    }
    if (email !== undefined && !emailPattern.test(email)) {
      failed++
      report(rowNumber, "INVALID_EMAIL", "", `Row ${rowNumber}: "${email}" is not a valid email address.`)
      return
    }
    const profile = account.upsertProfile(values, record.id, now, timestamp)
    imported++
    report(rowNumber, "SUCCESS", profile.id)
  })
  record.imported_records = imported
  record.failed_records = failed
  record.update_time = timestamp
  if (failure === undefined) {
    record.status = "finished"
  } else {
    record.status = "failed"
    record.error = `Processing stopped at row ${failAt + 1} of ${record.rows.length} (sandbox fault injection).`
  }
}
