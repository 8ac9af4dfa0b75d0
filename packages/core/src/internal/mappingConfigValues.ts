/**
 * The value schemas a mapping config is built from: non-empty text, bounded whole numbers, file paths, environment
 * variable names, the Ocamba 0/1 flag, vendor ids, vendor base URLs (with their defaults), where a secret comes from,
 * and the words for what a target does with rows (`SyncMode`, `EmptyValues`). Their descriptions double as the "what
 * is expected" half of every config error message.
 *
 * @internal
 */
import { Copernica, Ocamba } from "@profilesync/contracts"
import * as Schema from "effect/Schema"

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

/** @internal */
export const positiveInteger = integerBetween(1, Number.MAX_SAFE_INTEGER, "a positive whole number")

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
export const VendorId = Schema.transform(
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

/** @internal */
export const baseUrlWithDefault = (defaultUrl: string) =>
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
