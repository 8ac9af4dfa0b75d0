/**
 * Property planning of `Mapping.ts`: compares what the config wants with what the vendor has, and says which Ocamba
 * custom properties to create or PATCH and which Copernica fields to create, without ever touching what belongs to
 * the vendor (Ocamba system properties) or what cannot change (labels, data types, field types).
 *
 * @internal
 */
import type { CopernicaTypes, OcambaTypes } from "@profilesync/contracts"
import type * as Mapping from "../Mapping.ts"
import type * as MappingConfig from "../MappingConfig.ts"
import { copernicaTypesFor } from "./mappingConfigCopernica.ts"
import { copernicaTypeOf } from "./mappingMapper.ts"

type PropertyUpdate = OcambaTypes.components["schemas"]["ProfilePropertyUpdate"]
type PropertyCreate = OcambaTypes.components["schemas"]["ProfilePropertyCreate"]
type FieldCreate = CopernicaTypes.components["schemas"]["CreateDatabaseFieldRequest"]

const flag = (value: boolean): 0 | 1 => (value ? 1 : 0)

// The vendor leaves empty values out of list items: a missing string reads as "" and a missing flag as 0.
const textOf = (value: string | undefined) => value ?? ""
const flagOf = (value: number | undefined) => (value === 1 ? 1 : 0)

/** @internal */
export const planOcambaProperties = (
  target: MappingConfig.OcambaTarget,
  existing: ReadonlyArray<Mapping.ExistingOcambaProperty>
): Mapping.OcambaPropertyPlan => {
  const byLabel = new Map<string, Mapping.ExistingOcambaProperty>()
  for (const property of existing) {
    const label = property.label ?? property.property
    if (label !== undefined && !byLabel.has(label)) byLabel.set(label, property)
  }
  const create: Array<PropertyCreate> = []
  const update: Array<Mapping.OcambaPropertyUpdate> = []
  const unchanged: Array<string> = []
  const systemMissing: Array<string> = []
  const conflicts: Array<Mapping.PlanConflict> = []

  for (const [field, mapping] of Object.entries(target.properties)) {
    const label = mapping.property ?? field
    const found = byLabel.get(label)
    if (mapping.system) {
      if (found === undefined) systemMissing.push(label)
      else if (flagOf(found.system) === 1) unchanged.push(label)
      else
        conflicts.push({
          label,
          message: `\`${label}\` is configured as a system property, but Ocamba has it as a custom property: set \`system: false\` (and its settings) in the config`
        })
      continue
    }
    const dataType = mapping.data_type ?? "text"
    if (found === undefined) {
      create.push({
        label,
        data_type: dataType,
        ...(mapping.description === undefined ? {} : { description: mapping.description }),
        ...(mapping.example === undefined ? {} : { example: mapping.example }),
        ...(mapping.export_alias === undefined ? {} : { export_alias: mapping.export_alias }),
        ...(mapping.pi_data === undefined ? {} : { pi_data: flag(mapping.pi_data) }),
        ...(mapping.importable === undefined ? {} : { importable: flag(mapping.importable) }),
        ...(mapping.exportable === undefined ? {} : { exportable: flag(mapping.exportable) })
      })
      continue
    }
    if (flagOf(found.system) === 1) {
      conflicts.push({
        label,
        message: `\`${label}\` is an Ocamba system property, which cannot be created or changed: map it with \`system: true\`, or choose another label for a custom property`
      })
      continue
    }
    const existingType = found.data_type ?? "text"
    if (existingType !== dataType) {
      conflicts.push({
        label,
        message: `\`${label}\` has data_type \`${existingType}\` in Ocamba but \`${dataType}\` in the config; Ocamba cannot change a property's data_type, so set \`data_type: ${existingType}\` or map the field to a new property`
      })
      continue
    }
    // Only settings the config states are compared: a setting left out of the config is the vendor's to keep.
    const patch: { -readonly [K in keyof PropertyUpdate]: PropertyUpdate[K] } = {}
    if (mapping.description !== undefined && mapping.description !== textOf(found.description))
      patch.description = mapping.description
    if (mapping.example !== undefined && mapping.example !== textOf(found.example)) patch.example = mapping.example
    if (mapping.export_alias !== undefined && mapping.export_alias !== textOf(found.export_alias))
      patch.export_alias = mapping.export_alias
    if (mapping.pi_data !== undefined && flag(mapping.pi_data) !== flagOf(found.pi_data))
      patch.pi_data = flag(mapping.pi_data)
    if (mapping.importable !== undefined && flag(mapping.importable) !== flagOf(found.importable))
      patch.importable = flag(mapping.importable)
    if (mapping.exportable !== undefined && flag(mapping.exportable) !== flagOf(found.exportable))
      patch.exportable = flag(mapping.exportable)
    if (Object.keys(patch).length === 0) unchanged.push(label)
    else if (found.id === undefined)
      conflicts.push({ label, message: `\`${label}\` needs an update, but Ocamba's list did not give its id` })
    else update.push({ id: found.id, label, patch })
  }
  return { create, update, unchanged, systemMissing, conflicts }
}

/** Copernica allows one field of each of these types per database. */
const oncePerDatabase = new Set(["email", "phone_fax", "phone_gsm"])

/** @internal */
export const planCopernicaFields = (
  config: MappingConfig.MappingConfig,
  existing: ReadonlyArray<Mapping.ExistingCopernicaField>
): Mapping.CopernicaFieldPlan => {
  const create: Array<FieldCreate> = []
  const unchanged: Array<string> = []
  const conflicts: Array<Mapping.PlanConflict> = []
  const target = config.targets.copernica
  if (target === undefined) return { create, unchanged, conflicts }
  const byName = new Map(existing.map((field) => [field.name, field]))
  const byLowerName = new Map(existing.map((field) => [field.name.toLowerCase(), field]))
  const typesInUse = new Set<string>(existing.map((field) => field.type))

  for (const [canonical, mapping] of Object.entries(target.fields)) {
    const name = mapping.field ?? canonical
    const canonicalType = config.fields[canonical]!.type
    const found = byName.get(name)
    if (found !== undefined) {
      const accepted = mapping.type === undefined ? copernicaTypesFor[canonicalType] : [mapping.type]
      if (accepted.includes(found.type as MappingConfig.CopernicaFieldType)) unchanged.push(name)
      else
        conflicts.push({
          label: name,
          message: `Copernica field \`${name}\` has type \`${found.type}\`, which cannot hold this \`${canonicalType}\` field (expected ${accepted
            .map((type) => `\`${type}\``)
            .join(" or ")}); Copernica field types are not changed by a sync`
        })
      continue
    }
    const caseVariant = byLowerName.get(name.toLowerCase())
    if (caseVariant !== undefined) {
      conflicts.push({
        label: name,
        message: `Copernica has a field \`${caseVariant.name}\`, which differs from \`${name}\` only in case: use its exact name`
      })
      continue
    }
    let type = copernicaTypeOf(config, canonical, mapping)
    if (oncePerDatabase.has(type) && typesInUse.has(type)) {
      if (mapping.type !== undefined) {
        const holder = existing.find((field) => field.type === type)!
        conflicts.push({
          label: name,
          message: `Copernica allows one \`${type}\` field per database and \`${holder.name}\` is it: map to \`${holder.name}\`, or give \`${name}\` another type`
        })
        continue
      }
      // The preferred type is taken; a text field holds the same values.
      type = "text"
    }
    if (type === "select" || type === "foreign_key") {
      conflicts.push({
        label: name,
        message: `a \`${type}\` field needs settings a sync cannot guess (choices or a target): create \`${name}\` in Copernica first`
      })
      continue
    }
    typesInUse.add(type)
    const value =
      mapping.default !== undefined ? mapping.default : type === "integer" || type === "float" ? 0 : undefined
    create.push({
      name,
      type,
      ...(value === undefined ? {} : { value }),
      ...(mapping.length === undefined ? {} : { length: mapping.length })
    })
  }
  return { create, unchanged, conflicts }
}
