/**
 * One NDJSON line or JSON array element as a row or a rejection: parsed with `JSON.parse`, nested values given as
 * their JSON text, a string over the field limit or a record over the record limit rejected on its own.
 *
 * @internal
 */

import type { JsonOptions } from "../Source/Json.ts"
import type * as Source from "../Source.ts"
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
