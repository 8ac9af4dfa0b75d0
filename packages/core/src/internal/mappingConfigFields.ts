/**
 * The schemas of the canonical fields a profile is normalised into: each field type (`text`, `email`, `phone`,
 * `number`, `date`, `boolean`) with its options, where a value comes from (a `column`, a `constant` or a `template`,
 * then `transforms` and a `default`), the field name rule, and the date input format check.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { isSupportedCountry } from "libphonenumber-js/max"
import { nonEmptyString, positiveInteger } from "./mappingConfigValues.ts"

/** @internal */
export const FieldName = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_]{0,63}$/),
  Schema.annotations({
    description: "a field name of lower-case letters, digits and `_`, starting with a letter (at most 64 characters)"
  })
)

/** A value written in the config itself: text, a number or a boolean. */
const ConfigValue = Schema.Union(Schema.String, Schema.Number, Schema.Boolean).annotations({
  description: "a text, number or boolean value"
})

/**
 * A lookup table: `file` (a two-column CSV, `from,to`, with a header row; read when the config is loaded) or `values`
 * (the table written in the config; the loader fills it from `file`), and the `default` a value outside it becomes.
 *
 * @internal
 */
export const LookupTransform = Schema.Struct({
  lookup: Schema.Struct({
    file: Schema.optional(
      nonEmptyString("a two-column CSV file (from,to) with a header row, relative to the config file")
    ),
    values: Schema.optional(
      Schema.Record({ key: Schema.String, value: Schema.String }).annotations({
        description: "a mapping of source values to the values to send"
      })
    ),
    default: Schema.optional(Schema.String)
  }).annotations({ description: "a lookup table: `{ file: table.csv }` or `{ values: { from: to } }`" })
})

/**
 * A named transform of a field's raw text, applied in order before the field type's own normalisation.
 *
 * @internal
 */
export const Transform = Schema.Union(Schema.Literal("trim", "lowercase", "uppercase"), LookupTransform).annotations({
  description: "a transform: `trim`, `lowercase`, `uppercase` or `{ lookup: { file: table.csv } }`"
})

const commonFieldOptions = {
  column: Schema.optional(nonEmptyString("the source column's name")),
  constant: Schema.optional(ConfigValue),
  template: Schema.optional(
    nonEmptyString("a template naming source columns in braces, like `{first_name} {last_name}`")
  ),
  transforms: Schema.optional(Schema.Array(Transform)),
  default: Schema.optional(ConfigValue),
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
