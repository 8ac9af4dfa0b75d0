/**
 * @module
 * Processing of a committed Ocamba import: each data row is upserted into the profile store by `email` (first) or
 * `mobile_phone_number`, or reported failed with a reason that names the row.
 *
 * The vendor documents report rows with `event_date`, `event_time`, `profile_id`, `code: "SUCCESS"` and
 * `update_time` only, so by default the report holds the successful rows with those fields and nothing else: a failed
 * row is known by its absence. With the `richImportReport` option (our invention) every row is reported, with `row`,
 * `message` and our failure codes: `MISSING_IDENTIFIER` (neither email nor mobile phone number, which the commit page
 * says is required), `INVALID_EMAIL`, `REFUSED` (the `refuseImportRow` option's test rule), and `NOT_PROCESSED` for
 * the rows after an injected processing failure.
 */
import type { ImportFailureDecision } from "../faults/fault-injector.ts"
import { formatIsoDate, formatTimestamp } from "../time.ts"
import type { OcambaImport } from "./import-record.ts"
import type { OcambaAccountState } from "./state.ts"

// Deliberately loose: one "@" with text on both sides and no spaces; the vendor's own rule is not published.
const emailPattern = /^[^\s@]+@[^\s@]+$/

/** A row's values by property target, empty cells left out. */
const rowByTarget = (
  targets: ReadonlyArray<string>,
  values: ReadonlyArray<string | undefined>
): Record<string, string> => {
  const row: Record<string, string> = {}
  targets.forEach((target, index) => {
    const value = values[index]
    if (value !== undefined) row[target] = value
  })
  return row
}

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
  options: {
    readonly richImportReport?: boolean | undefined
    readonly refuseImportRow?: ((row: Readonly<Record<string, string>>) => string | undefined) | undefined
  } = {}
): void => {
  const richReport = options.richImportReport ?? false
  const refuseRow = options.refuseImportRow
  const mapping = record.committedMapping ?? []
  const targets = mapping.map((item) => account.findPropertyByLabel(item.property.label)?.target ?? item.property.label)
  const fileColumns = record.dataRows.columns
  const columns = mapping.map((item) => fileColumns[record.columns.indexOf(item.label)])
  const emailAt = targets.indexOf("email")
  const phoneAt = targets.indexOf("mobile_phone_number")
  const timestamp = formatTimestamp(now)
  const rowCount = record.dataRows.length
  const failAt = failure === undefined ? rowCount : Math.floor(failure.failAfterShare * rowCount)
  const report = record.reportEntries
  report.start(formatIsoDate(now), timestamp, richReport)
  let imported = 0
  let failed = 0
  // One values array for every row: the store copies what it keeps, so no row leaves an array behind.
  const values = new Array<string | undefined>(targets.length).fill(undefined)
  for (let index = 0; index < rowCount; index++) {
    const rowNumber = index + 1
    if (index >= failAt) {
      failed++
      report.failed(rowNumber, "NOT_PROCESSED", `Row ${rowNumber} was not processed: the import failed part way.`)
      continue
    }
    for (let target = 0; target < targets.length; target++) {
      const value = (columns[target]?.[index] ?? "").trim()
      // An empty cell leaves the stored value alone rather than erasing it.
      values[target] = value === "" ? undefined : value
    }
    const email = emailAt === -1 ? undefined : values[emailAt]
    const phone = phoneAt === -1 ? undefined : values[phoneAt]
    if (email === undefined && phone === undefined) {
      failed++
      report.failed(rowNumber, "MISSING_IDENTIFIER", `Row ${rowNumber} has neither email nor mobile_phone_number.`)
      continue
    }
    if (email !== undefined && !emailPattern.test(email)) {
      failed++
      report.failed(rowNumber, "INVALID_EMAIL", `Row ${rowNumber}: "${email}" is not a valid email address.`)
      continue
    }
    const refusal = refuseRow?.(rowByTarget(targets, values))
    if (refusal !== undefined) {
      failed++
      report.failed(rowNumber, "REFUSED", `Row ${rowNumber}: ${refusal}`)
      continue
    }
    const slot = account.profiles.upsert(targets, values, record.id, timestamp)
    imported++
    report.succeeded(rowNumber, slot)
  }
  record.imported_records = imported
  record.failed_records = failed
  record.update_time = timestamp
  if (failure === undefined) {
    record.status = "finished"
  } else {
    record.status = "failed"
    record.error = `Processing stopped at row ${failAt + 1} of ${rowCount} (sandbox fault injection).`
  }
  // Processing was the one hot reader of the rows; from now on only tests and dumps read them.
  record.dataRows.pack()
}
