/**
 * Splits a JSON array into its elements' texts, tracking strings and nesting byte by byte, so that a file of any
 * size is read in flat memory. The hot path of a JSON source: any change here is measured first.
 *
 * @internal
 */
import { isUtf8 } from "node:buffer"
import type * as Source from "../Source.ts"
import { Fatal, SourceErrorReason } from "./sourceError.ts"
import { invalidUtf8Item, type JsonSettings, jsonItem, tooLarge } from "./sourceJsonRecord.ts"

export const isJsonSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

/** Splits a JSON array into its elements' texts, tracking strings and nesting byte by byte. */
export class JsonArrayScanner {
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
  readonly out: Array<Source.SourceItem> = []

  // The file offset of the current element's first byte, for the position of invalid UTF-8.
  private elementOffset = 0

  /** `sawInvalidUtf8`: whether the decoder passed invalid UTF-8 on; then each element's bytes are checked. */
  constructor(
    private readonly settings: JsonSettings,
    private readonly sawInvalidUtf8: () => boolean
  ) {}

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
      const bytes = Buffer.concat(this.pieces)
      this.out.push(
        this.sawInvalidUtf8() && !isUtf8(bytes)
          ? invalidUtf8Item(this.settings, bytes, {
              rowNumber: this.rowNumber,
              line: this.elementLine,
              byteOffset: this.elementOffset,
              arrayIndex: this.rowNumber - 1
            })
          : jsonItem(this.settings, bytes.toString("utf8"), this.rowNumber, this.elementLine)
      )
    }
    this.pieces = []
    this.pieceBytes = 0
    this.discarded = 0
    this.phase = "afterElement"
  }

  /** Scans the next bytes; `byteOffset` is the file offset of their first byte. */
  scan(bytes: Buffer, byteOffset: number): void {
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
          this.elementOffset = byteOffset + index
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
