/**
 * Derived field values of `Mapping.ts`: a field's raw value from a `constant`, a `template` over source columns or a
 * `column`, passed through its `transforms` (`trim`, `lowercase`, `uppercase`, lookup tables) and its `default`,
 * before the field type's own normalisation. Templates and tables are compiled once per mapper, so a row costs only
 * the string work; a field with nothing but a `column` is not compiled here at all and keeps the mapper's direct path.
 *
 * @internal
 */
import type * as MappingConfig from "../MappingConfig.ts"
import type { LookupTransform } from "./mappingConfigFields.ts"
import { Invalid, type Normaliser, type RawValue } from "./mappingNormalise.ts"

/** One piece of a compiled template: literal text, or the source column whose cell goes there. */
export type TemplatePart = string | { readonly column: string }

/**
 * Parses a template: `{Column name}` is a source column's cell, `{{` and `}}` are literal braces. Returns the parts,
 * or a message saying where the template is malformed.
 *
 * @internal
 */
export const parseTemplate = (template: string): ReadonlyArray<TemplatePart> | string => {
  const parts: Array<TemplatePart> = []
  let literal = ""
  for (let index = 0; index < template.length; ) {
    const character = template[index]!
    if (character === "{" && template[index + 1] === "{") {
      literal += "{"
      index += 2
    } else if (character === "}" && template[index + 1] === "}") {
      literal += "}"
      index += 2
    } else if (character === "{") {
      const end = template.indexOf("}", index + 1)
      if (end === -1) return `\`{\` at character ${index + 1} is not closed (write \`{{\` for a literal brace)`
      const column = template.slice(index + 1, end)
      if (column.trim() === "" || column.includes("{"))
        return `\`{${column}}\` at character ${index + 1} does not name a column (write \`{{\` for a literal brace)`
      if (literal !== "") parts.push(literal)
      literal = ""
      parts.push({ column })
      index = end + 1
    } else if (character === "}") {
      return `\`}\` at character ${index + 1} closes nothing (write \`}}\` for a literal brace)`
    } else {
      literal += character
      index += 1
    }
  }
  if (literal !== "") parts.push(literal)
  if (!parts.some((part) => typeof part !== "string")) return "names no column: write one like `{first_name}`"
  return parts
}

/** The source columns a parsed template reads, each once, in order. */
const templateColumns = (parts: ReadonlyArray<TemplatePart>): ReadonlyArray<string> => [
  ...new Set(parts.flatMap((part) => (typeof part === "string" ? [] : [part.column])))
]

/**
 * The source columns a field reads: its `column` (default its name), a template's columns, or none for a constant.
 *
 * @internal
 */
export const sourceColumnsOf = (name: string, field: MappingConfig.Field): ReadonlyArray<string> => {
  if (field.constant !== undefined) return []
  if (field.template !== undefined) {
    const parts = parseTemplate(field.template)
    return typeof parts === "string" ? [] : templateColumns(parts)
  }
  return [field.column ?? name]
}

/**
 * The problems of a field's value settings, each with the path under the field: more than one of `column`,
 * `constant` and `template`, a malformed template, a lookup with neither or both of `file` and `values`.
 *
 * @internal
 */
export const derivedValueIssues = (
  field: MappingConfig.Field
): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }> => {
  const issues: Array<{ readonly path: ReadonlyArray<string | number>; readonly message: string }> = []
  const sources = (["column", "constant", "template"] as const).filter((setting) => field[setting] !== undefined)
  if (sources.length > 1)
    issues.push({
      path: [sources[1]!],
      message: `a field takes its value from one of \`column\`, \`constant\` and \`template\`, but this one has ${sources
        .map((setting) => `\`${setting}\``)
        .join(" and ")}`
    })
  if (field.template !== undefined) {
    const parts = parseTemplate(field.template)
    if (typeof parts === "string") issues.push({ path: ["template"], message: parts })
  }
  field.transforms?.forEach((transform, index) => {
    if (typeof transform === "string") return
    const { file, values } = transform.lookup
    if (file === undefined && values === undefined)
      issues.push({
        path: ["transforms", index, "lookup"],
        message: "give the table: `file` (a two-column CSV, from,to) or `values` (`{ from: to }`)"
      })
  })
  return issues
}

/** A value no lookup table holds, when neither the lookup nor the field has a `default`: the field refuses it. */
export class Unmatched {
  constructor(
    readonly text: string,
    readonly table: string
  ) {}
  /** What a reject shows as the field's value. */
  toString(): string {
    return this.text
  }
}

/** A value on its way through a field's transforms. */
export type DerivedValue = RawValue | Unmatched

type Step = (value: DerivedValue) => DerivedValue

const isEmpty = (value: DerivedValue): value is null | undefined | "" =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")

const textStep =
  (change: (text: string) => string): Step =>
  (value) =>
    value === undefined || value === null || value instanceof Unmatched
      ? value
      : change(typeof value === "string" ? value : String(value))

const lookupStep = (lookup: (typeof LookupTransform.Type)["lookup"], fieldHasDefault: boolean, where: string): Step => {
  if (lookup.values === undefined)
    // Core reads no files: `SyncConfig.load` fills `values` from `file`. A config that skipped it is a program error.
    throw new Error(
      `${where}: the lookup table \`${lookup.file}\` was not loaded (load the config with SyncConfig.load)`
    )
  const table = new Map(Object.entries(lookup.values))
  const name = lookup.file ?? "values"
  const fallback = lookup.default
  return (value) => {
    if (isEmpty(value) || value instanceof Unmatched) return value
    const text = typeof value === "string" ? value : String(value)
    const found = table.get(text)
    if (found !== undefined) return found
    if (fallback !== undefined) return fallback
    // An empty value lets the field's `default` take over; without one, the field refuses the row.
    return fieldHasDefault ? undefined : new Unmatched(text, name)
  }
}

const sourceOf = (
  name: string,
  field: MappingConfig.Field
): ((values: Readonly<Record<string, RawValue>>) => RawValue) => {
  const constant = field.constant
  if (constant !== undefined) return () => constant
  if (field.template === undefined) {
    const column = field.column ?? name
    return (values) => values[column]
  }
  const parts = parseTemplate(field.template)
  if (typeof parts === "string") throw new Error(`fields.${name}.template: ${parts}`)
  // The template is empty when every cell it names is empty: literal text alone is not a value.
  return (values) => {
    let text = ""
    let filled = false
    for (const part of parts) {
      if (typeof part === "string") {
        text += part
        continue
      }
      const cell = values[part.column]
      if (cell === undefined || cell === null) continue
      const cellText = typeof cell === "string" ? cell : String(cell)
      if (!filled && cellText.trim() !== "") filled = true
      text += cellText
    }
    return filled ? text : undefined
  }
}

/**
 * A field whose value is derived: `derive` reads a row's values and gives the raw value to normalise, `normalise`
 * is the field type's normaliser that also refuses an {@link Unmatched} lookup, `column` names the field's source
 * in rejects, and `columns` are the source columns it needs.
 *
 * @internal
 */
export interface DerivedField {
  readonly derive: (values: Readonly<Record<string, RawValue>>) => DerivedValue
  readonly normalise: (value: DerivedValue) => ReturnType<Normaliser>
  readonly column: string
  readonly columns: ReadonlyArray<string>
}

/**
 * Compiles a field's derivation, or `undefined` for a field with only a `column` (the mapper reads that directly).
 *
 * @internal
 */
export const makeDerivedField = (
  name: string,
  field: MappingConfig.Field,
  normalise: Normaliser
): DerivedField | undefined => {
  const transforms = field.transforms ?? []
  if (
    field.constant === undefined &&
    field.template === undefined &&
    transforms.length === 0 &&
    field.default === undefined
  )
    return undefined
  const source = sourceOf(name, field)
  const fallback = field.default
  const steps: ReadonlyArray<Step> = transforms.map((transform, index) =>
    transform === "trim"
      ? textStep((text) => text.trim())
      : transform === "lowercase"
        ? textStep((text) => text.toLowerCase())
        : transform === "uppercase"
          ? textStep((text) => text.toUpperCase())
          : lookupStep(transform.lookup, fallback !== undefined, `fields.${name}.transforms.${index}`)
  )
  const derive = (values: Readonly<Record<string, RawValue>>): DerivedValue => {
    let value: DerivedValue = source(values)
    for (const step of steps) value = step(value)
    return fallback !== undefined && isEmpty(value) ? fallback : value
  }
  const columns = sourceColumnsOf(name, field)
  return {
    derive,
    normalise: (value) =>
      value instanceof Unmatched
        ? new Invalid(
            `\`${value.text}\` is not in the lookup table ${value.table === "values" ? "" : `\`${value.table}\` `}and ` +
              "neither the lookup nor the field has a `default`"
          )
        : normalise(value),
    column: field.constant !== undefined ? "" : columns.join(", "),
    columns
  }
}
