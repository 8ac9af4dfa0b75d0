/**
 * Tests for `Source/Json` (through `Source.ndjson` and `Source.json`): one object per line, arrays of objects
 * streamed element by element, bad lines and elements rejected by where they are. Files are written to a temporary
 * directory.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Source from "../../src/Source.ts"
import { collect, failure, file, reasonTag, rejectionsOf, rowsOf } from "../support/SourceFiles.ts"

describe("ndjson", () => {
  it.effect("reads one object per line, skips blank lines and rejects a bad line by its line number", () =>
    Effect.gen(function* () {
      const path = file(
        '{"id":1,"name":"Ann","tags":["a"],"active":true}\n\n{"id":2,"name":\n[1,2]\r\n{"id":3,"address":{"city":"Köln"},"x":null}',
        "ndjson"
      )
      const items = yield* collect(Source.ndjson({ path }))
      assert.deepStrictEqual(items[0], {
        _tag: "SourceRow",
        rowNumber: 1,
        line: 1,
        values: { id: 1, name: "Ann", tags: '["a"]', active: true }
      })
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber, item.line]),
        [
          ["SourceRow", 1, 1],
          ["SourceRowRejected", 2, 3],
          ["SourceRowRejected", 3, 4],
          ["SourceRow", 4, 5]
        ]
      )
      const [notJson, notObject] = rejectionsOf(items)
      assert.include(Source.describe(notJson!.reason), "row 2 (line 3): not JSON")
      assert.include(Source.describe(notObject!.reason), "row 3 (line 4): an array, not a JSON object")
      assert.deepStrictEqual(items[3]?._tag === "SourceRow" ? items[3].values : undefined, {
        id: 3,
        address: '{"city":"Köln"}',
        x: null
      })
    })
  )

  it.effect(
    "skips an overlong line without holding it, rejects invalid UTF-8 by its line and fails on an empty file",
    () =>
      Effect.gen(function* () {
        const path = file(`{"id":1}\n{"id":2,"bio":"${"z".repeat(300_000)}"}\n{"id":3}\n`, "ndjson")
        const items = yield* collect(Source.ndjson({ path, maxFieldBytes: 1000, maxRecordBytes: 100_000 }))
        assert.deepStrictEqual(
          items.map((item) => [item._tag, item.line, reasonTag(item)]),
          [
            ["SourceRow", 1, undefined],
            ["SourceRowRejected", 2, "FieldTooLarge"],
            ["SourceRow", 3, undefined]
          ]
        )
        // Invalid UTF-8 rejects its line only (it failed the whole file before).
        const invalidItems = yield* collect(
          Source.ndjson({
            path: file(Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xc0, 0x80, 0x22, 0x7d])]), "ndjson")
          })
        )
        assert.strictEqual(rowsOf(invalidItems).length, 1)
        const [invalid] = rejectionsOf(invalidItems)
        assert.strictEqual(invalid?.reason._tag, "InvalidEncoding")
        if (invalid?.reason._tag === "InvalidEncoding") assert.strictEqual(invalid.reason.line, 2)
        const empty = yield* failure(Source.ndjson({ path: file("\n\n", "ndjson") }))
        assert.strictEqual(empty.reason._tag, "Empty")
      })
  )

  it.effect("rejects only the line with invalid UTF-8, naming its file, row, line, byte offset and field", () =>
    Effect.gen(function* () {
      const bytes = Buffer.concat([
        Buffer.from('\uFEFF{"id":1,"name":"Zoë"}\n{"id":2,"name":"Ann"}\r\n{"id":3,"name":"Jo'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}\n{"id":4,"name":"Bob"}\n')
      ])
      const path = file(bytes, "ndjson")
      const items = yield* collect(Source.ndjson({ path }))
      assert.deepStrictEqual(
        rowsOf(items).map((row) => [row.values.id, row.values.name]),
        [
          [1, "Zoë"],
          [2, "Ann"],
          [4, "Bob"]
        ]
      )
      const rejected = rejectionsOf(items)
      assert.strictEqual(rejected.length, 1)
      assert.deepStrictEqual(
        [rejected[0]?.rowNumber, rejected[0]?.line, rejected[0]?.reason],
        [
          3,
          3,
          Source.SourceErrorReason.InvalidEncoding({
            source: path,
            encoding: "utf-8",
            line: 3,
            byteOffset: bytes.indexOf(0xff),
            detail: "invalid UTF-8",
            row: 3,
            column: "name"
          })
        ]
      )
      assert.include(
        Source.describe(rejected[0]!.reason),
        `${path}: row 3 (line 3) (byte offset ${bytes.indexOf(0xff)}): invalid UTF-8 in column \`name\``
      )
    })
  )

  it.effect("finds invalid UTF-8 far into the file, across chunks, and keeps every other line", () =>
    Effect.gen(function* () {
      const filler = Array.from({ length: 3000 }, (_, index) => `{"id":${index + 1},"city":"Köln"}`).join("\n")
      const bytes = Buffer.concat([
        Buffer.from(`${filler}\n{"id":"bad","city":"K`),
        Buffer.from([0xc3]),
        Buffer.from(`ln"}\n${filler}\n`)
      ])
      assert.isAbove(bytes.indexOf(0xc3, bytes.indexOf('"bad"')), 64 * 1024)
      const items = yield* collect(Source.ndjson({ path: file(bytes, "ndjson") }))
      assert.strictEqual(rowsOf(items).length, 6000)
      const [rejected] = rejectionsOf(items)
      assert.strictEqual(rejected?.line, 3001)
      assert.deepInclude(rejected?.reason, {
        _tag: "InvalidEncoding",
        line: 3001,
        byteOffset: bytes.indexOf(0xc3, bytes.indexOf('"bad"')),
        column: "city"
      })
    })
  )
})

describe("json", () => {
  it.effect("streams the elements of an array of objects, rejecting bad elements by the line they start on", () =>
    Effect.gen(function* () {
      const path = file(
        '[\n  {"id": 1, "name": "Ann [the \\"first\\"]", "meta": {"a": [1, {"b": 2}]}},\n  {"id": 2, "name": tru},\n  42,\n  {"id": 3}\n]\n',
        "json"
      )
      const items = yield* collect(Source.json({ path }))
      assert.deepStrictEqual(
        items.map((item) => [item._tag, item.rowNumber, item.line]),
        [
          ["SourceRow", 1, 2],
          ["SourceRowRejected", 2, 3],
          ["SourceRowRejected", 3, 4],
          ["SourceRow", 4, 5]
        ]
      )
      assert.deepStrictEqual(items[0]?._tag === "SourceRow" ? items[0].values : undefined, {
        id: 1,
        name: 'Ann [the "first"]',
        meta: '{"a":[1,{"b":2}]}'
      })
    })
  )

  it.effect("rejects only the element with invalid UTF-8, naming its index, line, byte offset and field", () =>
    Effect.gen(function* () {
      const bytes = Buffer.concat([
        Buffer.from('[\n  {"id": 1, "name": "Zoë"},\n  {"id": 2,\n   "name": "Jo'),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from('"},\n  {"id": 3, "name": "Ann"},\n  {"id": 4, "name": "Bob"}\n]\n')
      ])
      const path = file(bytes, "json")
      const items = yield* collect(Source.json({ path }))
      assert.deepStrictEqual(
        rowsOf(items).map((row) => row.values.id),
        [1, 3, 4]
      )
      const rejected = rejectionsOf(items)
      assert.strictEqual(rejected.length, 1)
      // The element starts on line 3; the invalid bytes (an encoded surrogate) are on line 4.
      assert.deepStrictEqual(
        [rejected[0]?.rowNumber, rejected[0]?.line, rejected[0]?.reason],
        [
          2,
          3,
          Source.SourceErrorReason.InvalidEncoding({
            source: path,
            encoding: "utf-8",
            line: 4,
            byteOffset: bytes.indexOf(0xed),
            detail: "invalid UTF-8 in element [1] of the array",
            row: 2,
            column: "name"
          })
        ]
      )
      assert.include(Source.describe(rejected[0]!.reason), `${path}: row 2 (line 4)`)
    })
  )

  it.effect("fails on a broken structure with the line, and on an empty array", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ['{"id": 1}', "the file is not a JSON array"],
        ['[{"id": 1}\n {"id": 2}]', "line 2: `{` where a comma or `]` should be"],
        ['[{"id": 1},]', "a trailing comma"],
        ['[{"id": 1}] x', "after the end of the array"],
        ['[{"id": 1}, {"id": [2}]', "`}` closes `[`"],
        ['[{"id": 1}', "the file ends inside the array"]
      ]
      for (const [content, expected] of cases) {
        const error = yield* failure(Source.json({ path: file(content, "json") }))
        assert.strictEqual(error.reason._tag, "MalformedFile", content)
        assert.include(error.message, expected)
      }
      const empty = yield* failure(Source.json({ path: file("[ ]", "json") }))
      assert.strictEqual(empty.reason._tag, "Empty")
      assert.deepStrictEqual(yield* collect(Source.json({ path: file("[]", "json"), allowEmpty: true })), [])
    })
  )
})
