/**
 * From source rows to what each vendor receives: normalising and validating every field into a canonical profile
 * (with a reason per failing field instead of an error), keying and hashing profiles for the diff, building the
 * Ocamba import CSV with its commit mapping and the Copernica import bodies, and planning which Ocamba properties
 * and Copernica fields must be created or updated first.
 *
 * **Details**
 *
 * The flow per row: {@link Mapper.mapRow} → (per target) {@link Mapper.contentHash} for the diff with the state →
 * {@link OcambaImportFile.append} / {@link CopernicaSource.add} for the rows that changed. Mapping is synchronous
 * and allocation-light, because it runs once per row; only whole-batch problems are Effect failures
 * ({@link MappingError}).
 *
 * **Per-target validity**
 *
 * A row can be fine for one vendor and not for the other. A bad value refuses the row for the targets that map the
 * field (or for every target when the field is part of `key` or mapped nowhere); Ocamba also refuses a row with
 * neither an email address nor a mobile phone number, and Copernica one with an empty key field. A row refused by
 * every target is `Rejected`; otherwise it is `Valid` for the targets in `targets`, and `rejections` says why the
 * others refused it. Every reason lists the targets it applies to.
 *
 * **Output formats**
 *
 * Booleans are written `1`/`0` into numeric properties and fields (Ocamba `data_type: number`, Copernica integer or
 * float) and `true`/`false` into text ones; numbers in plain decimal notation with a `.`; dates as `YYYY-MM-DD`;
 * empty values as empty cells.
 *
 * **Layout**
 *
 * This file is the whole public contract of mapping (the mapper, the row outcomes and reasons, the import builders,
 * the plans, the error), which is why it runs past 400 lines: signatures and their documentation, each delegating
 * in a line or two. The work is in `internal/mapping*.ts`.
 *
 * @since 0.1.0
 */
import type { CopernicaTypes, OcambaTypes } from "@profilesync/contracts"
import type * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import { MappingError, MappingErrorReason as mappingErrorReason } from "./internal/mappingError.ts"
import * as mapper from "./internal/mappingMapper.ts"
import * as normalisers from "./internal/mappingNormalise.ts"
import * as output from "./internal/mappingOutput.ts"
import * as plan from "./internal/mappingPlan.ts"
import type * as MappingConfig from "./MappingConfig.ts"

// ---------------------------------------------------------------------------------------------------------------
// Rows and profiles
// ---------------------------------------------------------------------------------------------------------------

/**
 * A vendor a sync writes to.
 *
 * @since 0.1.0
 * @category models
 */
export type TargetName = "ocamba" | "copernica"

/**
 * A value as a source delivers it: CSV gives strings, JSON and databases also numbers, booleans and nulls.
 *
 * @since 0.1.0
 * @category models
 */
export type RawValue = string | number | boolean | null | undefined

/**
 * A normalised value: text (emails lower-cased, phones in E.164, dates as `YYYY-MM-DD`), number, boolean, or `null`
 * for empty.
 *
 * @since 0.1.0
 * @category models
 */
export type CanonicalValue = string | number | boolean | null

/**
 * A canonical profile: every configured field, by canonical name, in config order.
 *
 * @since 0.1.0
 * @category models
 */
export type CanonicalProfile = Readonly<Record<string, CanonicalValue>>

/**
 * One source row: its 1-based number in the source (for the rejects) and its values by source column.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawRow {
  readonly rowNumber: number
  readonly values: Readonly<Record<string, RawValue>>
}

/**
 * Why a row was refused, for one field (or one rule).
 *
 * **Details**
 *
 * - `field`, `column`: the canonical field and its source column (comma-separated when a rule spans several, like
 *   "Ocamba needs email or phone").
 * - `value`: the raw value, cut at 100 characters; empty when the problem is emptiness.
 * - `message`: what is wrong, e.g. `is not an email address: two dots in a row`.
 * - `targets`: the targets this reason refuses the row for.
 *
 * **Gotchas**
 *
 * Rejects hold raw values, which are personal data: store the rejects file as carefully as the source.
 *
 * @since 0.1.0
 * @category models
 */
export interface RejectReason {
  readonly field: string
  readonly column: string
  readonly value: string
  readonly message: string
  readonly targets: ReadonlyArray<TargetName>
}

/**
 * A row at least one target accepts.
 *
 * **Details**
 *
 * - `key`: `<field>:<value>` of the first non-empty `key` field (`email:ann@example.com`), stable across runs.
 * - `profile`: the canonical profile; a field whose value was refused is `null` there, and its targets are not in
 *   `targets`.
 * - `targets`: the targets to send the row to.
 * - `rejections`: reasons for the configured targets not in `targets` (empty when every target accepts the row).
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidRow {
  readonly _tag: "Valid"
  readonly rowNumber: number
  readonly key: string
  readonly profile: CanonicalProfile
  readonly targets: ReadonlyArray<TargetName>
  readonly rejections: ReadonlyArray<RejectReason>
}

/**
 * A row no target accepts, with every reason; `key` is present when the row could be identified.
 *
 * @since 0.1.0
 * @category models
 */
export interface RejectedRow {
  readonly _tag: "Rejected"
  readonly rowNumber: number
  readonly key?: string
  readonly reasons: ReadonlyArray<RejectReason>
}

/**
 * The outcome of mapping one row.
 *
 * @since 0.1.0
 * @category models
 */
export type MappedRow = ValidRow | RejectedRow

/**
 * A config compiled for mapping rows; see {@link makeMapper}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mapper {
  readonly config: MappingConfig.MappingConfig
  /** The configured targets, Ocamba first. */
  readonly targets: ReadonlyArray<TargetName>
  /** The canonical field names, in config order. */
  readonly fields: ReadonlyArray<string>
  /**
   * A target's column labels in config order: Ocamba property labels (the import file's header), Copernica field
   * names (the keys of every source row). Throws for a target the config does not have.
   */
  readonly columns: (target: TargetName) => ReadonlyArray<string>
  /**
   * Per column of {@link Mapper.columns}: whether a CSV neutralises a value that starts like a spreadsheet formula
   * (text fields, unless `neutraliseFormulas: false`).
   */
  readonly formulaGuards: (target: TargetName) => ReadonlyArray<boolean>
  /** Normalises and validates one row. Pure, synchronous, never throws. */
  readonly mapRow: (row: RawRow) => MappedRow
  /** A profile's values for a target, formatted as the vendor receives them, in {@link Mapper.columns} order. */
  readonly targetValues: (profile: CanonicalProfile, target: TargetName) => ReadonlyArray<string>
  /**
   * A function giving some of a target's values, formatted as in {@link Mapper.targetValues}, in the order of
   * `labels` (the target's column labels). The lookups are done once here, so a per-row caller (the identity scan,
   * which needs only the email, phone and key fields) formats only those. Throws for a label the target lacks.
   */
  readonly picker: (
    target: TargetName,
    labels: ReadonlyArray<string>
  ) => (profile: CanonicalProfile) => ReadonlyArray<string>
  /**
   * SHA-256 (hex) of what a target receives for a profile: its labels and formatted values, sorted by label.
   *
   * Equal hashes mean the vendor would receive the same data, so the row can be skipped. Reordering the config does
   * not change hashes; renaming a property or changing a value's format does (and resends, as it should).
   */
  readonly contentHash: (profile: CanonicalProfile, target: TargetName) => string
  /** Every source column a field reads (a template reads several, a constant none), with the field. */
  readonly sourceColumns: ReadonlyArray<{ readonly field: string; readonly column: string }>
  /** The fields whose source column is not in `header`. */
  readonly missingColumns: (
    header: ReadonlyArray<string>
  ) => ReadonlyArray<{ readonly field: string; readonly column: string }>
  /** Fails with {@link MappingError} (`MissingColumns`) when the source lacks a configured column. */
  readonly checkColumns: (header: ReadonlyArray<string>) => Effect.Effect<void, MappingError>
}

/**
 * Compiles a config into a {@link Mapper}.
 *
 * **Details**
 *
 * Normalisers, per-target layouts and formatters are built once here; {@link Mapper.mapRow} then does no Effect,
 * no closure creation and no allocation beyond the profile (and the reasons of bad rows).
 *
 * Normalisation, by field type (empty values are `null`, or refused when `required: true`; strings are trimmed):
 * - `text`: nothing else; longer than `maxLength` characters is refused.
 * - `email`: lower-cased; one `@`, a dot-atom local part (no `..`, no leading/trailing dot, ≤ 64), a domain with a dot
 *   and valid labels, ≤ 254 in all; internationalised domains become punycode.
 * - `phone`: libphonenumber-js with full metadata, `defaultCountry` for national numbers, `isValid()`, output E.164;
 *   `mobileOnly` refuses fixed lines; extensions are refused.
 * - `number`: plain decimals with the configured separator; `12abc`, thousands separators and exponents are refused.
 * - `date`: ISO `YYYY-MM-DD`, or the configured `inputFormat`(s); must exist on the calendar; output `YYYY-MM-DD`.
 * - `boolean`: true/false/yes/no/y/n/1/0 (or the configured words), case-insensitive.
 *
 * @example
 * ```ts
 * const mapper = Mapping.makeMapper(config)
 * const row = mapper.mapRow({ rowNumber: 2, values: { Email: " Ann@Example.com ", Phone: "06 12345678" } })
 * if (row._tag === "Valid") console.log(row.key, mapper.contentHash(row.profile, "ocamba"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMapper: (config: MappingConfig.MappingConfig) => Mapper = mapper.makeMapper

/**
 * The outcome of {@link normalise}.
 *
 * @since 0.1.0
 * @category models
 */
export type NormaliseResult =
  | { readonly _tag: "Valid"; readonly value: CanonicalValue }
  | { readonly _tag: "Invalid"; readonly message: string }

/**
 * Normalises one value as a configured field would (see {@link makeMapper} for the rules).
 *
 * **Gotchas**
 *
 * This compiles the field on every call: fine for a value or a preview, but map rows with {@link makeMapper}.
 *
 * @since 0.1.0
 * @category normalisation
 */
export const normalise = (field: MappingConfig.Field, raw: RawValue): NormaliseResult => {
  const result = normalisers.makeNormaliser(field)(raw)
  return result instanceof normalisers.Invalid
    ? { _tag: "Invalid", message: result.message }
    : { _tag: "Valid", value: result }
}

// ---------------------------------------------------------------------------------------------------------------
// Ocamba output
// ---------------------------------------------------------------------------------------------------------------

/**
 * The outcome of {@link OcambaImportFile.append}.
 *
 * **Details**
 *
 * - `Appended`: write `text` to the current file (the first row of a chunk comes with the header line).
 * - `ChunkFull`: the row would take the file over `maxFileBytes`; nothing was added. Finish the file, call
 *   {@link OcambaImportFile.startChunk}, and append the row again.
 * - `RowTooLarge`: the row alone (with the header) exceeds `maxFileBytes` (`bytes` is what it needs); reject it.
 *
 * @since 0.1.0
 * @category models
 */
export type OcambaAppendResult =
  | { readonly _tag: "Appended"; readonly text: string }
  | { readonly _tag: "ChunkFull" }
  | { readonly _tag: "RowTooLarge"; readonly bytes: number }

/**
 * Builds Ocamba import CSV files one row at a time, split into chunks under `maxFileBytes`.
 *
 * **Details**
 *
 * - The header holds the Ocamba property labels (`email`, `mobile_phone_number`, `full_name`, `lifetime_value`),
 *   so Ocamba's automatic column mapping and {@link commitMapping} agree.
 * - RFC 4180: comma-separated, CRLF line ends, a value quoted when it holds a comma, a quote, CR or LF (or
 *   surrounding whitespace), with inner quotes doubled. UTF-8 without a byte order mark.
 * - Leading `=`, `+`, `-` and `@` are not altered: spreadsheet-injection guards would corrupt data the vendor's
 *   importer reads (every E.164 phone number starts with `+`).
 * - `bytes` counts the UTF-8 bytes of the current chunk, header included; nothing is kept but counters, so memory
 *   stays flat whatever the number of rows. Write each `text` to a file or stream as it comes.
 *
 * **Gotchas**
 *
 * Append only rows whose `targets` include `ocamba`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OcambaImportFile {
  readonly columns: ReadonlyArray<string>
  /** The header line, with its line end. */
  readonly header: string
  readonly headerBytes: number
  readonly maxFileBytes: number
  /** Bytes of the current chunk so far (0 before its first row). */
  readonly bytes: number
  /** Rows in the current chunk. */
  readonly rows: number
  /** Values neutralised against spreadsheet formulas in every row appended so far, all chunks. */
  readonly neutralised: number
  /** One row's CSV line (with its line end), without counting it. */
  readonly encodeRow: (profile: CanonicalProfile) => string
  readonly append: (profile: CanonicalProfile) => OcambaAppendResult
  /** Starts a new chunk: the next append returns the header again. */
  readonly startChunk: () => void
}

/**
 * Options of {@link makeOcambaImportFile}: `maxFileBytes` overrides the config's (default
 * `targets.ocamba.maxFileBytes`).
 *
 * @since 0.1.0
 * @category models
 */
export interface OcambaImportFileOptions {
  readonly maxFileBytes?: number | undefined
}

/**
 * Creates an {@link OcambaImportFile} builder for the mapper's Ocamba target.
 *
 * **Gotchas**
 *
 * Throws when the config has no Ocamba target (a programming error: check `mapper.targets`).
 *
 * @example
 * ```ts
 * const file = Mapping.makeOcambaImportFile(mapper)
 * for (const row of rows) {
 *   let result = file.append(row.profile)
 *   if (result._tag === "ChunkFull") {
 *     yield* uploadAndCommit(current)
 *     file.startChunk()
 *     result = file.append(row.profile)
 *   }
 *   if (result._tag === "Appended") write(result.text)
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeOcambaImportFile: (mapper: Mapper, options?: OcambaImportFileOptions) => OcambaImportFile =
  output.makeOcambaImportFile

/**
 * The body of `POST /profiles/imports/{id}/commit`: each file column mapped to its property.
 *
 * **Details**
 *
 * The file columns are named after the properties (see {@link OcambaImportFile}), so `label` and `property.label`
 * are equal. System properties are sent with `data_type: text` and `system: 1`; custom ones with their configured
 * `data_type` (default `text`) and `system: 0`. Config validation guarantees the `email` or `mobile_phone_number`
 * item Ocamba requires.
 *
 * @since 0.1.0
 * @category constructors
 */
export const commitMapping: (
  target: MappingConfig.OcambaTarget
) => OcambaTypes.components["schemas"]["ProfileImportCommit"] = output.commitMapping

/**
 * The body of `POST /resync` for the integrations and conversions the config lists, or `undefined` when it lists
 * none (then skip the call).
 *
 * **Details**
 *
 * Empty lists are left out, since Ocamba refuses them. Send it after the imports of a sync have finished.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resyncRequest: (
  target: MappingConfig.OcambaTarget
) => OcambaTypes.components["schemas"]["ResyncRequest"] | undefined = output.resyncRequest

// ---------------------------------------------------------------------------------------------------------------
// Copernica output
// ---------------------------------------------------------------------------------------------------------------

/**
 * One import's worth of Copernica rows.
 *
 * **Details**
 *
 * - `json`: `source` is an array of row objects whose keys are the mapped Copernica field names, in the same order
 *   in every row (Copernica requires it), values as strings (`""` when empty).
 * - `csv`: `source` is CSV text (header line, then rows) with `delimiter`, RFC 4180 quoting and CRLF line ends.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaChunk =
  | {
      readonly rows: number
      readonly format: "json"
      readonly source: ReadonlyArray<Readonly<Record<string, string>>>
    }
  | { readonly rows: number; readonly format: "csv"; readonly delimiter: "\t" | "," | ";"; readonly source: string }

/**
 * Collects Copernica import rows, up to `rowsPerImport` per chunk.
 *
 * **Details**
 *
 * Only the current chunk is held (at most `rowsPerImport` rows), so memory stays flat. `add` refuses a row
 * (`ChunkFull`) when the chunk is full: `take()` it, send it, and add the row again.
 *
 * @since 0.1.0
 * @category models
 */
export interface CopernicaSource {
  readonly columns: ReadonlyArray<string>
  readonly format: "json" | "csv"
  /** The CSV delimiter (`targets.copernica.delimiter`, default `;`). */
  readonly delimiter: "\t" | "," | ";"
  readonly rowsPerImport: number
  /** Rows in the current chunk. */
  readonly rows: number
  readonly isFull: boolean
  /** Values neutralised against spreadsheet formulas in every CSV row added so far (always 0 for JSON). */
  readonly neutralised: number
  /** One profile as a Copernica row object, keys in column order. */
  readonly toRow: (profile: CanonicalProfile) => Readonly<Record<string, string>>
  readonly add: (profile: CanonicalProfile) => "Added" | "ChunkFull"
  /** The current chunk (then empty), or `undefined` when it holds no row. */
  readonly take: () => CopernicaChunk | undefined
}

/**
 * Options of {@link makeCopernicaSource}: `rowsPerImport` overrides the config's.
 *
 * @since 0.1.0
 * @category models
 */
export interface CopernicaSourceOptions {
  readonly rowsPerImport?: number | undefined
}

/**
 * Creates a {@link CopernicaSource} builder for the mapper's Copernica target (format, delimiter and chunk size from
 * the config).
 *
 * **Gotchas**
 *
 * Throws when the config has no Copernica target (a programming error: check `mapper.targets`). Add only rows whose
 * `targets` include `copernica`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCopernicaSource: (mapper: Mapper, options?: CopernicaSourceOptions) => CopernicaSource =
  output.makeCopernicaSource

/**
 * Options of {@link createImportBody}.
 *
 * **Details**
 *
 * - `target`: the Copernica target config (database, action, keyFields, ignoreEmptyFields, deleteMissing).
 * - `name`: the import's name, shown in Copernica (e.g. `profilesync customers 2025-06-01T10:00Z #3`).
 * - `holdsEveryRow`: this one import holds every row of the source (default `false`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateImportOptions {
  readonly target: MappingConfig.CopernicaTarget
  readonly name: string
  readonly holdsEveryRow?: boolean | undefined
}

/**
 * The body of `POST /imports` for one chunk.
 *
 * **Details**
 *
 * `database`, `name`, `action` (config, default `update or add`), `keyFields`, `source`, `format`, `delimiter` (CSV
 * only) and `ignoreEmptyFields`; `autostart` is left to its default (`true`).
 *
 * **Gotchas**
 *
 * `removeMissing: true` makes Copernica delete every profile the import does not hold. It is set only when the
 * config says `deleteMissing: true` AND `holdsEveryRow` is true; with several chunks it would delete the other
 * chunks' profiles, so delete those that left the source with {@link createDeleteImportBody} instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createImportBody: (
  chunk: CopernicaChunk,
  options: CreateImportOptions
) => CopernicaTypes.components["schemas"]["CreateImportRequest"] = output.createImportBody

/**
 * The body of a `POST /imports` with `action: delete` for profiles that left the source.
 *
 * **Details**
 *
 * Pass the last known profiles (only their Copernica key fields are used, at most `rowsPerImport` of them per
 * call). Succeeds with `undefined` when none has a complete key.
 *
 * **Gotchas**
 *
 * Fails with {@link MappingError} `DeletesNotEnabled` unless the config says `deleteMissing: true`: deletes happen
 * only on explicit opt-in. A profile with an empty key field is skipped, since it would match every profile with
 * that field empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createDeleteImportBody: (
  mapper: Mapper,
  profiles: Iterable<CanonicalProfile>,
  options: { readonly name: string }
) => Effect.Effect<CopernicaTypes.components["schemas"]["CreateImportRequest"] | undefined, MappingError> =
  output.createDeleteImportBody

// ---------------------------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------------------------

/**
 * A profile property as `GET /profile-properties` lists it (the label may be under `property`).
 *
 * @since 0.1.0
 * @category models
 */
export type ExistingOcambaProperty = OcambaTypes.components["schemas"]["ProfilePropertyFields"]

/**
 * A planned `PATCH /profile-properties/{id}`: `patch` holds only the settings that differ.
 *
 * @since 0.1.0
 * @category models
 */
export interface OcambaPropertyUpdate {
  readonly id: string
  readonly label: string
  readonly patch: OcambaTypes.components["schemas"]["ProfilePropertyUpdate"]
}

/**
 * Something the config wants that the vendor cannot be brought to by a sync; a person has to decide.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanConflict {
  /** The Ocamba property label or Copernica field name. */
  readonly label: string
  readonly message: string
}

/**
 * What to do to Ocamba's profile properties before an import.
 *
 * **Details**
 *
 * - `create`: `POST /profile-properties` bodies for missing custom properties.
 * - `update`: PATCHes for custom properties whose configured settings drifted.
 * - `unchanged`: labels that need nothing.
 * - `systemMissing`: system properties the config maps but the list does not hold (a typo, or an incomplete list);
 *   they are never created.
 * - `conflicts`: a custom label that is a system property in Ocamba (or the reverse), or a different `data_type`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OcambaPropertyPlan {
  readonly create: ReadonlyArray<OcambaTypes.components["schemas"]["ProfilePropertyCreate"]>
  readonly update: ReadonlyArray<OcambaPropertyUpdate>
  readonly unchanged: ReadonlyArray<string>
  readonly systemMissing: ReadonlyArray<string>
  readonly conflicts: ReadonlyArray<PlanConflict>
}

/**
 * Plans Ocamba's custom properties against the vendor's list (all pages of `GET /profile-properties`).
 *
 * **Details**
 *
 * Properties are matched by label (`label ?? property`). A property missing from the list is created with every
 * configured setting and its `data_type` (default `text`). An existing custom property is PATCHed with the
 * configured settings that differ (a missing setting in the list reads as `""` or `0`); settings the config leaves
 * out are never sent.
 *
 * **Gotchas**
 *
 * System properties are never created or PATCHed, and `label` and `data_type` are never PATCHed (Ocamba cannot
 * change them): a differing `data_type` is a conflict. Resolve conflicts before importing.
 *
 * @since 0.1.0
 * @category planning
 */
export const planOcambaProperties: (
  target: MappingConfig.OcambaTarget,
  existing: ReadonlyArray<ExistingOcambaProperty>
) => OcambaPropertyPlan = plan.planOcambaProperties

/**
 * A database field as `GET /database/{id}/fields` lists it (only `name` and `type` are read).
 *
 * @since 0.1.0
 * @category models
 */
export interface ExistingCopernicaField {
  readonly name: string
  readonly type: string
}

/**
 * What to do to a Copernica database's fields before an import.
 *
 * **Details**
 *
 * - `create`: `POST /database/{id}/fields` bodies for missing fields.
 * - `unchanged`: mapped fields that exist with a suitable type.
 * - `conflicts`: an existing field whose type cannot hold the values, a name differing only in case, a second
 *   field of a once-per-database type, or a type a sync cannot create (`select`, `foreign_key`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CopernicaFieldPlan {
  readonly create: ReadonlyArray<CopernicaTypes.components["schemas"]["CreateDatabaseFieldRequest"]>
  readonly unchanged: ReadonlyArray<string>
  readonly conflicts: ReadonlyArray<PlanConflict>
}

/**
 * Plans a Copernica database's fields against its field list (all pages).
 *
 * **Details**
 *
 * Takes the whole config because a field's type follows from its canonical type when the mapping sets none
 * ({@link MappingConfig.copernicaTypesFor}): an existing field may have any type that holds the values, a created one
 * gets the first. A created `integer` or `float` field gets the default `value` Copernica requires (the configured
 * `default`, else `0`). When the preferred type allows one field per database (`email`, `phone_gsm`) and the
 * database has one already, the field is created as `text`. Returns an empty plan when the config has no Copernica
 * target.
 *
 * @since 0.1.0
 * @category planning
 */
export const planCopernicaFields: (
  config: MappingConfig.MappingConfig,
  existing: ReadonlyArray<ExistingCopernicaField>
) => CopernicaFieldPlan = plan.planCopernicaFields

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Why a mapping as a whole cannot go on (bad rows are never errors: they are rejects).
 *
 * **Details**
 *
 * - `MissingColumns`: the source lacks columns the config reads.
 * - `TargetNotConfigured`: an operation needs a target the config does not have.
 * - `DeletesNotEnabled`: a delete import was asked for without `deleteMissing: true`.
 *
 * @since 0.1.0
 * @category errors
 */
export type MappingErrorReason = Data.TaggedEnum<{
  MissingColumns: { readonly columns: ReadonlyArray<{ readonly field: string; readonly column: string }> }
  TargetNotConfigured: { readonly target: TargetName }
  // biome-ignore lint/complexity/noBannedTypes: an empty case of a tagged enum, as Effect writes it.
  DeletesNotEnabled: {}
}>

/**
 * Constructors and matchers for {@link MappingErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const MappingErrorReason: Data.TaggedEnum.Constructor<MappingErrorReason> = mappingErrorReason

export { MappingError }
