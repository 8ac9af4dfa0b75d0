/**
 * @module
 * Reads an uploaded CSV file into a header and data rows, detecting the delimiter from the header line the way
 * spreadsheet exports vary (comma, semicolon or tab) and following standard quoting (RFC 4180, via csv-parse).
 */
import { parse } from "csv-parse/sync"
import { ValueInterner } from "../value-interner.ts"

/**
 * A parsed file, or why it could not be read.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type CsvReading =
  | {
      readonly ok: true
      readonly columns: ReadonlyArray<string>
      /** Data rows, each padded or cut to the number of columns. */
      readonly rows: ReadonlyArray<ReadonlyArray<string>>
    }
  | { readonly ok: false; readonly message: string }

const candidates = [",", ";", "\t"] as const

const detectDelimiter = (text: string): string => {
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  let best: string = ","
  let bestCount = 0
  for (const candidate of candidates) {
    const count = firstLine.split(candidate).length - 1
    if (count > bestCount) {
      best = candidate
      bestCount = count
    }
  }
  return best
}

/**
 * Parses CSV text whose first row holds the column labels.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const readCsvFile = (text: string): CsvReading => {
  let records: Array<Array<string>>
  try {
    records = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text.replace(/^\uFEFF/, "")),
      // Files edited by hand mix line endings; accept each of them anywhere.
      record_delimiter: ["\r\n", "\n", "\r"],
      relax_column_count: true,
      skip_empty_lines: true
    }) as Array<Array<string>>
  } catch (error) {
    return { ok: false, message: `not valid CSV (${error instanceof Error ? error.message : String(error)})` }
  }
  const [header, ...data] = records
  const columns = (header ?? []).map((label) => label.trim())
  if (columns.length === 0 || columns.every((label) => label === "")) {
    return { ok: false, message: "the file has no header row" }
  }
  const seen = new Set<string>()
  for (const label of columns) {
    if (label === "") {
      return { ok: false, message: "the header row has an empty column label" }
    }
    if (seen.has(label)) {
      return { ok: false, message: `the column label "${label}" appears twice in the header row` }
    }
    seen.add(label)
  }
  // Rows are kept with their import: padded or cut in place, and repeated values of a column share one string.
  const interners = columns.map(() => new ValueInterner())
  for (const record of data) {
    record.length = columns.length
    for (let index = 0; index < columns.length; index++) {
      record[index] = interners[index]!.intern(record[index] ?? "")
    }
  }
  return { ok: true, columns, rows: data }
}
