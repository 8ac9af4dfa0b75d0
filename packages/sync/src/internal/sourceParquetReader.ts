/**
 * Reads a Parquet source through DuckDB (`@duckdb/node-api`): the file read as a streaming result, one DuckDB chunk
 * (2,048 rows) at a time, each value converted by its column's type (a NaN or infinite number rejects its row, naming
 * the column), and the file's columns described from its schema without reading rows.
 *
 * @internal
 */
import { stat } from "node:fs/promises"
import type {
  DuckDBBlobValue,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBType,
  DuckDBValue
} from "@duckdb/node-api"
import type * as Source from "../Source.ts"
import { Fatal, SourceErrorReason } from "./sourceError.ts"
import { excerpt, readFailure, setValue } from "./sourceFile.ts"
import type { Driver } from "./sourceParquetDriver.ts"

/** What a read needs. @internal */
export interface ParquetRead {
  readonly source: string
  readonly path: string
  readonly allowEmpty: boolean
}

/** A value that cannot be read: the row is rejected with this detail, naming the column. */
class ValueProblem {
  constructor(readonly detail: string) {}
}

const firstLine = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!

const readFailed = (read: ParquetRead, cause: unknown): Fatal =>
  new Fatal(SourceErrorReason.ReadFailed({ source: read.source, path: read.path, detail: firstLine(cause), cause }))

// The path as an SQL string literal: DuckDB cannot bind a parameter where `read_parquet` needs its file at planning.
const fileQuery = (path: string): string => `SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`

interface Opened {
  readonly instance: DuckDBInstance
  readonly connection: DuckDBConnection
}

/**
 * An in-memory DuckDB of one thread for this read: one thread keeps memory to the row groups being read, and the file
 * is checked first so that a missing one is `NotFound` (DuckDB would call it a pattern without matches).
 */
const open = async (driver: Driver, read: ParquetRead): Promise<Opened> => {
  try {
    const info = await stat(read.path)
    if (!info.isFile()) throw Object.assign(new Error(`${read.path} is not a regular file`), { code: "EISDIR" })
  } catch (cause) {
    throw readFailure(read.source, read.path, cause)
  }
  const instance = await driver.DuckDBInstance.create(":memory:", { threads: "1" }).catch((cause: unknown) => {
    throw readFailed(read, cause)
  })
  const connection = await instance.connect().catch((cause: unknown) => {
    instance.closeSync()
    throw readFailed(read, cause)
  })
  return { instance, connection }
}

const close = (opened: Opened): void => {
  opened.connection.closeSync()
  opened.instance.closeSync()
}

const number = (value: number): number => {
  if (Number.isFinite(value)) return value
  throw new ValueProblem(`${value} is not a number that can be sent`)
}

/** Converts one DuckDB value by its type; nested values (lists, structs, maps) become their JSON text. */
const convert = (driver: Driver, value: DuckDBValue, type: DuckDBType): Source.SourceValue => {
  if (value === null) return null
  if (typeof value === "string" || typeof value === "boolean") return value
  if (typeof value === "number") return number(value)
  if (typeof value === "bigint") return value.toString()
  const { DuckDBTypeId } = driver
  switch (type.typeId) {
    case DuckDBTypeId.BLOB:
      return `\\x${Buffer.from((value as DuckDBBlobValue).bytes).toString("hex")}`
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new Date(Number((value as DuckDBTimestampTZValue).micros / 1000n)).toISOString()
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      // A timestamp without a zone, as stored: `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
      return String(value).replace(" ", "T")
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION: {
      const json = driver.JsonDuckDBValueConverter(value, type, driver.JsonDuckDBValueConverter)
      return JSON.stringify(json)
    }
    default:
      // Decimals (exact), dates, times, intervals, UUIDs: DuckDB's own text.
      return String(value)
  }
}

const checkDuplicates = (source: string, names: ReadonlyArray<string>): void => {
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate === undefined) return
  const positions = names.flatMap((name, index) => (name === duplicate ? [index + 1] : []))
  throw new Fatal(SourceErrorReason.DuplicateColumn({ source, column: duplicate, positions }))
}

const rawOf = (row: ReadonlyArray<DuckDBValue>): string =>
  excerpt(JSON.stringify(row.map((value) => (typeof value === "bigint" ? value.toString() : String(value)))))

/**
 * The rows, one batch per DuckDB chunk of the streaming result: DuckDB reads the file's row groups as the chunks are
 * fetched, so memory holds a row group or two whatever the file's size. The database is closed when the read ends,
 * fails or is interrupted.
 *
 * @internal
 */
export async function* parquetBatches(
  driver: Driver,
  read: ParquetRead
): AsyncGenerator<ReadonlyArray<Source.SourceItem>> {
  const opened = await open(driver, read)
  try {
    const result = await opened.connection.stream(fileQuery(read.path)).catch((cause: unknown) => {
      throw readFailed(read, cause)
    })
    const names = result.columnNames()
    const types = result.columnTypes()
    checkDuplicates(read.source, names)
    let rowNumber = 0
    while (true) {
      const chunk = await result.fetchChunk().catch((cause: unknown) => {
        throw readFailed(read, cause)
      })
      if (chunk === null || chunk.rowCount === 0) break
      const batch: Array<Source.SourceItem> = []
      for (const row of chunk.getRows()) {
        rowNumber++
        batch.push(toItem(driver, read.source, row, names, types, rowNumber))
      }
      yield batch
    }
    if (rowNumber === 0 && !read.allowEmpty) {
      throw new Fatal(SourceErrorReason.Empty({ source: read.source, missing: "Rows" }))
    }
  } finally {
    close(opened)
  }
}

const toItem = (
  driver: Driver,
  source: string,
  row: ReadonlyArray<DuckDBValue>,
  names: ReadonlyArray<string>,
  types: ReadonlyArray<DuckDBType>,
  rowNumber: number
): Source.SourceItem => {
  const values: Record<string, Source.SourceValue> = {}
  for (let index = 0; index < names.length; index++) {
    try {
      setValue(values, names[index]!, convert(driver, row[index]!, types[index]!))
    } catch (problem) {
      if (!(problem instanceof ValueProblem)) throw problem
      return {
        _tag: "SourceRowRejected",
        rowNumber,
        line: rowNumber,
        reason: SourceErrorReason.MalformedRow({
          source,
          row: rowNumber,
          line: rowNumber,
          column: names[index],
          detail: problem.detail
        }),
        raw: rawOf(row)
      }
    }
  }
  return { _tag: "SourceRow", rowNumber, line: rowNumber, values }
}

/**
 * The file's columns with DuckDB's names for their types (`VARCHAR`, `BIGINT`, `DECIMAL(10,2)`, `TIMESTAMP WITH TIME
 * ZONE`), from preparing the read: DuckDB takes them from the file's footer without reading rows.
 *
 * @internal
 */
export const parquetColumns = async (
  driver: Driver,
  read: ParquetRead
): Promise<ReadonlyArray<Source.SourceColumn>> => {
  const opened = await open(driver, read)
  try {
    const prepared = await opened.connection.prepare(fileQuery(read.path)).catch((cause: unknown) => {
      throw readFailed(read, cause)
    })
    const columns: Array<Source.SourceColumn> = []
    for (let index = 0; index < prepared.columnCount; index++) {
      columns.push({ name: prepared.columnName(index), type: String(prepared.columnType(index)) })
    }
    prepared.destroySync()
    return columns
  } finally {
    close(opened)
  }
}
