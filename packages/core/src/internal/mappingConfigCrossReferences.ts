/**
 * The rules of a mapping config that span its sections: every key and mapping names a defined field, no two fields
 * map to one vendor property or field, Ocamba gets an identifying system property of the right type, Copernica key
 * fields are mapped and field types fit, a field's value comes from one source with a well-formed template, and credentials are present when talking to a vendor directly. Each problem
 * names the path it is about.
 *
 * @internal
 */
import type * as MappingConfigModule from "../MappingConfig.ts"
import { copernicaTypesFor } from "./mappingConfigCopernica.ts"
import type { Field } from "./mappingConfigFields.ts"
import type { MappingConfigStructure } from "./mappingConfigSchema.ts"
import { defaultCopernicaBaseUrl, defaultOcambaBaseUrl } from "./mappingConfigValues.ts"
import { derivedValueIssues } from "./mappingDerivedValues.ts"

/** See `MappingConfig.CrossReferenceIssue`. @internal */
export type CrossReferenceIssue = MappingConfigModule.CrossReferenceIssue
/** Ocamba's identifying system properties: a commit needs at least one of them. */
const ocambaIdentifiers: Record<string, (typeof Field.Type)["type"]> = {
  email: "email",
  mobile_phone_number: "phone"
}

const directHosts = { ocamba: new URL(defaultOcambaBaseUrl).host, copernica: new URL(defaultCopernicaBaseUrl).host }

const isArrayIndexLike = (name: string) => /^(0|[1-9][0-9]*)$/.test(name)

/**
 * The rules that span sections; each problem names the path it is about.
 *
 * @internal
 */
export const crossReferenceIssues = (config: MappingConfigStructure): ReadonlyArray<CrossReferenceIssue> => {
  const issues: Array<CrossReferenceIssue> = []
  const fieldNames = Object.keys(config.fields)
  const known = (name: string) => Object.hasOwn(config.fields, name)
  const knownList = () => fieldNames.map((name) => `\`${name}\``).join(", ")

  for (const [name, field] of Object.entries(config.fields))
    for (const issue of derivedValueIssues(field))
      issues.push({ path: ["fields", name, ...issue.path], message: issue.message })

  config.key.forEach((name, index) => {
    if (!known(name))
      issues.push({
        path: ["key", index],
        message: `\`${name}\` is not a field defined under \`fields\` (${knownList()})`
      })
    else if (config.fields[name]?.constant !== undefined)
      issues.push({
        path: ["key", index],
        message: `\`${name}\` is a constant: a key must tell rows apart, and a constant gives every row the same one`
      })
  })

  const ocamba = config.targets.ocamba
  if (ocamba !== undefined) {
    const base = ["targets", "ocamba"]
    const labels = new Map<string, string>()
    let identifies = false
    for (const [name, mapping] of Object.entries(ocamba.properties)) {
      const path = [...base, "properties", name]
      if (!known(name)) {
        issues.push({ path, message: `\`${name}\` is not a field defined under \`fields\` (${knownList()})` })
        continue
      }
      const label = mapping.property ?? name
      const previous = labels.get(label)
      if (previous !== undefined)
        issues.push({ path, message: `maps to property \`${label}\`, which \`${previous}\` maps to already` })
      labels.set(label, name)
      const identifierType = ocambaIdentifiers[label]
      if (identifierType !== undefined) {
        if (!mapping.system)
          issues.push({
            path: [...path, "system"],
            message: `\`${label}\` is an Ocamba system property: write \`system: true\``
          })
        else identifies = true
        const fieldType = config.fields[name]!.type
        if (fieldType !== identifierType)
          issues.push({
            path,
            message: `\`${label}\` identifies Ocamba profiles, so it must come from a field of type \`${identifierType}\` (normalised), but \`${name}\` has type \`${fieldType}\``
          })
      }
    }
    if (!identifies)
      issues.push({
        path: [...base, "properties"],
        message:
          "must map a field to the system property `email` or `mobile_phone_number` (Ocamba identifies profiles by them), e.g. `email: { property: email, system: true }`"
      })
    if (ocamba.credentials === undefined && new URL(ocamba.baseUrl).host === directHosts.ocamba)
      issues.push({
        path: base,
        message:
          "`credentials` is required when talking to Ocamba directly (`{ tokenEnv: OCAMBA_TOKEN }`); only a baseUrl pointing at the proxy sidecar may leave it out"
      })
  }

  const copernica = config.targets.copernica
  if (copernica !== undefined) {
    const base = ["targets", "copernica"]
    const fieldsByName = new Map<string, string>()
    for (const [name, mapping] of Object.entries(copernica.fields)) {
      const path = [...base, "fields", name]
      if (!known(name)) {
        issues.push({ path, message: `\`${name}\` is not a field defined under \`fields\` (${knownList()})` })
        continue
      }
      const fieldName = mapping.field ?? name
      const previous = fieldsByName.get(fieldName)
      if (previous !== undefined)
        issues.push({
          path,
          message: `maps to Copernica field \`${fieldName}\`, which \`${previous}\` maps to already`
        })
      fieldsByName.set(fieldName, name)
      const canonicalType = config.fields[name]!.type
      if (mapping.type !== undefined && !copernicaTypesFor[canonicalType].includes(mapping.type))
        issues.push({
          path: [...path, "type"],
          message: `a \`${canonicalType}\` field cannot go into a Copernica \`${mapping.type}\` field (use ${copernicaTypesFor[
            canonicalType
          ]
            .map((type) => `\`${type}\``)
            .join(", ")})`
        })
      if (copernica.format === "json" && isArrayIndexLike(fieldName))
        issues.push({
          path,
          message: `Copernica field \`${fieldName}\` is a number, which JSON objects reorder; Copernica needs the same field order in every row, so use \`format: csv\` for it`
        })
    }
    copernica.keyFields.forEach((keyField, index) => {
      if (!fieldsByName.has(keyField))
        issues.push({
          path: [...base, "keyFields", index],
          message: `\`${keyField}\` is not a mapped Copernica field (mapped: ${[...fieldsByName.keys()].map((name) => `\`${name}\``).join(", ")})`
        })
    })
    if (copernica.format !== "csv" && copernica.delimiter !== undefined)
      issues.push({ path: [...base, "delimiter"], message: "applies only to `format: csv`" })
    if (copernica.credentials === undefined && new URL(copernica.baseUrl).host === directHosts.copernica)
      issues.push({
        path: base,
        message:
          "`credentials` is required when talking to Copernica directly (`{ tokenEnv: COPERNICA_TOKEN }`); only a baseUrl pointing at the proxy sidecar may leave it out"
      })
  }
  return issues
}
