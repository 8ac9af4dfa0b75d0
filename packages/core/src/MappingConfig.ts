/**
 * The mapping half of a config: the canonical fields a profile is normalised into, its key, and how it maps onto each
 * vendor (Ocamba properties, Copernica database fields), as Effect Schemas with the rules between them. `Mapping`
 * works from a decoded {@link MappingConfig}; `@profilesync/sync` builds its config file on these sections and adds
 * the source, schedule and bookkeeping.
 *
 * @since 0.2.0
 */
import type * as Schema from "effect/Schema"
import * as copernica from "./internal/mappingConfigCopernica.ts"
import * as crossReferences from "./internal/mappingConfigCrossReferences.ts"
import type * as fields from "./internal/mappingConfigFields.ts"
import type * as ocamba from "./internal/mappingConfigOcamba.ts"
import * as schema from "./internal/mappingConfigSchema.ts"
import * as values from "./internal/mappingConfigValues.ts"

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where a secret comes from: an environment variable or a file, never the config itself.
 *
 * **Details**
 *
 * Exactly one of `tokenEnv` and `tokenFile` is set. Read it with `SyncConfig.resolveCredential` of `@profilesync/sync`.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = typeof values.Credentials.Type

/**
 * A canonical field: where its value comes from (`column`, default the field's name), its `type` and the type's
 * options, and whether an empty value rejects the row (`required`, default `false`).
 *
 * **Details**
 *
 * - `text`: `maxLength`. `email`: no options. `phone`: `defaultCountry` (ISO 3166 alpha-2, for numbers written
 *   without a country code), `mobileOnly`. `number`: `decimalSeparator` (`.` or `,`), `integer`. `date`:
 *   `inputFormat` (one or a list, tokens `YYYY`, `MM`, `M`, `DD`, `D`; default ISO `YYYY-MM-DD`). `boolean`:
 *   `trueValues`, `falseValues` (replace the defaults `true/yes/y/1` and `false/no/n/0`).
 * - Every type: `neutraliseFormulas` (default `true`). A `text` value that starts with `=`, `+`, `-`, `@`, tab or CR
 *   gets a `'` in front in every CSV sent to a vendor (OWASP "CSV Injection"), and an `email` that starts with one
 *   is refused (a prefix would change the address). `false` sends such values as they are, for data that
 *   legitimately starts with `-` or `+`. Phone, number, date and boolean values are normalised first and unaffected.
 * - Where the value comes from, exactly one of: `column` (a source column; the default is the field's name),
 *   `constant` (a text, number or boolean written in the config, the same for every row) or `template` (text with
 *   source columns in braces, `"{first_name} {last_name}"`; `{{` and `}}` are literal braces). A template's value is
 *   empty when every cell it names is empty, so literal text alone never makes a value; an empty cell among filled
 *   ones contributes nothing. A template's columns must be in the source like a `column`.
 * - `transforms`: applied in order to the raw text before the type's normalisation: `trim`, `lowercase`,
 *   `uppercase`, and `{ lookup: { file, default } }` (a two-column CSV, `from,to`, with a header row, read by
 *   `SyncConfig.load`; or `{ lookup: { values: { from: to } } }` written inline). A lookup matches the text exactly
 *   (put `trim` or `lowercase` before it to match loosely) and leaves an empty value empty. A value the table does
 *   not hold becomes the lookup's `default`, else the field's `default`, else the row is refused for the field's
 *   targets with a reason naming the value and the table. Date formats are the `date` type's `inputFormat`.
 * - `default`: the value used when the result is empty (before `required` is checked).
 *
 * @since 0.1.0
 * @category models
 */
export type Field = typeof fields.Field.Type

/**
 * A named transform of a field's raw text: `trim`, `lowercase`, `uppercase` or a lookup table; see {@link Field}.
 *
 * @since 0.2.0
 * @category models
 */
export type Transform = typeof fields.Transform.Type

/**
 * The type of a canonical field.
 *
 * @since 0.1.0
 * @category models
 */
export type FieldType = Field["type"]

/**
 * How one canonical field maps to an Ocamba profile property.
 *
 * **Details**
 *
 * - `property`: the property's label (default: the canonical field's name).
 * - `system`: `true` for Ocamba's own properties (`email`, `mobile_phone_number`, `full_name`, ...), which are never
 *   created or changed and take no other setting.
 * - A custom property's settings (`data_type`, `description`, `example`, `export_alias`, `pi_data`, `importable`,
 *   `exportable`) are what the property is created with, and what it is PATCHed back to when they drift. A setting
 *   left out is left alone. `data_type` defaults to `text` and cannot change once the property exists.
 * - `emptyValues`: `skip` only (what Ocamba's import does with an empty cell); `clear` is refused here as on the
 *   target.
 *
 * @since 0.1.0
 * @category models
 */
export type OcambaProperty = typeof ocamba.OcambaProperty.Type

/**
 * The Ocamba target: `baseUrl` (default the production API), `account` (rate-budget key, default `default`),
 * `credentials` (optional only through the proxy sidecar), `properties`, `maxFileBytes` (default 50,000,000), and the
 * integrations and conversions to `resync` after a sync.
 *
 * **Gotchas**
 *
 * `mode` accepts only `upsert`: Ocamba's import creates a profile no row matches and updates one that matches, with
 * no option to do only one of them, and the sync deletes nothing in Ocamba, so `update-only`, `insert-only` and
 * `mirror` are refused. `emptyValues` accepts only `skip`: the import leaves a property unchanged where its cell is
 * empty (as the sandbox models it; Ocamba documents no way to blank a value), so `clear` is refused, on the target
 * and on a property (`properties.<name>.emptyValues`) alike.
 *
 * @since 0.1.0
 * @category models
 */
export type OcambaTarget = typeof ocamba.OcambaTarget.Type

/**
 * How one canonical field maps to a Copernica database field: `field` (its name, default the canonical name), `type`
 * (used when the field has to be created, default from the canonical type), `length` and `default` (the default
 * value a created field gets; integer and float fields get `0` when it is absent), and `emptyValues` (`skip` or
 * `clear`: overrides the target's for this field; the sync leaves an empty `skip` field out of its row's import,
 * since Copernica's `ignoreEmptyFields` is per import).
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaField = typeof copernica.CopernicaField.Type

/**
 * A Copernica field type.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaFieldType = typeof copernica.CopernicaFieldType.Type

/**
 * The Copernica target.
 *
 * **Details**
 *
 * `database`, `keyFields` (mapped Copernica field names identifying a profile), `fields`, `rowsPerImport` (default
 * 1000), `format` (`json` default, or `csv` with `delimiter`, default `;`), `action` (default `update or add`),
 * `ignoreEmptyFields` (default `false`), `deleteMissing` (default `false`) and `maxDeleteShare` (default `0.05`).
 *
 * `mode` and `emptyValues` say the same in words and are resolved into those settings when the config is decoded:
 * `upsert` is `action: update or add`, `update-only` is `update`, `insert-only` is `ignore or add` (`add` would
 * create a second profile next to a match), `mirror` is `update or add` with `deleteMissing: true`; `emptyValues: skip`
 * is `ignoreEmptyFields: true`, `clear` is `false`. Writing both is refused where they contradict.
 *
 * **Gotchas**
 *
 * `deleteMissing: true` is the only way profiles are ever deleted in Copernica. Since a sync sends several imports,
 * Copernica's own `removeMissing` (which deletes whatever one import does not hold) is used only when one import
 * holds every row; otherwise the sync deletes the profiles that left the source with an explicit `delete` import.
 * A run deletes nothing while any source row could not be read or keyed (its key is unknown, so nothing is known to
 * be absent), nor more than `maxDeleteShare` of the target's known profiles unless the run allows mass deletes.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaTarget = typeof copernica.CopernicaTarget.Type

/**
 * The configured targets; at least one is present.
 *
 * @since 0.1.0
 * @category models
 */
export type Targets = typeof schema.Targets.Type

/**
 * A target's sync mode: `upsert` (the default) creates and updates, `update-only` never creates a profile,
 * `insert-only` never changes an existing one, `mirror` is `upsert` plus deleting the profiles that left the source.
 *
 * @since 0.2.0
 * @category models
 */
export type SyncMode = typeof values.SyncMode.Type

/**
 * What an empty source value does at a target: `skip` keeps the vendor's stored value, `clear` blanks it.
 *
 * @since 0.2.0
 * @category models
 */
export type EmptyValues = typeof values.EmptyValues.Type

/**
 * The mapping sections of a decoded config: `fields`, `key`, `targets`, `controlCharacters` (`reject` or `strip`)
 * and `identityCollisions` (`reject` or `keepFirst`), defaults filled in.
 *
 * @since 0.2.0
 * @category models
 */
export type MappingConfig = typeof schema.MappingConfig.Type

/**
 * The mapping sections as written, before defaults.
 *
 * @since 0.2.0
 * @category models
 */
export type MappingConfigEncoded = typeof schema.MappingConfig.Encoded

// ---------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------

/**
 * The schema of the mapping sections, cross-references included: `key` and every mapping name a defined canonical
 * field; an Ocamba target maps `email` or `mobile_phone_number` as a system property (from an `email` or `phone`
 * field); Copernica `keyFields` are mapped fields; two canonical fields never map to the same property or field;
 * `credentials` is required when a target talks to the vendor directly.
 *
 * @since 0.2.0
 * @category schemas
 */
export const MappingConfig: Schema.Schema<MappingConfig, MappingConfigEncoded> = schema.MappingConfig

/**
 * The Copernica field types that can hold each canonical type; the first is the type a missing field is created
 * with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const copernicaTypesFor: Readonly<Record<FieldType, ReadonlyArray<CopernicaFieldType>>> =
  copernica.copernicaTypesFor

/**
 * One problem found across a config's sections (a key naming a field that does not exist, a target mapping an unknown
 * field), at a path relative to the config's root.
 *
 * @since 0.2.0
 * @category models
 */
export interface CrossReferenceIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * What `@profilesync/sync`'s config schema is built from, so that it reads exactly like these: the mapping sections
 * and their cross-reference rules, and the small value schemas its own sections use.
 *
 * @since 0.2.0
 * @category schemas
 */
export const schemaParts = {
  mappingFields: schema.mappingFields,
  crossReferenceIssues: crossReferences.crossReferenceIssues,
  EnvironmentVariableName: values.EnvironmentVariableName,
  FilePath: values.FilePath,
  exactlyOne: values.exactlyOne,
  integerBetween: values.integerBetween,
  nonEmptyString: values.nonEmptyString
} as const
