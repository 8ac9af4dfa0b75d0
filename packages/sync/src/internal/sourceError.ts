/**
 * The error of every source kind: the reason constructors, the sentence that describes a reason, the `SourceError`
 * class that `Source` re-exports, and the `Fatal` exception the file readers throw from inside parser callbacks.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as Source from "../Source.ts"

/** @internal */
export const SourceErrorReason = Data.taggedEnum<Source.SourceErrorReason>()

const displayDelimiter = (delimiter: string): string => (delimiter === "\t" ? "tab" : `\`${delimiter}\``)

const rowPosition = (row: number, line: number): string =>
  row === 0 ? `the header (line ${line})` : `row ${row} (line ${line})`

/** ` in column `name`` when the column is known. @internal */
export const inColumn = (column: string | undefined): string => (column === undefined ? "" : ` in column \`${column}\``)

/** A sentence describing a reason, naming the source, row, line and column where known. @internal */
export const describe = (reason: Source.SourceErrorReason): string => {
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
    case "MissingDriver":
      return (
        `${reason.source}: reading this source needs the driver ${reason.packageName}, which cannot be loaded ` +
        `(install it: npm i ${reason.packageName}): ${reason.detail}`
      )
  }
}

/**
 * The only error of a source. Branch on `reason._tag`, never on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export class SourceError extends Data.TaggedError("SourceError")<{ readonly reason: Source.SourceErrorReason }> {
  override get message(): string {
    return describe(this.reason)
  }
}

/** A fatal problem found inside a parser callback or a generator; the stream turns it into a `SourceError`. @internal */
export class Fatal extends Error {
  constructor(readonly reason: Source.SourceErrorReason) {
    super(describe(reason))
  }
}
