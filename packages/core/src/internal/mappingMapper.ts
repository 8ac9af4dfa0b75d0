/**
 * The row mapper of `Mapping.ts`: compiles a config once into per-field normalisers and per-target column layouts,
 * then maps raw rows synchronously (no Effect per row) into a canonical profile with its key and the targets that
 * accept it, and hashes a target's view of a profile.
 *
 * @internal
 */
import { hash } from "node:crypto"
import * as Effect from "effect/Effect"
import type * as Mapping from "../Mapping.ts"
import type * as MappingConfig from "../MappingConfig.ts"
import { copernicaTypesFor } from "./mappingConfigCopernica.ts"
import { type DerivedValue, makeDerivedField } from "./mappingDerivedValues.ts"
import { MappingError, MappingErrorReason } from "./mappingError.ts"
import { type CanonicalValue, Invalid, makeNormaliser, type Normaliser, type RawValue } from "./mappingNormalise.ts"

/** Longest raw value a reject repeats; enough to recognise it, without copying a runaway cell into the rejects. */
const maximumReasonValueLength = 100

const truncate = (raw: DerivedValue): string => {
  if (raw === undefined || raw === null) return ""
  const text = typeof raw === "string" ? raw : String(raw)
  return text.length > maximumReasonValueLength ? `${text.slice(0, maximumReasonValueLength)}…` : text
}

/** Plain decimal notation: vendors do not read `1e-7`. */
export const formatNumber = (value: number): string => {
  const text = String(value)
  return text.includes("e") ? value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 }) : text
}

type Formatter = (value: CanonicalValue) => string

const formatter =
  (numericColumn: boolean): Formatter =>
  (value) =>
    value === null
      ? ""
      : typeof value === "string"
        ? value
        : typeof value === "number"
          ? formatNumber(value)
          : numericColumn
            ? value
              ? "1"
              : "0"
            : value
              ? "true"
              : "false"

/** @internal */
export interface TargetLayout {
  readonly target: Mapping.TargetName
  /** Vendor labels (Ocamba property labels, Copernica field names), in config order. */
  readonly columns: ReadonlyArray<string>
  /** The canonical field of each column. */
  readonly fields: ReadonlyArray<string>
  readonly formatters: ReadonlyArray<Formatter>
  /**
   * Per column: whether a CSV must neutralise a value that starts like a spreadsheet formula. Text fields only (unless
   * `neutraliseFormulas: false`): phone, number, date and boolean values are normalised into forms that are not
   * formulas, and an email that starts like one is refused by the mapping.
   */
  readonly formulaGuards: ReadonlyArray<boolean>
  /** Column indices sorted by label: the hash's order, so reordering the YAML does not resend every profile. */
  readonly hashOrder: ReadonlyArray<number>
  /** Per column: the length-prefixed label that precedes its value in the hashed text, built once, not per row. */
  readonly hashLabels: ReadonlyArray<string>
  /** What the hashed text starts with: the format's version and the target. */
  readonly hashPrefix: string
}

const layoutOf = (
  config: MappingConfig.MappingConfig,
  target: Mapping.TargetName,
  entries: ReadonlyArray<{ readonly column: string; readonly field: string; readonly numeric: boolean }>
): TargetLayout => {
  const columns = entries.map((entry) => entry.column)
  return {
    target,
    columns,
    fields: entries.map((entry) => entry.field),
    formatters: entries.map((entry) => formatter(entry.numeric)),
    formulaGuards: entries.map((entry) => {
      const field = config.fields[entry.field]
      return field?.type === "text" && field.neutraliseFormulas
    }),
    hashOrder: columns
      .map((column, index) => ({ column, index }))
      .sort((left, right) => (left.column < right.column ? -1 : left.column > right.column ? 1 : 0))
      .map((entry) => entry.index),
    hashLabels: columns.map((label) => `\n${label.length}:${label}=`),
    hashPrefix: `profilesync/v1/${target}`
  }
}

/** @internal */
export const ocambaLayout = (config: MappingConfig.MappingConfig): TargetLayout | undefined => {
  const ocamba = config.targets.ocamba
  if (ocamba === undefined) return undefined
  return layoutOf(
    config,
    "ocamba",
    Object.entries(ocamba.properties).map(([field, mapping]) => ({
      column: mapping.property ?? field,
      field,
      numeric: !mapping.system && mapping.data_type === "number"
    }))
  )
}

/** The Copernica type a mapping ends up with: the configured one, or the first that holds the canonical type. */
export const copernicaTypeOf = (
  config: MappingConfig.MappingConfig,
  field: string,
  mapping: MappingConfig.CopernicaField
) => mapping.type ?? copernicaTypesFor[config.fields[field]!.type][0]!

/** @internal */
export const copernicaLayout = (config: MappingConfig.MappingConfig): TargetLayout | undefined => {
  const copernica = config.targets.copernica
  if (copernica === undefined) return undefined
  return layoutOf(
    config,
    "copernica",
    Object.entries(copernica.fields).map(([field, mapping]) => {
      const type = copernicaTypeOf(config, field, mapping)
      return { column: mapping.field ?? field, field, numeric: type === "integer" || type === "float" }
    })
  )
}

interface CompiledField {
  readonly name: string
  /** The source column, or for a derived field the columns it reads (empty for a constant), as rejects name them. */
  readonly column: string
  /** The source columns the field needs in the header. */
  readonly columns: ReadonlyArray<string>
  /** A derived field's value (constant, template, transforms, default); absent for a plain `column` field. */
  readonly derive: ((values: Readonly<Record<string, RawValue>>) => DerivedValue) | undefined
  readonly normalise: (value: DerivedValue) => ReturnType<Normaliser>
  /** The targets a bad value of this field refuses the row for: those mapping it, or all for key and unmapped ones. */
  readonly targets: ReadonlyArray<Mapping.TargetName>
}

/** @internal */
export const makeMapper = (config: MappingConfig.MappingConfig): Mapping.Mapper => {
  const ocamba = ocambaLayout(config)
  const copernica = copernicaLayout(config)
  const layouts: Partial<Record<Mapping.TargetName, TargetLayout>> = {
    ...(ocamba === undefined ? {} : { ocamba }),
    ...(copernica === undefined ? {} : { copernica })
  }
  const targets: ReadonlyArray<Mapping.TargetName> = [
    ...(ocamba === undefined ? [] : ["ocamba" as const]),
    ...(copernica === undefined ? [] : ["copernica" as const])
  ]
  const keyFields = new Set(config.key)
  const fields: ReadonlyArray<CompiledField> = Object.entries(config.fields).map(([name, field]) => {
    const users = targets.filter((target) => layouts[target]!.fields.includes(name))
    const normalise = makeNormaliser(field, { controlCharacters: config.controlCharacters })
    const derived = makeDerivedField(name, field, normalise)
    const column = field.column ?? name
    return {
      name,
      column: derived?.column ?? column,
      columns: derived?.columns ?? [column],
      derive: derived?.derive,
      // A plain field's normaliser never sees an unmatched lookup value, which only a derivation produces.
      normalise: derived?.normalise ?? (normalise as CompiledField["normalise"]),
      targets: keyFields.has(name) || users.length === 0 ? targets : users
    }
  })
  const columnByField = new Map(fields.map((field) => [field.name, field.column]))
  const columnOf = (name: string) => columnByField.get(name) ?? name
  const keyList = config.key

  // Ocamba identifies a profile by email or mobile_phone_number: the canonical fields mapped to them.
  const ocambaIdentifiers =
    config.targets.ocamba === undefined
      ? []
      : Object.entries(config.targets.ocamba.properties)
          .filter(([, mapping]) => mapping.system && ["email", "mobile_phone_number"].includes(mapping.property ?? ""))
          .map(([field]) => field)
  const ocambaIdentifierReason = {
    field: ocambaIdentifiers.join(", "),
    column: ocambaIdentifiers.map(columnOf).join(", "),
    value: "",
    message: `is empty: Ocamba needs an email address or a mobile phone number (${ocambaIdentifiers.join(" or ")})`,
    targets: ["ocamba"] as ReadonlyArray<Mapping.TargetName>
  }
  // Copernica matches profiles on keyFields: the canonical fields mapped to them.
  const copernicaKeys =
    config.targets.copernica === undefined
      ? []
      : config.targets.copernica.keyFields.map((keyField) => {
          const entry = Object.entries(config.targets.copernica!.fields).find(
            ([name, mapping]) => (mapping.field ?? name) === keyField
          )!
          return { keyField, field: entry[0] }
        })

  // Every profile starts as a copy of this one (every field null), so all share one shape from the start rather than
  // growing a field at a time, and setting a field is a store into an existing slot.
  const emptyProfile: Readonly<Record<string, CanonicalValue>> = Object.fromEntries(
    fields.map((field) => [field.name, null])
  )

  const mapRow = (raw: Mapping.RawRow): Mapping.MappedRow => {
    const values = raw.values
    const profile: Record<string, CanonicalValue> = { ...emptyProfile }
    let reasons: Array<Mapping.RejectReason> | undefined
    let refuseOcamba = false
    let refuseCopernica = false
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index]!
      const input = field.derive === undefined ? values[field.column] : field.derive(values)
      const result = field.normalise(input)
      if (result instanceof Invalid) {
        if (reasons === undefined) reasons = []
        reasons.push({
          field: field.name,
          column: field.column,
          value: truncate(input),
          message: result.message,
          targets: field.targets
        })
        for (const target of field.targets) {
          if (target === "ocamba") refuseOcamba = true
          else refuseCopernica = true
        }
        profile[field.name] = null
      } else {
        profile[field.name] = result
      }
    }

    let key: string | undefined
    for (const name of keyList) {
      const value = profile[name]
      if (value !== null && value !== undefined) {
        key = `${name}:${typeof value === "number" ? formatNumber(value) : String(value)}`
        break
      }
    }
    if (key === undefined) {
      // A key field with a bad value has its own reason already; only say "no key" when they are all just empty.
      if (!keyList.some((name) => reasons?.some((reason) => reason.field === name) === true)) {
        if (reasons === undefined) reasons = []
        reasons.push({
          field: keyList.join(", "),
          column: keyList.map(columnOf).join(", "),
          value: "",
          message: `has no key: ${keyList.length === 1 ? "it is" : "they are all"} empty, so the profile cannot be identified`,
          targets
        })
      }
      return { _tag: "Rejected", rowNumber: raw.rowNumber, reasons: reasons ?? [] }
    }

    if (ocamba !== undefined && !refuseOcamba && !ocambaIdentifiers.some((name) => profile[name] !== null)) {
      if (reasons === undefined) reasons = []
      reasons.push(ocambaIdentifierReason)
      refuseOcamba = true
    }
    if (copernica !== undefined && !refuseCopernica) {
      for (const { keyField, field } of copernicaKeys) {
        if (profile[field] === null) {
          if (reasons === undefined) reasons = []
          reasons.push({
            field,
            column: columnOf(field),
            value: "",
            message: `is empty, but Copernica matches profiles on \`${keyField}\` (keyFields)`,
            targets: ["copernica"]
          })
          refuseCopernica = true
        }
      }
    }

    if (reasons === undefined) return { _tag: "Valid", rowNumber: raw.rowNumber, key, profile, targets, rejections: [] }
    const accepted = targets.filter((target) => (target === "ocamba" ? !refuseOcamba : !refuseCopernica))
    return accepted.length === 0
      ? { _tag: "Rejected", rowNumber: raw.rowNumber, key, reasons }
      : { _tag: "Valid", rowNumber: raw.rowNumber, key, profile, targets: accepted, rejections: reasons }
  }

  const layoutFor = (target: Mapping.TargetName): TargetLayout => {
    const layout = layouts[target]
    // A programming error (asking for a target the config does not have), not a data problem.
    if (layout === undefined) throw new Error(`the config has no ${target} target`)
    return layout
  }

  const targetValues = (profile: Mapping.CanonicalProfile, target: Mapping.TargetName): ReadonlyArray<string> => {
    const layout = layoutFor(target)
    const result = new Array<string>(layout.fields.length)
    for (let index = 0; index < layout.fields.length; index++)
      result[index] = layout.formatters[index]!(profile[layout.fields[index]!] ?? null)
    return result
  }

  const contentHash = (profile: Mapping.CanonicalProfile, target: Mapping.TargetName): string => {
    const layout = layoutFor(target)
    const { fields, formatters, hashLabels, hashOrder } = layout
    // Each label and value is length-prefixed, so no choice of values can make two different profiles collide.
    let text = layout.hashPrefix
    for (let position = 0; position < hashOrder.length; position++) {
      const index = hashOrder[position]!
      const value = formatters[index]!(profile[fields[index]!] ?? null)
      text += `${hashLabels[index]}${value.length}:${value}`
    }
    // The one-shot `hash` (Node 20.12+) skips the Hash object `createHash` builds per call: about half the time,
    // and the same digest of the same UTF-8 bytes.
    return hash("sha256", text, "hex")
  }

  const picker = (target: Mapping.TargetName, labels: ReadonlyArray<string>) => {
    const layout = layoutFor(target)
    const indices = labels.map((label) => {
      const index = layout.columns.indexOf(label)
      // A programming error like an unknown target: the caller asks for a column the config does not map.
      if (index === -1) throw new Error(`the ${target} target has no column ${label}`)
      return index
    })
    return (profile: Mapping.CanonicalProfile): ReadonlyArray<string> => {
      const result = new Array<string>(indices.length)
      for (let position = 0; position < indices.length; position++) {
        const index = indices[position]!
        result[position] = layout.formatters[index]!(profile[layout.fields[index]!] ?? null)
      }
      return result
    }
  }

  const sourceColumns = fields.flatMap((field) => field.columns.map((column) => ({ field: field.name, column })))

  const missingColumns = (header: ReadonlyArray<string>) => {
    const present = new Set(header)
    return sourceColumns.filter(({ column }) => !present.has(column))
  }

  const checkColumns = (header: ReadonlyArray<string>): Effect.Effect<void, MappingError> => {
    const missing = missingColumns(header)
    return missing.length === 0
      ? Effect.void
      : Effect.fail(new MappingError({ reason: MappingErrorReason.MissingColumns({ columns: missing }) }))
  }

  return {
    config,
    targets,
    fields: fields.map((field) => field.name),
    columns: (target) => layoutFor(target).columns,
    formulaGuards: (target) => layoutFor(target).formulaGuards,
    mapRow,
    targetValues,
    picker,
    contentHash,
    sourceColumns,
    missingColumns,
    checkColumns
  }
}
