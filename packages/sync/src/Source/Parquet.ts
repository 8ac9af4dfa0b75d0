/**
 * A Parquet source: one file read through DuckDB in chunks. The driver (`@duckdb/node-api`, whose npm packages ship
 * DuckDB's binary) is loaded when the stream first runs, so it need not be installed unless a Parquet source is
 * configured. Also available as `Source.parquet`.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { fromBatches, toSourceError } from "../internal/sourceFile.ts"
import { loadDriver } from "../internal/sourceParquetDriver.ts"
import { parquetBatches, parquetColumns } from "../internal/sourceParquetReader.ts"
import type * as Source from "../Source.ts"

/**
 * Options of {@link parquet}.
 *
 * **Details**
 *
 * - `path`: the Parquet file.
 * - `allowEmpty`: accept a file without rows (default `false`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ParquetOptions {
  readonly path: string
  readonly allowEmpty?: boolean | undefined
}

/**
 * A Parquet file, streamed through DuckDB.
 *
 * **Details**
 *
 * DuckDB (in memory, one thread) reads the file as a streaming result, fetched one chunk of 2,048 rows at a time: it
 * reads the row groups as they are needed, so memory holds a row group or two whatever the file's size.
 *
 * Values: strings, booleans, integers up to `INTEGER`, `FLOAT` and `DOUBLE` as they are; `BIGINT`, `HUGEINT` and
 * `DECIMAL` as strings (exact); `DATE` as `YYYY-MM-DD`; `TIMESTAMP WITH TIME ZONE` as a UTC ISO 8601 string ending in
 * `Z`, a timestamp without a zone as `YYYY-MM-DDTHH:MM:SS[.ffffff]`; `BLOB` as `\x` hex; lists, structs and maps as
 * JSON text; other types (time, interval, UUID) as DuckDB writes them. A NaN or infinite number is no value a
 * vendor can take: its row is rejected (`MalformedRow` naming the row and column) and the rows after it still arrive.
 *
 * Fatal: `NotFound`, `ReadFailed` (not a Parquet file, a corrupt page: DuckDB's message), `DuplicateColumn`, `Empty`
 * for a file without rows (unless `allowEmpty`). `rowNumber` and `line` are both the row's position in the file.
 *
 * `columns` reads the file's schema (its footer) without reading rows: names and DuckDB's type names such as
 * `VARCHAR`, `BIGINT`, `DECIMAL(10,2)`, `TIMESTAMP WITH TIME ZONE`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const parquet = (options: ParquetOptions): Source.Source => {
  const read = { source: options.path, path: options.path, allowEmpty: options.allowEmpty ?? false }
  const rows = Stream.unwrap(
    Effect.map(loadDriver(read.source), (driver) =>
      fromBatches(read.source, read.path, () => parquetBatches(driver, read))
    )
  )
  const columns = Effect.flatMap(loadDriver(read.source), (driver) =>
    Effect.tryPromise({ try: () => parquetColumns(driver, read), catch: toSourceError(read.source, read.path) })
  )
  return { name: read.source, rows, columns }
}
