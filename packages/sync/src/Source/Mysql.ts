/**
 * A MySQL or MariaDB source: one query streamed row by row in a read-only transaction. The driver (`mysql2`) is
 * loaded when the stream first runs, so it need not be installed unless a MySQL source is configured. Also available
 * as `Source.mysql`.
 *
 * @since 0.2.0
 */
import * as Redact from "@profilesync/core/Redact"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { fromBatches, invalidOptions, toSourceError } from "../internal/sourceFile.ts"
import { loadDriver } from "../internal/sourceMysqlDriver.ts"
import { mysqlBatches, mysqlColumns } from "../internal/sourceMysqlReader.ts"
import { urlWithoutPassword } from "../internal/sourceUrl.ts"
import type * as Source from "../Source.ts"

/**
 * Options of {@link mysql}.
 *
 * **Details**
 *
 * - `url`: a `mysql://user:password@host:port/database` connection URL (a `Redacted` keeps it out of logs).
 * - `query`: one `SELECT` (or `WITH … SELECT`, `TABLE`, `VALUES`); a trailing semicolon is allowed.
 * - `batchSize`: rows handed on at a time, and the most the driver buffers ahead (default 1,000).
 * - `allowEmpty`: accept a query without rows (default `false`).
 *
 * @since 0.2.0
 * @category models
 */
export interface MysqlOptions {
  readonly url: string | Redacted.Redacted<string>
  readonly query: string
  readonly batchSize?: number | undefined
  readonly allowEmpty?: boolean | undefined
}

/**
 * A MySQL or MariaDB query, streamed.
 *
 * **Details**
 *
 * The query runs in a `READ ONLY` transaction `WITH CONSISTENT SNAPSHOT` at `REPEATABLE READ` (one snapshot for the
 * whole read, and a source can never write), and its result set is streamed: the driver pauses the connection while
 * the sync is behind, so memory holds about one batch whatever the result size. The connection (and the transaction)
 * is closed when the stream ends, fails or is interrupted.
 *
 * Values: text, `int` and smaller, `float`, `double` and `NULL` as they are; `bigint` and `decimal` as strings (they
 * do not fit a JavaScript number exactly); `date` as `YYYY-MM-DD`, `datetime` as `YYYY-MM-DDTHH:MM:SS` (as stored,
 * without a zone), `timestamp` as a UTC ISO 8601 string ending in `Z`; `json` as its text; binary strings and blobs as
 * `\x` hex; `bit` as a number. A zero date (`0000-00-00`, or a zero month or day) is no date: its row is rejected
 * (`MalformedRow` naming the row and column) and the rows after it still arrive.
 *
 * Fatal: `QueryFailed` for a refused connection or a failing query (with the server's message), `DuplicateColumn`
 * when two result columns share a name, `Empty` for no rows (unless `allowEmpty`). `rowNumber` and `line` are both
 * the row's position in the result.
 *
 * `columns` prepares the query (the server describes its result without running it): names and types such as `int`,
 * `bigint unsigned`, `varchar`, `text`, `datetime`, `json`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const mysql = (options: MysqlOptions): Source.Source => {
  const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
  Redact.registerUrlPassword(Redacted.value(url))
  const source = urlWithoutPassword(Redacted.value(url), "mysql")
  const batchSize = options.batchSize ?? 1000
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    return { name: source, rows: invalidOptions(source, "batchSize must be a positive integer") }
  }
  const read = {
    source,
    url: Redacted.value(url),
    query: options.query.trim().replace(/;\s*$/, ""),
    batchSize,
    allowEmpty: options.allowEmpty ?? false
  }
  // `mysql2` itself rather than @effect/sql-mysql2, measured in bench/source-mysql.ts (200k rows, both in one run):
  // the library's stream grew RSS by 64–81 MiB where this grows 5–10 MiB, ours was not slower (median 80k rows/s
  // against 39k on a loaded machine), and the library hands over row objects (two columns of one name silently become
  // one, where this fails with DuplicateColumn) without the result's column types, which the value conversion and the
  // schema check need.
  const rows = Stream.unwrap(
    Effect.map(loadDriver(source), (driver) => fromBatches(source, source, () => mysqlBatches(driver, read)))
  )
  const columns = Effect.flatMap(loadDriver(source), (driver) =>
    Effect.tryPromise({ try: () => mysqlColumns(driver, read), catch: toSourceError(source, source) })
  )
  return { name: source, rows, columns }
}
