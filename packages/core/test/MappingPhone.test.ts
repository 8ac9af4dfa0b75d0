/**
 * Tests for the phone fast path of `Mapping`: a number written internationally gets exactly what libphonenumber-js
 * gives it (the same E.164 number, or the same refusal), for every country's example number and its near misses and
 * for random numbers behind every calling code; and the fast path does take the common forms, and leaves the others
 * to the library.
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { type CountryCode, getCountries, getCountryCallingCode, getExampleNumber } from "libphonenumber-js/max"
import examples from "libphonenumber-js/mobile/examples"
import { internationalNumber, nationalNumber, normalisePhone } from "../src/internal/mappingPhone.ts"
import { Invalid } from "../src/internal/mappingValue.ts"

const outcome = (result: string | Invalid) => (result instanceof Invalid ? `refused: ${result.message}` : result)

/** Whether the fast path answered, and if so, whether the library agrees; the library's option sets both ways. */
const agrees = (input: string): { readonly taken: boolean; readonly agreed: boolean } => {
  let taken = false
  for (const mobileOnly of [false, true]) {
    const fast = internationalNumber(input, mobileOnly)
    if (fast === undefined) continue
    taken = true
    for (const defaultCountry of [undefined, "NL"]) {
      const library = normalisePhone(input, { defaultCountry, mobileOnly })
      if (outcome(fast) !== outcome(library)) return { taken, agreed: false }
    }
  }
  return { taken, agreed: true }
}

/** The same for a number in national notation, with the field's default country. */
const agreesNationally = (input: string, country: string): { readonly taken: boolean; readonly agreed: boolean } => {
  let taken = false
  for (const mobileOnly of [false, true]) {
    const fast = nationalNumber(input, country, mobileOnly)
    if (fast === undefined) continue
    taken = true
    if (outcome(fast) !== outcome(normalisePhone(input, { defaultCountry: country, mobileOnly })))
      return { taken, agreed: false }
  }
  return { taken, agreed: true }
}

/** A number's digits in groups of `size` after the calling code, joined by `separator`. */
const grouped = (callingCode: string, national: string, size: number, separator: string) =>
  `+${callingCode} ${national.match(new RegExp(`.{1,${size}}`, "g"))!.join(separator)}`

describe("internationalNumber", () => {
  it("agrees with libphonenumber-js on every country's example number and its near misses", () => {
    let taken = 0
    let inputs = 0
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples)
      if (example === undefined) continue
      const callingCode = example.countryCallingCode
      const national = example.nationalNumber
      const lastDigit = Number(national.at(-1))
      const variants = [
        example.number,
        grouped(callingCode, national, 3, " "),
        grouped(callingCode, national, 2, "-"),
        `+${callingCode}${national.slice(0, -1)}`,
        `+${callingCode}${national}0`,
        `+${callingCode}${national.slice(0, -1)}${(lastDigit + 5) % 10}`,
        `+${callingCode}${(Number(national[0]) + 1) % 10}${national.slice(1)}`,
        `+${callingCode}0${national}`
      ]
      for (const input of variants) {
        const result = agrees(input)
        assert.isTrue(result.agreed, `${country}: ${input}`)
        inputs++
        if (result.taken) taken++
      }
    }
    // Most calling codes belong to one country: the fast path must answer most of these, or it saves nothing.
    assert.isAbove(taken / inputs, 0.6)
  })

  it("agrees with libphonenumber-js on random numbers behind every calling code", () => {
    const callingCodes = [...new Set(getCountries().map((country) => getCountryCallingCode(country)))]
    fc.assert(
      fc.property(
        fc.constantFrom(...callingCodes),
        fc.stringMatching(/^[0-9]{1,18}$/),
        fc.constantFrom("", " ", "-"),
        (callingCode, digits, separator) => {
          const input = separator === "" ? `+${callingCode}${digits}` : grouped(callingCode, digits, 3, separator)
          return agrees(input).agreed
        }
      ),
      { numRuns: 20_000 }
    )
  })

  it("answers numbers written internationally and leaves the rest to the library", () => {
    assert.strictEqual(internationalNumber("+31612345678", false), "+31612345678")
    assert.strictEqual(internationalNumber("+32 470 12 34 56", false), "+32470123456")
    assert.strictEqual(internationalNumber("+49-175-87892717", true), "+4917587892717")
    assert.strictEqual(outcome(internationalNumber("+31 20 123 4567", true)!), "refused: is not a mobile phone number")
    assert.strictEqual(
      outcome(internationalNumber("+3161234567", false)!),
      "refused: is not a valid phone number for NL"
    )
    for (const input of ["0612345678", "+31 (0)6 1234 5678", "+1 650 253 0000", "+44 20 7946 0000", "+310612345678"])
      assert.isUndefined(internationalNumber(input, false), input)
  })

  it("agrees with libphonenumber-js on every country's example number written nationally, and its near misses", () => {
    let taken = 0
    let inputs = 0
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples)
      if (example === undefined) continue
      const national = example.nationalNumber
      const callingCode = example.countryCallingCode
      const variants = [
        national,
        `0${national}`,
        `00${national}`,
        `1${national}`,
        `8${national}`,
        `0${national.slice(0, -1)}`,
        `0${national}1`,
        `0${national.slice(0, 3)} ${national.slice(3)}`,
        `0${national.slice(0, 2)}-${national.slice(2)}`,
        `00${callingCode}${national}`,
        `${callingCode}${national}`,
        national.slice(0, 2)
      ]
      for (const input of variants) {
        const result = agreesNationally(input, country)
        assert.isTrue(result.agreed, `${country}: ${input}`)
        inputs++
        if (result.taken) taken++
      }
    }
    assert.isAbove(taken / inputs, 0.4)
  })

  it("agrees with libphonenumber-js on random national numbers for every country", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...getCountries()),
        fc.constantFrom("", "0", "1", "8", "00", "06"),
        fc.stringMatching(/^[0-9]{1,16}$/),
        fc.constantFrom("", " ", "-"),
        (country, prefix, digits, separator) => {
          const input = separator === "" ? `${prefix}${digits}` : `${prefix}${digits.match(/.{1,3}/g)!.join(separator)}`
          return agreesNationally(input, country).agreed
        }
      ),
      { numRuns: 30_000 }
    )
  })

  it("answers numbers written nationally for a default country with its own calling code", () => {
    assert.strictEqual(nationalNumber("0612345678", "NL", false), "+31612345678")
    assert.strictEqual(nationalNumber("06 1234 5678", "NL", true), "+31612345678")
    assert.strictEqual(nationalNumber("0471 60 09 39", "BE", false), "+32471600939")
    assert.strictEqual(outcome(nationalNumber("020 123 4567", "NL", true)!), "refused: is not a mobile phone number")
    // Where the library keeps the national prefix digit because removing it would leave no valid or possible number.
    for (const [input, country] of [
      ["8012345678", "BY"],
      ["800000", "BY"],
      ["80123456", "LT"],
      ["80000000", "LT"]
    ] as const) {
      const result = agreesNationally(input, country)
      assert.isTrue(result.taken && result.agreed, `${country} ${input}`)
    }
    for (const [input, country] of [
      ["0031612345678", "NL"],
      ["31612345678", "NL"],
      ["06 1234 5678 ext. 12", "NL"],
      ["650 253 0000", "US"],
      ["020 7946 0000", "GB"]
    ] as const)
      assert.isUndefined(nationalNumber(input, country, false), `${country} ${input}`)
  })

  it("gives the same result whatever country the field defaults to", () => {
    for (const country of ["NL", "BE", "DE", "US"] satisfies ReadonlyArray<CountryCode>) {
      assert.strictEqual(normalisePhone("+32 470 12 34 56", { defaultCountry: country }), "+32470123456")
    }
  })
})
