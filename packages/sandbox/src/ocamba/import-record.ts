/**
 * @module
 * An Ocamba import session as the sandbox keeps it: the record's fields, the uploaded rows stored by column (packed
 * once processed), and the
 * per-row report stored as profile slots (the timestamps are the same for every row of an import), so a 50,000-row
 * import keeps a few arrays rather than 50,000 row arrays and 50,000 report objects. `rows` and `report` build
 * plain arrays when read.
 */
import { ColumnValues } from "../column-values.ts"
import { ocambaProfileId } from "./profile-store.ts"

/**
 * A 0/1 flag, the vendor's way of writing booleans.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type Flag = 0 | 1

/**
 * One column-to-property pair of an import mapping.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaMappingItem {
  readonly label: string
  readonly property: {
    readonly label: string
    readonly data_type: string
    readonly example?: string
    readonly system: Flag
  }
}

/**
 * The result for one data row of an import, as the report endpoint returns it.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaReportRow {
  readonly event_date: string
  readonly event_time: string
  /** The profile written, or `""` for a failed row. */
  readonly profile_id: string
  /** `SUCCESS`, or a failure code: `MISSING_IDENTIFIER`, `INVALID_EMAIL`, `REFUSED`, `NOT_PROCESSED`. */
  readonly code: string
  readonly update_time: string
  /** 1-based data row of the file (the header is row 0); only with the `richImportReport` option. */
  readonly row?: number
  readonly message?: string
}

/**
 * The status of an import record. `uploaded`, `failed` and the passage through `running` are inferred.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type OcambaImportStatus = "uploaded" | "running" | "finished" | "failed"

/**
 * The data rows of an uploaded file, by column (packed once the import is processed).
 *
 * @category Ocamba
 * @since 0.2.0
 */
export class ImportRows extends ColumnValues {
  /** The rows of a parsed file (each as long as `width`), stored by column. */
  static fromRows(rows: ReadonlyArray<ReadonlyArray<string>>, width: number): ImportRows {
    const columns: Array<Array<string>> = []
    for (let index = 0; index < width; index++) {
      const column = new Array<string>(rows.length)
      for (let row = 0; row < rows.length; row++) column[row] = rows[row]![index]!
      columns.push(column)
    }
    return new ImportRows(columns, rows.length)
  }

  /** The rows as arrays aligned with the file's columns (built anew on every call). */
  toArrays(): Array<Array<string>> {
    const columns = this.columns
    const rows: Array<Array<string>> = []
    for (let row = 0; row < this.length; row++) rows.push(columns.map((column) => column[row]!))
    return rows
  }
}

/**
 * The report of one import: one entry per reported row, kept as the profile's slot (-1 for a failed row) and, for
 * the rich report only, the row number, code and message.
 *
 * @category Ocamba
 * @since 0.2.0
 */
export class ImportReport {
  #eventDate = ""
  #timestamp = ""
  readonly #slots: Array<number> = []
  #rich: { rows: Array<number>; codes: Array<string>; messages: Array<string | undefined> } | undefined

  get length(): number {
    return this.#slots.length
  }

  /** Starts the report: the date and time every entry carries (an import is processed at one instant). */
  start(eventDate: string, timestamp: string, rich: boolean): void {
    this.#eventDate = eventDate
    this.#timestamp = timestamp
    this.#rich = rich ? { rows: [], codes: [], messages: [] } : undefined
  }

  /** Adds a successful row: the profile written. */
  succeeded(row: number, slot: number): void {
    this.#slots.push(slot)
    if (this.#rich !== undefined) this.#addRich(row, "SUCCESS", undefined)
  }

  /** Adds a failed row; only a rich report lists failures (the vendor's report has successful rows only). */
  failed(row: number, code: string, message: string): void {
    if (this.#rich === undefined) return
    this.#slots.push(-1)
    this.#addRich(row, code, message)
  }

  /** The entries from `start` up to `end`, as the report endpoint returns them. */
  entries(start = 0, end = this.length): Array<OcambaReportRow> {
    const entries: Array<OcambaReportRow> = []
    const rich = this.#rich
    for (let index = Math.max(0, start); index < Math.min(end, this.length); index++) {
      const slot = this.#slots[index]!
      const profileId = slot === -1 ? "" : ocambaProfileId(slot)
      if (rich === undefined) {
        // The vendor's own shape, built as one literal: this runs for every row of a full report.
        entries.push({
          event_date: this.#eventDate,
          event_time: this.#timestamp,
          profile_id: profileId,
          code: "SUCCESS",
          update_time: this.#timestamp
        })
        continue
      }
      const message = rich.messages[index]
      entries.push({
        event_date: this.#eventDate,
        event_time: this.#timestamp,
        profile_id: profileId,
        code: rich.codes[index]!,
        update_time: this.#timestamp,
        row: rich.rows[index]!,
        ...(message === undefined ? {} : { message })
      })
    }
    return entries
  }

  #addRich(row: number, code: string, message: string | undefined): void {
    this.#rich!.rows.push(row)
    this.#rich!.codes.push(code)
    this.#rich!.messages.push(message)
  }
}

/**
 * The fields an import record is created with.
 *
 * @category Ocamba
 * @since 0.2.0
 */
export interface OcambaImportFields {
  readonly id: string
  readonly company_id: string
  readonly creator_id: string
  readonly profile_lists: ReadonlyArray<string>
  readonly file: {
    readonly path: string
    readonly size: number
    readonly name: string
    readonly mimetype: string
    readonly extension: string
  }
  readonly columns: ReadonlyArray<string>
  readonly automaticMapping: ReadonlyArray<OcambaMappingItem>
  readonly expire_time: string
  readonly create_time: string
}

/**
 * An import session: the uploaded file, its detected columns and rows, the mapping, counts and report.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export class OcambaImport {
  readonly id: string
  readonly company_id: string
  readonly creator_id: string
  status: OcambaImportStatus = "uploaded"
  readonly profile_lists: ReadonlyArray<string>
  readonly file: OcambaImportFields["file"]
  readonly columns: ReadonlyArray<string>
  /**
   * The data rows, by column (storage: read them as `rows`).
   *
   * @internal
   */
  readonly dataRows: ImportRows
  readonly automaticMapping: ReadonlyArray<OcambaMappingItem>
  committedMapping: ReadonlyArray<OcambaMappingItem> | undefined = undefined
  /** The id of the long-running operation the commit returned. */
  commitTaskId: string | undefined = undefined
  total_records: number
  imported_records = 0
  failed_records = 0
  readonly expire_time: string
  readonly create_time: string
  update_time: string
  /**
   * The per-row report, filled by processing (storage: read it as `report`).
   *
   * @internal
   */
  readonly reportEntries = new ImportReport()
  /** Why processing failed, when it did. */
  error: string | undefined = undefined

  constructor(fields: OcambaImportFields, dataRows: ImportRows) {
    this.id = fields.id
    this.company_id = fields.company_id
    this.creator_id = fields.creator_id
    this.profile_lists = fields.profile_lists
    this.file = fields.file
    this.columns = fields.columns
    this.dataRows = dataRows
    this.automaticMapping = fields.automaticMapping
    this.total_records = dataRows.length
    this.expire_time = fields.expire_time
    this.create_time = fields.create_time
    this.update_time = fields.create_time
  }

  /** Data rows, each aligned with `columns` (built anew on every read). */
  get rows(): Array<Array<string>> {
    return this.dataRows.toArrays()
  }

  /** The full report, as the report endpoint returns it (built anew on every read). */
  get report(): Array<OcambaReportRow> {
    return this.reportEntries.entries()
  }

  /** A plain-data copy for the inspection API: rows are left out (their count is given) to keep dumps small. */
  toJSON(): object {
    return {
      id: this.id,
      company_id: this.company_id,
      creator_id: this.creator_id,
      status: this.status,
      profile_lists: this.profile_lists,
      file: this.file,
      columns: this.columns,
      automaticMapping: this.automaticMapping,
      committedMapping: this.committedMapping,
      commitTaskId: this.commitTaskId,
      total_records: this.total_records,
      imported_records: this.imported_records,
      failed_records: this.failed_records,
      expire_time: this.expire_time,
      create_time: this.create_time,
      update_time: this.update_time,
      report: this.report,
      error: this.error,
      rowCount: this.dataRows.length
    }
  }
}
