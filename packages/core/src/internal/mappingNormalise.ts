/**
 * The per-field normalisers of `Mapping.ts`: text, email, number, date and boolean (phones are in `mappingPhone.ts`),
 * and the compiling of a field's normaliser. They run once per value on the hot path, so they return the normalised
 * value or an {@link Invalid} instead of allocating a result object, and they never throw.
 *
 * @internal
 */
import { domainToASCII } from "node:url"
import type * as MappingConfig from "../MappingConfig.ts"
import { makePhoneConverter } from "./mappingPhone.ts"
import { type CanonicalValue, Invalid, type Normaliser } from "./mappingValue.ts"

export { type CanonicalValue, Invalid, type Normaliser, type RawValue } from "./mappingValue.ts"

// ---------------------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------------------

/** Counts code points only when the UTF-16 length is over the limit, which is the rare case. */
const longerThan = (text: string, maximum: number) => {
  if (text.length <= maximum) return false
  let count = 0
  for (const _ of text) if (++count > maximum) return true
  return false
}

const textOf = (raw: string | number | boolean) => (typeof raw === "string" ? raw : String(raw))

const text =
  (maxLength: number | undefined) =>
  (value: string): CanonicalValue | Invalid =>
    maxLength !== undefined && longerThan(value, maxLength)
      ? new Invalid(`is longer than ${maxLength} characters`)
      : value

// ---------------------------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------------------------

// RFC 5322 dot-atom, lower case: the local part every mail system accepts. Quoted local parts ("a b"@x.nl) are
// legal but refused: no marketing vendor handles them.
const localPart = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const domainLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is exactly what this tests for.
const ascii = /^[\u0000-\u007f]*$/
// The whole of an ASCII address that passes: the local part, `@`, two or more domain labels, the last not all digits.
// Lengths are checked apart.
const plainAddress =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?![0-9]+$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * Trims, lower-cases and validates an address: one `@`, a dot-atom local part of at most 64 characters, a domain of
 * at least two labels (letters, digits, inner hyphens, at most 63 each) with a non-numeric top level, at most 254
 * characters in all (RFC 5321). An internationalised domain is converted to its ASCII (punycode) form, which is
 * what mail servers exchange; a non-ASCII local part is refused.
 */
export const normaliseEmail = (input: string): string | Invalid => {
  const value = input.trim().toLowerCase()
  // Nearly every address passes every check below in one match; only the others take the steps that say what is wrong.
  if (plainAddress.test(value)) {
    const at = value.indexOf("@")
    if (at <= 64 && value.length - at - 1 <= 253 && value.length <= 254) return value
  }
  return explainEmail(value)
}

/** The checks of {@link normaliseEmail} one at a time, for a lower-cased, trimmed value: the first failing one's reason. */
export const explainEmail = (value: string): string | Invalid => {
  const at = value.lastIndexOf("@")
  if (at === -1) return new Invalid("is not an email address: it has no @")
  if (value.indexOf("@") !== at) return new Invalid("is not an email address: it has more than one @")
  const local = value.slice(0, at)
  let domain = value.slice(at + 1)
  if (local === "") return new Invalid("is not an email address: nothing before the @")
  if (domain === "") return new Invalid("is not an email address: nothing after the @")
  if (/\s/.test(value)) return new Invalid("is not an email address: it contains a space")
  if (local.length > 64) return new Invalid("is not an email address: the part before the @ is over 64 characters")
  if (!localPart.test(local)) {
    if (!ascii.test(local))
      return new Invalid("is not an email address: non-ASCII characters before the @ are not supported")
    if (local.includes("..")) return new Invalid("is not an email address: two dots in a row")
    if (local.startsWith(".") || local.endsWith("."))
      return new Invalid("is not an email address: the part before the @ starts or ends with a dot")
    return new Invalid("is not an email address: a character that is not allowed before the @")
  }
  if (!ascii.test(domain)) {
    const converted = domainToASCII(domain)
    if (converted === "") return new Invalid("is not an email address: the domain is not valid")
    domain = converted
  }
  const labels = domain.split(".")
  if (labels.length < 2) return new Invalid("is not an email address: the domain has no dot (like example.com)")
  for (const label of labels) {
    if (label === "") return new Invalid("is not an email address: the domain has an empty part (two dots in a row?)")
    if (!domainLabel.test(label))
      return new Invalid(`is not an email address: the domain part \`${label}\` is not valid`)
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!))
    return new Invalid("is not an email address: the domain ends in a number")
  if (domain.length > 253) return new Invalid("is not an email address: the domain is over 253 characters")
  const address = `${local}@${domain}`
  return address.length > 254 ? new Invalid("is not an email address: it is over 254 characters") : address
}

// ---------------------------------------------------------------------------------------------------------------
// Number
// ---------------------------------------------------------------------------------------------------------------

const pointDecimal = /^[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/
const commaDecimal = /^[+-]?(?:[0-9]+(?:,[0-9]+)?|,[0-9]+)$/

/** Significant digits beyond which a double no longer holds a decimal exactly. */
const maximumDigits = 15

const significantDigits = (text: string) => {
  const digits = text.replace(/[^0-9]/g, "")
  const hasFraction = /[.,]/.test(text)
  const trimmed = digits.replace(/^0+/, "")
  return (hasFraction ? trimmed.replace(/0+$/, "") : trimmed).length
}

/**
 * Parses a plain decimal (`1234.5`, `-3`, `.5`; with `decimalSeparator: ","` also `1234,5`). Thousands separators,
 * exponents, currency signs and trailing text (`12abc`) are refused rather than guessed at, as are numbers with more
 * than 15 significant digits, which a double would silently round.
 */
export const normaliseNumber = (
  raw: string | number,
  options: { readonly decimalSeparator?: "." | "," | undefined; readonly integer?: boolean | undefined }
): number | Invalid => {
  let value: number
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return new Invalid("is not a finite number")
    value = raw
  } else {
    const input = raw.trim()
    const comma = options.decimalSeparator === ","
    if (!(comma ? commaDecimal : pointDecimal).test(input)) {
      const other = comma ? "." : ","
      return new Invalid(
        input.includes(other)
          ? `is not a number: use \`${comma ? "," : "."}\` as the decimal separator, without thousands separators`
          : "is not a number"
      )
    }
    // A text no longer than the maximum cannot hold more significant digits: most values skip the count.
    if (input.length > maximumDigits && significantDigits(input) > maximumDigits)
      return new Invalid(`has more than ${maximumDigits} significant digits, more than can be kept exactly`)
    value = Number(comma ? input.replace(",", ".") : input)
  }
  if (options.integer === true && !Number.isInteger(value)) return new Invalid("is not a whole number")
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return new Invalid("is too large to be kept exactly")
  // -0 and 0 are the same value to every vendor; keep one so hashes agree.
  return value === 0 ? 0 : value
}

// ---------------------------------------------------------------------------------------------------------------
// Date
// ---------------------------------------------------------------------------------------------------------------

interface DateParser {
  readonly format: string
  readonly pattern: RegExp
  /** The match group of each part; 0 for a part the format lacks. */
  readonly year: number
  readonly month: number
  readonly day: number
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Compiles `DD-MM-YYYY`-style formats (tokens YYYY, MM, M, DD, D; anything else literal) into a matcher. */
export const compileDateFormat = (format: string): DateParser => {
  const order: Array<"year" | "month" | "day"> = []
  let source = ""
  for (let index = 0; index < format.length; ) {
    if (format.startsWith("YYYY", index)) {
      source += "([0-9]{4})"
      order.push("year")
      index += 4
    } else if (format.startsWith("MM", index) || format.startsWith("DD", index)) {
      source += "([0-9]{2})"
      order.push(format[index] === "M" ? "month" : "day")
      index += 2
    } else if (format[index] === "M" || format[index] === "D") {
      source += "([0-9]{1,2})"
      order.push(format[index] === "M" ? "month" : "day")
      index += 1
    } else {
      source += escapeRegExp(format[index]!)
      index += 1
    }
  }
  return {
    format,
    pattern: new RegExp(`^${source}$`),
    year: order.lastIndexOf("year") + 1,
    month: order.lastIndexOf("month") + 1,
    day: order.lastIndexOf("day") + 1
  }
}

const isoDate = compileDateFormat("YYYY-MM-DD")

const daysInMonth = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

const pad = (value: number, width: number) => String(value).padStart(width, "0")

/**
 * Reads a date in one of `parsers`' formats (ISO `YYYY-MM-DD` when none is configured), checks that it exists on
 * the calendar (no 31 April, 29 February only in leap years) and returns it as `YYYY-MM-DD`.
 */
export const normaliseDate = (input: string, parsers: ReadonlyArray<DateParser>): string | Invalid => {
  const value = input.trim()
  for (const parser of parsers) {
    const match = parser.pattern.exec(value)
    if (match === null) continue
    // A part the format lacks (the config check refuses such formats) reads as 0, which no date has.
    const yearText = parser.year === 0 ? "0" : match[parser.year]!
    const monthText = parser.month === 0 ? "0" : match[parser.month]!
    const dayText = parser.day === 0 ? "0" : match[parser.day]!
    const year = Number(yearText)
    const month = Number(monthText)
    const day = Number(dayText)
    if (year < 1) return new Invalid("is not a date: year 0000 does not exist")
    if (month < 1 || month > 12) return new Invalid(`is not a date: there is no month ${month}`)
    if (day < 1 || day > daysInMonth(year, month))
      return new Invalid(`is not a date: ${pad(year, 4)}-${pad(month, 2)} has no day ${day}`)
    // The matched text is already the padded form when it has the full width (always for the year): no re-padding.
    return `${yearText.length === 4 ? yearText : pad(year, 4)}-${monthText.length === 2 ? monthText : pad(month, 2)}-${
      dayText.length === 2 ? dayText : pad(day, 2)
    }`
  }
  return new Invalid(`is not a date in the format ${parsers.map((parser) => parser.format).join(" or ")}`)
}

// ---------------------------------------------------------------------------------------------------------------
// Boolean
// ---------------------------------------------------------------------------------------------------------------

const defaultTrue = ["true", "yes", "y", "1"]
const defaultFalse = ["false", "no", "n", "0"]

/** Case-insensitive word lists to a lookup. */
export const booleanWords = (
  trueValues: ReadonlyArray<string> | undefined,
  falseValues: ReadonlyArray<string> | undefined
): ReadonlyMap<string, boolean> =>
  new Map([
    ...(trueValues ?? defaultTrue).map((word) => [word.trim().toLowerCase(), true] as const),
    ...(falseValues ?? defaultFalse).map((word) => [word.trim().toLowerCase(), false] as const)
  ])

export const normaliseBoolean = (
  raw: string | number | boolean,
  words: ReadonlyMap<string, boolean>
): boolean | Invalid => {
  if (typeof raw === "boolean") return raw
  const value = words.get(String(raw).trim().toLowerCase())
  return value === undefined
    ? new Invalid(`is not a yes/no value (expected one of ${[...words.keys()].join(", ")})`)
    : value
}

// ---------------------------------------------------------------------------------------------------------------
// Compiling a field
// ---------------------------------------------------------------------------------------------------------------

const required = new Invalid("is required but empty")

// Control characters (Unicode category Cc) other than tab, line feed and carriage return, which text may hold and
// every CSV writer here quotes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g

const codePoint = (character: string) => `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`

/**
 * The first characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"): `=`, `+`, `-`,
 * `@`, tab and carriage return.
 */
export const formulaTrigger = /^[=+\-@\t\r]/

/**
 * Compiles the normaliser of a configured field. Empty values (absent, null, or only whitespace) become `null`, or
 * fail when the field is `required`. A text value holding a control character (NUL, escape, ...) is refused, or
 * has them removed with `controlCharacters: "strip"`. An email address that starts like a spreadsheet formula is
 * refused unless the field says `neutraliseFormulas: false`: prefixing it, as CSV output does for text, would
 * change the address the vendors identify the profile by.
 */
export const makeNormaliser = (
  field: MappingConfig.Field,
  options: { readonly controlCharacters?: "reject" | "strip" | undefined } = {}
): Normaliser => {
  const convert = converterOf(field)
  const whenEmpty = field.required ? required : null
  const strip = options.controlCharacters === "strip"
  const guardEmail = field.type === "email" && field.neutraliseFormulas
  return (raw) => {
    if (raw === undefined || raw === null) return whenEmpty
    if (typeof raw === "string") {
      let text = raw
      if (controlCharacter.test(text)) {
        if (!strip) {
          const index = text.search(controlCharacter)
          return new Invalid(
            `holds the control character ${codePoint(text[index]!)} at character ${index + 1}: remove it, or set ` +
              "`controlCharacters: strip` to have them removed"
          )
        }
        text = text.replace(controlCharacters, "")
      }
      const trimmed = text.trim()
      if (trimmed === "") return whenEmpty
      const converted = convert(trimmed)
      if (guardEmail && typeof converted === "string" && formulaTrigger.test(converted)) {
        return new Invalid(
          `starts with \`${converted[0]}\`, which a spreadsheet runs as a formula: set \`neutraliseFormulas: false\` on ` +
            "the field to send such addresses as they are"
        )
      }
      return converted
    }
    return convert(raw)
  }
}

const converterOf = (field: MappingConfig.Field): ((value: string | number | boolean) => CanonicalValue | Invalid) => {
  switch (field.type) {
    case "text": {
      const check = text(field.maxLength)
      return (value) => check(textOf(value))
    }
    case "email":
      return (value) => normaliseEmail(textOf(value))
    case "phone": {
      const convert = makePhoneConverter({ defaultCountry: field.defaultCountry, mobileOnly: field.mobileOnly })
      return (value) => convert(textOf(value))
    }
    case "number": {
      const options = { decimalSeparator: field.decimalSeparator, integer: field.integer }
      return (value) => (typeof value === "boolean" ? new Invalid("is not a number") : normaliseNumber(value, options))
    }
    case "date": {
      const formats =
        field.inputFormat === undefined
          ? []
          : typeof field.inputFormat === "string"
            ? [field.inputFormat]
            : field.inputFormat
      const parsers = formats.length === 0 ? [isoDate] : formats.map(compileDateFormat)
      return (value) => normaliseDate(textOf(value), parsers)
    }
    case "boolean": {
      const words = booleanWords(field.trueValues, field.falseValues)
      return (value) => normaliseBoolean(value, words)
    }
  }
}
