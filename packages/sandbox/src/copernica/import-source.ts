/**
 * @module
 * Reads the `source` of a Copernica import: an array of row objects, a JSON string of one (the documented PHP
 * example sends exactly that, tabs and newlines included), or CSV text with the given delimiter and standard quoting.
 *
 * The documentation requires "the same field order in every row"; a JSON source that breaks it is refused here so
 * a client learns it at once (whether Copernica refuses it or imports it wrongly is not documented).
 */
import { parse } from "csv-parse/sync"
import { ColumnValues } from "../column-values.ts"

/**
 * The rows of a source, stored by column (one array of values per column, every value as text; packed once the
 * import is processed), so an import keeps a few arrays rather than an object per row.
 *
 * @category Copernica
 * @since 0.2.0
 */
export class SourceRows extends ColumnValues {
  /** Column names, in the rows' order. */
  readonly names: ReadonlyArray<string>

  constructor(names: ReadonlyArray<string>, values: ReadonlyArray<ReadonlyArray<string>>, length: number) {
    super(values, length)
    this.names = names
  }

  /** The rows as objects of column values (built anew on every call). */
  toObjects(): Array<Record<string, string>> {
    const values = this.columns
    const rows: Array<Record<string, string>> = []
    for (let row = 0; row < this.length; row++) {
      // fromEntries, not assignment: a column named `__proto__` stays a column, as it was in the source.
      rows.push(Object.fromEntries(this.names.map((name, index) => [name, values[index]![row]!])))
    }
    return rows
  }
}

/**
 * The rows of a source, or why it was refused.
 *
 * @category Copernica
 * @since 0.0.0
 */
export type SourceReading =
  | { readonly ok: true; readonly rows: SourceRows }
  | { readonly ok: false; readonly message: string }

// What PHP's string conversion makes of JSON scalars: true is "1", false and null are "".
const asText = (value: unknown): string =>
  value === null || value === undefined || value === false ? "" : value === true ? "1" : String(value)

const fromObjects = (value: unknown): SourceReading => {
  if (!Array.isArray(value)) {
    return { ok: false, message: "request body /source: must be an array of rows" }
  }
  let columns: Array<string> | undefined
  const values: Array<Array<string>> = []
  for (const [index, row] of value.entries()) {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      return { ok: false, message: `request body /source/${index}: must be an object of column values` }
    }
    const names = Object.keys(row)
    if (columns === undefined) {
      columns = names
      for (let column = 0; column < names.length; column++) values.push([])
    } else if (names.length !== columns.length || names.some((name, column) => name !== columns![column])) {
      return {
        ok: false,
        message: `request body /source/${index}: the fields must appear in the same order in every row, as in row 0`
      }
    }
    for (let column = 0; column < names.length; column++) {
      const cell = (row as Record<string, unknown>)[names[column]!]
      if (typeof cell === "object" && cell !== null) {
        return { ok: false, message: `request body /source/${index}/${names[column]}: must be a scalar value` }
      }
      values[column]!.push(asText(cell))
    }
  }
  return { ok: true, rows: new SourceRows(columns ?? [], values, value.length) }
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
  // A name given twice is one column, in the place it first appears, holding the value of its last appearance (as
  // an object built from the header would).
  const names = header.map((name) => name.trim())
  const columns = [...new Set(names)]
  const sources = columns.map((name) => names.lastIndexOf(name))
  const values = sources.map((source) => data.map((record) => record[source] ?? ""))
  return { ok: true, rows: new SourceRows(columns, values, data.length) }
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
