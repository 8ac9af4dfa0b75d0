/**
 * JSON sources: a newline-delimited JSON file (one object per line) and a JSON file holding one array of objects,
 * both read in flat memory, a bad line or element rejected on its own while the rest still arrives. Also available as
 * `Source.ndjson` and `Source.json`.
 *
 * @since 0.2.0
 */

import { isUtf8 } from "node:buffer"
import { Decoder } from "../internal/sourceDecoder.ts"
import { Fatal, SourceErrorReason } from "../internal/sourceError.ts"
import { fileChunks, fromBatches, invalidOptions } from "../internal/sourceFile.ts"
import { JsonArrayScanner } from "../internal/sourceJsonArray.ts"
import { invalidUtf8Item, type JsonSettings, jsonItem, jsonSettings, tooLarge } from "../internal/sourceJsonRecord.ts"
import type * as Source from "../Source.ts"

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

/**
 * A newline-delimited JSON file: one JSON object per line, read line by line.
 *
 * **Details**
 *
 * Blank lines are skipped. A line that is not JSON, or not an object, is rejected with its line number and the parse
 * error, and the next line is read as usual; so is a line over `maxRecordBytes`, which is skipped without being held
 * in memory. Nested values (objects, arrays) are given as their JSON text. A line with invalid UTF-8 is rejected on
 * its own (`InvalidEncoding`, naming its row, the line and byte offset of the first invalid byte, and the field that
 * holds it when the line parses with the bytes replaced).
 *
 * @since 0.1.0
 * @category constructors
 */
export const ndjson = (options: JsonOptions): Source.Source => {
  const settings = jsonSettings(options)
  if (typeof settings === "string") return { name: options.path, rows: invalidOptions(options.path, settings) }
  return { name: settings.source, rows: fromBatches(settings.source, settings.path, () => ndjsonBatches(settings)) }
}

async function* ndjsonBatches(settings: JsonSettings): AsyncGenerator<ReadonlyArray<Source.SourceItem>> {
  const decoder = new Decoder(settings.source, "utf-8", "report")
  let pieces: Array<Buffer> = []
  let pieceBytes = 0
  let discarded = 0
  let line = 1
  // The file offset of the current line's first byte, for the position of invalid UTF-8.
  let lineOffset = -1
  let rowNumber = 0
  let out: Array<Source.SourceItem> = []
  const endLine = () => {
    if (discarded > 0) {
      rowNumber++
      out.push(tooLarge(settings, rowNumber, line, discarded + pieceBytes))
    } else if (pieceBytes > 0) {
      const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)
      const text = bytes.toString("utf8")
      if (text.trim() !== "") {
        rowNumber++
        out.push(
          decoder.sawInvalid && !isUtf8(bytes)
            ? invalidUtf8Item(settings, bytes, { rowNumber, line, byteOffset: lineOffset })
            : jsonItem(settings, text, rowNumber, line)
        )
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
    // The decoder passes UTF-8 bytes through unchanged: `bytes` ends at its offset.
    const base = decoder.offset - bytes.length
    if (lineOffset === -1 && bytes.length > 0) lineOffset = base
    let start = 0
    let lineFeed = bytes.indexOf(0x0a, start)
    while (lineFeed !== -1) {
      add(bytes.subarray(start, lineFeed))
      endLine()
      start = lineFeed + 1
      lineOffset = base + start
      lineFeed = bytes.indexOf(0x0a, start)
    }
    add(bytes.subarray(start))
  }
  for await (const chunk of fileChunks(settings.source, settings.path)) {
    scan(decoder.push(chunk))
    if (out.length > 0) {
      yield out
      out = []
    }
  }
  scan(decoder.end())
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
 * An element with invalid UTF-8 is rejected on its own (`InvalidEncoding`, naming its row, its index in the array,
 * the line and byte offset of the first invalid byte, and the field that holds it when the element parses with the
 * bytes replaced); the elements after it are read as usual.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (options: JsonOptions): Source.Source => {
  const settings = jsonSettings(options)
  if (typeof settings === "string") return { name: options.path, rows: invalidOptions(options.path, settings) }
  return { name: settings.source, rows: fromBatches(settings.source, settings.path, () => jsonBatches(settings)) }
}

async function* jsonBatches(settings: JsonSettings): AsyncGenerator<ReadonlyArray<Source.SourceItem>> {
  const decoder = new Decoder(settings.source, "utf-8", "report")
  const scanner = new JsonArrayScanner(settings, () => decoder.sawInvalid)
  // The decoder passes UTF-8 bytes through unchanged: what it returns ends at its offset.
  const scan = (bytes: Buffer) => scanner.scan(bytes, decoder.offset - bytes.length)
  for await (const chunk of fileChunks(settings.source, settings.path)) {
    scan(decoder.push(chunk))
    if (scanner.out.length > 0) yield scanner.out.splice(0, scanner.out.length)
  }
  scan(decoder.end())
  scanner.end()
  if (scanner.out.length > 0) yield scanner.out.splice(0, scanner.out.length)
  if (scanner.rows === 0 && !settings.allowEmpty) {
    throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Rows" }))
  }
}
