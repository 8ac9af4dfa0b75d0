/**
 * Phone numbers for `Mapping.ts`: parsed into E.164 (`+31612345678`) by libphonenumber-js with its complete
 * metadata, so validity follows the number plan, not only the length.
 *
 * **Why a fast path**
 *
 * Parsing a number through the library costs about 6 µs, more than all other fields of a row together: each call
 * copies its options, walks the input a character at a time, wraps the metadata in new objects, and rebuilds every
 * regular expression from its source text. Most numbers in files are written internationally (`+31612345678`,
 * `+32 490 12 83 84`) or nationally for the field's default country (`06 1234 5678`). For those, the library's steps
 * reduce to: split off the calling code (or take the default country's), strip the national prefix by the plan's
 * rule, pick the plan's country, and test the number against the plan's patterns. {@link internationalNumber} and
 * {@link nationalNumber} do exactly these steps with the library's own metadata and patterns, compiled once per
 * calling code, and hand every other case (a calling code shared by several countries, a prefix rule that captures
 * or rewrites, an international prefix, anything unusual) back to the library. The test `MappingPhone.test.ts`
 * compares both ways on every country's example numbers, their near misses and random numbers.
 *
 * @internal
 */
import { type CountryCode, Metadata, type PhoneNumberType, parsePhoneNumberWithError } from "libphonenumber-js/max"
import { Invalid } from "./mappingValue.ts"

// ---------------------------------------------------------------------------------------------------------------
// The library's metadata, compiled per calling code
// ---------------------------------------------------------------------------------------------------------------

/**
 * The parts of libphonenumber-js's `Metadata` class read here. Its typings declare only `selectNumberingPlan`; these
 * methods are the ones the library's own parser calls (version pinned in package.json, and the differential test
 * fails if they change meaning).
 */
interface LibraryMetadata {
  hasCountry(country: string): boolean
  getCountryCodesForCallingCode(callingCode: string): ReadonlyArray<string> | undefined
  selectNumberingPlan(country: string): void
  readonly numberingPlan: {
    callingCode(): string
    IDDPrefix(): string | undefined
    nationalPrefixForParsing(): string | undefined
    nationalNumberPattern(): string
    possibleLengths(): ReadonlyArray<number> | undefined
    hasTypes(): boolean
    type(type: string): { pattern(): string; possibleLengths(): ReadonlyArray<number> | undefined } | undefined
  }
}

const metadata = new Metadata() as unknown as LibraryMetadata

/** One number type of a plan, as `isNumberTypeEqualTo` in the library tests it. */
interface TypeRule {
  readonly type: PhoneNumberType
  readonly pattern: RegExp
  readonly lengths: ReadonlyArray<number> | undefined
}

interface NumberingPlan {
  readonly country: CountryCode
  readonly callingCode: string
  /** The prefix for dialling abroad (`00` in most of Europe), at the start of a number. */
  readonly internationalPrefix: RegExp | undefined
  readonly nationalPrefix: RegExp | undefined
  readonly possibleLengths: ReadonlyArray<number> | undefined
  readonly nationalNumber: RegExp
  readonly hasTypes: boolean
  readonly fixedLine: TypeRule | undefined
  /** `MOBILE` is listed with an empty pattern: the library's sign that mobile numbers are the fixed-line ones. */
  readonly mobileSameAsFixedLine: boolean
  readonly mobileListed: boolean
  readonly mobile: TypeRule | undefined
  /** The types after fixed line, in the library's order (`NON_FIXED_LINE_PHONE_TYPES`). */
  readonly others: ReadonlyArray<TypeRule>
}

const otherTypes: ReadonlyArray<PhoneNumberType> = [
  "MOBILE",
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL"
]

// The library's `matchesEntirely` builds `new RegExp('^(?:' + pattern + ')$')` per call; the same, once.
const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`)

const typeRule = (plan: LibraryMetadata["numberingPlan"], type: PhoneNumberType): TypeRule | undefined => {
  const definition = plan.type(type)
  // An absent type, or one with an empty pattern, never matches (`isNumberTypeEqualTo`).
  if (definition === undefined || !definition.pattern()) return undefined
  return { type, pattern: whole(definition.pattern()), lengths: definition.possibleLengths() }
}

/** The plan of a calling code that belongs to one country; `undefined` when the library must choose the country. */
const compilePlan = (callingCode: string): NumberingPlan | undefined => {
  const countries = metadata.getCountryCodesForCallingCode(callingCode)
  // Shared calling codes (+1, +7, +44, ...) pick the country by the number; `001` is a non-geographic code.
  if (countries === undefined || countries.length !== 1 || countries[0] === "001") return undefined
  const country = countries[0] as CountryCode
  metadata.selectNumberingPlan(country)
  const plan = metadata.numberingPlan
  const prefix = plan.nationalPrefixForParsing()
  const internationalPrefix = plan.IDDPrefix()
  const mobile = plan.type("MOBILE")
  return {
    country,
    callingCode: plan.callingCode(),
    // The library asks whether `search` finds it at index 0, which is whether it matches at the start.
    internationalPrefix: internationalPrefix ? new RegExp(`^(?:${internationalPrefix})`) : undefined,
    nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    possibleLengths: plan.possibleLengths(),
    nationalNumber: whole(plan.nationalNumberPattern()),
    hasTypes: plan.hasTypes(),
    fixedLine: typeRule(plan, "FIXED_LINE"),
    mobileSameAsFixedLine: mobile !== undefined && mobile.pattern() === "",
    mobileListed: mobile !== undefined,
    mobile: typeRule(plan, "MOBILE"),
    others: otherTypes.flatMap((type) => typeRule(plan, type) ?? [])
  }
}

const plans = new Map<string, NumberingPlan | undefined>()

const planOf = (callingCode: string): NumberingPlan | undefined => {
  if (plans.has(callingCode)) return plans.get(callingCode)
  const plan = compilePlan(callingCode)
  plans.set(callingCode, plan)
  return plan
}

const matchesType = (rule: TypeRule | undefined, nationalNumber: string) =>
  rule !== undefined &&
  (rule.lengths === undefined || rule.lengths.includes(nationalNumber.length)) &&
  rule.pattern.test(nationalNumber)

/** The library's `getNumberType`, step for step, on precompiled patterns. */
const numberType = (plan: NumberingPlan, nationalNumber: string): PhoneNumberType | undefined => {
  if (!plan.nationalNumber.test(nationalNumber)) return undefined
  if (matchesType(plan.fixedLine, nationalNumber)) {
    if (plan.mobileSameAsFixedLine || !plan.mobileListed) return "FIXED_LINE_OR_MOBILE"
    return matchesType(plan.mobile, nationalNumber) ? "FIXED_LINE_OR_MOBILE" : "FIXED_LINE"
  }
  for (const rule of plan.others) if (matchesType(rule, nationalNumber)) return rule.type
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

export interface PhoneOptions {
  readonly defaultCountry?: string | undefined
  readonly mobileOnly?: boolean | undefined
}

/** `+`, a calling code that cannot start with 0, then digits with single spaces or hyphens between groups. */
const international = /^\+[1-9][0-9]*(?:[ -][0-9]+)*$/
const separators = /[ -]/g

/** Calling codes are one to three digits; national numbers two to seventeen (the library's limits). */
const longestCallingCode = 3
const shortestNationalNumber = 2
const longestNationalNumber = 17

/**
 * An internationally written number the way the library would parse and check it: the E.164 number, or an
 * {@link Invalid} with the library path's message, or `undefined` when the library has to decide.
 */
export const internationalNumber = (input: string, mobileOnly: boolean): string | Invalid | undefined => {
  if (input.length > 40 || !international.test(input)) return undefined
  // The digits after the `+`.
  const number = (input.includes(" ") || input.includes("-") ? input.replace(separators, "") : input).slice(1)
  // The library takes the first (shortest) prefix that is a calling code; one that is the whole number is its case.
  let callingCode: string | undefined
  for (let length = 1; length <= longestCallingCode && length < number.length; length++) {
    const candidate = number.slice(0, length)
    if (metadata.getCountryCodesForCallingCode(candidate) !== undefined) {
      callingCode = candidate
      break
    }
  }
  if (callingCode === undefined) return undefined
  const plan = planOf(callingCode)
  if (plan === undefined) return undefined
  // The library strips a national prefix (or rewrites the number) when the plan's rule matches: leave that to it.
  const nationalNumber = number.slice(callingCode.length)
  if (plan.nationalPrefix?.test(nationalNumber) === true) return undefined
  return checked(plan, nationalNumber, mobileOnly)
}

/** The library's checks of a parsed number: its length limits (else its own error), validity, then `mobileOnly`. */
const checked = (plan: NumberingPlan, nationalNumber: string, mobileOnly: boolean): string | Invalid | undefined => {
  if (nationalNumber.length < shortestNationalNumber || nationalNumber.length > longestNationalNumber) return undefined
  const type = numberType(plan, nationalNumber)
  const valid = plan.hasTypes ? type !== undefined : plan.nationalNumber.test(nationalNumber)
  if (!valid) return new Invalid(`is not a valid phone number for ${plan.country}`)
  if (mobileOnly && type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE")
    return new Invalid("is not a mobile phone number")
  return `+${plan.callingCode}${nationalNumber}`
}

/** Digits with single spaces or hyphens between groups, no `+`. */
const domestic = /^[0-9]+(?:[ -][0-9]+)*$/

const homePlans = new Map<string, NumberingPlan | undefined>()

/** The plan of a default country, when its calling code is its own (else the library picks by number). */
const homePlanOf = (country: string): NumberingPlan | undefined => {
  if (homePlans.has(country)) return homePlans.get(country)
  let plan: NumberingPlan | undefined
  if (metadata.hasCountry(country)) {
    metadata.selectNumberingPlan(country)
    const candidate = planOf(metadata.numberingPlan.callingCode())
    plan = candidate?.country === country ? candidate : undefined
  }
  homePlans.set(country, plan)
  return plan
}

/** The library's `checkNumberLength` for a national number: whether it is not too short and has a listed length. */
const possibleLength = (length: number, lengths: ReadonlyArray<number>) =>
  length === lengths[0] ||
  (length > lengths[0]! && (length > lengths[lengths.length - 1]! || lengths.indexOf(length, 1) >= 0))

/**
 * A number in national notation (`0612345678`, `06 1234 5678`) for a default country, the way the library would parse
 * and check it, or `undefined` when the library has to decide: when it starts with the international prefix or the
 * calling code (read as international), or the national-prefix rule captures a carrier code or rewrites the number.
 */
export const nationalNumber = (input: string, country: string, mobileOnly: boolean): string | Invalid | undefined => {
  if (input.length > 40 || !domestic.test(input)) return undefined
  const plan = homePlanOf(country)
  if (plan === undefined || plan.internationalPrefix === undefined) return undefined
  const digits = input.includes(" ") || input.includes("-") ? input.replace(separators, "") : input
  if (digits.length < 3 || plan.internationalPrefix.test(digits) || digits.startsWith(plan.callingCode))
    return undefined
  let significant = digits
  const match = plan.nationalPrefix?.exec(digits)
  if (match !== undefined && match !== null) {
    const groups = match.length - 1
    if (groups > 0 && match[groups]) return undefined
    significant = digits.slice(match[0].length)
    // The library keeps the prefix when removing it makes a number that fits the plan's pattern stop fitting, or
    // leaves a length the plan does not have.
    if (significant !== digits) {
      if (plan.nationalNumber.test(digits) && !plan.nationalNumber.test(significant)) significant = digits
      else if (plan.possibleLengths !== undefined && !possibleLength(significant.length, plan.possibleLengths))
        significant = digits
    }
  }
  return checked(plan, significant, mobileOnly)
}

const phoneErrors: Record<string, string> = {
  INVALID_COUNTRY: "has no country code: write it with + and the country code, or set `defaultCountry` on the field",
  NOT_A_NUMBER: "is not a phone number",
  TOO_SHORT: "is too short for a phone number",
  TOO_LONG: "is too long for a phone number",
  INVALID_LENGTH: "does not have the length of a phone number"
}

/**
 * Parses a phone number with libphonenumber-js (complete metadata, so `isValid()` checks the number plan, not only
 * the length) and returns it in E.164 (`+31612345678`). Numbers without `+`/`00` take `defaultCountry`. The whole
 * value must be the number (no surrounding text), and an extension is refused because E.164 cannot hold it.
 */
export const normalisePhone = (input: string, options: PhoneOptions): string | Invalid => {
  let parsed: ReturnType<typeof parsePhoneNumberWithError>
  try {
    parsed = parsePhoneNumberWithError(input, {
      extract: false,
      ...(options.defaultCountry === undefined ? {} : { defaultCountry: options.defaultCountry as CountryCode })
    })
  } catch (error) {
    return new Invalid(phoneErrors[(error as Error).message] ?? "is not a phone number")
  }
  if (!parsed.isValid())
    return new Invalid(
      parsed.country === undefined ? "is not a valid phone number" : `is not a valid phone number for ${parsed.country}`
    )
  if (parsed.ext !== undefined) return new Invalid("has an extension, which an E.164 phone number cannot hold")
  if (options.mobileOnly === true) {
    const type = parsed.getType()
    if (type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE") return new Invalid("is not a mobile phone number")
  }
  return parsed.number
}

/** How many phone inputs a field keeps the library's result of: about 10 MiB at most. */
const phoneCacheEntries = 131_072

/**
 * A field's phone converter: the fast path for international notation, else the library. The library's results are
 * kept by input in a bounded map emptied when full (memory stays flat), because the same number recurs: households,
 * and the identity scan before a sync's read, which parses every number of the file once more.
 */
export const makePhoneConverter = (options: PhoneOptions): ((input: string) => string | Invalid) => {
  const mobileOnly = options.mobileOnly === true
  const home = options.defaultCountry
  // The library refuses an unknown default country even for a number that has its own calling code.
  const fast = home === undefined || metadata.hasCountry(home)
  const cache = new Map<string, string | Invalid>()
  return (input) => {
    if (fast) {
      const result =
        input.charCodeAt(0) === 43
          ? internationalNumber(input, mobileOnly)
          : home === undefined
            ? undefined
            : nationalNumber(input, home, mobileOnly)
      if (result !== undefined) return result
    }
    const known = cache.get(input)
    if (known !== undefined) return known
    const result = normalisePhone(input, options)
    if (cache.size >= phoneCacheEntries) cache.clear()
    cache.set(input, result)
    return result
  }
}
