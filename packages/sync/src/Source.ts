/**
 * Where a sync's rows come from: a CSV file, an NDJSON or JSON file, or a PostgreSQL query, each read as a stream in
 * flat memory, behind one small interface ({@link Source}) that more kinds of source can implement.
 *
 * **Rows and rejections**
 *
 * A source emits {@link SourceRow}s and, in the same stream and in file order, {@link SourceRowRejected}s: a record
 * that cannot be read (broken quoting, a field over the size limit, a line that is not JSON) is reported and skipped,
 * and the rows after it still arrive. A bad row never sinks the rows around it; the sync engine reports rejections,
 * and {@link strict} turns the first one into a failure for callers that want all or nothing.
 *
 * **Fatal problems**
 *
 * Problems with the whole input end the stream with a {@link SourceError}: a missing or unreadable file, a header
 * that cannot be trusted (a duplicate or empty column name, a delimiter that looks wrong), bytes that are not valid
 * in the declared encoding (the decoding of everything after them is suspect), a broken JSON structure, a failed
 * query, and an input without rows. Rows may have been emitted before such an error arrives: the sync engine must then
 * treat the run as incomplete (in particular, delete nothing for rows "missing" from a source that was not read to
 * its end).
 *
 * @since 0.1.0
 */

import { isUtf8, transcode } from "node:buffer"
import { open } from "node:fs/promises"
import { TextDecoder } from "node:util"
import * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Redact from "@profilesync/core/Redact"
import { type CsvError, Parser } from "csv-parse"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

// ---------------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------------

/**
 * One value of a row: CSV gives strings only; JSON and PostgreSQL give numbers, booleans and `null` as well.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceValue = string | number | boolean | null

/**
 * A row read from a source.
 *
 * **Details**
 *
 * - `rowNumber`: the 1-based number of the data record (the header is not counted; rejected records are), so it is
 *   stable across runs of the same file and names the row in reports. The sync engine uses it, with `line`, to name
 *   both rows when two carry the same key.
 * - `line`: the 1-based physical line where the record starts (a quoted field can span lines, so this is not
 *   `rowNumber + 1`). For a PostgreSQL query, which has no lines, it equals `rowNumber`.
 * - `values`: by column name. CSV values are the raw strings (not trimmed; an empty field is `""`, since CSV cannot tell
 *   empty from missing); nested JSON values are given as their JSON text.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceRow {
  readonly _tag: "SourceRow"
  readonly rowNumber: number
  readonly line: number
  readonly values: Readonly<Record<string, SourceValue>>
}

/**
 * A record that could not be read, in the stream where its row would have been.
 *
 * **Details**
 *
 * `reason` is a `MalformedRow` or a `FieldTooLarge` {@link SourceErrorReason}, naming the row, line and column where
 * known. `raw` is the start of the record as it appears in the file (its first line, at most 1,024 characters), for
 * reports and dead-letter payloads.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceRowRejected {
  readonly _tag: "SourceRowRejected"
  readonly rowNumber: number
  readonly line: number
  readonly reason: SourceErrorReason
  readonly raw: string
}

/**
 * What a source's stream emits: a row or a rejected record.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceItem = SourceRow | SourceRowRejected

/**
 * A source of rows.
 *
 * **Details**
 *
 * `rows` reads the input afresh each time it is run, in flat memory: files are read in 64 KiB chunks and a query
 * through a server-side cursor. Implement this interface to add a kind of source.
 *
 * @since 0.1.0
 * @category models
 */
export interface Source {
  /** Names the source in errors and reports: the file path, or the database URL without its password. */
  readonly name: string
  readonly rows: Stream.Stream<SourceItem, SourceError>
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why a source failed or rejected a record.
 *
 * **Details**
 *
 * Per record (in a {@link SourceRowRejected}; the stream goes on):
 * - `MalformedRow`: broken quoting, a wrong number of fields, a line that is not a JSON object.
 * - `FieldTooLarge`: a value over `maxFieldBytes`, or a record over `maxRecordBytes`.
 * - `InvalidEncoding` in a CSV data record: invalid UTF-8 in it, with its row, line and column.
 *
 * Fatal (the stream fails with a {@link SourceError}):
 * - `NotFound`, `ReadFailed`: the file is missing or cannot be read.
 * - `InvalidOptions`: e.g. a delimiter that is a quote or a line break.
 * - `Empty`: no header row, or a header and no rows. An export that came out empty is far more often broken than
 *   real, and a sync that removes missing profiles would delete all of them; pass `allowEmpty` when empty is normal.
 * - `MalformedFile`: the header is broken, or a JSON file's structure is (not an array, brackets that do not match).
 * - `WrongDelimiter`: the header is one column that contains another usual delimiter.
 * - `DuplicateColumn`, `EmptyColumnName`: a header that cannot name every value.
 * - `FieldTooLarge` in the header.
 * - `InvalidEncoding`: bytes that are not valid in the encoding; `line` and `byteOffset` say where.
 * - `QueryFailed`: the database refused the connection or the query.
 *
 * @since 0.1.0
 * @category errors
 */
export type SourceErrorReason = Data.TaggedEnum<{
  NotFound: { readonly source: string; readonly path: string }
  ReadFailed: { readonly source: string; readonly path: string; readonly detail: string; readonly cause: unknown }
  InvalidOptions: { readonly source: string; readonly detail: string }
  Empty: { readonly source: string; readonly missing: "Header" | "Rows" }
  MalformedFile: { readonly source: string; readonly line: number; readonly detail: string }
  MalformedRow: {
    readonly source: string
    readonly row: number
    readonly line: number
    readonly column: string | undefined
    readonly detail: string
  }
  WrongDelimiter: {
    readonly source: string
    readonly delimiter: string
    readonly suggested: string
    readonly header: string
  }
  FieldTooLarge: {
    readonly source: string
    /** The data row; 0 for the header. */
    readonly row: number
    readonly line: number
    readonly column: string | undefined
    /** The size in bytes (UTF-8); for a record cut off at the limit, the bytes read before it was given up. */
    readonly bytes: number
    readonly limit: number
  }
  InvalidEncoding: {
    readonly source: string
    readonly encoding: string
    readonly line: number
    /** Offset of the first invalid byte from the start of the file, byte order mark included. */
    readonly byteOffset: number
    readonly detail: string
    /** For a CSV record rejected on its own: the data row and the column holding the bytes (where known). */
    readonly row?: number | undefined
    readonly column?: string | undefined
  }
  DuplicateColumn: { readonly source: string; readonly column: string; readonly positions: ReadonlyArray<number> }
  EmptyColumnName: { readonly source: string; readonly position: number }
  QueryFailed: { readonly source: string; readonly detail: string; readonly cause: unknown }
}>

/**
 * Constructors and guards for {@link SourceErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SourceErrorReason = Data.taggedEnum<SourceErrorReason>()

const displayDelimiter = (delimiter: string): string => (delimiter === "\t" ? "tab" : `\`${delimiter}\``)

const rowPosition = (row: number, line: number): string =>
  row === 0 ? `the header (line ${line})` : `row ${row} (line ${line})`

const inColumn = (column: string | undefined): string => (column === undefined ? "" : ` in column \`${column}\``)

/**
 * A sentence describing a {@link SourceErrorReason}, naming the source, row, line and column where known.
 *
 * @since 0.1.0
 * @category errors
 */
export const describe = (reason: SourceErrorReason): string => {
  switch (reason._tag) {
    case "NotFound":
      return `${reason.source}: the file does not exist`
    case "ReadFailed":
      return `${reason.source}: the file cannot be read: ${reason.detail}`
    case "InvalidOptions":
      return `${reason.source}: ${reason.detail}`
    case "Empty":
      return reason.missing === "Header"
        ? `${reason.source}: the file has no header row`
        : `${reason.source}: the source has no rows (pass allowEmpty if that is expected)`
    case "MalformedFile":
      return `${reason.source}: line ${reason.line}: ${reason.detail}`
    case "MalformedRow":
      return `${reason.source}: ${rowPosition(reason.row, reason.line)}: ${reason.detail}`
    case "WrongDelimiter":
      return (
        `${reason.source}: the header has one column \`${reason.header}\`: is the delimiter ` +
        `${displayDelimiter(reason.suggested)} (not ${displayDelimiter(reason.delimiter)})?`
      )
    case "FieldTooLarge":
      return (
        `${reason.source}: ${rowPosition(reason.row, reason.line)}: the value${inColumn(reason.column)} has ` +
        `${reason.bytes} bytes, over the limit of ${reason.limit}`
      )
    case "InvalidEncoding":
      return (
        `${reason.source}: ${reason.row === undefined ? `line ${reason.line}` : rowPosition(reason.row, reason.line)}` +
        ` (byte offset ${reason.byteOffset}): ${reason.detail}${inColumn(reason.column)} (encoding ${reason.encoding})`
      )
    case "DuplicateColumn":
      return (
        `${reason.source}: the header names column \`${reason.column}\` more than once ` +
        `(positions ${reason.positions.join(", ")})`
      )
    case "EmptyColumnName":
      return `${reason.source}: the header's column ${reason.position} has no name`
    case "QueryFailed":
      return `${reason.source}: ${reason.detail}`
  }
}

/**
 * The only error of a source. Branch on `reason._tag`, never on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export class SourceError extends Data.TaggedError("SourceError")<{ readonly reason: SourceErrorReason }> {
  override get message(): string {
    return describe(this.reason)
  }
}

// A fatal problem found inside a parser callback or a generator; `rows` turns it into a `SourceError`.
class Fatal extends Error {
  constructor(readonly reason: SourceErrorReason) {
    super(describe(reason))
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers for callers
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Tells a rejected record from a row.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRejected = (item: SourceItem): item is SourceRowRejected => item._tag === "SourceRowRejected"

/**
 * A source whose stream fails with the reason of the first rejected record instead of emitting it.
 *
 * **When to use**
 *
 * For inputs that must be read completely or not at all (a validation run, a reference table). A sync should keep the
 * default: rejected records are reported and the other rows still go out.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strict = (source: Source): Source => ({
  name: source.name,
  rows: Stream.mapEffect(source.rows, (item) =>
    item._tag === "SourceRowRejected" ? Effect.fail(new SourceError({ reason: item.reason })) : Effect.succeed(item)
  )
})

// ---------------------------------------------------------------------------------------------------------------------
// Shared machinery: file chunks, decoding, lines
// ---------------------------------------------------------------------------------------------------------------------

const mebibyte = 1024 * 1024
const chunkBytes = 64 * 1024
const excerptLength = 1024
const defaultMaxFieldBytes = mebibyte
const defaultMaxRecordBytes = 16 * mebibyte

const excerpt = (text: string): string => (text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text)

// Line breaks as an editor counts them: CRLF, LF and a lone CR each end one line.
const countLineBreaks = (text: string, from = 0, to = text.length): number => {
  let count = 0
  if (text.indexOf("\r", from) === -1 || text.indexOf("\r", from) >= to) {
    let index = text.indexOf("\n", from)
    while (index !== -1 && index < to) {
      count++
      index = text.indexOf("\n", index + 1)
    }
    return count
  }
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index)
    if (code === 10) count++
    else if (code === 13) {
      count++
      if (text.charCodeAt(index + 1) === 10) index++
    }
  }
  return count
}

const trimEndLineBreaks = (text: string): string => {
  let end = text.length
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--
  return end === text.length ? text : text.slice(0, end)
}

const leadingLineBreakLength = (text: string): number => {
  let index = 0
  while (index < text.length) {
    const code = text.charCodeAt(index)
    if (code !== 10 && code !== 13) break
    index++
  }
  return index
}

const firstLine = (text: string): string => {
  const end = text.search(/[\r\n]/)
  return end === -1 ? text : text.slice(0, end)
}

const byteLength = (value: string): number => Buffer.byteLength(value, "utf8")

// Cheap for the common case: a UTF-8 character has at least one byte per UTF-16 unit and at most three.
const exceedsBytes = (value: string, limit: number): boolean =>
  value.length > limit || (value.length * 3 > limit && byteLength(value) > limit)

const isNodeError = (cause: unknown): cause is NodeJS.ErrnoException =>
  cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === "string"

const readFailure = (source: string, path: string, cause: unknown): Fatal =>
  isNodeError(cause) && cause.code === "ENOENT"
    ? new Fatal(SourceErrorReason.NotFound({ source, path }))
    : new Fatal(
        SourceErrorReason.ReadFailed({
          source,
          path,
          detail: cause instanceof Error ? cause.message : String(cause),
          cause
        })
      )

const toSourceError =
  (source: string, path: string) =>
  (cause: unknown): SourceError =>
    cause instanceof Fatal
      ? new SourceError({ reason: cause.reason })
      : new SourceError({ reason: readFailure(source, path, cause).reason })

// The file's chunks, opened lazily so that a missing file fails the stream, not the constructor.
async function* fileChunks(source: string, path: string): AsyncGenerator<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, "r")
  } catch (cause) {
    throw readFailure(source, path, cause)
  }
  try {
    const stream = handle.createReadStream({ highWaterMark: chunkBytes, autoClose: false })
    try {
      for await (const chunk of stream) yield chunk as Buffer
    } catch (cause) {
      throw readFailure(source, path, cause)
    }
  } finally {
    await handle.close()
  }
}

/**
 * The text encodings a CSV file can be read in.
 *
 * **Details**
 *
 * - `utf-8` (default): validated (in a CSV, a record with invalid bytes is rejected on its own); a byte order mark
 *   is removed.
 * - `latin1`: ISO-8859-1, every byte is a character.
 * - `windows-1252`: what Excel on Western Windows writes as "ANSI"; like latin1 except for 0x80–0x9F (`€`, curly
 *   quotes).
 * - `utf-16le`: what Excel writes as "Unicode text"; validated, byte order mark removed.
 *
 * @since 0.1.0
 * @category models
 */
export type CsvEncoding = (typeof csvEncodings)[number]

/**
 * Every {@link CsvEncoding}, in the order error messages and the config schema list them.
 *
 * @since 0.2.0
 * @category models
 */
export const csvEncodings = ["utf-8", "latin1", "windows-1252", "utf-16le"] as const

// Index of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629 table 3-7), or -1.
const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  const length = bytes.length
  let index = 0
  while (index < length) {
    const lead = bytes[index]!
    if (lead < 0x80) {
      index++
      continue
    }
    let continuation: number
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) continuation = 1
    else if (lead === 0xe0) {
      continuation = 2
      low = 0xa0
    } else if ((lead >= 0xe1 && lead <= 0xec) || lead === 0xee || lead === 0xef) continuation = 2
    else if (lead === 0xed) {
      continuation = 2
      high = 0x9f
    } else if (lead === 0xf0) {
      continuation = 3
      low = 0x90
    } else if (lead >= 0xf1 && lead <= 0xf3) continuation = 3
    else if (lead === 0xf4) {
      continuation = 3
      high = 0x8f
    } else return index
    if (index + continuation >= length) return index
    const second = bytes[index + 1]!
    if (second < low || second > high) return index
    for (let offset = 2; offset <= continuation; offset++) {
      const next = bytes[index + offset]!
      if (next < 0x80 || next > 0xbf) return index
    }
    index += continuation + 1
  }
  return -1
}

// How many bytes at the start of `bytes` end on a character boundary (a sequence may be cut by the chunk size).
const completeUtf8Length = (bytes: Uint8Array): number => {
  const length = bytes.length
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back]!
    if ((byte & 0xc0) !== 0x80) {
      const sequence = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
      return back < sequence ? length - back : length
    }
  }
  return length
}

const firstInvalidUtf16 = (text: string): number => {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return index
      index++
    } else if (code >= 0xdc00 && code <= 0xdfff) return index
  }
  return -1
}

// Counts lines up to a byte offset by reading the file again: the happy path pays nothing for error positions.
const lineAtOffset = async (path: string, byteOffset: number, encoding: CsvEncoding): Promise<number> => {
  let line = 1
  let position = 0
  for await (const chunk of fileChunks(path, path)) {
    const end = Math.min(chunk.length, byteOffset - position)
    for (let index = 0; index < end; index++) {
      // A UTF-16LE line feed is 0x0A 0x00 at an even offset; in the other encodings it is the byte 0x0A.
      if (chunk[index] === 0x0a && (encoding !== "utf-16le" || (position + index) % 2 === 0)) line++
    }
    position += chunk.length
    if (position >= byteOffset) break
  }
  return line
}

// WHATWG index-windows-1252 for 0x80–0x9F; every other byte is its latin1 character. Decoded here because Node's
// TextDecoder treats the "windows-1252" label as latin1 (nodejs/node#56542).
const windows1252High = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178
]

const decodeWindows1252 = (bytes: Buffer): Buffer => {
  if (!bytes.some((byte) => byte >= 0x80 && byte <= 0x9f)) return transcode(bytes, "latin1", "utf8")
  let text = ""
  for (const byte of bytes) {
    text += String.fromCharCode(byte >= 0x80 && byte <= 0x9f ? windows1252High[byte - 0x80]! : byte)
  }
  return Buffer.from(text, "utf8")
}

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf])
const utf16Bom = Buffer.from([0xff, 0xfe])

/**
 * Turns the file's bytes into validated UTF-8 bytes, chunk by chunk, without a byte order mark. Invalid input
 * throws `Fatal(InvalidEncoding)` with the file offset (the line is found later, see `withEncodingLine`).
 */
class Decoder {
  private carry: Buffer = Buffer.alloc(0)
  private consumed = 0
  private started = false
  private readonly text: TextDecoder | undefined
  // Per-record mode only: the physical line the next byte is on (CRLF, LF and a lone CR each end one).
  private line = 1
  private afterCarriageReturn = false

  /**
   * `faults`: when given (CSV, UTF-8), invalid UTF-8 is not fatal: each invalid byte becomes U+FFFD and its line and
   * offset are recorded there, so the reader can reject the record that holds it and go on.
   */
  constructor(
    private readonly source: string,
    private readonly encoding: CsvEncoding,
    private readonly faults?: Array<EncodingFault>
  ) {
    this.text = encoding === "utf-16le" ? new TextDecoder(encoding, { fatal: true, ignoreBOM: true }) : undefined
  }

  private countLines(bytes: Uint8Array, from: number, to: number): void {
    for (let index = from; index < to; index++) {
      const byte = bytes[index]
      if (byte === 0x0a) {
        if (!this.afterCarriageReturn) this.line++
        this.afterCarriageReturn = false
      } else if (byte === 0x0d) {
        this.line++
        this.afterCarriageReturn = true
      } else this.afterCarriageReturn = false
    }
  }

  // Records every invalid sequence of `body` and returns it with each invalid byte replaced by U+FFFD.
  private replaceInvalid(body: Buffer): Buffer {
    const faults = this.faults!
    let position = 0
    while (position < body.length) {
      const index = firstInvalidUtf8(body.subarray(position))
      if (index < 0) break
      this.countLines(body, position, position + index)
      faults.push({ line: this.line, byteOffset: this.consumed + position + index })
      this.countLines(body, position + index, position + index + 1)
      position += index + 1
    }
    this.countLines(body, position, body.length)
    return Buffer.from(body.toString("utf8"), "utf8")
  }

  private invalid(byteOffset: number, detail: string): Fatal {
    return new Fatal(
      SourceErrorReason.InvalidEncoding({ source: this.source, encoding: this.encoding, line: 0, byteOffset, detail })
    )
  }

  push(chunk: Buffer): Buffer {
    let data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk])
    this.carry = Buffer.alloc(0)
    if (!this.started) {
      // The byte order mark is judged on the first three bytes, however the file is cut into chunks.
      if (data.length < 3) {
        this.carry = data
        return Buffer.alloc(0)
      }
      data = this.skipByteOrderMark(data)
    }
    return this.decode(data, false)
  }

  end(): Buffer {
    let data = this.carry
    this.carry = Buffer.alloc(0)
    if (!this.started) data = this.skipByteOrderMark(data)
    return this.decode(data, true)
  }

  private skipByteOrderMark(data: Buffer): Buffer {
    this.started = true
    if (data.length >= 3 && data.subarray(0, 3).equals(utf8Bom)) {
      if (this.encoding !== "utf-8") {
        throw this.invalid(0, "the file starts with a UTF-8 byte order mark: is the encoding utf-8?")
      }
      this.consumed = 3
      return data.subarray(3)
    }
    if (this.encoding === "utf-16le" && data.length >= 2 && data.subarray(0, 2).equals(utf16Bom)) {
      this.consumed = 2
      return data.subarray(2)
    }
    return data
  }

  private decode(data: Buffer, last: boolean): Buffer {
    switch (this.encoding) {
      case "utf-8": {
        const complete = last ? data.length : completeUtf8Length(data)
        const body = data.subarray(0, complete)
        let result = body
        if (this.faults !== undefined) {
          if (isUtf8(body)) this.countLines(body, 0, body.length)
          else result = this.replaceInvalid(body)
        } else if (!isUtf8(body)) {
          const index = firstInvalidUtf8(body)
          throw this.invalid(this.consumed + Math.max(index, 0), "invalid UTF-8")
        }
        this.carry = Buffer.from(data.subarray(complete))
        this.consumed += complete
        return result
      }
      case "latin1": {
        this.consumed += data.length
        return transcode(data, "latin1", "utf8")
      }
      case "windows-1252": {
        this.consumed += data.length
        return decodeWindows1252(data)
      }
      case "utf-16le": {
        let complete = last ? data.length : data.length - (data.length % 2)
        // Keep a high surrogate at the end for the next chunk: its low half may be there.
        if (!last && complete >= 2) {
          const unit = data.readUInt16LE(complete - 2)
          if (unit >= 0xd800 && unit <= 0xdbff) complete -= 2
        }
        const body = data.subarray(0, complete)
        if (body.length % 2 === 1) {
          throw this.invalid(this.consumed + body.length - 1, "the file ends in the middle of a UTF-16 character")
        }
        let text: string
        try {
          text = this.text!.decode(body)
        } catch {
          const index = firstInvalidUtf16(body.toString("utf16le"))
          throw this.invalid(this.consumed + Math.max(index, 0) * 2, "an unpaired UTF-16 surrogate")
        }
        this.carry = Buffer.from(data.subarray(complete))
        this.consumed += complete
        return Buffer.from(text, "utf8")
      }
    }
  }
}

/** Where the decoder replaced an invalid byte: the physical line, and the offset from the start of the file. */
interface EncodingFault {
  readonly line: number
  readonly byteOffset: number
}

// Fills in the line of an InvalidEncoding error (the decoder only knows the byte offset).
const withEncodingLine = async (error: unknown, path: string, encoding: CsvEncoding): Promise<unknown> => {
  if (error instanceof Fatal && error.reason._tag === "InvalidEncoding" && error.reason.line === 0) {
    const line = await lineAtOffset(path, error.reason.byteOffset, encoding)
    return new Fatal(SourceErrorReason.InvalidEncoding({ ...error.reason, line }))
  }
  return error
}

// A stream over an async generator of batches, run afresh each time the stream runs.
const fromBatches = (
  source: string,
  path: string,
  batches: () => AsyncGenerator<ReadonlyArray<SourceItem>>
): Stream.Stream<SourceItem, SourceError> =>
  Stream.fromAsyncIterable({ [Symbol.asyncIterator]: batches }, toSourceError(source, path)).pipe(
    Stream.mapConcat((batch) => batch)
  )

const setValue = (values: Record<string, SourceValue>, name: string, value: SourceValue): void => {
  // `values.__proto__ = x` would set the prototype instead of a column.
  if (name === "__proto__") Object.defineProperty(values, name, { value, enumerable: true, writable: true })
  else values[name] = value
}

// ---------------------------------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Options of {@link csv}.
 *
 * **Details**
 *
 * - `path`: the file.
 * - `delimiter`: between fields (default `","`; `"\t"` for TSV). Quotes are `"`, doubled inside quoted fields.
 * - `encoding`: see {@link CsvEncoding} (default `"utf-8"`).
 * - `maxFieldBytes`: largest value, in UTF-8 bytes (default 1 MiB, or `maxRecordBytes` if that is smaller); a larger
 *   one rejects its row.
 * - `maxRecordBytes`: largest record the parser holds in memory (default 16 MiB, or `maxFieldBytes` if that is
 *   larger; never below it). A record that grows past it ends as a rejection; it also bounds what an unclosed quote
 *   can swallow.
 * - `columns`: names for a file without a header row; the first line is then data.
 * - `allowEmpty`: accept a file with a header and no rows (default `false`, see `Empty` in {@link SourceErrorReason}).
 *
 * @since 0.1.0
 * @category models
 */
export interface CsvOptions {
  readonly path: string
  readonly delimiter?: string | undefined
  readonly encoding?: CsvEncoding | undefined
  readonly maxFieldBytes?: number | undefined
  readonly maxRecordBytes?: number | undefined
  readonly columns?: ReadonlyArray<string> | undefined
  readonly allowEmpty?: boolean | undefined
}

const delimiterCandidates = [",", ";", "\t", "|"]

// The most frequent usual delimiter, other than `delimiter`, outside quotes in a one-column header (if any).
const suggestDelimiter = (headerLine: string, delimiter: string): string | undefined => {
  const unquoted = headerLine.replace(/"(?:[^"]|"")*"/g, "")
  let best: string | undefined
  let bestCount = 0
  for (const candidate of delimiterCandidates) {
    if (candidate === delimiter) continue
    const count = unquoted.split(candidate).length - 1
    if (count > bestCount) {
      best = candidate
      bestCount = count
    }
  }
  return best
}

const validateHeader = (source: string, names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const positions = new Map<string, Array<number>>()
  names.forEach((name, index) => {
    if (name === "") throw new Fatal(SourceErrorReason.EmptyColumnName({ source, position: index + 1 }))
    const seen = positions.get(name)
    if (seen === undefined) positions.set(name, [index + 1])
    else seen.push(index + 1)
  })
  for (const [column, at] of positions) {
    if (at.length > 1) throw new Fatal(SourceErrorReason.DuplicateColumn({ source, column, positions: at }))
  }
  return names
}

interface CsvSettings {
  readonly source: string
  readonly path: string
  readonly delimiter: string
  readonly encoding: CsvEncoding
  readonly maxFieldBytes: number
  readonly maxRecordBytes: number
  readonly columns: ReadonlyArray<string> | undefined
  readonly allowEmpty: boolean
}

// Thrown from csv-parse's `on_skip` to stop the parser at the first error of a record; see `CsvReader.resync`.
class Resync extends Error {
  constructor(
    readonly error: CsvError,
    readonly raw: string
  ) {
    super(error.message)
  }
}

interface ParsedRecord {
  readonly record: Array<string>
  readonly raw: string
}

const lineBreakAt = (bytes: Buffer, from: number): number => {
  for (let index = from; index < bytes.length; index++) {
    const byte = bytes[index]
    if (byte === 0x0a || byte === 0x0d) return index
  }
  return -1
}

/**
 * Feeds UTF-8 bytes to csv-parse and turns its records into rows and rejections.
 *
 * **Recovery**
 *
 * csv-parse can skip a bad record, but after a quoting error it goes on in the wrong quoting state and swallows the
 * records that follow (up to the end of the file for an unclosed quote). So at the first error in a record this
 * reader stops the parser, reports the record, and starts a new parser at the line after the one where the record
 * started, with the bytes it kept since the last good record: an unclosed quote costs its own row only. A record that
 * keeps failing is retried one line further each time, so the input always moves on.
 *
 * **Lines**
 *
 * Physical lines are counted here, from each record's raw text (csv-parse counts a CRLF inside quotes twice).
 */
class CsvReader {
  private parser: Parser
  private readonly out: Array<SourceItem> = []
  // Bytes given to the current parser since the end of its last record (`boundary`), to start again from.
  private pending: Array<Buffer> = []
  private pendingStart = 0
  private boundary = 0
  private lineAtBoundary = 1
  private discardingLine = false
  private skipLeadingLineFeed = false
  private header: ReadonlyArray<string> | undefined
  private rowNumber = 0
  private resync: Resync | undefined

  constructor(
    private readonly settings: CsvSettings,
    // Invalid UTF-8 the decoder replaced, in file order: the records they fall in are rejected.
    private readonly faults: Array<EncodingFault> = []
  ) {
    this.header = settings.columns === undefined ? undefined : validateHeader(settings.source, settings.columns)
    this.parser = this.makeParser()
  }

  // The first fault on lines `first` to `last`, dropping faults before `first` (their records were rejected already).
  private faultIn(first: number, last: number): EncodingFault | undefined {
    const faults = this.faults
    let drop = 0
    while (drop < faults.length && faults[drop]!.line < first) drop++
    if (drop > 0) faults.splice(0, drop)
    const fault = faults[0]
    if (fault === undefined || fault.line > last) return undefined
    while (faults.length > 0 && faults[0]!.line <= last) faults.shift()
    return fault
  }

  get rows(): number {
    return this.rowNumber
  }

  get hasHeader(): boolean {
    return this.header !== undefined
  }

  take(): Array<SourceItem> {
    return this.out.splice(0, this.out.length)
  }

  private makeParser(): Parser {
    this.pending = []
    this.pendingStart = 0
    this.boundary = 0
    this.resync = undefined
    const parser = new Parser({
      delimiter: this.settings.delimiter,
      quote: '"',
      escape: '"',
      record_delimiter: ["\r\n", "\n", "\r"],
      bom: false,
      encoding: "utf8",
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: this.settings.maxRecordBytes,
      on_skip: (error, raw) => {
        if (error === undefined) return undefined
        this.resync = new Resync(error, raw ?? "")
        throw this.resync
      },
      on_record: (record: unknown, info) => {
        this.onRecord(record as ParsedRecord, info.bytes)
        return null
      }
    })
    // Errors come back through the write callbacks; this listener only keeps them from being "unhandled".
    parser.on("error", () => {})
    return parser
  }

  private onRecord(parsed: ParsedRecord, endOffset: number): void {
    const { raw, record } = parsed
    const leading = leadingLineBreakLength(raw)
    const line = this.lineAtBoundary + countLineBreaks(raw, 0, leading)
    this.lineAtBoundary += countLineBreaks(raw)
    this.boundary = endOffset
    const source = this.settings.source
    const fault =
      this.faults.length === 0 ? undefined : this.faultIn(line, line + countLineBreaks(trimEndLineBreaks(raw), leading))
    if (this.header === undefined) {
      if (fault !== undefined) {
        throw new Fatal(
          SourceErrorReason.InvalidEncoding({
            source,
            encoding: this.settings.encoding,
            line: fault.line,
            byteOffset: fault.byteOffset,
            detail: "invalid UTF-8 in the header"
          })
        )
      }
      for (let index = 0; index < record.length; index++) {
        if (exceedsBytes(record[index]!, this.settings.maxFieldBytes)) {
          throw new Fatal(
            SourceErrorReason.FieldTooLarge({
              source,
              row: 0,
              line,
              column: undefined,
              bytes: byteLength(record[index]!),
              limit: this.settings.maxFieldBytes
            })
          )
        }
      }
      const names = record.map((name) => name.trim())
      if (names.length === 1) {
        const headerLine = firstLine(raw.slice(leading))
        const suggested = suggestDelimiter(headerLine, this.settings.delimiter)
        if (suggested !== undefined) {
          throw new Fatal(
            SourceErrorReason.WrongDelimiter({
              source,
              delimiter: this.settings.delimiter,
              suggested,
              header: excerpt(names[0]!)
            })
          )
        }
      }
      this.header = validateHeader(source, names)
      return
    }
    const header = this.header
    const rowNumber = ++this.rowNumber
    const reject = (reason: SourceErrorReason): void => {
      this.out.push({ _tag: "SourceRowRejected", rowNumber, line, reason, raw: excerpt(firstLine(raw.slice(leading))) })
    }
    if (fault !== undefined) {
      const index = record.findIndex((value) => value.includes("\uFFFD"))
      reject(
        SourceErrorReason.InvalidEncoding({
          source,
          encoding: this.settings.encoding,
          line: fault.line,
          byteOffset: fault.byteOffset,
          detail: "invalid UTF-8",
          row: rowNumber,
          column: index === -1 ? undefined : header[index]
        })
      )
      return
    }
    if (record.length !== header.length) {
      reject(
        SourceErrorReason.MalformedRow({
          source,
          row: rowNumber,
          line,
          column: undefined,
          detail: `the record has ${record.length} fields, the header has ${header.length}`
        })
      )
      return
    }
    const values: Record<string, SourceValue> = {}
    for (let index = 0; index < header.length; index++) {
      const value = record[index]!
      if (exceedsBytes(value, this.settings.maxFieldBytes)) {
        reject(
          SourceErrorReason.FieldTooLarge({
            source,
            row: rowNumber,
            line,
            column: header[index],
            bytes: byteLength(value),
            limit: this.settings.maxFieldBytes
          })
        )
        return
      }
      setValue(values, header[index]!, value)
    }
    this.out.push({ _tag: "SourceRow", rowNumber, line, values })
  }

  private write(bytes: Buffer): Promise<unknown> {
    return new Promise((resolve) => this.parser.write(bytes, (error) => resolve(error ?? undefined)))
  }

  private finish(): Promise<unknown> {
    return new Promise((resolve) => {
      let settled = false
      const done = (error: unknown) => {
        if (!settled) {
          settled = true
          resolve(error)
        }
      }
      this.parser.once("error", done)
      this.parser.end(() => done(undefined))
    })
  }

  /**
   * Gives the parser the next bytes (`end`: and nothing after them). A bad record restarts the parser on the bytes
   * after it, in this loop rather than by recursion, so a file of a million bad lines needs no deep stack.
   */
  async feed(input: Buffer, end: boolean): Promise<void> {
    let next: Buffer | undefined = input
    while (next !== undefined) {
      const bytes = this.skipDiscarded(next)
      let error: unknown
      if (bytes.length > 0) {
        this.pending.push(bytes)
        error = await this.write(bytes)
        if (error === undefined) this.trimPending()
      }
      if (error === undefined && end) error = await this.finish()
      next = error === undefined ? undefined : this.recover(error)
    }
  }

  // Drops the rest of a line given up on (and the LF of a CRLF cut between two chunks).
  private skipDiscarded(input: Buffer): Buffer {
    let bytes = input
    if (this.skipLeadingLineFeed && bytes.length > 0) {
      this.skipLeadingLineFeed = false
      if (bytes[0] === 0x0a) bytes = bytes.subarray(1)
    }
    if (!this.discardingLine) return bytes
    const lineBreak = lineBreakAt(bytes, 0)
    if (lineBreak === -1) return Buffer.alloc(0)
    this.discardingLine = false
    return this.afterLineBreak(bytes, lineBreak)
  }

  // The bytes after the line break at `index`, CRLF counted as one break even when it is split between chunks.
  private afterLineBreak(bytes: Buffer, index: number): Buffer {
    if (bytes[index] === 0x0d) {
      if (index + 1 === bytes.length) this.skipLeadingLineFeed = true
      else if (bytes[index + 1] === 0x0a) return bytes.subarray(index + 2)
    }
    return bytes.subarray(index + 1)
  }

  private trimPending(): void {
    while (this.pending.length > 0) {
      const first = this.pending[0]!
      if (this.pendingStart + first.length > this.boundary) break
      this.pending.shift()
      this.pendingStart += first.length
    }
    if (this.pending.length > 0 && this.boundary > this.pendingStart) {
      this.pending[0] = this.pending[0]!.subarray(this.boundary - this.pendingStart)
      this.pendingStart = this.boundary
    }
  }

  // Reports the record the parser stopped at and returns the bytes to start a new parser with.
  private recover(error: unknown): Buffer {
    const resync = this.resync
    if (!(error instanceof Resync) && resync === undefined) {
      throw error instanceof Fatal ? error : new Fatal(this.parserFailure(error))
    }
    const { error: csvError, raw } = resync ?? (error as Resync)
    const source = this.settings.source
    const leading = leadingLineBreakLength(raw)
    const line = this.lineAtBoundary + countLineBreaks(raw, 0, leading)
    const errorLine = this.lineAtBoundary + countLineBreaks(raw)
    const columnIndex = typeof csvError.column === "number" ? csvError.column : undefined
    const column = columnIndex === undefined ? undefined : this.header?.[columnIndex]
    const multiline = countLineBreaks(raw, leading) > 0
    const reason = this.describeParseError(csvError, line, errorLine, column, multiline, raw)
    if (this.header === undefined) {
      throw new Fatal(
        reason._tag === "FieldTooLarge"
          ? reason
          : SourceErrorReason.MalformedFile({ source, line, detail: `the header is malformed: ${this.detail(reason)}` })
      )
    }
    this.rowNumber++
    this.out.push({
      _tag: "SourceRowRejected",
      rowNumber: this.rowNumber,
      line,
      reason,
      raw: excerpt(firstLine(raw.slice(leading)))
    })
    // Start again on the line after the one where the bad record started, with the bytes kept since its start.
    const kept = Buffer.concat(this.pending)
    const recordStart = this.boundary - this.pendingStart
    let offset = recordStart
    while (offset < kept.length && (kept[offset] === 0x0a || kept[offset] === 0x0d)) offset++
    const lineBreak = lineBreakAt(kept, offset)
    this.parser.destroy()
    this.parser = this.makeParser()
    this.lineAtBoundary = line + 1
    if (lineBreak === -1) {
      // The line goes on in chunks not read yet: drop them up to its end.
      this.discardingLine = true
      return Buffer.alloc(0)
    }
    return this.afterLineBreak(kept, lineBreak)
  }

  private detail(reason: SourceErrorReason): string {
    return reason._tag === "MalformedRow" ? reason.detail : describe(reason)
  }

  private describeParseError(
    error: CsvError,
    line: number,
    errorLine: number,
    column: string | undefined,
    multiline: boolean,
    raw: string
  ): SourceErrorReason {
    const source = this.settings.source
    const row = this.header === undefined ? 0 : this.rowNumber + 1
    const malformed = (detail: string) => SourceErrorReason.MalformedRow({ source, row, line, column, detail })
    const where = errorLine === line ? "" : ` (line ${errorLine})`
    switch (error.code) {
      case "CSV_QUOTE_NOT_CLOSED":
        return malformed(`unclosed quote${inColumn(column)}`)
      case "CSV_INVALID_CLOSING_QUOTE":
        return multiline
          ? malformed(`unclosed quote${inColumn(column)} (the record ran on to line ${errorLine})`)
          : malformed(`a closing quote${inColumn(column)} is not followed by a delimiter or the end of the line`)
      case "INVALID_OPENING_QUOTE":
        return malformed(`a quote inside the unquoted value${inColumn(column)}`)
      case "CSV_MAX_RECORD_SIZE":
        return multiline
          ? malformed(
              `unclosed quote${inColumn(column)}: the record ran past ${this.settings.maxRecordBytes} bytes${where}`
            )
          : SourceErrorReason.FieldTooLarge({
              source,
              row,
              line,
              column,
              bytes: byteLength(raw),
              limit: this.settings.maxRecordBytes
            })
      default:
        return malformed(error.message)
    }
  }

  private parserFailure(error: unknown): SourceErrorReason {
    return SourceErrorReason.MalformedFile({
      source: this.settings.source,
      line: this.lineAtBoundary,
      detail: error instanceof Error ? error.message : String(error)
    })
  }
}

const invalidOptions = (source: string, detail: string): Stream.Stream<never, SourceError> =>
  Stream.fail(new SourceError({ reason: SourceErrorReason.InvalidOptions({ source, detail }) }))

const checkLimit = (name: string, value: number | undefined): string | undefined =>
  value === undefined || (Number.isInteger(value) && value > 0) ? undefined : `${name} must be a positive integer`

// Both limits with their defaults: a record limit below the default field limit lowers the field limit with it.
const resolveLimits = (options: {
  readonly maxFieldBytes?: number | undefined
  readonly maxRecordBytes?: number | undefined
}): { readonly maxFieldBytes: number; readonly maxRecordBytes: number } | string => {
  const problem =
    checkLimit("maxFieldBytes", options.maxFieldBytes) ?? checkLimit("maxRecordBytes", options.maxRecordBytes)
  if (problem !== undefined) return problem
  const maxRecordBytes = options.maxRecordBytes ?? Math.max(defaultMaxRecordBytes, options.maxFieldBytes ?? 0)
  const maxFieldBytes = options.maxFieldBytes ?? Math.min(defaultMaxFieldBytes, maxRecordBytes)
  return maxRecordBytes < maxFieldBytes
    ? "maxRecordBytes must be at least maxFieldBytes"
    : { maxFieldBytes, maxRecordBytes }
}

/**
 * A CSV file, streamed with csv-parse.
 *
 * **Details**
 *
 * The first record is the header (unless `columns` is given); column names are trimmed. Quoted fields may hold
 * delimiters, doubled quotes and line breaks; LF, CRLF and CR all end records; empty lines are skipped; a byte order
 * mark is removed. Values are the raw strings.
 *
 * Per record, rejected and skipped (the rest of the file still arrives): broken quoting, a number of fields that
 * differs from the header, a value over `maxFieldBytes`, a record over `maxRecordBytes`. After a quoting error the
 * reader resumes on the line after the one where the bad record started, so an unclosed quote costs its own row and
 * not the rest of the file.
 *
 * Invalid UTF-8 in a data record rejects that record alone (`InvalidEncoding`, with its row, line, byte offset and
 * column); the rest of the file still arrives.
 *
 * Fatal: see {@link SourceErrorReason}; in particular a header that is one column containing `;`, tab, `|` or `,`
 * (`WrongDelimiter`) and invalid bytes in the header or, for `utf-16le`, anywhere (`InvalidEncoding`, with line and
 * byte offset).
 *
 * **Gotchas**
 *
 * - The recovery guesses: if a quoted field legitimately spans lines and is broken further down, its continuation
 *   lines are read as records of their own. They are almost always rejected as well (a stray quote, a wrong number of
 *   fields), so the damage is more rejections, but a continuation line with exactly the header's number of fields
 *   would be read as a row.
 * - Memory is bounded by `maxRecordBytes` plus a 64 KiB chunk, whatever the file size.
 *
 * @since 0.1.0
 * @category constructors
 */
export const csv = (options: CsvOptions): Source => {
  const source = options.path
  const delimiter = options.delimiter ?? ","
  const encoding = options.encoding ?? "utf-8"
  const limits = resolveLimits(options)
  const problem =
    delimiter === "" || /["\r\n]/.test(delimiter)
      ? `the delimiter ${JSON.stringify(delimiter)} must be non-empty and hold no quote or line break`
      : !(csvEncodings as ReadonlyArray<string>).includes(encoding)
        ? `unknown encoding ${JSON.stringify(encoding)} (${csvEncodings.join(", ")})`
        : typeof limits === "string"
          ? limits
          : undefined
  if (problem !== undefined || typeof limits === "string") {
    return { name: source, rows: invalidOptions(source, problem ?? String(limits)) }
  }
  const settings: CsvSettings = {
    source,
    path: options.path,
    delimiter,
    encoding,
    ...limits,
    columns: options.columns,
    allowEmpty: options.allowEmpty ?? false
  }
  return { name: source, rows: fromBatches(source, options.path, () => csvBatches(settings)) }
}

async function* csvBatches(settings: CsvSettings): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const faults: Array<EncodingFault> = []
  const decoder = new Decoder(settings.source, settings.encoding, settings.encoding === "utf-8" ? faults : undefined)
  const reader = new CsvReader(settings, faults)
  try {
    for await (const chunk of fileChunks(settings.source, settings.path)) {
      await reader.feed(decoder.push(chunk), false)
      const items = reader.take()
      if (items.length > 0) yield items
    }
    await reader.feed(decoder.end(), true)
  } catch (error) {
    throw await withEncodingLine(error, settings.path, settings.encoding)
  }
  const items = reader.take()
  if (items.length > 0) yield items
  if (!reader.hasHeader) throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Header" }))
  if (reader.rows === 0 && !settings.allowEmpty) {
    throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Rows" }))
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// NDJSON and JSON
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Options of {@link ndjson} and {@link json}.
 *
 * **Details**
 *
 * - `path`: the file, UTF-8 (RFC 8259); a byte order mark is removed.
 * - `maxFieldBytes`: largest string value, in UTF-8 bytes (default 1 MiB, or `maxRecordBytes` if that is smaller); a
 *   larger one rejects its row.
 * - `maxRecordBytes`: largest line (NDJSON) or array element (JSON) held in memory (default 16 MiB, never below
 *   `maxFieldBytes`); a larger one is skipped without being held and rejected.
 * - `allowEmpty`: accept a file without rows (default `false`).
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonOptions {
  readonly path: string
  readonly maxFieldBytes?: number | undefined
  readonly maxRecordBytes?: number | undefined
  readonly allowEmpty?: boolean | undefined
}

interface JsonSettings {
  readonly source: string
  readonly path: string
  readonly maxFieldBytes: number
  readonly maxRecordBytes: number
  readonly allowEmpty: boolean
}

const jsonSettings = (options: JsonOptions): JsonSettings | string => {
  const limits = resolveLimits(options)
  if (typeof limits === "string") return limits
  return { source: options.path, path: options.path, ...limits, allowEmpty: options.allowEmpty ?? false }
}

const describeJsonType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

// One parsed line or element as a row or a rejection.
const jsonItem = (settings: JsonSettings, text: string, rowNumber: number, line: number): SourceItem => {
  const source = settings.source
  const reject = (reason: SourceErrorReason): SourceRowRejected => ({
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
  const values: Record<string, SourceValue> = {}
  for (const [name, value] of Object.entries(parsed)) {
    const flat: SourceValue =
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

const tooLarge = (settings: JsonSettings, rowNumber: number, line: number, bytes: number): SourceRowRejected => ({
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

/**
 * A newline-delimited JSON file: one JSON object per line, read line by line.
 *
 * **Details**
 *
 * Blank lines are skipped. A line that is not JSON, or not an object, is rejected with its line number and the parse
 * error, and the next line is read as usual; so is a line over `maxRecordBytes`, which is skipped without being held
 * in memory. Nested values (objects, arrays) are given as their JSON text. Invalid UTF-8 is fatal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ndjson = (options: JsonOptions): Source => {
  const settings = jsonSettings(options)
  if (typeof settings === "string") return { name: options.path, rows: invalidOptions(options.path, settings) }
  return { name: settings.source, rows: fromBatches(settings.source, settings.path, () => ndjsonBatches(settings)) }
}

async function* ndjsonBatches(settings: JsonSettings): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const decoder = new Decoder(settings.source, "utf-8")
  let pieces: Array<Buffer> = []
  let pieceBytes = 0
  let discarded = 0
  let line = 1
  let rowNumber = 0
  let out: Array<SourceItem> = []
  const endLine = () => {
    if (discarded > 0) {
      rowNumber++
      out.push(tooLarge(settings, rowNumber, line, discarded + pieceBytes))
    } else if (pieceBytes > 0) {
      const text = (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)).toString("utf8")
      if (text.trim() !== "") {
        rowNumber++
        out.push(jsonItem(settings, text, rowNumber, line))
      }
    }
    pieces = []
    pieceBytes = 0
    discarded = 0
    line++
  }
  const add = (bytes: Buffer) => {
    if (bytes.length === 0) return
    if (discarded > 0 || pieceBytes + bytes.length > settings.maxRecordBytes) {
      discarded += pieceBytes + bytes.length
      pieces = []
      pieceBytes = 0
      return
    }
    pieces.push(bytes)
    pieceBytes += bytes.length
  }
  const scan = (bytes: Buffer) => {
    let start = 0
    let lineFeed = bytes.indexOf(0x0a, start)
    while (lineFeed !== -1) {
      add(bytes.subarray(start, lineFeed))
      endLine()
      start = lineFeed + 1
      lineFeed = bytes.indexOf(0x0a, start)
    }
    add(bytes.subarray(start))
  }
  try {
    for await (const chunk of fileChunks(settings.source, settings.path)) {
      scan(decoder.push(chunk))
      if (out.length > 0) {
        yield out
        out = []
      }
    }
    scan(decoder.end())
  } catch (error) {
    throw await withEncodingLine(error, settings.path, "utf-8")
  }
  endLine()
  if (out.length > 0) yield out
  if (rowNumber === 0 && !settings.allowEmpty) {
    throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Rows" }))
  }
}

/**
 * A JSON file holding one array of objects, streamed element by element.
 *
 * **Details**
 *
 * The file is scanned, not parsed whole: memory stays flat for any number of elements (each element is held alone,
 * up to `maxRecordBytes`). An element that is not valid JSON, or not an object, is rejected with the line where it
 * starts, and the next element is read as usual. Nested values are given as their JSON text.
 *
 * Fatal (`MalformedFile`, naming the line): a top level that is not an array, brackets that do not match, a missing
 * comma between elements, a trailing comma, anything after the closing `]`, and an end of file inside the array.
 * Invalid UTF-8 is fatal too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (options: JsonOptions): Source => {
  const settings = jsonSettings(options)
  if (typeof settings === "string") return { name: options.path, rows: invalidOptions(options.path, settings) }
  return { name: settings.source, rows: fromBatches(settings.source, settings.path, () => jsonBatches(settings)) }
}

const isJsonSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

/** Splits a JSON array into its elements' texts, tracking strings and nesting byte by byte. */
class JsonArrayScanner {
  private phase: "start" | "beforeElement" | "afterElement" | "element" | "end" = "start"
  private afterComma = false
  private readonly stack: Array<number> = []
  private inString = false
  private escaped = false
  private kind: "container" | "string" | "literal" = "container"
  private pieces: Array<Buffer> = []
  private pieceBytes = 0
  private discarded = 0
  private elementLine = 1
  private line = 1
  private rowNumber = 0
  readonly out: Array<SourceItem> = []

  constructor(private readonly settings: JsonSettings) {}

  get rows(): number {
    return this.rowNumber
  }

  private fail(detail: string): never {
    throw new Fatal(SourceErrorReason.MalformedFile({ source: this.settings.source, line: this.line, detail }))
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return
    if (this.discarded > 0 || this.pieceBytes + bytes.length > this.settings.maxRecordBytes) {
      this.discarded += this.pieceBytes + bytes.length
      this.pieces = []
      this.pieceBytes = 0
      return
    }
    this.pieces.push(bytes)
    this.pieceBytes += bytes.length
  }

  private endElement(): void {
    this.rowNumber++
    if (this.discarded > 0) {
      this.out.push(tooLarge(this.settings, this.rowNumber, this.elementLine, this.discarded + this.pieceBytes))
    } else {
      const text = Buffer.concat(this.pieces).toString("utf8")
      this.out.push(jsonItem(this.settings, text, this.rowNumber, this.elementLine))
    }
    this.pieces = []
    this.pieceBytes = 0
    this.discarded = 0
    this.phase = "afterElement"
  }

  scan(bytes: Buffer): void {
    let elementStart = this.phase === "element" ? 0 : -1
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!
      if (byte === 0x0a) this.line++
      switch (this.phase) {
        case "start":
          if (isJsonSpace(byte)) continue
          if (byte !== 0x5b) this.fail(`the file is not a JSON array (it starts with \`${String.fromCharCode(byte)}\`)`)
          this.phase = "beforeElement"
          this.afterComma = false
          continue
        case "end":
          if (!isJsonSpace(byte)) this.fail(`\`${String.fromCharCode(byte)}\` after the end of the array`)
          continue
        case "afterElement":
          if (isJsonSpace(byte)) continue
          if (byte === 0x2c) {
            this.phase = "beforeElement"
            this.afterComma = true
          } else if (byte === 0x5d) this.phase = "end"
          else this.fail(`\`${String.fromCharCode(byte)}\` where a comma or \`]\` should be (a missing comma?)`)
          continue
        case "beforeElement":
          if (isJsonSpace(byte)) continue
          if (byte === 0x5d) {
            if (this.afterComma) this.fail("a trailing comma before `]`")
            this.phase = "end"
            continue
          }
          if (byte === 0x2c) this.fail("an empty element (two commas)")
          this.phase = "element"
          this.elementLine = this.line
          elementStart = index
          if (byte === 0x7b || byte === 0x5b) {
            this.kind = "container"
            this.stack.push(byte === 0x7b ? 0x7d : 0x5d)
          } else if (byte === 0x22) {
            this.kind = "string"
            this.inString = true
          } else {
            this.kind = "literal"
          }
          continue
        case "element": {
          if (this.inString) {
            if (this.escaped) this.escaped = false
            else if (byte === 0x5c) this.escaped = true
            else if (byte === 0x22) {
              this.inString = false
              if (this.kind === "string") {
                this.keep(bytes.subarray(elementStart, index + 1))
                elementStart = -1
                this.endElement()
              }
            }
            continue
          }
          if (this.kind === "literal") {
            if (byte === 0x2c || byte === 0x5d || isJsonSpace(byte)) {
              this.keep(bytes.subarray(elementStart, index))
              elementStart = -1
              this.endElement()
              // The byte that ended the literal belongs to what follows it.
              if (byte === 0x0a) this.line--
              index--
            }
            continue
          }
          if (byte === 0x22) this.inString = true
          else if (byte === 0x7b) this.stack.push(0x7d)
          else if (byte === 0x5b) this.stack.push(0x5d)
          else if (byte === 0x7d || byte === 0x5d) {
            const expected = this.stack.pop()
            if (expected !== byte) {
              this.fail(
                `\`${String.fromCharCode(byte)}\` closes \`${expected === 0x7d ? "{" : "["}\` in the element of line ${this.elementLine}`
              )
            }
            if (this.stack.length === 0) {
              this.keep(bytes.subarray(elementStart, index + 1))
              elementStart = -1
              this.endElement()
            }
          }
          continue
        }
      }
    }
    if (this.phase === "element" && elementStart !== -1) this.keep(bytes.subarray(elementStart))
  }

  end(): void {
    if (this.phase === "element" && this.kind === "literal" && !this.inString) this.endElement()
    if (this.phase === "start")
      throw new Fatal(SourceErrorReason.Empty({ source: this.settings.source, missing: "Rows" }))
    if (this.phase !== "end") this.fail("the file ends inside the array (a missing `]`?)")
  }
}

async function* jsonBatches(settings: JsonSettings): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const decoder = new Decoder(settings.source, "utf-8")
  const scanner = new JsonArrayScanner(settings)
  try {
    for await (const chunk of fileChunks(settings.source, settings.path)) {
      scanner.scan(decoder.push(chunk))
      if (scanner.out.length > 0) yield scanner.out.splice(0, scanner.out.length)
    }
    scanner.scan(decoder.end())
  } catch (error) {
    throw await withEncodingLine(error, settings.path, "utf-8")
  }
  scanner.end()
  if (scanner.out.length > 0) yield scanner.out.splice(0, scanner.out.length)
  if (scanner.rows === 0 && !settings.allowEmpty) {
    throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Rows" }))
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Options of {@link postgres}.
 *
 * **Details**
 *
 * - `url`: a `postgres://` connection URL (a `Redacted` keeps it out of logs).
 * - `query`: one `SELECT` (or `VALUES`, `TABLE`, `WITH … SELECT`); a trailing semicolon is allowed.
 * - `batchSize`: rows fetched per round trip (default 1,000).
 * - `allowEmpty`: accept a query without rows (default `false`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresOptions {
  readonly url: string | Redacted.Redacted<string>
  readonly query: string
  readonly batchSize?: number | undefined
  readonly allowEmpty?: boolean | undefined
}

// The URL without its password, to name the source.
const safeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.password = ""
    return parsed.toString()
  } catch {
    return "postgres"
  }
}

const postgresValue = (value: unknown): SourceValue => {
  if (value === null || value === undefined) return null
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString()
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`
  return JSON.stringify(value)
}

interface FetchResult {
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly fields: ReadonlyArray<{ readonly name: string }>
}

const isFetchResult = (value: unknown): value is FetchResult =>
  typeof value === "object" &&
  value !== null &&
  Array.isArray((value as FetchResult).rows) &&
  Array.isArray((value as FetchResult).fields)

/**
 * A PostgreSQL query, streamed through a server-side cursor.
 *
 * **Details**
 *
 * The query runs in a read-only `REPEATABLE READ` transaction (one consistent snapshot for the whole read, and a
 * source can never write) as `DECLARE … NO SCROLL CURSOR`, fetched `batchSize` rows at a time on one reserved
 * connection: memory holds one batch, whatever the result size. The transaction is rolled back when the stream ends,
 * fails or is interrupted.
 *
 * Values: `text`, `integer`, `real`, `boolean` and `NULL` as they are; `bigint` and `numeric` as strings (they do not
 * fit a JavaScript number exactly); timestamps as ISO 8601 strings (`timestamp without time zone` is read in the
 * process's time zone); `bytea` as `\x` hex; JSON and arrays as JSON text.
 *
 * Fatal: `QueryFailed` for a refused connection or a failing query (with the server's message), `DuplicateColumn`
 * when two result columns share a name, `Empty` for no rows (unless `allowEmpty`). `rowNumber` and `line` are both
 * the row's position in the result.
 *
 * @since 0.1.0
 * @category constructors
 */
export const postgres = (options: PostgresOptions): Source => {
  const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
  Redact.registerUrlPassword(Redacted.value(url))
  const source = safeUrl(Redacted.value(url))
  const batchSize = options.batchSize ?? 1000
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    return { name: source, rows: invalidOptions(source, "batchSize must be a positive integer") }
  }
  const query = options.query.trim().replace(/;\s*$/, "")
  const allowEmpty = options.allowEmpty ?? false
  const failed =
    (what: string) =>
    (cause: unknown): SourceError => {
      const inner = typeof cause === "object" && cause !== null && "cause" in cause ? cause.cause : cause
      const detail = inner instanceof Error ? inner.message : String(inner)
      return new SourceError({ reason: SourceErrorReason.QueryFailed({ source, detail: `${what}: ${detail}`, cause }) })
    }
  const rows = Effect.gen(function* () {
    const sql = yield* PgClient.make({ url, applicationName: "profilesync source" }).pipe(
      Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
      Effect.mapError(failed("cannot connect"))
    )
    const connection: SqlConnection.Connection = yield* Effect.mapError(sql.reserve, failed("cannot connect"))
    const run = (statement: string) => Effect.mapError(connection.executeRaw(statement, []), failed("the query failed"))
    yield* run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    yield* Effect.addFinalizer(() => Effect.ignore(connection.executeRaw("ROLLBACK", [])))
    yield* run(`DECLARE profilesync_source NO SCROLL CURSOR FOR ${query}`)
    let rowNumber = 0
    let checkedColumns = false
    const fetch = Effect.flatMap(run(`FETCH FORWARD ${batchSize} FROM profilesync_source`), (result) => {
      if (!isFetchResult(result)) return Effect.fail(failed("the query failed")(new Error("unexpected result")))
      if (!checkedColumns) {
        checkedColumns = true
        const names = result.fields.map((field) => field.name)
        const duplicate = names.find((name, index) => names.indexOf(name) !== index)
        if (duplicate !== undefined) {
          const positions = names.flatMap((name, index) => (name === duplicate ? [index + 1] : []))
          return Effect.fail(
            new SourceError({ reason: SourceErrorReason.DuplicateColumn({ source, column: duplicate, positions }) })
          )
        }
      }
      if (result.rows.length === 0) {
        return rowNumber === 0 && !allowEmpty
          ? Effect.fail(new SourceError({ reason: SourceErrorReason.Empty({ source, missing: "Rows" }) }))
          : Effect.succeed(Option.none<Chunk.Chunk<SourceItem>>())
      }
      const batch: Array<SourceItem> = result.rows.map((row) => {
        rowNumber++
        const values: Record<string, SourceValue> = {}
        for (const field of result.fields) setValue(values, field.name, postgresValue(row[field.name]))
        return { _tag: "SourceRow", rowNumber, line: rowNumber, values }
      })
      return Effect.succeed(Option.some(Chunk.unsafeFromArray(batch)))
    })
    return Stream.repeatEffectChunkOption(
      fetch.pipe(
        Effect.mapError(Option.some),
        Effect.flatMap(Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed }))
      )
    )
  })
  return { name: source, rows: Stream.unwrapScoped(rows) }
}
