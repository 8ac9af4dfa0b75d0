/**
 * @module
 * Reads the `source` of a Copernica import: an array of row objects, a JSON string of one (the documented PHP
 * example sends exactly that, tabs and newlines included), or CSV text with the given delimiter and standard quoting.
 *
 * The documentation requires "the same field order in every row"; a JSON source that breaks it is refused here so
 * a client learns it at once (whether Copernica refuses it or imports it wrongly is not documented).
 */
import { parse } from "csv-parse/sync"

/**
 * The rows of a source, every value as text, or why it was refused.
 *
 * @category Copernica
 * @since 0.0.0
 */
export type SourceReading =
  | { readonly ok: true; readonly rows: ReadonlyArray<Readonly<Record<string, string>>> }
  | { readonly ok: false; readonly message: string }

// What PHP's string conversion makes of JSON scalars: true is "1", false and null are "".
const asText = (value: unknown): string =>
  value === null || value === undefined || value === false ? "" : value === true ? "1" : String(value)

const fromObjects = (value: unknown): SourceReading => {
  if (!Array.isArray(value)) {
    return { ok: false, message: "request body /source: must be an array of rows" }
  }
  const rows: Array<Record<string, string>> = []
  let firstKeys: string | undefined
  for (const [index, row] of value.entries()) {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      return { ok: false, message: `request body /source/${index}: must be an object of column values` }
    }
    const keys = Object.keys(row).join("\u0000")
    if (firstKeys === undefined) {
      firstKeys = keys
    } else if (keys !== firstKeys) {
      return {
        ok: false,
        message: `request body /source/${index}: the fields must appear in the same order in every row, as in row 0`
      }
    }
    const converted: Record<string, string> = {}
    for (const [name, cell] of Object.entries(row as Record<string, unknown>)) {
      if (typeof cell === "object" && cell !== null) {
        return { ok: false, message: `request body /source/${index}/${name}: must be a scalar value` }
      }
      converted[name] = asText(cell)
    }
    rows.push(converted)
  }
  return { ok: true, rows }
}

const fromCsv = (text: string, delimiter: string): SourceReading => {
  let records: Array<Array<string>>
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      record_delimiter: ["\r\n", "\n", "\r"],
      skip_empty_lines: true
    }) as Array<Array<string>>
  } catch (error) {
    return {
      ok: false,
      message: `request body /source: not valid CSV (${error instanceof Error ? error.message : String(error)})`
    }
  }
  const [header, ...data] = records
  if (header === undefined) {
    return { ok: false, message: "request body /source: the CSV has no header row" }
  }
  const columns = header.map((name) => name.trim())
  return {
    ok: true,
    rows: data.map((record) => Object.fromEntries(columns.map((name, index) => [name, record[index] ?? ""])))
  }
}

/**
 * Reads a source as `format` and `delimiter` describe it.
 *
 * **Details**: a string without `format` is read as CSV when a delimiter is given and as JSON otherwise (the
 * vendor does not document the default).
 *
 * @category Copernica
 * @since 0.0.0
 */
export const readImportSource = (
  source: unknown,
  format: string | undefined,
  delimiter: string | undefined
): SourceReading => {
  if (typeof source !== "string") {
    return fromObjects(source)
  }
  const asCsv = format === "csv" || (format === undefined && delimiter !== undefined)
  if (asCsv) {
    if (delimiter === undefined) {
      return { ok: false, message: "request body /delimiter: is required for CSV data" }
    }
    return fromCsv(source, delimiter)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(source)
  } catch (error) {
    return {
      ok: false,
      message: `request body /source: not valid JSON (${error instanceof Error ? error.message : String(error)})`
    }
  }
  return fromObjects(parsed)
}
