/**
 * Reads a MySQL/MariaDB source through `mysql2`: one query streamed row by row in a read-only, consistent-snapshot
 * transaction, each value converted by its column's type (a zero date rejects its row, naming the column), and the
 * result's columns described by preparing the query without running it.
 *
 * @internal
 */
import type { Connection, FieldPacket } from "mysql2"
import type * as Source from "../Source.ts"
import { Fatal, SourceErrorReason } from "./sourceError.ts"
import { excerpt, setValue } from "./sourceFile.ts"
import type { Driver } from "./sourceMysqlDriver.ts"

/** What a read needs: the URL (with its password), the query, and the name of the source for errors. @internal */
export interface MysqlRead {
  readonly source: string
  readonly url: string
  readonly query: string
  readonly batchSize: number
  readonly allowEmpty: boolean
}

// Column type codes of the client/server protocol (include/mysql_com.h, enum_field_types) and the flags used here.
const type = {
  decimal: 0,
  tiny: 1,
  short: 2,
  long: 3,
  float: 4,
  double: 5,
  null: 6,
  timestamp: 7,
  longlong: 8,
  int24: 9,
  date: 10,
  time: 11,
  datetime: 12,
  year: 13,
  newdate: 14,
  varchar: 15,
  bit: 16,
  json: 245,
  newdecimal: 246,
  enum: 247,
  set: 248,
  tinyBlob: 249,
  mediumBlob: 250,
  longBlob: 251,
  blob: 252,
  varString: 253,
  string: 254,
  geometry: 255
} as const
const unsignedFlag = 32
const enumFlag = 256
const setFlag = 2048
// The `binary` character set: bytes, not text.
const binaryCharset = 63

const numericNames: Record<number, string> = {
  [type.decimal]: "decimal",
  [type.newdecimal]: "decimal",
  [type.tiny]: "tinyint",
  [type.short]: "smallint",
  [type.int24]: "mediumint",
  [type.long]: "int",
  [type.longlong]: "bigint",
  [type.float]: "float",
  [type.double]: "double"
}

const otherNames: Record<number, string> = {
  [type.null]: "null",
  [type.timestamp]: "timestamp",
  [type.date]: "date",
  [type.newdate]: "date",
  [type.time]: "time",
  [type.datetime]: "datetime",
  [type.year]: "year",
  [type.bit]: "bit",
  [type.json]: "json",
  [type.enum]: "enum",
  [type.set]: "set",
  [type.geometry]: "geometry"
}

const flagsOf = (field: FieldPacket): number => (typeof field.flags === "number" ? field.flags : 0)
const codeOf = (field: FieldPacket): number => field.columnType ?? field.type ?? -1
const isBinary = (field: FieldPacket): boolean => (field.characterSet ?? field.charsetNr) === binaryCharset

/**
 * The SQL name of a result column's type, as the schema check compares it: `int`, `bigint unsigned`, `decimal`,
 * `varchar`, `text`, `blob`, `datetime`, `json`; MariaDB's own types (`uuid`, `inet6`) by their names. Lengths and
 * precisions are left out, as for PostgreSQL.
 *
 * @internal
 */
export const typeName = (field: FieldPacket): string => {
  if (field.extendedTypeName !== undefined && field.extendedTypeName !== "") return field.extendedTypeName
  if (field.extendedFormat === "json") return "json"
  const code = codeOf(field)
  const numeric = numericNames[code]
  if (numeric !== undefined) return (flagsOf(field) & unsignedFlag) !== 0 ? `${numeric} unsigned` : numeric
  const other = otherNames[code]
  if (other !== undefined) return other
  const binary = isBinary(field)
  switch (code) {
    case type.tinyBlob:
    case type.mediumBlob:
    case type.longBlob:
    case type.blob:
      return binary ? "blob" : "text"
    case type.varchar:
    case type.varString:
      return binary ? "varbinary" : "varchar"
    case type.string:
      if ((flagsOf(field) & enumFlag) !== 0) return "enum"
      if ((flagsOf(field) & setFlag) !== 0) return "set"
      return binary ? "binary" : "char"
    default:
      return `type ${code}`
  }
}

/** A value that cannot be read: the row is rejected with this detail, naming the column. */
class ValueProblem {
  constructor(readonly detail: string) {}
}

// MySQL stores "zero" dates (`0000-00-00`, or a zero month or day) that are no date at all.
const zeroDate = /^\d{4}-(?:00-\d\d|\d\d-00)/

const dateText = (text: string, field: FieldPacket): string => {
  if (zeroDate.test(text)) {
    throw new ValueProblem(
      `\`${text}\` is not a date (a MySQL zero date); write NULLIF(${field.name}, '${text}') in the query to read it as empty`
    )
  }
  return text
}

/** Converts one value as `mysql2` gives it (with the connection options below) by its column's type. */
const convert = (value: unknown, field: FieldPacket): Source.SourceValue => {
  if (value === null || value === undefined) return null
  const code = codeOf(field)
  if (Buffer.isBuffer(value)) {
    if (code === type.bit) {
      let bits = 0n
      for (const byte of value) bits = (bits << 8n) | BigInt(byte)
      return bits <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bits) : bits.toString()
    }
    return `\\x${value.toString("hex")}`
  }
  if (typeof value === "string") {
    switch (code) {
      case type.date:
      case type.newdate:
        return dateText(value, field)
      case type.datetime:
        return dateText(value, field).replace(" ", "T")
      // The session's time zone is UTC, so a TIMESTAMP is the UTC instant.
      case type.timestamp:
        return `${dateText(value, field).replace(" ", "T")}Z`
      default:
        return value
    }
  }
  if (typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint") return value.toString()
  return JSON.stringify(value)
}

const errorDetail = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const queryFailed = (source: string, what: string, cause: unknown): Fatal =>
  new Fatal(SourceErrorReason.QueryFailed({ source, detail: `${what}: ${errorDetail(cause)}`, cause }))

// Big integers and decimals as strings (they do not fit a JavaScript number exactly), dates and JSON as the server
// writes them (converted above): nothing is lost or shifted by the process's time zone.
const connect = (driver: Driver, url: string): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const connection = driver.createConnection({
      uri: url,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true
    })
    // A connection lost between commands is reported here; the command in progress fails on its own.
    connection.on("error", () => undefined)
    connection.connect((error) => {
      if (error === null) return resolve(connection)
      connection.destroy()
      reject(error)
    })
  })

const execute = (connection: Connection, statement: string): Promise<void> =>
  new Promise((resolve, reject) => {
    connection.query(statement, (error) => (error === null ? resolve() : reject(error)))
  })

const opened = async (driver: Driver, read: MysqlRead): Promise<Connection> => {
  let connection: Connection
  try {
    connection = await connect(driver, read.url)
  } catch (cause) {
    throw queryFailed(read.source, "cannot connect", cause)
  }
  try {
    await execute(connection, "SET time_zone = '+00:00'")
    // One consistent snapshot for the whole read, and a source can never write.
    await execute(connection, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    await execute(connection, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    return connection
  } catch (cause) {
    connection.destroy()
    throw queryFailed(read.source, "the query failed", cause)
  }
}

const checkDuplicates = (source: string, fields: ReadonlyArray<FieldPacket>): void => {
  const names = fields.map((field) => field.name)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate === undefined) return
  const positions = names.flatMap((name, index) => (name === duplicate ? [index + 1] : []))
  throw new Fatal(SourceErrorReason.DuplicateColumn({ source, column: duplicate, positions }))
}

const toItem = (
  source: string,
  row: ReadonlyArray<unknown>,
  fields: ReadonlyArray<FieldPacket>,
  rowNumber: number
): Source.SourceItem => {
  const values: Record<string, Source.SourceValue> = {}
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!
    try {
      setValue(values, field.name, convert(row[index], field))
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
          column: field.name,
          detail: problem.detail
        }),
        raw: excerpt(
          JSON.stringify(row.map((value) => (Buffer.isBuffer(value) ? `\\x${value.toString("hex")}` : value)))
        )
      }
    }
  }
  return { _tag: "SourceRow", rowNumber, line: rowNumber, values }
}

/**
 * The rows in batches of `batchSize`. `mysql2` streams the result set (the text protocol, row by row, pausing the
 * socket while the consumer is behind), so memory holds about one batch. The connection is closed, and the
 * transaction with it, when the read ends, fails or is interrupted.
 *
 * @internal
 */
export async function* mysqlBatches(driver: Driver, read: MysqlRead): AsyncGenerator<ReadonlyArray<Source.SourceItem>> {
  const connection = await opened(driver, read)
  try {
    const query = connection.query({ sql: read.query, rowsAsArray: true })
    let fields: ReadonlyArray<FieldPacket> | undefined
    query.on("fields", (received: ReadonlyArray<FieldPacket>) => {
      fields = received
    })
    const rows = query.stream({ highWaterMark: read.batchSize })
    let rowNumber = 0
    let checked = false
    let batch: Array<Source.SourceItem> = []
    try {
      for await (const row of rows as AsyncIterable<ReadonlyArray<unknown>>) {
        if (!checked) {
          checked = true
          checkDuplicates(read.source, fields ?? [])
        }
        rowNumber++
        batch.push(toItem(read.source, row, fields ?? [], rowNumber))
        if (batch.length >= read.batchSize) {
          yield batch
          batch = []
        }
      }
    } catch (cause) {
      throw cause instanceof Fatal ? cause : queryFailed(read.source, "the query failed", cause)
    }
    if (!checked && fields !== undefined) checkDuplicates(read.source, fields)
    if (batch.length > 0) yield batch
    if (rowNumber === 0 && !read.allowEmpty) {
      throw new Fatal(SourceErrorReason.Empty({ source: read.source, missing: "Rows" }))
    }
  } finally {
    connection.destroy()
  }
}

/**
 * The query's result columns with their types, from preparing it (the server describes the result without running
 * the query).
 *
 * @internal
 */
export const mysqlColumns = async (driver: Driver, read: MysqlRead): Promise<ReadonlyArray<Source.SourceColumn>> => {
  const connection = await opened(driver, read)
  try {
    const fields = await new Promise<ReadonlyArray<FieldPacket>>((resolve, reject) => {
      connection.prepare(read.query, (error, statement) => {
        if (error !== null) return reject(error)
        // The statement's result columns, from the server's reply to the prepare (typed in mysql2's code, not its
        // declarations).
        const columns = (statement as { readonly columns?: ReadonlyArray<FieldPacket> }).columns ?? []
        statement.close()
        resolve(columns)
      })
    }).catch((cause: unknown) => {
      throw queryFailed(read.source, "the query failed", cause)
    })
    return fields.map((field) => ({ name: field.name, type: typeName(field) }))
  } finally {
    connection.destroy()
  }
}
