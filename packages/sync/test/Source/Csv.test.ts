/**
 * Tests for `Source/Csv` (through `Source.csv`): BOM, quoted newlines, delimiters, encodings, recovery from broken
 * quoting, size limits, hostile headers. Files are written to a temporary directory.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Source from "../../src/Source.ts"
import { collect, failure, file, missingFile, reasonTag, rejectionsOf, rowsOf } from "../support/SourceFiles.ts"

describe("csv", () => {
  it.effect("reads a header and rows, removes a byte order mark, keeps quoted delimiters, quotes and newlines", () =>
    Effect.gen(function* () {
      const path = file('\uFEFFid,name,note\n1,"Smith, Jane","said ""hi""\nand left"\n2,Bob,\n')
      const items = yield* collect(Source.csv({ path }))
      assert.deepStrictEqual(items, [
        {
          _tag: "SourceRow",
          rowNumber: 1,
          line: 2,
          values: { id: "1", name: "Smith, Jane", note: 'said "hi"\nand left' }
        },
        { _tag: "SourceRow", rowNumber: 2, line: 4, values: { id: "2", name: "Bob", note: "" } }
      ])
    })
  )

  it.effect("counts physical lines with CRLF endings, CRLF inside quotes and skipped empty lines", () =>
    Effect.gen(function* () {
      const path = file('id,note\r\n1,"a\r\nb"\r\n\r\n2,c\r\n3,"x\r\ny\r\nz"\r\n4,d')
      const rows = rowsOf(yield* collect(Source.csv({ path })))
      assert.deepStrictEqual(
        rows.map((row) => [row.rowNumber, row.line, row.values.note]),
        [
          [1, 2, "a\r\nb"],
          [2, 5, "c"],
          [3, 6, "x\r\ny\r\nz"],
          [4, 9, "d"]
        ]
      )
    })
  )

  it.effect("uses the configured delimiter", () =>
    Effect.gen(function* () {
      const path = file('email;first name\n"a@example.com";"Ann; the first"\n')
      const rows = rowsOf(yield* collect(Source.csv({ path, delimiter: ";" })))
      assert.deepStrictEqual(rows[0]?.values, { email: "a@example.com", "first name": "Ann; the first" })
    })
  )

  it.effect("decodes latin1, windows-1252 and UTF-16LE", () =>
    Effect.gen(function* () {
      const latin1 = file(Buffer.from("name,city\nJos\xe9,K\xf6ln\n", "latin1"))
      const latin1Rows = rowsOf(yield* collect(Source.csv({ path: latin1, encoding: "latin1" })))
      assert.deepStrictEqual(latin1Rows[0]?.values, { name: "José", city: "Köln" })

      const windows = file(Buffer.concat([Buffer.from("price\n"), Buffer.from([0x80, 0x35, 0x0a])]))
      const windowsRows = rowsOf(yield* collect(Source.csv({ path: windows, encoding: "windows-1252" })))
      assert.deepStrictEqual(windowsRows[0]?.values, { price: "€5" })

      const utf16 = file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("name\nZo\u00eb 😀\n", "utf16le")]))
      const utf16Rows = rowsOf(yield* collect(Source.csv({ path: utf16, encoding: "utf-16le" })))
      assert.deepStrictEqual(utf16Rows[0]?.values, { name: "Zoë 😀" })
    })
  )

  it.effect("accepts multi-byte characters cut by the 64 KiB chunk boundary", () =>
    Effect.gen(function* () {
      // "é" is two bytes: put its first byte last in the first chunk.
      const header = "name\n"
      const filler = "a".repeat(64 * 1024 - header.length - 1)
      const path = file(`${header}${filler}é\nnext\n`)
      const rows = rowsOf(yield* collect(Source.csv({ path })))
      assert.strictEqual(rows.length, 2)
      assert.isTrue(String(rows[0]?.values.name).endsWith("aé"))
    })
  )

  it.effect("rejects a row with an unclosed quote, names its row, line and column, and reads the rows after it", () =>
    Effect.gen(function* () {
      const path = file('id,email,name\n1,a@x.com,Ann\n2,"b@x.com,Bob\n3,c@x.com,Cy\n4,"d@x.com",Di\n5,e@x.com,Ed\n')
      const items = yield* collect(Source.csv({ path }))
      const rejected = rejectionsOf(items)
      assert.strictEqual(rejected.length, 1)
      assert.strictEqual(rejected[0]?.rowNumber, 2)
      assert.strictEqual(rejected[0]?.line, 3)
      assert.strictEqual(rejected[0]?.raw, '2,"b@x.com,Bob')
      const reason = rejected[0]!.reason
      assert.strictEqual(reason._tag, "MalformedRow")
      if (reason._tag === "MalformedRow") {
        assert.strictEqual(reason.column, "email")
        assert.include(Source.describe(reason), "row 2 (line 3): unclosed quote in column `email`")
      }
      assert.deepStrictEqual(
        rowsOf(items).map((row) => [row.rowNumber, row.line, row.values.id]),
        [
          [1, 2, "1"],
          [3, 4, "3"],
          [4, 5, "4"],
          [5, 6, "5"]
        ]
      )
    })
  )

  it.effect("recovers from an unclosed quote that runs to the end of the file", () =>
    Effect.gen(function* () {
      const path = file('id,name\n1,Ann\n2,"Bob\n3,Cy\n4,Di\n')
      const items = yield* collect(Source.csv({ path }))
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber, item.line]),
        [
          ["SourceRow", 1, 2],
          ["SourceRowRejected", 2, 3],
          ["SourceRow", 3, 4],
          ["SourceRow", 4, 5]
        ]
      )
    })
  )

  it.effect("rejects stray quotes and wrong field counts row by row", () =>
    Effect.gen(function* () {
      const path = file('id,name\n1,"Ann"x\n2,Bo"b\n3,Cy,extra\n4,Di\n')
      const items = yield* collect(Source.csv({ path }))
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber, item.line]),
        [
          ["SourceRowRejected", 1, 2],
          ["SourceRowRejected", 2, 3],
          ["SourceRowRejected", 3, 4],
          ["SourceRow", 4, 5]
        ]
      )
      const details = rejectionsOf(items).map((item) => Source.describe(item.reason))
      assert.include(details[0], "a closing quote in column `name` is not followed by a delimiter")
      assert.include(details[1], "a quote inside the unquoted value in column `name`")
      assert.include(details[2], "the record has 3 fields, the header has 2")
    })
  )

  it.effect("detects a wrong delimiter from a one-column header", () =>
    Effect.gen(function* () {
      const error = yield* failure(Source.csv({ path: file("email;first;last\na@x.com;Ann;Lee\n") }))
      assert.strictEqual(error.reason._tag, "WrongDelimiter")
      assert.include(error.message, "the header has one column `email;first;last`: is the delimiter `;`")
      // A one-column file whose name merely contains a comma inside quotes is fine.
      const rows = rowsOf(yield* collect(Source.csv({ path: file('"Last, First"\n"Lee, Ann"\n') })))
      assert.deepStrictEqual(rows[0]?.values, { "Last, First": "Lee, Ann" })
    })
  )

  it.effect("rejects a 10 MB field as FieldTooLarge with its row and column, and reads on", () =>
    Effect.gen(function* () {
      const huge = "x".repeat(10 * 1024 * 1024)
      const path = file(`id,bio\n1,short\n2,"${huge}"\n3,fine\n`)
      const items = yield* collect(Source.csv({ path }))
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber]),
        [
          ["SourceRow", 1],
          ["SourceRowRejected", 2],
          ["SourceRow", 3]
        ]
      )
      const reason = rejectionsOf(items)[0]!.reason
      assert.deepStrictEqual(
        reason,
        Source.SourceErrorReason.FieldTooLarge({
          source: path,
          row: 2,
          line: 3,
          column: "bio",
          bytes: huge.length,
          limit: 1024 * 1024
        })
      )
    })
  )

  it.effect("bounds what a record may hold in memory with maxRecordBytes", () =>
    Effect.gen(function* () {
      // A line longer than the limit is given up at the limit and the rest of it skipped.
      const long = "y".repeat(200_000)
      const oneLine = file(`id,bio\n1,${long}\n2,ok\n3,"${long}\n4,ok\n`)
      const items = yield* collect(Source.csv({ path: oneLine, maxRecordBytes: 100_000 }))
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber, item.line, reasonTag(item)]),
        [
          ["SourceRowRejected", 1, 2, "FieldTooLarge"],
          ["SourceRow", 2, 3, undefined],
          ["SourceRowRejected", 3, 4, "FieldTooLarge"],
          ["SourceRow", 4, 5, undefined]
        ]
      )
      // An unclosed quote swallows lines until the limit, then the lines after the bad one are read again.
      const filler = Array.from({ length: 2000 }, (_, index) => `${index + 3},${"f".repeat(60)}`)
      const unclosed = file(`id,bio\n1,ok\n2,"unclosed\n${filler.join("\n")}\n`)
      const recovered = yield* collect(Source.csv({ path: unclosed, maxRecordBytes: 100_000 }))
      const rejected = rejectionsOf(recovered)
      assert.strictEqual(rejected.length, 1)
      assert.strictEqual(rejected[0]?.line, 3)
      assert.include(Source.describe(rejected[0]!.reason), "row 2 (line 3): unclosed quote in column `bio`")
      assert.strictEqual(rowsOf(recovered).length, 2001)
      assert.deepStrictEqual(rowsOf(recovered).at(-1)?.line, 2003)
    })
  )

  it.effect("rejects a record with invalid UTF-8 on its own, naming row, line, byte offset and column", () =>
    Effect.gen(function* () {
      const path = file(
        Buffer.concat([
          Buffer.from("id,name\n1,Ann\n2,B"),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('b\n3,"multi\r\nline"\n4,Caf'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from("\n5,Eve\n")
        ])
      )
      const items = yield* collect(Source.csv({ path }))
      assert.deepStrictEqual(
        rowsOf(items).map((row) => [row.rowNumber, row.line, row.values.name]),
        [
          [1, 2, "Ann"],
          [3, 4, "multi\r\nline"],
          [5, 7, "Eve"]
        ]
      )
      const rejected = rejectionsOf(items)
      assert.deepStrictEqual(
        rejected.map((item) => item.reason),
        [
          Source.SourceErrorReason.InvalidEncoding({
            source: path,
            encoding: "utf-8",
            line: 3,
            byteOffset: 17,
            detail: "invalid UTF-8",
            row: 2,
            column: "name"
          }),
          Source.SourceErrorReason.InvalidEncoding({
            source: path,
            encoding: "utf-8",
            line: 6,
            byteOffset: 42,
            detail: "invalid UTF-8",
            row: 4,
            column: "name"
          })
        ]
      )
      assert.include(
        Source.describe(rejected[0]!.reason),
        "row 2 (line 3) (byte offset 17): invalid UTF-8 in column `name` (encoding utf-8)"
      )
    })
  )

  it.effect("invalid UTF-8 in the header, or cut off at the end of the file, is still found", () =>
    Effect.gen(function* () {
      const header = yield* failure(Source.csv({ path: file(Buffer.from([0x69, 0xff, 0x0a, 0x31, 0x0a])) }))
      assert.strictEqual(header.reason._tag, "InvalidEncoding")
      assert.include(header.message, "line 1 (byte offset 1): invalid UTF-8 in the header")
      const items = yield* collect(
        Source.csv({ path: file(Buffer.concat([Buffer.from("name\nab"), Buffer.from([0xc3])])) })
      )
      const rejected = rejectionsOf(items)
      assert.strictEqual(rejected.length, 1)
      assert.strictEqual(rejected[0]!.reason._tag, "InvalidEncoding")
      if (rejected[0]!.reason._tag === "InvalidEncoding") assert.strictEqual(rejected[0]!.reason.byteOffset, 7)
    })
  )

  it.effect("fails with Empty for an empty file, a file of blank lines, and a header without rows", () =>
    Effect.gen(function* () {
      for (const content of ["", "\uFEFF", "\n\n\r\n"]) {
        const error = yield* failure(Source.csv({ path: file(content) }))
        assert.deepStrictEqual(
          error.reason,
          Source.SourceErrorReason.Empty({ source: error.reason.source, missing: "Header" })
        )
        assert.include(error.message, "the file has no header row")
      }
      const headerOnly = file("id,name\n")
      const error = yield* failure(Source.csv({ path: headerOnly }))
      assert.deepStrictEqual(error.reason, Source.SourceErrorReason.Empty({ source: headerOnly, missing: "Rows" }))
      assert.deepStrictEqual(yield* collect(Source.csv({ path: headerOnly, allowEmpty: true })), [])
    })
  )

  it.effect("fails on duplicate and empty column names, a missing file and bad options", () =>
    Effect.gen(function* () {
      const duplicate = yield* failure(Source.csv({ path: file("id,email, email\n1,a,b\n") }))
      assert.deepStrictEqual(
        duplicate.reason,
        Source.SourceErrorReason.DuplicateColumn({
          source: duplicate.reason.source,
          column: "email",
          positions: [2, 3]
        })
      )
      const empty = yield* failure(Source.csv({ path: file("id,,name\n1,2,3\n") }))
      assert.strictEqual(empty.reason._tag, "EmptyColumnName")
      const missing = yield* failure(Source.csv({ path: missingFile("nope.csv") }))
      assert.strictEqual(missing.reason._tag, "NotFound")
      const options = yield* failure(Source.csv({ path: file("a\n1\n"), delimiter: '"' }))
      assert.strictEqual(options.reason._tag, "InvalidOptions")
    })
  )

  it.effect("fails on a malformed header", () =>
    Effect.gen(function* () {
      const error = yield* failure(Source.csv({ path: file('id,"na"me\n1,Ann\n') }))
      assert.strictEqual(error.reason._tag, "MalformedFile")
      assert.include(error.message, "line 1: the header is malformed")
    })
  )

  it.effect("reads a file without a header when given the columns", () =>
    Effect.gen(function* () {
      const rows = rowsOf(yield* collect(Source.csv({ path: file("1,Ann\n2,Bob\n"), columns: ["id", "name"] })))
      assert.deepStrictEqual(
        rows.map((row) => [row.rowNumber, row.line, row.values]),
        [
          [1, 1, { id: "1", name: "Ann" }],
          [2, 2, { id: "2", name: "Bob" }]
        ]
      )
    })
  )

  it.effect("strict turns the first rejection into a failure", () =>
    Effect.gen(function* () {
      const error = yield* failure(Source.strict(Source.csv({ path: file('id,name\n1,Ann\n2,B"b\n3,Cy\n') })))
      assert.strictEqual(error.reason._tag, "MalformedRow")
      assert.include(error.message, "row 2 (line 3)")
    })
  )

  it.effect("streams 200,000 generated rows", () =>
    Effect.gen(function* () {
      const lines = ["id,email,name"]
      for (let index = 1; index <= 200_000; index++) lines.push(`${index},user${index}@example.com,"Name ${index}"`)
      const path = file(`${lines.join("\n")}\n`)
      const summary = yield* Source.csv({ path }).rows.pipe(
        Stream.runFold({ count: 0, rejected: 0, last: "" }, (state, item) => ({
          count: state.count + 1,
          rejected: state.rejected + (item._tag === "SourceRowRejected" ? 1 : 0),
          last: item._tag === "SourceRow" ? String(item.values.email) : state.last
        }))
      )
      assert.deepStrictEqual(summary, { count: 200_000, rejected: 0, last: "user200000@example.com" })
    })
  )
})
