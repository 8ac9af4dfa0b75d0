/**
 * One NDJSON line or JSON array element as a row or a rejection: parsed with `JSON.parse`, nested values given as
 * their JSON text, a string over the field limit or a record over the record limit rejected on its own.
 *
 * @internal
 */

import type { JsonOptions } from "../Source/Json.ts"
import type * as Source from "../Source.ts"
import { firstInvalidUtf8 } from "./sourceDecoder.ts"
import { SourceErrorReason } from "./sourceError.ts"
import { byteLength, exceedsBytes, excerpt, firstLine, resolveLimits, setValue } from "./sourceFile.ts"

export interface JsonSettings {
  readonly source: string
  readonly path: string
  readonly maxFieldBytes: number
  readonly maxRecordBytes: number
  readonly allowEmpty: boolean
}

export const jsonSettings = (options: JsonOptions): JsonSettings | string => {
  const limits = resolveLimits(options)
  if (typeof limits === "string") return limits
  return { source: options.path, path: options.path, ...limits, allowEmpty: options.allowEmpty ?? false }
}

export const describeJsonType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

// One parsed line or element as a row or a rejection.
export const jsonItem = (settings: JsonSettings, text: string, rowNumber: number, line: number): Source.SourceItem => {
  const source = settings.source
  const reject = (reason: Source.SourceErrorReason): Source.SourceRowRejected => ({
    _tag: "SourceRowRejected",
    rowNumber,
    line,
    reason,
    raw: excerpt(firstLine(text.trim()))
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    return reject(
      SourceErrorReason.MalformedRow({ source, row: rowNumber, line, column: undefined, detail: `not JSON: ${detail}` })
    )
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return reject(
      SourceErrorReason.MalformedRow({
        source,
        row: rowNumber,
        line,
        column: undefined,
        detail: `${describeJsonType(parsed)}, not a JSON object`
      })
    )
  }
  const values: Record<string, Source.SourceValue> = {}
  for (const [name, value] of Object.entries(parsed)) {
    const flat: Source.SourceValue =
      value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? value
        : JSON.stringify(value)
    if (typeof flat === "string" && exceedsBytes(flat, settings.maxFieldBytes)) {
      return reject(
        SourceErrorReason.FieldTooLarge({
          source,
          row: rowNumber,
          line,
          column: name,
          bytes: byteLength(flat),
          limit: settings.maxFieldBytes
        })
      )
    }
    setValue(values, name, flat)
  }
  return { _tag: "SourceRow", rowNumber, line, values }
}

export const tooLarge = (
  settings: JsonSettings,
  rowNumber: number,
  line: number,
  bytes: number
): Source.SourceRowRejected => ({
  _tag: "SourceRowRejected",
  rowNumber,
  line,
  reason: SourceErrorReason.FieldTooLarge({
    source: settings.source,
    row: rowNumber,
    line,
    column: undefined,
    bytes,
    limit: settings.maxRecordBytes
  }),
  raw: ""
})

/** Where a line or element is: its row, the line it starts on, its file offset, and (JSON) its index in the array. */
export interface RecordPosition {
  readonly rowNumber: number
  readonly line: number
  readonly byteOffset: number
  readonly arrayIndex?: number | undefined
}

// The first field whose name or value holds a replaced byte, when the record still parses with its bytes replaced.
const fieldWithReplacement = (text: string): string | undefined => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
  for (const [name, value] of Object.entries(parsed)) {
    const valueText = typeof value === "string" ? value : JSON.stringify(value)
    if (name.includes("\uFFFD") || (valueText ?? "").includes("\uFFFD")) return name
  }
  return undefined
}

/**
 * A line or element that is not valid UTF-8, rejected on its own like a CSV record: the reason names the row, the
 * line and file offset of the first invalid byte, the array index (JSON), and the field that holds the bytes when
 * the record parses with them replaced by U+FFFD. Only called once the decoder saw invalid bytes in the file.
 */
export const invalidUtf8Item = (
  settings: JsonSettings,
  bytes: Buffer,
  position: RecordPosition
): Source.SourceRowRejected => {
  const index = Math.max(firstInvalidUtf8(bytes), 0)
  let line = position.line
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < index; at = bytes.indexOf(0x0a, at + 1)) line++
  const text = bytes.toString("utf8")
  return {
    _tag: "SourceRowRejected",
    rowNumber: position.rowNumber,
    line: position.line,
    reason: SourceErrorReason.InvalidEncoding({
      source: settings.source,
      encoding: "utf-8",
      line,
      byteOffset: position.byteOffset + index,
      detail:
        position.arrayIndex === undefined
          ? "invalid UTF-8"
          : `invalid UTF-8 in element [${position.arrayIndex}] of the array`,
      row: position.rowNumber,
      column: fieldWithReplacement(text)
    }),
    raw: excerpt(firstLine(text.trim()))
  }
}
