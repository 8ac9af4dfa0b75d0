/**
 * Turns a file's bytes into validated UTF-8, chunk by chunk: UTF-8 (validated, byte order mark removed), latin1,
 * windows-1252 and UTF-16LE, with the line and byte offset of the first invalid byte for error messages.
 *
 * @internal
 */
import { isUtf8, transcode } from "node:buffer"
import { TextDecoder } from "node:util"
import type { CsvEncoding } from "../Source/Csv.ts"
import { Fatal, SourceErrorReason } from "./sourceError.ts"
import { fileChunks } from "./sourceFile.ts"

// Index of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629 table 3-7), or -1.
export const firstInvalidUtf8 = (bytes: Uint8Array): number => {
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
 * throws `Fatal(InvalidEncoding)` with the file offset (the line is found later, see `withEncodingLine`), unless the
 * decoder is told where to report it (`faults`, or `"report"` for JSON).
 */
export class Decoder {
  private carry: Buffer = Buffer.alloc(0)
  private consumed = 0
  private started = false
  private readonly text: TextDecoder | undefined
  // Per-record mode only: the physical line the next byte is on (CRLF, LF and a lone CR each end one).
  private line = 1
  private afterCarriageReturn = false
  private invalidSeen = false

  /**
   * Per-record handling of invalid UTF-8 (the reader rejects the record that holds it and goes on):
   * - `faults` (CSV): each invalid byte becomes U+FFFD and its line and offset are recorded there.
   * - `"report"` (NDJSON, JSON): the bytes pass unchanged (every byte of a JSON structure is ASCII, so invalid bytes
   *   cannot break the scanning) and {@link invalidSeen} turns true; the reader then checks each record's bytes.
   *   A valid file pays one `isUtf8` per chunk, as before.
   */
  constructor(
    private readonly source: string,
    private readonly encoding: CsvEncoding,
    private readonly faults?: Array<EncodingFault> | "report"
  ) {
    this.text = encoding === "utf-16le" ? new TextDecoder(encoding, { fatal: true, ignoreBOM: true }) : undefined
  }

  /** Whether invalid UTF-8 was passed on (`"report"` mode): from then on, each record must be checked. */
  get sawInvalid(): boolean {
    return this.invalidSeen
  }

  /** The file offset just after the bytes returned so far (the byte order mark included). */
  get offset(): number {
    return this.consumed
  }

  private countLines(bytes: Uint8Array, from: number, to: number): void {
    if (from >= to) return
    // Without a carriage return (the usual file), a native search for line feeds counts the same.
    const carriageReturn = bytes.indexOf(0x0d, from)
    if (carriageReturn === -1 || carriageReturn >= to) {
      let index = bytes.indexOf(0x0a, from)
      if (this.afterCarriageReturn && index === from) index = bytes.indexOf(0x0a, from + 1)
      while (index !== -1 && index < to) {
        this.line++
        index = bytes.indexOf(0x0a, index + 1)
      }
      this.afterCarriageReturn = false
      return
    }
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
  private replaceInvalid(body: Buffer, faults: Array<EncodingFault>): Buffer {
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
        if (this.faults === "report") {
          if (!this.invalidSeen && !isUtf8(body)) this.invalidSeen = true
        } else if (this.faults !== undefined) {
          if (isUtf8(body)) this.countLines(body, 0, body.length)
          else result = this.replaceInvalid(body, this.faults)
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
export interface EncodingFault {
  readonly line: number
  readonly byteOffset: number
}

// Fills in the line of an InvalidEncoding error (the decoder only knows the byte offset).
export const withEncodingLine = async (error: unknown, path: string, encoding: CsvEncoding): Promise<unknown> => {
  if (error instanceof Fatal && error.reason._tag === "InvalidEncoding" && error.reason.line === 0) {
    const line = await lineAtOffset(path, error.reason.byteOffset, encoding)
    return new Fatal(SourceErrorReason.InvalidEncoding({ ...error.reason, line }))
  }
  return error
}
