/**
 * Where a sync's rows come from: a CSV, NDJSON, JSON or Parquet file, or a PostgreSQL or MySQL/MariaDB query, each read
 * as a stream in flat memory, behind one small interface ({@link Source}) that more kinds of source can implement.
 *
 * **Rows and rejections**
 *
 * A source emits {@link SourceRow}s and, in the same stream and in file order, {@link SourceRowRejected}s: a record
 * that cannot be read (broken quoting, a field over the size limit, a line that is not JSON) is reported and skipped,
 * and the rows after it still arrive. A bad row never sinks the rows around it; the sync engine reports rejections,
 * and {@link strict} turns the first one into a failure for callers that want all or nothing.
 *
 * **Fatal problems**
 *
 * Problems with the whole input end the stream with a {@link SourceError}: a missing or unreadable file, a header
 * that cannot be trusted (a duplicate or empty column name, a delimiter that looks wrong), bytes that are not valid
 * in the declared encoding (the decoding of everything after them is suspect), a broken JSON structure, a failed
 * query, and an input without rows. Rows may have been emitted before such an error arrives: the sync engine must then
 * treat the run as incomplete (in particular, delete nothing for rows "missing" from a source that was not read to
 * its end).
 *
 * **Kinds**
 *
 * Each kind is its own module, re-exported here: `Source/Csv` ({@link csv}), `Source/Json` ({@link ndjson},
 * {@link json}), `Source/Parquet` ({@link parquet}), `Source/Postgres` ({@link postgres}) and `Source/Mysql`
 * ({@link mysql}), each importable on its own as `@profilesync/sync/Source/Csv` and so on. A database or Parquet
 * driver (an optional peer dependency) is loaded only when a source of its kind is read.
 *
 * @since 0.1.0
 */

import type * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as internal from "./internal/sourceError.ts"
import { SourceError } from "./internal/sourceError.ts"

// ---------------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------------

/**
 * One value of a row: CSV gives strings only; JSON, Parquet, PostgreSQL and MySQL give numbers, booleans and `null` as
 * well.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceValue = string | number | boolean | null

/**
 * A row read from a source.
 *
 * **Details**
 *
 * - `rowNumber`: the 1-based number of the data record (the header is not counted; rejected records are), so it is
 *   stable across runs of the same file and names the row in reports. The sync engine uses it, with `line`, to name
 *   both rows when two carry the same key.
 * - `line`: the 1-based physical line where the record starts (a quoted field can span lines, so this is not
 *   `rowNumber + 1`). For a query or a Parquet file, which have no lines, it equals `rowNumber`.
 * - `values`: by column name. CSV values are the raw strings (not trimmed; an empty field is `""`, since CSV cannot tell
 *   empty from missing); nested JSON values are given as their JSON text.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceRow {
  readonly _tag: "SourceRow"
  readonly rowNumber: number
  readonly line: number
  readonly values: Readonly<Record<string, SourceValue>>
}

/**
 * A record that could not be read, in the stream where its row would have been.
 *
 * **Details**
 *
 * `reason` is a `MalformedRow` or a `FieldTooLarge` {@link SourceErrorReason}, naming the row, line and column where
 * known. `raw` is the start of the record as it appears in the file (its first line, at most 1,024 characters), for
 * reports and dead-letter payloads.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceRowRejected {
  readonly _tag: "SourceRowRejected"
  readonly rowNumber: number
  readonly line: number
  readonly reason: SourceErrorReason
  readonly raw: string
}

/**
 * What a source's stream emits: a row or a rejected record.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceItem = SourceRow | SourceRowRejected

/**
 * A source of rows.
 *
 * **Details**
 *
 * `rows` reads the input afresh each time it is run, in flat memory: text files are read in 64 KiB chunks, a Parquet
 * file one DuckDB chunk at a time, a PostgreSQL query through a server-side cursor and a MySQL query as a result-set
 * stream. Implement this interface to add a kind of source.
 *
 * @since 0.1.0
 * @category models
 */
export interface Source {
  /** Names the source in errors and reports: the file path, or the database URL without its password. */
  readonly name: string
  readonly rows: Stream.Stream<SourceItem, SourceError>
  /**
   * The columns the source has now, with their types, without reading its rows: a PostgreSQL or MySQL source describes
   * its query's result, a Parquet source its file's schema. A source that cannot (a CSV or JSON file, whose columns are
   * its header or its records' keys) leaves it out.
   */
  readonly columns?: Effect.Effect<ReadonlyArray<SourceColumn>, SourceError> | undefined
}

/**
 * A column of a source: its name, and for a typed source its type: for a PostgreSQL query `format_type` of the result
 * column's type (e.g. `integer`, `text`, `timestamp with time zone`), for a MySQL query the SQL name of the column's
 * type (`int`, `varchar`, `decimal`, `datetime`), a length or precision left out in both; for a Parquet file DuckDB's
 * name for it (`BIGINT`, `VARCHAR`, `DECIMAL(10,2)`).
 *
 * @since 0.2.0
 * @category models
 */
export interface SourceColumn {
  readonly name: string
  readonly type?: string | undefined
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why a source failed or rejected a record.
 *
 * **Details**
 *
 * Per record (in a {@link SourceRowRejected}; the stream goes on):
 * - `MalformedRow`: broken quoting, a wrong number of fields, a line that is not a JSON object, a MySQL zero date,
 *   a NaN or infinite number in a Parquet file.
 * - `FieldTooLarge`: a value over `maxFieldBytes`, or a record over `maxRecordBytes`.
 * - `InvalidEncoding` in a CSV data record, an NDJSON line or a JSON array element: invalid UTF-8 in it, with its
 *   row, line, byte offset and column (or field).
 *
 * Fatal (the stream fails with a {@link SourceError}):
 * - `NotFound`, `ReadFailed`: the file is missing or cannot be read.
 * - `InvalidOptions`: e.g. a delimiter that is a quote or a line break.
 * - `Empty`: no header row, or a header and no rows. An export that came out empty is far more often broken than
 *   real, and a sync that removes missing profiles would delete all of them; pass `allowEmpty` when empty is normal.
 * - `MalformedFile`: the header is broken, or a JSON file's structure is (not an array, brackets that do not match).
 * - `WrongDelimiter`: the header is one column that contains another usual delimiter.
 * - `DuplicateColumn`, `EmptyColumnName`: a header that cannot name every value.
 * - `FieldTooLarge` in the header.
 * - `InvalidEncoding`: bytes that are not valid in the encoding; `line` and `byteOffset` say where.
 * - `QueryFailed`: the database refused the connection or the query.
 * - `MissingDriver`: the database driver of the source (a peer dependency) is not installed; `packageName`
 *   says what to install.
 *
 * @since 0.1.0
 * @category errors
 */
export type SourceErrorReason = Data.TaggedEnum<{
  NotFound: { readonly source: string; readonly path: string }
  ReadFailed: { readonly source: string; readonly path: string; readonly detail: string; readonly cause: unknown }
  InvalidOptions: { readonly source: string; readonly detail: string }
  Empty: { readonly source: string; readonly missing: "Header" | "Rows" }
  MalformedFile: { readonly source: string; readonly line: number; readonly detail: string }
  MalformedRow: {
    readonly source: string
    readonly row: number
    readonly line: number
    readonly column: string | undefined
    readonly detail: string
  }
  WrongDelimiter: {
    readonly source: string
    readonly delimiter: string
    readonly suggested: string
    readonly header: string
  }
  FieldTooLarge: {
    readonly source: string
    /** The data row; 0 for the header. */
    readonly row: number
    readonly line: number
    readonly column: string | undefined
    /** The size in bytes (UTF-8); for a record cut off at the limit, the bytes read before it was given up. */
    readonly bytes: number
    readonly limit: number
  }
  InvalidEncoding: {
    readonly source: string
    readonly encoding: string
    readonly line: number
    /** Offset of the first invalid byte from the start of the file, byte order mark included. */
    readonly byteOffset: number
    readonly detail: string
    /** For a record rejected on its own: the data row and the column (CSV) or field (JSON) holding the bytes, if known. */
    readonly row?: number | undefined
    readonly column?: string | undefined
  }
  DuplicateColumn: { readonly source: string; readonly column: string; readonly positions: ReadonlyArray<number> }
  EmptyColumnName: { readonly source: string; readonly position: number }
  QueryFailed: { readonly source: string; readonly detail: string; readonly cause: unknown }
  MissingDriver: {
    readonly source: string
    /** The npm package to install, e.g. `@effect/sql-pg`. */
    readonly packageName: string
    readonly detail: string
    readonly cause: unknown
  }
}>

/**
 * Constructors and guards for {@link SourceErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SourceErrorReason: Data.TaggedEnum.Constructor<SourceErrorReason> = internal.SourceErrorReason

/**
 * A sentence describing a {@link SourceErrorReason}, naming the source, row, line and column where known.
 *
 * @since 0.1.0
 * @category errors
 */
export const describe: (reason: SourceErrorReason) => string = internal.describe

export { SourceError }

// ---------------------------------------------------------------------------------------------------------------------
// Helpers for callers
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Tells a rejected record from a row.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRejected = (item: SourceItem): item is SourceRowRejected => item._tag === "SourceRowRejected"

/**
 * A source whose stream fails with the reason of the first rejected record instead of emitting it.
 *
 * **When to use**
 *
 * For inputs that must be read completely or not at all (a validation run, a reference table). A sync should keep the
 * default: rejected records are reported and the other rows still go out.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strict = (source: Source): Source => ({
  name: source.name,
  rows: Stream.mapEffect(source.rows, (item) =>
    item._tag === "SourceRowRejected" ? Effect.fail(new SourceError({ reason: item.reason })) : Effect.succeed(item)
  )
})

// ---------------------------------------------------------------------------------------------------------------------
// Kinds
// ---------------------------------------------------------------------------------------------------------------------

/** @since 0.1.0 */
export { type CsvEncoding, type CsvOptions, csv, csvEncodings } from "./Source/Csv.ts"
/** @since 0.1.0 */
export { type JsonOptions, json, ndjson } from "./Source/Json.ts"
/** @since 0.2.0 */
export { type MysqlOptions, mysql } from "./Source/Mysql.ts"
/** @since 0.2.0 */
export { type ParquetOptions, parquet } from "./Source/Parquet.ts"
/** @since 0.1.0 */
export { type PostgresOptions, postgres } from "./Source/Postgres.ts"
