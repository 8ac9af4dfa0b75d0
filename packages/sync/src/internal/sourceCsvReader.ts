/**
 * The CSV reader: turns UTF-8 bytes into rows and rejections, splitting lines without a quote directly and handing
 * the rest to csv-parse, which it restarts after a bad record so that a broken quote costs its own row only. The hot
 * path of a CSV source: any change here is measured first (`bench/mapping.ts`). Over 400 lines because it is one
 * state machine (the kept bytes, the line count, the parser restart and the switch between the two paths depend on
 * each other) that reads best whole.
 *
 * @internal
 */
import { type CsvError, Parser } from "csv-parse"
import type { CsvEncoding } from "../Source/Csv.ts"
import type * as Source from "../Source.ts"
import { suggestDelimiter, validateHeader } from "./sourceCsvHeader.ts"
import { completeLinesLength, countByteLineBreaks, leadingLineBreaks } from "./sourceCsvLines.ts"
import type { EncodingFault } from "./sourceDecoder.ts"
import { describe, Fatal, inColumn, SourceErrorReason } from "./sourceError.ts"
import {
  byteLength,
  chunkBytes,
  countLineBreaks,
  exceedsBytes,
  excerpt,
  firstLine,
  leadingLineBreakLength,
  setValue,
  trimEndLineBreaks
} from "./sourceFile.ts"

export interface CsvSettings {
  readonly source: string
  readonly path: string
  readonly delimiter: string
  readonly encoding: CsvEncoding
  readonly maxFieldBytes: number
  readonly maxRecordBytes: number
  readonly columns: ReadonlyArray<string> | undefined
  readonly allowEmpty: boolean
  /** Split lines without a quote directly (default); `false` sends everything through csv-parse (tests compare). */
  readonly splitPlainLines?: boolean | undefined
}

// Thrown from csv-parse's `on_skip` to stop the parser at the first error of a record; see `CsvReader.resync`.
export class Resync extends Error {
  constructor(
    readonly error: CsvError,
    readonly raw: string
  ) {
    super(error.message)
  }
}

// The longest unfinished line kept for the next chunk.
const carryLimit = 4 * chunkBytes

export interface ParsedRecord {
  readonly record: Array<string>
  readonly raw: string
}

export const lineBreakAt = (bytes: Buffer, from: number): number => {
  for (let index = from; index < bytes.length; index++) {
    const byte = bytes[index]
    if (byte === 0x0a || byte === 0x0d) return index
  }
  return -1
}

/**
 * Turns UTF-8 bytes into rows and rejections.
 *
 * **Two paths**
 *
 * The bytes arrive in blocks cut after a line break (the rest waits for the next chunk). A block without a quote,
 * given while csv-parse holds no unfinished record, is split into lines and fields directly: without quotes a record
 * is one line and a field is what lies between delimiters, so there is nothing to parse and nothing that can break
 * (papaparse's "fast mode" does the same). Any other block goes through csv-parse; once csv-parse holds nothing with
 * a quote at the end of a block, it is ended and the next plain block is split directly again. Both paths give the
 * same rows, line numbers and rejections (a property test compares them).
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
 * Physical lines are counted here, from each record's raw text (csv-parse counts a CRLF inside quotes twice) and,
 * for the empty lines before a record, from the bytes (see `leadingLineBreaks`).
 */
export class CsvReader {
  private parser: Parser
  // Whether nothing was given to `parser` yet: only then may a block be split directly.
  private idle = true
  private readonly out: Array<Source.SourceItem> = []
  // The end of the last block, not cut into lines yet (at most one line, or one block of an over-long line).
  private carry: Buffer = Buffer.alloc(0)
  // The line the end of the last block given to csv-parse is on, for when csv-parse is ended there.
  private lineAfterBlock = 1
  // Bytes given to the current parser since the end of its last record (`boundary`), to start again from.
  private pending: Array<Buffer> = []
  private pendingStart = 0
  private boundary = 0
  private lineAtBoundary = 1
  private discardingLine = false
  private skipLeadingLineFeed = false
  private header: ReadonlyArray<string> | undefined
  // Whether a column is named `__proto__` (then each value is set with `setValue`, slower but safe).
  private protoColumn = false
  private rowNumber = 0
  private resync: Resync | undefined

  constructor(
    private readonly settings: CsvSettings,
    // Invalid UTF-8 the decoder replaced, in file order: the records they fall in are rejected.
    private readonly faults: Array<EncodingFault> = []
  ) {
    if (settings.columns !== undefined) this.setHeader(validateHeader(settings.source, settings.columns))
    this.parser = this.makeParser()
  }

  private setHeader(header: ReadonlyArray<string>): void {
    this.header = header
    this.protoColumn = header.includes("__proto__")
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

  take(): Array<Source.SourceItem> {
    return this.out.splice(0, this.out.length)
  }

  private makeParser(): Parser {
    this.idle = true
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
    const line = this.lineAtBoundary + leadingLineBreaks(this.pending, this.boundary - this.pendingStart)
    this.lineAtBoundary = line + countLineBreaks(raw, leading)
    this.boundary = endOffset
    const lastLine = this.faults.length === 0 ? line : line + countLineBreaks(trimEndLineBreaks(raw), leading)
    this.accept(record, raw.slice(leading), line, lastLine)
  }

  // A record on lines `line` to `lastLine` (`raw`: its text from its first line on), as the header, a row or a rejection.
  private accept(record: Array<string>, raw: string, line: number, lastLine: number): void {
    const source = this.settings.source
    const fault = this.faults.length === 0 ? undefined : this.faultIn(line, lastLine)
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
        const suggested = suggestDelimiter(firstLine(raw), this.settings.delimiter)
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
      this.setHeader(validateHeader(source, names))
      return
    }
    const header = this.header
    const rowNumber = ++this.rowNumber
    if (fault !== undefined) {
      const index = record.findIndex((value) => value.includes("\uFFFD"))
      this.reject(
        rowNumber,
        line,
        raw,
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
      this.reject(
        rowNumber,
        line,
        raw,
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
    const maxFieldBytes = this.settings.maxFieldBytes
    const values: Record<string, Source.SourceValue> = {}
    for (let index = 0; index < header.length; index++) {
      const value = record[index]!
      if (exceedsBytes(value, maxFieldBytes)) {
        this.reject(
          rowNumber,
          line,
          raw,
          SourceErrorReason.FieldTooLarge({
            source,
            row: rowNumber,
            line,
            column: header[index],
            bytes: byteLength(value),
            limit: maxFieldBytes
          })
        )
        return
      }
      if (this.protoColumn) setValue(values, header[index]!, value)
      else values[header[index]!] = value
    }
    this.out.push({ _tag: "SourceRow", rowNumber, line, values })
  }

  private reject(rowNumber: number, line: number, raw: string, reason: Source.SourceErrorReason): void {
    this.out.push({ _tag: "SourceRowRejected", rowNumber, line, reason, raw: excerpt(firstLine(raw)) })
  }

  // A block of lines without a quote (ending after a line break unless `end`), split directly.
  private splitLines(bytes: Buffer, end: boolean): void {
    const text = bytes.toString("utf8")
    const lines = text.includes("\r") ? text.split(/\r\n|\r|\n/) : text.split("\n")
    // Unless at the end, the block ends with a line break and the last piece is empty.
    const count = end ? lines.length : lines.length - 1
    const delimiter = this.settings.delimiter
    for (let index = 0; index < count; index++) {
      const line = lines[index]!
      const lineNumber = this.lineAtBoundary++
      // Empty lines are skipped, as csv-parse's `skip_empty_lines` does.
      if (line.length > 0) this.accept(line.split(delimiter), line, lineNumber, lineNumber)
    }
  }

  // Whether a block can be split directly: csv-parse holds nothing, no quote, no record over the size limit.
  private isPlain(bytes: Buffer): boolean {
    if (!this.idle || this.settings.splitPlainLines === false) return false
    return bytes.length <= this.settings.maxRecordBytes && bytes.indexOf(0x22) === -1
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
   * Gives the reader the next bytes (`end`: and nothing after them). Everything after the last line break waits for
   * the next call (unless it is over `carryLimit`: csv-parse then takes it in pieces), so that each block ends on a
   * line.
   */
  async feed(input: Buffer, end: boolean): Promise<void> {
    let block = this.carry.length === 0 ? input : Buffer.concat([this.carry, input])
    this.carry = Buffer.alloc(0)
    if (!end) {
      const complete = completeLinesLength(block)
      // A line longer than that goes to csv-parse in pieces rather than being copied again with each chunk.
      if (complete === 0 && block.length <= Math.min(carryLimit, this.settings.maxRecordBytes)) {
        this.carry = Buffer.from(block)
        return
      }
      if (complete > 0) {
        this.carry = Buffer.from(block.subarray(complete))
        block = block.subarray(0, complete)
      }
      await this.feedBlock(block, false, complete > 0)
    } else await this.feedBlock(block, true, true)
  }

  /**
   * One block (`whole`: it ends after a line break, or the file ends with it), split directly or given to
   * csv-parse. A bad record restarts the parser on the bytes after it, in this loop rather than by recursion, so a
   * file of a million bad lines needs no deep stack.
   */
  private async feedBlock(block: Buffer, end: boolean, whole: boolean): Promise<void> {
    let next: Buffer | undefined = block
    while (next !== undefined) {
      const bytes = this.skipDiscarded(next)
      if (whole && this.isPlain(bytes)) {
        this.splitLines(bytes, end)
        return
      }
      let error: unknown
      if (bytes.length > 0) {
        // The line the block ends on, for when the parser is ended there (its own count stops at its last record).
        this.lineAfterBlock = (this.idle ? this.lineAtBoundary : this.lineAfterBlock) + countByteLineBreaks(bytes)
        this.idle = false
        this.pending.push(bytes)
        error = await this.write(bytes)
        if (error === undefined) this.trimPending()
      }
      if (error === undefined && !this.idle && (end || (whole && this.holdsNoQuote()))) {
        // csv-parse holds the last record until it sees what follows; without a quote in it, it is complete.
        error = await this.finish()
        if (error === undefined) {
          this.parser = this.makeParser()
          this.lineAtBoundary = this.lineAfterBlock
        }
      }
      next = error === undefined ? undefined : this.recover(error)
    }
  }

  // Whether the bytes csv-parse holds (those after its last record) have no quote: it is not inside a quoted field.
  private holdsNoQuote(): boolean {
    return this.pending.every((bytes) => bytes.indexOf(0x22) === -1)
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
    const line = this.lineAtBoundary + leadingLineBreaks(this.pending, this.boundary - this.pendingStart)
    const errorLine = line + countLineBreaks(raw, leading)
    const columnIndex = typeof csvError.column === "number" ? csvError.column : undefined
    const column = columnIndex === undefined ? undefined : this.header?.[columnIndex]
    const multiline = countLineBreaks(raw, leading) > 0
    const reason = this.describeParseError(csvError, line, errorLine, column, multiline, raw.slice(leading))
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

  private detail(reason: Source.SourceErrorReason): string {
    return reason._tag === "MalformedRow" ? reason.detail : describe(reason)
  }

  private describeParseError(
    error: CsvError,
    line: number,
    errorLine: number,
    column: string | undefined,
    multiline: boolean,
    raw: string
  ): Source.SourceErrorReason {
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

  private parserFailure(error: unknown): Source.SourceErrorReason {
    return SourceErrorReason.MalformedFile({
      source: this.settings.source,
      line: this.lineAtBoundary,
      detail: error instanceof Error ? error.message : String(error)
    })
  }
}
