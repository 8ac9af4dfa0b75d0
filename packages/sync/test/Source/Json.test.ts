/**
 * Tests for `Source/Json` (through `Source.ndjson` and `Source.json`): one object per line, arrays of objects
 * streamed element by element, bad lines and elements rejected by where they are. Files are written to a temporary
 * directory.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Source from "../../src/Source.ts"
import { collect, failure, file, reasonTag, rejectionsOf } from "../support/SourceFiles.ts"

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

  it.effect("skips an overlong line without holding it and fails on invalid UTF-8 and an empty file", () =>
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
      const invalid = yield* failure(
        Source.ndjson({
          path: file(Buffer.concat([Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xc0, 0x80, 0x22, 0x7d])]), "ndjson")
        })
      )
      assert.strictEqual(invalid.reason._tag, "InvalidEncoding")
      if (invalid.reason._tag === "InvalidEncoding") assert.strictEqual(invalid.reason.line, 2)
      const empty = yield* failure(Source.ndjson({ path: file("\n\n", "ndjson") }))
      assert.strictEqual(empty.reason._tag, "Empty")
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
