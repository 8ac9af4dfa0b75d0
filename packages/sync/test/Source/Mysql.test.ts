/**
 * Tests for `Source/Mysql` (through `Source.mysql`): a query streamed from a real MariaDB server started on loopback
 * by `@profilesync/test-support`.
 */
import { assert, describe, it } from "@effect/vitest"
import { startMariaDbServer } from "@profilesync/test-support"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Mysql from "mysql2/promise"
import { loadDriver } from "../../src/internal/sourceMysqlDriver.ts"
import * as Source from "../../src/Source.ts"
import { collect, failure, rejectionsOf, rowsOf } from "../support/SourceFiles.ts"

const server = Effect.acquireRelease(
  Effect.promise(() => startMariaDbServer()),
  (started) => Effect.promise(() => started.close())
)

const client = (url: string) =>
  Effect.acquireRelease(
    Effect.promise(() => Mysql.createConnection({ uri: url, multipleStatements: true })),
    (connection) => Effect.promise(() => connection.end())
  )

describe("mysql", () => {
  it.scoped(
    "streams a query, converts values by column type, rejects a zero date by row and column, and fails clearly",
    () =>
      Effect.gen(function* () {
        const mariadb = yield* server
        const sql = yield* client(mariadb.url)
        yield* Effect.promise(() =>
          sql.query(`
            SET SESSION sql_mode = '';
            CREATE TABLE profiles (id BIGINT UNSIGNED PRIMARY KEY, email VARCHAR(200), score DECIMAL(10,2),
              active TINYINT(1), seen TIMESTAMP NULL, born DATE, updated DATETIME, data JSON, photo BLOB, flags BIT(3),
              note TEXT, ratio DOUBLE);
            INSERT INTO profiles
              SELECT seq, CONCAT('user', seq, '@example.com'), seq / 4, seq % 2, '2024-01-02 03:04:05', '1990-05-17',
                '2024-02-03 10:11:12', JSON_OBJECT('n', seq), UNHEX('CAFE'), b'101', NULL, 0.5
              FROM seq_1_to_5000;
            UPDATE profiles SET born = '0000-00-00' WHERE id = 3;`)
        )

        const source = Source.mysql({ url: mariadb.url, query: "SELECT * FROM profiles ORDER BY id;", batchSize: 100 })
        // The source is named by its URL without the password, and the password is registered for redaction.
        assert.notInclude(source.name, mariadb.password)
        assert.include(source.name, `mysql://${mariadb.user}@127.0.0.1:${mariadb.port}/`)
        const items = yield* collect(source)
        assert.strictEqual(items.length, 5000)
        const rows = rowsOf(items)
        assert.strictEqual(rows.length, 4999)
        assert.deepStrictEqual(rows[0], {
          _tag: "SourceRow",
          rowNumber: 1,
          line: 1,
          values: {
            id: "1",
            email: "user1@example.com",
            score: "0.25",
            active: 1,
            seen: "2024-01-02T03:04:05Z",
            born: "1990-05-17",
            updated: "2024-02-03T10:11:12",
            data: '{"n": 1}',
            photo: "\\xcafe",
            flags: 5,
            note: null,
            ratio: 0.5
          }
        })
        // The zero date rejects its row, naming row and column; the rows after it still arrive, in order.
        const [rejected] = rejectionsOf(items)
        assert.strictEqual(rejected?.rowNumber, 3)
        assert.deepStrictEqual(
          rejected?.reason._tag === "MalformedRow"
            ? { row: rejected.reason.row, column: rejected.reason.column }
            : undefined,
          { row: 3, column: "born" }
        )
        assert.include(Source.describe(rejected!.reason), "row 3")
        assert.include(Source.describe(rejected!.reason), "NULLIF(born, '0000-00-00')")
        assert.deepStrictEqual(
          rows.slice(1, 4).map((row) => row.rowNumber),
          [2, 4, 5]
        )

        // The columns with their types, from the prepared query (nothing is read).
        const columns = yield* source.columns!
        assert.deepStrictEqual(
          columns.map((column) => `${column.name} ${column.type}`),
          [
            "id bigint unsigned",
            "email varchar",
            "score decimal",
            "active tinyint",
            "seen timestamp",
            "born date",
            "updated datetime",
            "data json",
            "photo blob",
            "flags bit",
            "note text",
            "ratio double"
          ]
        )

        const failed = yield* failure(Source.mysql({ url: mariadb.url, query: "SELECT * FROM missing_table" }))
        assert.strictEqual(failed.reason._tag, "QueryFailed")
        assert.include(failed.message, "missing_table' doesn't exist")
        const empty = yield* failure(Source.mysql({ url: mariadb.url, query: "SELECT * FROM profiles WHERE false" }))
        assert.strictEqual(empty.reason._tag, "Empty")
        const allowed = yield* collect(
          Source.mysql({ url: mariadb.url, query: "SELECT * FROM profiles WHERE false", allowEmpty: true })
        )
        assert.strictEqual(allowed.length, 0)
        const duplicate = yield* failure(Source.mysql({ url: mariadb.url, query: "SELECT 1 AS a, 2 AS a" }))
        assert.strictEqual(duplicate.reason._tag, "DuplicateColumn")
        // The read-only transaction: a source query cannot change data.
        const write = yield* failure(Source.mysql({ url: mariadb.url, query: "DELETE FROM profiles" }))
        assert.strictEqual(write.reason._tag, "QueryFailed")
        assert.include(write.message, "READ ONLY")
        const [[count]] = (yield* Effect.promise(() => sql.query("SELECT COUNT(*) AS n FROM profiles"))) as unknown as [
          [{ n: number }]
        ]
        assert.strictEqual(count?.n, 5000)

        // A wrong password: the server's refusal, without the password anywhere.
        const wrong = `mysql://${mariadb.user}:not-the-password@127.0.0.1:${mariadb.port}/${mariadb.database}`
        const refused = yield* failure(Source.mysql({ url: wrong, query: "SELECT 1" }))
        assert.strictEqual(refused.reason._tag, "QueryFailed")
        assert.include(refused.message, "Access denied")
        assert.notInclude(refused.message, "not-the-password")
      }),
    240_000
  )

  // Live clock: the wait for the server to drop the connection sleeps between looks.
  it.scopedLive(
    "reads a result of many batches and closes the connection when the stream stops early",
    () =>
      Effect.gen(function* () {
        const mariadb = yield* server
        const sql = yield* client(mariadb.url)
        yield* Effect.promise(() =>
          sql.query(`
            CREATE TABLE wide (id INT PRIMARY KEY, payload VARCHAR(100));
            INSERT INTO wide SELECT seq, REPEAT('x', 100) FROM seq_1_to_20000;`)
        )
        const source = Source.mysql({ url: mariadb.url, query: "SELECT * FROM wide ORDER BY id", batchSize: 500 })
        // Every row of a result larger than one batch, in order (memory use is measured in bench/source-mysql.ts).
        const count = yield* Stream.runFold(source.rows, 0, (total, item) => {
          assert.strictEqual(item.rowNumber, total + 1)
          return total + 1
        })
        assert.strictEqual(count, 20_000)

        // Stopping after three rows ends the query and closes the connection.
        const first = yield* Stream.runCollect(Stream.take(source.rows, 3))
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(first).map((item) => item.rowNumber),
          [1, 2, 3]
        )
        const others = () =>
          sql
            .query(
              "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()",
              [mariadb.user]
            )
            .then(([result]) => Number((result as Array<{ n: number }>)[0]?.n))
        // The server notices the closed socket on its own schedule: wait for it, not for a fixed time.
        let open = yield* Effect.promise(others)
        for (let attempt = 0; open > 0 && attempt < 600; attempt++) {
          yield* Effect.sleep("50 millis")
          open = yield* Effect.promise(others)
        }
        assert.strictEqual(open, 0)
      }),
    240_000
  )

  it.effect("fails with MissingDriver, naming the package to install, when the driver cannot be imported", () =>
    Effect.gen(function* () {
      // A real import of a package that is not installed: what a user without mysql2 gets.
      const notInstalled = "@profilesync/not-an-installed-driver"
      const error = yield* Effect.flip(loadDriver("mysql://db.example/crm", () => import(notInstalled)))
      assert.strictEqual(error.reason._tag, "MissingDriver")
      if (error.reason._tag === "MissingDriver") assert.strictEqual(error.reason.packageName, "mysql2")
      assert.include(error.message, "mysql://db.example/crm: reading this source needs the driver mysql2")
      assert.include(error.message, "npm i mysql2")
      // With the driver installed (as in this workspace), the same loader succeeds.
      const driver = yield* loadDriver("mysql://db.example/crm")
      assert.strictEqual(typeof driver.createConnection, "function")
    })
  )
})
