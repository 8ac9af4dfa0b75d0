/**
 * Many rows in one statement: the rows travel as one JSON array of arrays, bound as a single parameter, and the
 * database unpacks it as a table (`json_each` on SQLite, `json_array_elements` on PostgreSQL) that an
 * `INSERT … SELECT`, a join or an `IN (SELECT …)` reads.
 *
 * **Why**
 *
 * A statement of 500 rows with a parameter per column costs, through `@effect/sql`, an Effect, a compiled statement
 * and thousands of bound values; a confirmation of 50,000 rows was 100 such statements per kind of write. One JSON
 * parameter per 10,000 rows does the same work with one statement, the same SQL text every time (prepared once), and
 * no bound-parameter limit. Values keep their type as text (or null): columns of other types are `CAST`.
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import type { Dialect } from "./syncStateSchema.ts"

/** Rows per statement: a JSON parameter of about 1 MB for keys and hashes. @internal */
export const bulkSize = 10_000

/** The rows of `items` in slices of {@link bulkSize}. @internal */
export const bulkSlices = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  if (items.length <= bulkSize) return items.length === 0 ? [] : [items]
  const slices: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += bulkSize) slices.push(items.slice(start, start + bulkSize))
  return slices
}

/** One value of a row: text or null. @internal */
export type BulkValue = string | null

// A lone surrogate (possible in a JavaScript string, never in UTF-8 text) is written by `JSON.stringify` as a `\udXXX`
// escape. SQLite decodes it into the same bytes better-sqlite3 binds for it (WTF-8), so a key reads back as before.
// PostgreSQL refuses the escape, and its driver binds U+FFFD for a lone surrogate: for PostgreSQL the strings are made
// well-formed first, which stores what a bound parameter stored.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const wellFormed = (value: BulkValue): BulkValue => (value === null ? null : value.replace(loneSurrogate, "\ufffd"))

/** The JSON text of `rows` for `dialect`. @internal */
export const bulkJson = (dialect: Dialect, rows: ReadonlyArray<ReadonlyArray<BulkValue>>): string => {
  const json = JSON.stringify(rows)
  // `JSON.stringify` writes a lone surrogate, and nothing else, as a lower-case `\ud…` escape (a backslash in the
  // text is written `\\`, so `\\ud` may also match: that only costs the slower path).
  return dialect === "pg" && json.includes("\\ud") ? JSON.stringify(rows.map((row) => row.map(wellFormed))) : json
}

/**
 * The table of the rows of `json` ({@link bulkJson}) for a `FROM` clause, named `entry`; column `index` of a row is
 * {@link bulkColumn}. One JSON text can feed several statements.
 *
 * @internal
 */
export const bulkTable = (sql: SqlClient.SqlClient, dialect: Dialect, json: string): Statement.Fragment =>
  dialect === "sqlite"
    ? sql`json_each(${json}) AS entry`
    : sql`json_array_elements(CAST(${json} AS json)) WITH ORDINALITY AS entry(value, position)`

/**
 * The rows of {@link bulkTable} in the order they were given, for an `ORDER BY` (where the order of the rows written
 * matters: entries of one key written by one statement).
 *
 * @internal
 */
export const bulkOrder = (sql: SqlClient.SqlClient, dialect: Dialect): Statement.Fragment =>
  sql.literal(dialect === "sqlite" ? "entry.key" : "entry.position")

/** Column `index` of a row of {@link bulkTable}, as text (`->>` reads the same on SQLite and PostgreSQL). @internal */
export const bulkColumn = (sql: SqlClient.SqlClient, index: number): Statement.Fragment =>
  sql.literal(`(entry.value ->> ${Math.floor(index)})`)
