/**
 * The output builders of `Mapping.ts`: the Ocamba import CSV (chunked by bytes) with its commit mapping, and the
 * Copernica import `source` (chunked by rows, JSON or CSV) with its `POST /imports` body. Builders keep counters and
 * at most one chunk of rows, never the whole input.
 *
 * @internal
 */
import type { CopernicaTypes, OcambaTypes } from "@profilesync/contracts"
import * as Effect from "effect/Effect"
import type * as Mapping from "../Mapping.ts"
import type * as MappingConfig from "../MappingConfig.ts"
import { MappingError, MappingErrorReason } from "./mappingError.ts"
import { formulaTrigger } from "./mappingNormalise.ts"

type CreateImportRequest = CopernicaTypes.components["schemas"]["CreateImportRequest"]
type ProfileImportCommit = OcambaTypes.components["schemas"]["ProfileImportCommit"]
type ResyncRequest = OcambaTypes.components["schemas"]["ResyncRequest"]

/** CSV lines end in CRLF, as RFC 4180 says; every CSV reader accepts it. */
const lineEnd = "\r\n"

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * RFC 4180 quoting for one delimiter: a value is quoted when it holds the delimiter, a quote, CR or LF (or starts or
 * ends with whitespace, which some readers trim), and quotes inside are doubled.
 *
 * @internal
 */
export const csvQuoter = (delimiter: string): ((value: string) => string) => {
  const special = new RegExp(`["\\r\\n${escapeRegExp(delimiter)}]|^\\s|\\s$`)
  return (value) => (special.test(value) ? `"${value.replaceAll('"', '""')}"` : value)
}

/**
 * OWASP's "CSV Injection" rule for one value: one that starts with `=`, `+`, `-`, `@`, tab or CR gets a single quote
 * in front and is always quoted (inner quotes doubled), so a spreadsheet shows it as text instead of running it.
 * The vendors' importers store the quote with the value, which is the point: marketers export these profiles to
 * spreadsheets later. `undefined` when the value needs nothing.
 *
 * @internal
 */
export const neutraliseFormula = (value: string): string | undefined =>
  formulaTrigger.test(value) ? `"'${value.replaceAll('"', '""')}"` : undefined

/** Encodes one line; `guards` marks the columns to neutralise, and what was neutralised is counted in `counter`. */
const encodeLine = (
  values: ReadonlyArray<string>,
  quote: (value: string) => string,
  delimiter: string,
  guards?: ReadonlyArray<boolean>,
  counter?: { neutralised: number }
) => {
  let line = ""
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += delimiter
    const value = values[index]!
    const neutralised = guards?.[index] === true ? neutraliseFormula(value) : undefined
    if (neutralised === undefined) line += quote(value)
    else {
      line += neutralised
      if (counter !== undefined) counter.neutralised++
    }
  }
  return line + lineEnd
}

// ---------------------------------------------------------------------------------------------------------------
// Ocamba
// ---------------------------------------------------------------------------------------------------------------

class OcambaImportFile implements Mapping.OcambaImportFile {
  readonly columns: ReadonlyArray<string>
  readonly header: string
  readonly headerBytes: number
  readonly maxFileBytes: number
  #bytes = 0
  #rows = 0
  readonly #counter = { neutralised: 0 }
  readonly #mapper: Mapping.Mapper
  readonly #quote = csvQuoter(",")
  readonly #guards: ReadonlyArray<boolean>

  constructor(mapper: Mapping.Mapper, maxFileBytes: number) {
    this.#mapper = mapper
    this.columns = mapper.columns("ocamba")
    this.#guards = mapper.formulaGuards("ocamba")
    this.header = encodeLine(this.columns, this.#quote, ",")
    this.headerBytes = Buffer.byteLength(this.header, "utf8")
    this.maxFileBytes = maxFileBytes
  }

  get bytes() {
    return this.#bytes
  }

  get rows() {
    return this.#rows
  }

  get neutralised() {
    return this.#counter.neutralised
  }

  encodeRow(profile: Mapping.CanonicalProfile): string {
    return this.#encode(profile)
  }

  #encode(profile: Mapping.CanonicalProfile, counter?: { neutralised: number }): string {
    return encodeLine(this.#mapper.targetValues(profile, "ocamba"), this.#quote, ",", this.#guards, counter)
  }

  append(profile: Mapping.CanonicalProfile): Mapping.OcambaAppendResult {
    const counter = { neutralised: 0 }
    const line = this.#encode(profile, counter)
    const lineBytes = Buffer.byteLength(line, "utf8")
    if (this.#rows === 0) {
      const bytes = this.headerBytes + lineBytes
      if (bytes > this.maxFileBytes) return { _tag: "RowTooLarge", bytes }
      this.#bytes = bytes
      this.#rows = 1
      this.#counter.neutralised += counter.neutralised
      return { _tag: "Appended", text: this.header + line }
    }
    if (this.#bytes + lineBytes > this.maxFileBytes) return { _tag: "ChunkFull" }
    this.#bytes += lineBytes
    this.#rows += 1
    this.#counter.neutralised += counter.neutralised
    return { _tag: "Appended", text: line }
  }

  startChunk(): void {
    this.#bytes = 0
    this.#rows = 0
  }
}

/** @internal */
export const makeOcambaImportFile = (
  mapper: Mapping.Mapper,
  options?: Mapping.OcambaImportFileOptions
): Mapping.OcambaImportFile => {
  const target = mapper.config.targets.ocamba
  if (target === undefined) throw new Error("the config has no ocamba target")
  return new OcambaImportFile(mapper, options?.maxFileBytes ?? target.maxFileBytes)
}

/** @internal */
export const commitMapping = (target: MappingConfig.OcambaTarget): ProfileImportCommit => ({
  mapping: Object.entries(target.properties).map(([field, mapping]) => {
    const label = mapping.property ?? field
    return {
      // The file's column is named after the property (see the import file), so label and property agree.
      label,
      property: {
        label,
        // A system property's type is Ocamba's; every documented system property is `text`.
        data_type: mapping.system ? "text" : (mapping.data_type ?? "text"),
        system: mapping.system ? 1 : 0
      }
    }
  })
})

/** @internal */
export const resyncRequest = (target: MappingConfig.OcambaTarget): ResyncRequest | undefined => {
  const integration = target.resync?.integration ?? []
  const conversion = target.resync?.conversion ?? []
  // Ocamba refuses empty lists and an empty request: leave out what is empty, and skip the call when all is.
  if (integration.length === 0 && conversion.length === 0) return undefined
  return {
    resync: {
      ...(integration.length === 0 ? {} : { integration: [...integration] }),
      ...(conversion.length === 0 ? {} : { conversion: [...conversion] })
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Copernica
// ---------------------------------------------------------------------------------------------------------------

class CopernicaSource implements Mapping.CopernicaSource {
  readonly columns: ReadonlyArray<string>
  readonly format: "json" | "csv"
  readonly delimiter: "\t" | "," | ";"
  readonly rowsPerImport: number
  readonly #mapper: Mapping.Mapper
  readonly #quote: (value: string) => string
  readonly #guards: ReadonlyArray<boolean>
  readonly #counter = { neutralised: 0 }
  #objects: Array<Readonly<Record<string, string>>> = []
  #lines: Array<string> = []
  #rows = 0

  constructor(mapper: Mapping.Mapper, target: MappingConfig.CopernicaTarget, rowsPerImport: number) {
    this.#mapper = mapper
    this.columns = mapper.columns("copernica")
    this.format = target.format
    // `;` by default: Dutch and German spreadsheets write it, and it is rarer in data than `,`.
    this.delimiter = target.delimiter ?? ";"
    this.rowsPerImport = rowsPerImport
    this.#quote = csvQuoter(this.delimiter)
    this.#guards = mapper.formulaGuards("copernica")
  }

  get rows() {
    return this.#rows
  }

  get neutralised() {
    return this.#counter.neutralised
  }

  get isFull() {
    return this.#rows >= this.rowsPerImport
  }

  toRow(profile: Mapping.CanonicalProfile): Readonly<Record<string, string>> {
    return rowOf(this.columns, this.#mapper.targetValues(profile, "copernica"))
  }

  add(profile: Mapping.CanonicalProfile): "Added" | "ChunkFull" {
    if (this.#rows >= this.rowsPerImport) return "ChunkFull"
    const values = this.#mapper.targetValues(profile, "copernica")
    if (this.format === "json") this.#objects.push(rowOf(this.columns, values))
    else this.#lines.push(encodeLine(values, this.#quote, this.delimiter, this.#guards, this.#counter))
    this.#rows += 1
    return "Added"
  }

  take(): Mapping.CopernicaChunk | undefined {
    if (this.#rows === 0) return undefined
    const rows = this.#rows
    const chunk: Mapping.CopernicaChunk =
      this.format === "json"
        ? { rows, format: "json", source: this.#objects }
        : {
            rows,
            format: "csv",
            delimiter: this.delimiter,
            source: encodeLine(this.columns, this.#quote, this.delimiter) + this.#lines.join("")
          }
    this.#objects = []
    this.#lines = []
    this.#rows = 0
    return chunk
  }
}

/**
 * A row object whose keys are inserted in column order, so every row serialises with the same field order.
 * (Config validation keeps integer-like names, which objects would reorder, out of JSON sources.)
 */
const rowOf = (columns: ReadonlyArray<string>, values: ReadonlyArray<string>): Readonly<Record<string, string>> => {
  const row: Record<string, string> = {}
  for (let index = 0; index < columns.length; index++) row[columns[index]!] = values[index] ?? ""
  return row
}

/** @internal */
export const makeCopernicaSource = (
  mapper: Mapping.Mapper,
  options?: Mapping.CopernicaSourceOptions
): Mapping.CopernicaSource => {
  const target = mapper.config.targets.copernica
  if (target === undefined) throw new Error("the config has no copernica target")
  return new CopernicaSource(mapper, target, options?.rowsPerImport ?? target.rowsPerImport)
}

const sourceFields = (chunk: Mapping.CopernicaChunk) =>
  chunk.format === "json"
    ? { source: [...chunk.source], format: "json" as const }
    : { source: chunk.source, format: "csv" as const, delimiter: chunk.delimiter }

/** @internal */
export const createImportBody = (
  chunk: Mapping.CopernicaChunk,
  options: Mapping.CreateImportOptions
): CreateImportRequest => {
  const target = options.target
  return {
    database: target.database,
    name: options.name,
    action: target.action,
    keyFields: [...target.keyFields],
    ...sourceFields(chunk),
    ignoreEmptyFields: target.ignoreEmptyFields,
    // Copernica deletes every profile an import does not hold: only right when this import holds them all.
    ...(target.deleteMissing && options.holdsEveryRow === true ? { removeMissing: true } : {})
  }
}

/** @internal */
export const createDeleteImportBody = (
  mapper: Mapping.Mapper,
  profiles: Iterable<Mapping.CanonicalProfile>,
  options: { readonly name: string }
): Effect.Effect<CreateImportRequest | undefined, MappingError> =>
  Effect.suspend(() => {
    const target = mapper.config.targets.copernica
    if (target === undefined)
      return Effect.fail(new MappingError({ reason: MappingErrorReason.TargetNotConfigured({ target: "copernica" }) }))
    if (!target.deleteMissing) return Effect.fail(new MappingError({ reason: MappingErrorReason.DeletesNotEnabled() }))
    const columns = mapper.columns("copernica")
    const keyIndexes = target.keyFields.map((keyField) => columns.indexOf(keyField))
    const rows: Array<ReadonlyArray<string>> = []
    for (const profile of profiles) {
      const values = mapper.targetValues(profile, "copernica")
      const keys = keyIndexes.map((index) => values[index] ?? "")
      // An empty key would match every profile whose key field is empty: never delete on one.
      if (keys.every((value) => value !== "")) rows.push(keys)
    }
    if (rows.length === 0) return Effect.succeed(undefined)
    const keyFields = [...target.keyFields]
    const quote = csvQuoter(target.delimiter ?? ";")
    const delimiter = target.delimiter ?? ";"
    const source =
      target.format === "json"
        ? { source: rows.map((values) => rowOf(keyFields, values)), format: "json" as const }
        : {
            source:
              encodeLine(keyFields, quote, delimiter) +
              rows.map((values) => encodeLine(values, quote, delimiter)).join(""),
            format: "csv" as const,
            delimiter
          }
    return Effect.succeed({
      database: target.database,
      name: options.name,
      action: "delete" as const,
      deleteTarget: "profile" as const,
      keyFields,
      ...source
    })
  })
