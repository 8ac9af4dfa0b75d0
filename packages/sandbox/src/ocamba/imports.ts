/**
 * @module
 * Ocamba profile imports: upload a CSV (multipart, field `file`), read the import record with its detected columns
 * and automatic mapping, commit it with a mapping (processed asynchronously: `running` then `finished`), and read
 * the per-row report.
 *
 * Inferred, as the spec marks: the multipart field names, `GET /profiles/imports/{id}`, the statuses `uploaded` and
 * `failed`, and the report's `row`/`message`. The import id returned by the upload is the record id used by commit,
 * read and report. The upload's column analysis is immediate, so a commit may follow the upload at once.
 */

import type { SandboxRuntime } from "../runtime.ts"
import { formatTimestamp } from "../time.ts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { strictRefusal } from "../vendor/strict.ts"
import { readCsvFile } from "./csv-file.ts"
import { processOcambaImport } from "./import-processing.ts"
import { type Flag, ImportRows, OcambaImport, type OcambaMappingItem } from "./import-record.ts"
import type { OcambaAccountState } from "./state.ts"

// The system properties the vendor's pages show (the commit examples); the sandbox's others are our guess.
const documentedSystemProperties: ReadonlySet<string> = new Set(["email", "mobile_phone_number", "full_name"])

const dayMilliseconds = 24 * 60 * 60 * 1000

interface CommitBody {
  readonly mapping: ReadonlyArray<{
    readonly label: string
    readonly property: { readonly label: string; readonly data_type: string; readonly system?: Flag }
  }>
}

const automaticMapping = (account: OcambaAccountState, columns: ReadonlyArray<string>): Array<OcambaMappingItem> => {
  const items: Array<OcambaMappingItem> = []
  const used = new Set<string>()
  for (const column of columns) {
    const wanted = column.toLowerCase()
    for (const property of account.properties.values()) {
      const matches =
        property.label.toLowerCase() === wanted ||
        property.import_aliases.some((alias) => alias.toLowerCase() === wanted)
      if (matches && property.importable === 1 && !used.has(property.id)) {
        used.add(property.id)
        items.push({
          label: column,
          property: {
            label: property.label,
            data_type: property.data_type,
            example: property.example,
            system: property.system
          }
        })
        break
      }
    }
  }
  return items
}

const recordView = (record: OcambaImport): object => {
  const items = record.committedMapping ?? record.automaticMapping
  return {
    id: record.id,
    company_id: record.company_id,
    creator_id: record.creator_id,
    status: record.status,
    profile_lists: record.profile_lists,
    file: record.file,
    columns: record.columns,
    mapping: { mapped: items.length, unmapped: record.columns.length - items.length, items },
    total_records: record.total_records,
    imported_records: record.imported_records,
    failed_records: record.failed_records,
    expire_time: record.expire_time,
    create_time: record.create_time,
    update_time: record.update_time
  }
}

// Array.prototype.slice's reading of its bounds (negative from the end, NaN as 0), so odd pages answer as before.
const sliceEntries = (record: OcambaImport, start: number, end: number) => {
  const length = record.reportEntries.length
  const bound = (value: number) => {
    const whole = Number.isNaN(value) ? 0 : Math.trunc(value)
    return whole < 0 ? Math.max(length + whole, 0) : Math.min(whole, length)
  }
  return record.reportEntries.entries(bound(start), bound(end))
}

/**
 * The handlers of the import operations.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const importHandlers = (
  runtime: SandboxRuntime,
  dialect: VendorDialect
): Record<
  "createProfileImport" | "getProfileImport" | "commitProfileImport" | "getProfileImportReport",
  OperationHandler
> => ({
  createProfileImport: async ({ accountId, body }) => {
    const account = runtime.state.ocamba.account(accountId)
    const fields = body as { readonly file?: unknown; readonly profile_lists?: ReadonlyArray<string> }
    const file = fields.file
    if (!(file instanceof Blob)) {
      return dialect.badRequest("request body /file: must be a file part")
    }
    const name = file instanceof File && file.name !== "" ? file.name : "upload.csv"
    const extension = (name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "").toLowerCase()
    if (extension !== "csv" && extension !== "xlsx") {
      return dialect.badRequest(`request body /file: the file must be csv or xlsx, got "${name}"`)
    }
    if (extension === "xlsx") {
      return dialect.badRequest("request body /file: xlsx is accepted by Ocamba, but the sandbox reads csv files only")
    }
    const reading = readCsvFile(await file.text())
    if (!reading.ok) {
      return dialect.badRequest(`request body /file: ${reading.message}`)
    }
    const now = runtime.now()
    const timestamp = formatTimestamp(now)
    const id = runtime.uuid()
    const record = new OcambaImport(
      {
        id,
        company_id: account.companyId,
        creator_id: account.memberId,
        profile_lists: fields.profile_lists ?? [],
        file: {
          path: `./profiles/imports/${account.companyId}/${id}`,
          size: file.size,
          name,
          mimetype: file.type === "" ? "text/csv" : file.type,
          extension
        },
        columns: reading.columns,
        automaticMapping: automaticMapping(account, reading.columns),
        expire_time: formatTimestamp(now + 7 * dayMilliseconds),
        create_time: timestamp
      },
      // Kept by column: a row array per row would cost more than its values.
      ImportRows.fromRows(reading.rows, reading.columns.length)
    )
    account.imports.set(id, record)
    return {
      status: 202,
      body: {
        id,
        company_id: account.companyId,
        member_id: account.memberId,
        name: "profile-import",
        status: "running",
        start_time: timestamp
      }
    }
  },

  getProfileImport: ({ accountId, pathParams }) => {
    const record = runtime.state.ocamba.account(accountId).imports.get(pathParams.id ?? "")
    if (record === undefined) {
      return dialect.notFound(`No import with id ${pathParams.id ?? ""}.`)
    }
    return { status: 200, body: recordView(record) }
  },

  commitProfileImport: ({ accountId, pathParams, body }) => {
    const account = runtime.state.ocamba.account(accountId)
    const record = account.imports.get(pathParams.id ?? "")
    if (record === undefined) {
      return dialect.notFound(`No import with id ${pathParams.id ?? ""}.`)
    }
    if (record.status !== "uploaded") {
      return dialect.badRequest(`The import ${record.id} was already committed (status ${record.status}).`)
    }
    const { mapping } = body as CommitBody
    const columns = new Set<string>()
    const properties = new Set<string>()
    const items: Array<OcambaMappingItem> = []
    for (const [index, item] of mapping.entries()) {
      if (!record.columns.includes(item.label)) {
        return dialect.badRequest(
          `request body /mapping/${index}/label: the file has no column "${item.label}" (columns: ${record.columns.join(", ")})`
        )
      }
      if (columns.has(item.label)) {
        return dialect.badRequest(`request body /mapping/${index}/label: the column "${item.label}" is mapped twice`)
      }
      const property = account.findPropertyByLabel(item.property.label)
      if (property === undefined) {
        return dialect.badRequest(
          `request body /mapping/${index}/property/label: no profile property "${item.property.label}" exists; create it first`
        )
      }
      if (runtime.options.strict && property.system === 1 && !documentedSystemProperties.has(property.label)) {
        return dialect.badRequest(
          strictRefusal(
            `request body /mapping/${index}/property/label: "${property.label}" is a system property the vendor's pages do not show (only ${[...documentedSystemProperties].join(", ")}; the sandbox has it otherwise)`
          )
        )
      }
      if (item.property.system === undefined && runtime.options.strict) {
        return dialect.badRequest(
          strictRefusal(`request body /mapping/${index}/property/system is missing (taken from the property otherwise)`)
        )
      }
      // Without `system` (as the vendor's own import-record example returns items), the property's own flag counts.
      if (item.property.system !== undefined && property.system !== item.property.system) {
        return dialect.badRequest(
          `request body /mapping/${index}/property/system: "${property.label}" has system ${property.system}, got ${item.property.system}`
        )
      }
      if (properties.has(property.id)) {
        return dialect.badRequest(
          `request body /mapping/${index}/property/label: the property "${property.label}" is mapped twice`
        )
      }
      columns.add(item.label)
      properties.add(property.id)
      items.push({
        label: item.label,
        property: {
          label: property.label,
          data_type: property.data_type,
          example: property.example,
          system: property.system
        }
      })
    }
    const now = runtime.now()
    record.committedMapping = items
    record.status = "running"
    record.commitTaskId = runtime.uuid()
    record.update_time = formatTimestamp(now)
    // Decided now, in request order, so that the same seed fails the same imports.
    const failure = runtime.faults.decideImportFailure("ocamba")
    runtime.tasks.schedule(runtime.options.ocamba.processingDelayMilliseconds, () =>
      processOcambaImport(account, record, runtime.now(), failure, runtime.options.ocamba)
    )
    return {
      status: 202,
      body: {
        id: record.commitTaskId,
        company_id: account.companyId,
        member_id: account.memberId,
        status: "running",
        start_time: formatTimestamp(now)
      }
    }
  },

  getProfileImportReport: ({ accountId, pathParams, query }) => {
    const record = runtime.state.ocamba.account(accountId).imports.get(pathParams.id ?? "")
    if (record === undefined) {
      return dialect.notFound(`No import with id ${pathParams.id ?? ""}.`)
    }
    const page = query.get("page")
    if (page === null) {
      return { status: 200, body: record.reportEntries.entries() }
    }
    const [pageText, sizeText] = page.split(",")
    const pageNumber = Number(pageText)
    const size = sizeText === undefined ? 100 : Number(sizeText)
    return { status: 200, body: sliceEntries(record, (pageNumber - 1) * size, pageNumber * size) }
  }
})
