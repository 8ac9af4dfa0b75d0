/**
 * The CSV reader's two paths (lines without a quote split directly, the rest through csv-parse) give the same rows,
 * line numbers, rejections and failures as csv-parse alone, for generated hostile input cut into chunks anywhere.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { completeLinesLength, countByteLineBreaks } from "../../src/internal/sourceCsvLines.ts"
import { CsvReader, type CsvSettings } from "../../src/internal/sourceCsvReader.ts"
import { Decoder, type EncodingFault } from "../../src/internal/sourceDecoder.ts"
import { Fatal } from "../../src/internal/sourceError.ts"
import type * as Source from "../../src/Source.ts"

const read = async (
  chunks: ReadonlyArray<Buffer>,
  settings: Omit<CsvSettings, "source" | "path" | "encoding" | "allowEmpty">
): Promise<{ readonly items: ReadonlyArray<Source.SourceItem>; readonly failure?: unknown }> => {
  const full: CsvSettings = { source: "test.csv", path: "test.csv", encoding: "utf-8", allowEmpty: true, ...settings }
  const faults: Array<EncodingFault> = []
  const decoder = new Decoder(full.source, full.encoding, faults)
  const reader = new CsvReader(full, faults)
  const items: Array<Source.SourceItem> = []
  try {
    for (const chunk of chunks) {
      await reader.feed(decoder.push(chunk), false)
      items.push(...reader.take())
    }
    await reader.feed(decoder.end(), true)
    items.push(...reader.take())
    return { items }
  } catch (error) {
    items.push(...reader.take())
    return { items, failure: error instanceof Fatal ? error.reason : String(error) }
  }
}

// Pieces that make hostile CSV: quotes in every position, each line ending, empty lines, invalid and multi-byte UTF-8.
const piece = fc.constantFrom(
  "a",
  "bc",
  "é",
  "😀",
  ",",
  ";",
  '"',
  '""',
  "\n",
  "\r\n",
  "\r",
  "\n\n",
  " ",
  "\xff",
  "1,2",
  "x,y,z\n"
)

const input = fc
  .tuple(
    fc.constantFrom("id,name\n", "id,name,note\r\n", "a\n", ""),
    fc.array(piece, { maxLength: 80 }),
    fc.array(fc.nat(), { maxLength: 6 })
  )
  .map(([header, pieces, cuts]) => {
    const bytes = Buffer.from(
      (header + pieces.join(""))
        .split("\xff")
        .map((part) => Buffer.from(part, "utf8"))
        .reduce(
          (joined, part, index) => (index === 0 ? part : Buffer.concat([joined, Buffer.from([0xff]), part])),
          Buffer.alloc(0)
        )
    )
    const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((left, right) => left - right)
    const chunks: Array<Buffer> = []
    let start = 0
    for (const offset of offsets) {
      chunks.push(bytes.subarray(start, offset))
      start = offset
    }
    chunks.push(bytes.subarray(start))
    return chunks
  })

describe("CsvReader", () => {
  it("splits plain lines to the same items as csv-parse given the whole file, for any input and any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        input,
        fc.constantFrom(",", ";"),
        fc.constantFrom(16 * 1024 * 1024, 24, 8),
        async (chunks, delimiter, maxRecordBytes) => {
          const settings = { delimiter, maxFieldBytes: maxRecordBytes, maxRecordBytes, columns: undefined }
          const direct = await read(chunks, settings)
          const parsed = await read(chunks, { ...settings, splitPlainLines: false })
          const whole = await read([Buffer.concat(chunks)], { ...settings, splitPlainLines: false })
          expect(direct).toEqual(parsed)
          expect(direct).toEqual(whole)
        }
      ),
      { numRuns: Number(process.env.CSV_PROPERTY_RUNS ?? 300) }
    )
  })

  it("numbers rows and lines across chunks of plain lines, with every line ending", async () => {
    const text = "id,name\n1,a\r\n\r\n2,b\r3,c\n\n4,d"
    const chunks = [...Buffer.from(text)].map((byte) => Buffer.from([byte]))
    const { items } = await read(chunks, {
      delimiter: ",",
      maxFieldBytes: 1024,
      maxRecordBytes: 1024,
      columns: undefined
    })
    expect(items.map((item) => [item.rowNumber, item.line, item._tag === "SourceRow" ? item.values.name : ""])).toEqual(
      [
        [1, 2, "a"],
        [2, 4, "b"],
        [3, 5, "c"],
        [4, 7, "d"]
      ]
    )
  })

  it("counts blank CRLF lines before a quoted record once each (csv-parse's raw text drops their line feed)", async () => {
    const { items } = await read([Buffer.from('id,name\n\r\n\n\n"a",b\n')], {
      delimiter: ",",
      maxFieldBytes: 1024,
      maxRecordBytes: 1024,
      columns: undefined
    })
    expect(items.map((item) => [item._tag, item.rowNumber, item.line])).toEqual([["SourceRow", 1, 5]])
  })
})

describe("line breaks in bytes", () => {
  it("keeps a carriage return at the end for the next chunk and counts a CRLF once", () => {
    expect(completeLinesLength(Buffer.from("a\nb"))).toBe(2)
    expect(completeLinesLength(Buffer.from("a\nb\r"))).toBe(2)
    expect(completeLinesLength(Buffer.from("a\rb\r"))).toBe(2)
    expect(completeLinesLength(Buffer.from("a\r\nb\rc"))).toBe(5)
    expect(completeLinesLength(Buffer.from("abc"))).toBe(0)
    expect(completeLinesLength(Buffer.from("abc\r"))).toBe(0)
    expect(completeLinesLength(Buffer.from("\r"))).toBe(0)
    expect(completeLinesLength(Buffer.from("2,b\r"))).toBe(0)
    expect(countByteLineBreaks(Buffer.from("a\r\nb\rc\n\n"))).toBe(4)
    expect(countByteLineBreaks(Buffer.from("a\nb\n"))).toBe(2)
    expect(countByteLineBreaks(Buffer.from("abc"))).toBe(0)
  })
})
