/**
 * Tests for `Source/Parquet` (through `Source.parquet`): Parquet files written by DuckDB itself, read back through
 * the source.
 */
import { DuckDBInstance } from "@duckdb/node-api"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { loadDriver } from "../../src/internal/sourceParquetDriver.ts"
import * as Source from "../../src/Source.ts"
import { collect, failure, file, missingFile, rejectionsOf, rowsOf } from "../support/SourceFiles.ts"

/** Writes the result of `select` to a new Parquet file with DuckDB and returns its path. */
const parquetFile = (select: string) =>
  Effect.promise(async () => {
    const path = missingFile(`written-${Math.random().toString(36).slice(2)}.parquet`)
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 4096)`)
    connection.closeSync()
    instance.closeSync()
    return path
  })

describe("parquet", () => {
  it.effect(
    "streams a file chunk by chunk, converts values by column type, and rejects a NaN by row and column",
    () =>
      Effect.gen(function* () {
        const path = yield* parquetFile(`
          SELECT i::BIGINT AS id, 'user' || i || '@example.com' AS email, (i / 4)::DECIMAL(10, 2) AS score,
            i % 2 = 0 AS active, (i % 100)::INTEGER AS age,
            CASE WHEN i = 3 THEN 'NaN'::DOUBLE ELSE 0.5 END AS ratio,
            TIMESTAMPTZ '2024-01-02 03:04:05.678+00' AS seen, TIMESTAMP '2024-02-03 10:11:12' AS updated,
            DATE '1990-05-17' AS born, '\\xCA\\xFE'::BLOB AS photo, [i::INTEGER, i::INTEGER + 1] AS tags, {'n': i} AS data,
            NULL::VARCHAR AS note
          FROM range(1, 10001) AS t(i) ORDER BY i`)
        const source = Source.parquet({ path })
        assert.strictEqual(source.name, path)
        const items = yield* collect(source)
        assert.strictEqual(items.length, 10_000)
        assert.deepStrictEqual(
          items.map((item) => item.rowNumber),
          Array.from({ length: 10_000 }, (_, index) => index + 1)
        )
        const rows = rowsOf(items)
        assert.deepStrictEqual(rows[0], {
          _tag: "SourceRow",
          rowNumber: 1,
          line: 1,
          values: {
            id: "1",
            email: "user1@example.com",
            score: "0.25",
            active: false,
            age: 1,
            ratio: 0.5,
            seen: "2024-01-02T03:04:05.678Z",
            updated: "2024-02-03T10:11:12",
            born: "1990-05-17",
            photo: "\\xcafe",
            tags: "[1,2]",
            // BIGINT in JSON as a string (exact), as DuckDB's JSON conversion writes it.
            data: '{"n":"1"}',
            note: null
          }
        })
        const [rejected] = rejectionsOf(items)
        assert.strictEqual(rejected?.rowNumber, 3)
        assert.deepStrictEqual(
          rejected?.reason._tag === "MalformedRow"
            ? { row: rejected.reason.row, column: rejected.reason.column }
            : undefined,
          { row: 3, column: "ratio" }
        )
        assert.include(Source.describe(rejected!.reason), `${path}: row 3 (line 3): NaN is not a number`)
        assert.strictEqual(rows.length, 9_999)

        // The columns with DuckDB's type names, from the file's schema.
        const columns = yield* source.columns!
        assert.deepStrictEqual(
          columns.map((column) => `${column.name} ${column.type}`),
          [
            "id BIGINT",
            "email VARCHAR",
            "score DECIMAL(10,2)",
            "active BOOLEAN",
            "age INTEGER",
            "ratio DOUBLE",
            "seen TIMESTAMP WITH TIME ZONE",
            "updated TIMESTAMP",
            "born DATE",
            "photo BLOB",
            "tags INTEGER[]",
            'data STRUCT("n" BIGINT)',
            "note VARCHAR"
          ]
        )

        // Stopping early closes the read without reading the rest.
        const first = yield* Stream.runCollect(Stream.take(source.rows, 3))
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(first).map((item) => item.rowNumber),
          [1, 2, 3]
        )
      }),
    120_000
  )

  it.effect("fails clearly for a missing file, a file that is not Parquet, and a file without rows", () =>
    Effect.gen(function* () {
      const missing = yield* failure(Source.parquet({ path: missingFile("absent.parquet") }))
      assert.strictEqual(missing.reason._tag, "NotFound")
      const notParquet = yield* failure(Source.parquet({ path: file("email\nann@example.com\n", "parquet") }))
      assert.strictEqual(notParquet.reason._tag, "ReadFailed")
      assert.include(notParquet.message, "the file cannot be read")
      const emptyPath = yield* parquetFile("SELECT 'x' AS email WHERE false")
      const empty = yield* failure(Source.parquet({ path: emptyPath }))
      assert.strictEqual(empty.reason._tag, "Empty")
      assert.strictEqual((yield* collect(Source.parquet({ path: emptyPath, allowEmpty: true }))).length, 0)
      assert.deepStrictEqual(
        (yield* Source.parquet({ path: emptyPath }).columns!).map((column) => column.name),
        ["email"]
      )
    })
  )

  it.effect("fails with MissingDriver, naming the package to install, when the driver cannot be imported", () =>
    Effect.gen(function* () {
      // A real import of a package that is not installed: what a user without @duckdb/node-api gets.
      const notInstalled = "@profilesync/not-an-installed-driver"
      const error = yield* Effect.flip(loadDriver("/data/profiles.parquet", () => import(notInstalled)))
      assert.strictEqual(error.reason._tag, "MissingDriver")
      if (error.reason._tag === "MissingDriver") assert.strictEqual(error.reason.packageName, "@duckdb/node-api")
      assert.include(error.message, "/data/profiles.parquet: reading this source needs the driver @duckdb/node-api")
      // With the driver installed (as in this workspace), the same loader succeeds and loads DuckDB's binary.
      const driver = yield* loadDriver("/data/profiles.parquet")
      assert.strictEqual(typeof driver.DuckDBInstance.create, "function")
    })
  )
})
