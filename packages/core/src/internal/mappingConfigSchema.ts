/**
 * The Effect Schema of the mapping half of a config: canonical fields, the key, the vendor targets and the rules
 * between them (every mapping names a field that exists, Ocamba gets an identifying property, Copernica key fields
 * are mapped, ...). `@profilesync/sync` builds its config file's schema on these. Descriptions double as the "what is
 * expected" half of every config error message.
 *
 * @internal
 */
import { Copernica, type CopernicaTypes, Ocamba } from "@profilesync/contracts"
import * as Schema from "effect/Schema"
import { isSupportedCountry } from "libphonenumber-js/max"
import type * as MappingConfigModule from "../MappingConfig.ts"

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const nonEmptyString = (expected: string) =>
  Schema.String.pipe(
    Schema.filter((text) => (text.trim().length > 0 ? undefined : "must not be empty")),
    Schema.annotations({ description: expected, jsonSchema: { pattern: "\\S" } })
  )

/**
 * A whole number in `[minimum, maximum]`.
 *
 * @internal
 */
export const integerBetween = (minimum: number, maximum: number, expected: string) =>
  Schema.Number.pipe(
    Schema.filter((value) => Number.isInteger(value) && value >= minimum && value <= maximum),
    Schema.annotations({ description: expected, jsonSchema: { multipleOf: 1, minimum, maximum } })
  )

const positiveInteger = integerBetween(1, Number.MAX_SAFE_INTEGER, "a positive whole number")

/** @internal */
export const FilePath = nonEmptyString("a file path (relative paths are resolved against the config file's directory)")

/**
 * A long value mixing lower-case letters and digits is a generated secret, not a variable name (which are
 * conventionally upper case): refusing it keeps it out of later "variable ... is not set" messages.
 */
const looksLikeToken = (text: string) => text.length >= 24 && /[a-z]/.test(text) && /[0-9]/.test(text)

/** @internal */
export const EnvironmentVariableName = Schema.String.pipe(
  Schema.filter((text) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && !looksLikeToken(text)
      ? undefined
      : text.length >= 20
        ? // Someone pasted the secret itself where its variable's name belongs; say so without echoing it.
          "must be the NAME of an environment variable (letters, digits and `_`), not the secret itself: this value looks like a token, so remove it from the file and rotate it"
        : "must be the name of an environment variable (letters, digits and `_`, not starting with a digit)"
  ),
  Schema.annotations({
    description: "the name of an environment variable",
    jsonSchema: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }
  })
)

/**
 * A 0/1 flag of the Ocamba API, written `true`/`false` or `1`/`0` in the config and decoded to a boolean.
 *
 * @internal
 */
export const Flag = Schema.transform(
  Schema.Union(Schema.Boolean, Schema.Literal(0, 1)).annotations({ description: "true or false (or 1 or 0)" }),
  Schema.Boolean,
  { strict: true, decode: (value) => value === true || value === 1, encode: (value) => value }
).annotations({ description: "true or false (or 1 or 0)" })

/** A vendor id, written as a number or a string in YAML, kept as a string (the vendors' ids are strings). */
const VendorId = Schema.transform(
  Schema.Union(
    Schema.String.pipe(Schema.pattern(/^[0-9]+$/)),
    Schema.Number.pipe(Schema.filter((value) => Number.isSafeInteger(value) && value >= 0))
  ).annotations({ description: "an id (digits)" }),
  Schema.String,
  { strict: true, decode: (value) => String(value), encode: (value) => value }
).annotations({ description: "an id (digits)" })

/**
 * An `http`/`https` base URL, without user or password (credentials never live in the config) and without a
 * trailing slash (clients append `/path`).
 */
const BaseUrl = Schema.String.pipe(
  Schema.filter((text) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return "must be an absolute http(s) URL, like https://api.ocamba.com/v1/hood"
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http or https URL"
    if (url.username !== "" || url.password !== "")
      return "must not hold a user or password: credentials go in `credentials` (tokenEnv or tokenFile)"
    if (url.search !== "" || url.hash !== "") return "must not have a query or fragment"
    return undefined
  }),
  Schema.annotations({ description: "an http(s) base URL", jsonSchema: { pattern: "^https?://" } })
)

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, "")

const baseUrlWithDefault = (defaultUrl: string) =>
  Schema.optionalWith(
    Schema.transform(BaseUrl, Schema.String, {
      strict: true,
      decode: withoutTrailingSlash,
      encode: (value) => value
    }).annotations({ description: "an http(s) base URL" }),
    { default: () => defaultUrl }
  )

/** @internal */
export const defaultOcambaBaseUrl = withoutTrailingSlash(Ocamba.serverUrl)
/** @internal */
export const defaultCopernicaBaseUrl = withoutTrailingSlash(Copernica.serverUrl)

// ---------------------------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const exactlyOne =
  (keys: ReadonlyArray<string>, what: string) =>
  (value: object): string | undefined => {
    const present = keys.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    if (present.length === 1) return undefined
    const list = keys.map((key) => `\`${key}\``).join(" or ")
    return present.length === 0 ? `${what}: give ${list}` : `${what}: give only one of ${list}`
  }

/** @internal */
export const Credentials = Schema.Struct({
  tokenEnv: Schema.optional(EnvironmentVariableName),
  tokenFile: Schema.optional(FilePath)
}).pipe(
  Schema.filter(exactlyOne(["tokenEnv", "tokenFile"], "where the API token comes from")),
  Schema.annotations({
    description: "`{ tokenEnv: VARIABLE }` or `{ tokenFile: /path/to/file }`",
    jsonSchema: { minProperties: 1, maxProperties: 1 }
  })
)

// ---------------------------------------------------------------------------------------------------------------
// Canonical fields
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const FieldName = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_]{0,63}$/),
  Schema.annotations({
    description: "a field name of lower-case letters, digits and `_`, starting with a letter (at most 64 characters)"
  })
)

const commonFieldOptions = {
  column: Schema.optional(nonEmptyString("the source column's name")),
  required: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  neutraliseFormulas: Schema.optionalWith(Schema.Boolean, { default: () => true })
}

/** @internal */
export const TextField = Schema.Struct({
  type: Schema.Literal("text"),
  ...commonFieldOptions,
  maxLength: Schema.optional(positiveInteger)
})

/** @internal */
export const EmailField = Schema.Struct({ type: Schema.Literal("email"), ...commonFieldOptions })

/** @internal */
export const CountryCode = Schema.String.pipe(
  Schema.filter((text) =>
    isSupportedCountry(text)
      ? undefined
      : `\`${text}\` is not a country code known to libphonenumber (use ISO 3166 alpha-2, like NL)`
  ),
  Schema.annotations({ description: "a two-letter country code, like NL", jsonSchema: { pattern: "^[A-Z]{2}$" } })
)

/** @internal */
export const PhoneField = Schema.Struct({
  type: Schema.Literal("phone"),
  ...commonFieldOptions,
  defaultCountry: Schema.optional(CountryCode),
  mobileOnly: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

/** @internal */
export const NumberField = Schema.Struct({
  type: Schema.Literal("number"),
  ...commonFieldOptions,
  decimalSeparator: Schema.optionalWith(Schema.Literal(".", ","), { default: () => "." as const }),
  integer: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

/** The tokens a date `inputFormat` understands, longest first so `YYYY` is not read as `YY` twice. */
const dateTokens = ["YYYY", "MM", "DD", "M", "D"] as const

/**
 * Checks a date input format: it needs a year (`YYYY`), a month (`MM` or `M`) and a day (`DD` or `D`), each once.
 *
 * @internal
 */
export const checkDateFormat = (format: string): string | undefined => {
  const counts = { year: 0, month: 0, day: 0 }
  for (let index = 0; index < format.length; ) {
    const token = dateTokens.find((candidate) => format.startsWith(candidate, index))
    if (token === undefined) {
      if (/[A-Za-z]/.test(format[index]!))
        return `\`${format}\`: unknown token at \`${format.slice(index)}\` (use YYYY, MM, M, DD, D and separators)`
      index += 1
      continue
    }
    if (token === "YYYY") counts.year += 1
    else if (token === "MM" || token === "M") counts.month += 1
    else counts.day += 1
    index += token.length
  }
  return counts.year === 1 && counts.month === 1 && counts.day === 1
    ? undefined
    : `\`${format}\` must hold YYYY, a month (MM or M) and a day (DD or D), each once`
}

const DateFormat = Schema.String.pipe(
  Schema.filter(checkDateFormat),
  Schema.annotations({ description: "a date format like DD-MM-YYYY", jsonSchema: {} })
)

/** @internal */
export const DateField = Schema.Struct({
  type: Schema.Literal("date"),
  ...commonFieldOptions,
  inputFormat: Schema.optional(
    Schema.Union(DateFormat, Schema.NonEmptyArray(DateFormat)).annotations({
      description: "a date format like DD-MM-YYYY, or a list of them"
    })
  )
})

const BooleanWords = Schema.NonEmptyArray(nonEmptyString("a word")).annotations({ description: "a list of words" })

/** @internal */
export const BooleanField = Schema.Struct({
  type: Schema.Literal("boolean"),
  ...commonFieldOptions,
  trueValues: Schema.optional(BooleanWords),
  falseValues: Schema.optional(BooleanWords)
})

/** @internal */
export const Field = Schema.Union(TextField, EmailField, PhoneField, NumberField, DateField, BooleanField).annotations({
  description: "a field with `type: text`, `email`, `phone`, `number`, `date` or `boolean`"
})

// ---------------------------------------------------------------------------------------------------------------
// What a target does with the rows: sync mode and empty values
// ---------------------------------------------------------------------------------------------------------------

/**
 * A target's sync mode: `upsert` creates and updates, `update-only` never creates a profile, `insert-only` never
 * touches an existing one, `mirror` is `upsert` and deletes the profiles that left the source.
 *
 * @internal
 */
export const SyncMode = Schema.Literal("upsert", "update-only", "insert-only", "mirror")

/**
 * What an empty source value does to the vendor's stored value: `skip` keeps it, `clear` blanks it.
 *
 * @internal
 */
export const EmptyValues = Schema.Literal("skip", "clear")

// ---------------------------------------------------------------------------------------------------------------
// Ocamba
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const OcambaDataType = Schema.Literal("text", "number", "date")

/**
 * The settings of a custom property; a system property belongs to Ocamba and takes none of them.
 *
 * @internal
 */
export const customPropertySettings = [
  "data_type",
  "description",
  "example",
  "export_alias",
  "pi_data",
  "importable",
  "exportable"
] as const

/** @internal */
export const OcambaProperty = Schema.Struct({
  property: Schema.optional(nonEmptyString("an Ocamba property label")),
  system: Schema.optionalWith(Flag, { default: () => false }),
  data_type: Schema.optional(OcambaDataType),
  description: Schema.optional(
    Schema.String.pipe(Schema.maxLength(2000), Schema.annotations({ description: "a text of at most 2000 characters" }))
  ),
  example: Schema.optional(Schema.String),
  export_alias: Schema.optional(Schema.String),
  pi_data: Schema.optional(Flag),
  importable: Schema.optional(Flag),
  exportable: Schema.optional(Flag)
}).pipe(
  Schema.filter((mapping) =>
    mapping.system
      ? customPropertySettings
          .filter((setting) => mapping[setting] !== undefined)
          .map((setting) => ({
            path: [setting],
            message: `a system property is defined by Ocamba and takes no \`${setting}\`: remove it, or set \`system: false\` for a custom property`
          }))
      : undefined
  )
)

const VendorIds = Schema.Array(VendorId).annotations({ description: "a list of ids" })

/**
 * What to resync after a sync. Empty lists are allowed (and left out of the request), so a list can be emptied
 * without deleting its key.
 *
 * @internal
 */
export const Resync = Schema.Struct({
  integration: Schema.optionalWith(VendorIds, { default: () => [] }),
  conversion: Schema.optionalWith(VendorIds, { default: () => [] })
})

/** The documented upload limit, 50 MB; the default stays a little under it for the multipart envelope. */
const ocambaUploadLimit = 52_428_800

/** @internal */
export const OcambaTarget = Schema.Struct({
  baseUrl: baseUrlWithDefault(defaultOcambaBaseUrl),
  account: Schema.optionalWith(nonEmptyString("a name for the account's rate budget"), { default: () => "default" }),
  credentials: Schema.optional(Credentials),
  properties: Schema.Record({ key: FieldName, value: OcambaProperty }).annotations({
    description: "a mapping of canonical field names to Ocamba properties"
  }),
  maxFileBytes: Schema.optionalWith(
    integerBetween(1024, ocambaUploadLimit, `a whole number of bytes from 1024 to ${ocambaUploadLimit} (50 MB)`),
    { default: () => 50_000_000 }
  ),
  resync: Schema.optional(Resync),
  mode: Schema.optional(SyncMode),
  emptyValues: Schema.optional(EmptyValues)
}).pipe(
  // Ocamba's file import matches a row on email or mobile_phone_number and creates the profile when none matches:
  // it has no way to say "only update" or "only add", and the sync engine deletes nothing in Ocamba.
  Schema.filter((target) => {
    const issues: Array<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> = []
    if (target.mode !== undefined && target.mode !== "upsert")
      issues.push({
        path: ["mode"],
        message:
          target.mode === "mirror"
            ? "`mirror` cannot be honoured by Ocamba: the sync does not delete Ocamba profiles, so nothing would leave Ocamba when it leaves the source; use `upsert` (the default)"
            : `\`${target.mode}\` cannot be honoured by Ocamba: its import always creates a profile no row matches and updates one that matches (on email or mobile_phone_number), with no option to do only one of them; use \`upsert\` (the default)`
      })
    if (target.emptyValues === "clear")
      issues.push({
        path: ["emptyValues"],
        message:
          "`clear` cannot be honoured by Ocamba: its import leaves a property unchanged where the cell is empty, and has no way to blank a value; use `skip` (what it does anyway)"
      })
    return issues.length === 0 ? undefined : issues
  })
)

// ---------------------------------------------------------------------------------------------------------------
// Copernica
// ---------------------------------------------------------------------------------------------------------------

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
  )
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

/** See `MappingConfig.CrossReferenceIssue`. @internal */
export type CrossReferenceIssue = MappingConfigModule.CrossReferenceIssue

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

  config.key.forEach((name, index) => {
    if (!known(name))
      issues.push({
        path: ["key", index],
        message: `\`${name}\` is not a field defined under \`fields\` (${knownList()})`
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
