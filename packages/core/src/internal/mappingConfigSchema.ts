/**
 * The Effect Schema of the mapping half of a config: canonical fields, the key, the vendor targets and the rules
 * between them. `@profilesync/sync` builds its config file's schema on these. The pieces live beside it, one file
 * per section: `mappingConfigValues.ts` (value schemas), `mappingConfigFields.ts`, `mappingConfigOcamba.ts`,
 * `mappingConfigCopernica.ts` and `mappingConfigCrossReferences.ts`.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { CopernicaTarget } from "./mappingConfigCopernica.ts"
import { crossReferenceIssues } from "./mappingConfigCrossReferences.ts"
import { Field, FieldName } from "./mappingConfigFields.ts"
import { OcambaTarget } from "./mappingConfigOcamba.ts"

/** @internal */
export const Targets = Schema.Struct({
  ocamba: Schema.optional(OcambaTarget),
  copernica: Schema.optional(CopernicaTarget)
}).pipe(
  Schema.filter((targets) =>
    targets.ocamba === undefined && targets.copernica === undefined
      ? "configure at least one target: `ocamba` or `copernica`"
      : undefined
  ),
  Schema.annotations({ description: "the targets: `ocamba`, `copernica` or both", jsonSchema: { minProperties: 1 } })
)

// ---------------------------------------------------------------------------------------------------------------
// The mapping half of a config and its cross-references
// ---------------------------------------------------------------------------------------------------------------

/**
 * The sections of a config that say what goes where: the fields, the key, the targets and how hostile values are
 * treated. A sync config holds these next to its source and bookkeeping.
 *
 * @internal
 */
export const mappingFields = {
  fields: Schema.Record({ key: FieldName, value: Field }).annotations({
    description: "a mapping of canonical field names to field definitions"
  }),
  key: Schema.NonEmptyArray(FieldName).annotations({ description: "a non-empty list of canonical field names" }),
  targets: Targets,
  controlCharacters: Schema.optionalWith(Schema.Literal("reject", "strip"), { default: () => "reject" as const }),
  identityCollisions: Schema.optionalWith(Schema.Literal("reject", "keepFirst"), {
    default: () => "reject" as const
  })
}

const MappingConfigStructure = Schema.Struct(mappingFields)

/** @internal */
export type MappingConfigStructure = typeof MappingConfigStructure.Type
/**
 * The mapping half of a config, with its cross-reference rules.
 *
 * @internal
 */
export const MappingConfig = MappingConfigStructure.pipe(
  Schema.filter((config) => {
    const issues = crossReferenceIssues(config)
    return issues.length === 0 ? undefined : issues.map((issue) => ({ path: issue.path, message: issue.message }))
  })
)
