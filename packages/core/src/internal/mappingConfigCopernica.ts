/**
 * The schema of the Copernica target: its fields (with the field types read from the Copernica spec), key fields,
 * import size and format, and `mode`/`emptyValues` resolved into Copernica's own `action`, `deleteMissing` and
 * `ignoreEmptyFields`; also which Copernica field types can hold each canonical field type.
 *
 * @internal
 */
import { Copernica, type CopernicaTypes } from "@profilesync/contracts"
import * as Schema from "effect/Schema"
import { type Field, FieldName } from "./mappingConfigFields.ts"
import {
  baseUrlWithDefault,
  Credentials,
  defaultCopernicaBaseUrl,
  EmptyValues,
  integerBetween,
  nonEmptyString,
  positiveInteger,
  SyncMode
} from "./mappingConfigValues.ts"

type CopernicaFieldTypeName = CopernicaTypes.components["schemas"]["FieldType"]

const copernicaFieldTypes = (
  Copernica.document.components as { readonly schemas: { readonly FieldType: { readonly enum: unknown } } }
).schemas.FieldType.enum as [CopernicaFieldTypeName, ...Array<CopernicaFieldTypeName>]

/** @internal The field types the Copernica spec knows: read from the spec, so the two cannot drift apart. */
export const CopernicaFieldType = Schema.Literal(...copernicaFieldTypes)

/** @internal */
export const CopernicaField = Schema.Struct({
  field: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^[^.]+$/),
      Schema.annotations({ description: "a Copernica field name (no `.`: subprofile fields are not supported)" })
    )
  ),
  type: Schema.optional(CopernicaFieldType),
  length: Schema.optional(positiveInteger),
  default: Schema.optional(
    Schema.Union(Schema.String, Schema.Number).annotations({ description: "a default value (text or number)" })
  ),
  // Overrides the target's `emptyValues` for this field: Copernica's `ignoreEmptyFields` is per import, so the sync
  // leaves an empty `skip` field out of the import its row goes in (see the sync's Copernica chunker).
  emptyValues: Schema.optional(EmptyValues)
})

/** @internal */
export const CopernicaDelimiter = Schema.Literal("\t", ",", ";")

/** @internal */
export const copernicaActionOf: Record<typeof SyncMode.Type, CopernicaAction> = {
  upsert: "update or add",
  "update-only": "update",
  // `add` would create a second profile next to a matching one; `ignore or add` leaves the match alone.
  "insert-only": "ignore or add",
  mirror: "update or add"
}

const CopernicaActionLiteral = Schema.Literal("update or add", "update", "add", "ignore or add")
type CopernicaAction = typeof CopernicaActionLiteral.Type

const copernicaTargetFields = {
  baseUrl: baseUrlWithDefault(defaultCopernicaBaseUrl),
  account: Schema.optionalWith(nonEmptyString("a name for the account's rate budget"), { default: () => "default" }),
  credentials: Schema.optional(Credentials),
  database: positiveInteger.annotations({ description: "a database ID (a positive whole number)" }),
  keyFields: Schema.NonEmptyArray(nonEmptyString("a Copernica field name")).annotations({
    description: "a non-empty list of Copernica field names"
  }),
  fields: Schema.Record({ key: FieldName, value: CopernicaField }).annotations({
    description: "a mapping of canonical field names to Copernica fields"
  }),
  rowsPerImport: Schema.optionalWith(
    integerBetween(1, 100_000, "a whole number of rows from 1 to 100000").annotations({
      description: "a whole number of rows from 1 to 100000"
    }),
    { default: () => 1000 }
  ),
  format: Schema.optionalWith(Schema.Literal("json", "csv"), { default: () => "json" as const }),
  delimiter: Schema.optional(CopernicaDelimiter),
  maxDeleteShare: Schema.optionalWith(
    Schema.Number.pipe(
      Schema.filter((value) => value >= 0 && value <= 1),
      Schema.annotations({ description: "a share from 0 to 1, like 0.05 for 5%" })
    ),
    { default: () => 0.05 }
  ),
  mode: Schema.optional(SyncMode),
  emptyValues: Schema.optional(EmptyValues)
}

/**
 * The Copernica target as written: `mode` and `emptyValues` say in words what `action`, `deleteMissing` and
 * `ignoreEmptyFields` say in Copernica's terms; writing both is allowed only when they agree.
 */
const CopernicaTargetWritten = Schema.Struct({
  ...copernicaTargetFields,
  action: Schema.optional(CopernicaActionLiteral),
  ignoreEmptyFields: Schema.optional(Schema.Boolean),
  deleteMissing: Schema.optional(Schema.Boolean)
}).pipe(
  Schema.filter((target) => {
    const issues: Array<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> = []
    const mode = target.mode
    if (mode !== undefined && target.action !== undefined && target.action !== copernicaActionOf[mode])
      issues.push({
        path: ["action"],
        message: `\`mode: ${mode}\` sends \`action: ${copernicaActionOf[mode]}\`, which this \`action\` contradicts: remove \`action\` (\`mode\` says it)`
      })
    if (mode !== undefined && target.deleteMissing !== undefined && target.deleteMissing !== (mode === "mirror"))
      issues.push({
        path: ["deleteMissing"],
        message: `\`mode: ${mode}\` ${mode === "mirror" ? "deletes" : "never deletes"} the profiles that left the source, which this \`deleteMissing\` contradicts: remove \`deleteMissing\` (\`mode\` says it)`
      })
    if (
      target.emptyValues !== undefined &&
      target.ignoreEmptyFields !== undefined &&
      target.ignoreEmptyFields !== (target.emptyValues === "skip")
    )
      issues.push({
        path: ["ignoreEmptyFields"],
        message: `\`emptyValues: ${target.emptyValues}\` contradicts this \`ignoreEmptyFields\`: remove \`ignoreEmptyFields\` (\`emptyValues\` says it)`
      })
    return issues.length === 0 ? undefined : issues
  })
)

/** The Copernica target as the sync uses it: Copernica's own settings, resolved from `mode` and `emptyValues`. */
const CopernicaTargetResolved = Schema.typeSchema(
  Schema.Struct({
    ...copernicaTargetFields,
    action: CopernicaActionLiteral,
    ignoreEmptyFields: Schema.Boolean,
    deleteMissing: Schema.Boolean
  })
)

/** @internal */
export const CopernicaTarget = Schema.transform(CopernicaTargetWritten, CopernicaTargetResolved, {
  strict: true,
  decode: (written) => ({
    ...written,
    action: written.action ?? (written.mode === undefined ? "update or add" : copernicaActionOf[written.mode]),
    deleteMissing: written.deleteMissing ?? written.mode === "mirror",
    ignoreEmptyFields: written.ignoreEmptyFields ?? written.emptyValues === "skip"
  }),
  encode: (resolved) => resolved
})

/**
 * Canonical field types and the Copernica field types that can hold their values. The first one is what a missing
 * field is created as.
 *
 * @internal
 */
export const copernicaTypesFor: Record<(typeof Field.Type)["type"], ReadonlyArray<typeof CopernicaFieldType.Type>> = {
  text: ["text", "big", "select"],
  // Copernica allows one email field per database; plain text fields hold addresses as well.
  email: ["email", "text"],
  phone: ["phone_gsm", "phone", "phone_fax", "text"],
  number: ["float", "integer", "text"],
  // `empty_date` is the optional date; `date` makes the field mandatory.
  date: ["empty_date", "date", "text"],
  boolean: ["integer", "text", "select"]
}
