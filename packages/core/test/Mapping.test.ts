/**
 * Tests for `Mapping`: the normalisers (tables and properties), mapping a batch with bad rows (rejected with a
 * reason per field, per target), content hashes, the Ocamba import CSV and commit mapping, the Copernica import
 * source and body (checked against the vendor contracts and round-tripped through csv-parse), and property planning.
 */

import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Copernica, Ocamba } from "@profilesync/contracts"
import { parse as parseCsv } from "csv-parse/sync"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { parsePhoneNumberFromString } from "libphonenumber-js/max"
import * as Yaml from "yaml"
import * as Mapping from "../src/Mapping.ts"
import * as MappingConfig from "../src/MappingConfig.ts"

const configYaml = `version: 1
name: customers
source: { type: csv, path: ./profiles.csv }
fields:
  email: { column: Email, type: email }
  phone: { column: Phone, type: phone, defaultCountry: NL }
  first_name: { column: First name, type: text, maxLength: 20 }
  note: { column: Note, type: text }
  birth_date: { column: Birthday, type: date, inputFormat: DD-MM-YYYY }
  vip: { column: VIP, type: boolean }
  lifetime_value: { column: LTV, type: number, decimalSeparator: "," }
key: [email, phone]
targets:
  ocamba:
    credentials: { tokenEnv: OCAMBA_TOKEN }
    properties:
      email: { property: email, system: true }
      phone: { property: mobile_phone_number, system: true }
      first_name: { property: full_name, system: true }
      note: { property: note, description: Free text }
      vip: { property: vip, data_type: number }
      lifetime_value: { property: lifetime_value, data_type: number, export_alias: ltv, pi_data: false }
  copernica:
    credentials: { tokenEnv: COPERNICA_TOKEN }
    database: 7
    keyFields: [Email]
    fields:
      email: { field: Email }
      first_name: { field: Firstname }
      note: { field: Note }
      birth_date: { field: Birthday }
      vip: { field: Vip }
`

// The mapping sections of a whole sync config; the rest (version, name, source, ...) is `@profilesync/sync`'s.
const loadConfig = (text: string) =>
  Schema.decodeUnknownSync(MappingConfig.MappingConfig, { errors: "all" })(Yaml.parse(text))
const config = loadConfig(configYaml)
const mapper = Mapping.makeMapper(config)

const row = (rowNumber: number, values: Record<string, Mapping.RawValue>): Mapping.RawRow => ({ rowNumber, values })

const goodValues = {
  Email: " Ann.Smith@Example.COM ",
  Phone: "06 1234 5678",
  "First name": "Ann",
  Note: "likes tea",
  Birthday: "02-03-1990",
  VIP: "Yes",
  LTV: "1234,5"
}

const field = (definition: Record<string, unknown>) =>
  ({ required: false, ...definition }) as unknown as MappingConfig.Field

const normalised = (definition: Record<string, unknown>, raw: Mapping.RawValue) =>
  Mapping.normalise(field(definition), raw)

const expectValid = (definition: Record<string, unknown>, raw: Mapping.RawValue, expected: Mapping.CanonicalValue) => {
  const result = normalised(definition, raw)
  assert.deepStrictEqual(result, { _tag: "Valid", value: expected }, `${JSON.stringify(raw)}`)
}

const expectInvalid = (definition: Record<string, unknown>, raw: Mapping.RawValue, fragment: string) => {
  const result = normalised(definition, raw)
  assert.strictEqual(result._tag, "Invalid", `${JSON.stringify(raw)} should be refused`)
  if (result._tag === "Invalid") assert.include(result.message, fragment, `${JSON.stringify(raw)}`)
}

describe("normalise", () => {
  it("trims text and enforces maxLength in characters", () => {
    expectValid({ type: "text" }, "  Ann  Smith \t", "Ann  Smith")
    expectValid({ type: "text" }, 42, "42")
    expectValid({ type: "text", maxLength: 3 }, "😀😀😀", "😀😀😀")
    expectInvalid({ type: "text", maxLength: 3 }, "abcd", "longer than 3 characters")
  })

  it("turns empty values into null, or refuses them when required", () => {
    for (const empty of [undefined, null, "", "   "]) {
      expectValid({ type: "email" }, empty, null)
      expectInvalid({ type: "number", required: true }, empty, "required")
    }
  })

  it("lower-cases and validates email addresses", () => {
    const valid: ReadonlyArray<readonly [string, string]> = [
      [" Ann@Example.COM ", "ann@example.com"],
      ["first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"],
      ["o'hara@example.ie", "o'hara@example.ie"],
      ["user@xn--bcher-kva.example", "user@xn--bcher-kva.example"],
      ["user@bücher.example", "user@xn--bcher-kva.example"]
    ]
    for (const [input, expected] of valid) expectValid({ type: "email" }, input, expected)
    const invalid: ReadonlyArray<readonly [string, string]> = [
      ["a@b", "no dot"],
      ["a..b@c.d", "two dots in a row"],
      [".a@example.com", "starts or ends with a dot"],
      ["a b@example.com", "space"],
      ["ann@exa mple.com", "space"],
      ["ann.example.com", "no @"],
      ["a@b@example.com", "more than one @"],
      ["@example.com", "nothing before the @"],
      ["ann@", "nothing after the @"],
      ["ann@-example.com", "not valid"],
      ["ann@example..com", "empty part"],
      ["ann@127.0.0.1", "ends in a number"],
      ["jöhn@example.com", "non-ASCII"],
      [`${"a".repeat(65)}@example.com`, "over 64"],
      [`ann@${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`, "over 253"]
    ]
    for (const [input, fragment] of invalid) expectInvalid({ type: "email" }, input, fragment)
  })

  it("returns email addresses lower-cased, trimmed and idempotent", () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.string({ unit: fc.constantFrom(" ", "\t") }),
        fc.boolean(),
        (address, padding, upper) => {
          const input = `${padding}${upper ? address.toUpperCase() : address}${padding}`
          const result = normalised({ type: "email" }, input)
          if (result._tag === "Invalid") return address.length > 254 || address.split("@")[0]!.length > 64
          const value = result.value as string
          return (
            value === address.toLowerCase() &&
            value === value.trim() &&
            value === value.toLowerCase() &&
            Mapping.normalise(field({ type: "email" }), value)._tag === "Valid"
          )
        }
      ),
      { numRuns: 300 }
    )
  })

  it("formats phone numbers as E.164", () => {
    const nl = { type: "phone", defaultCountry: "NL" }
    const valid: ReadonlyArray<readonly [string | number, string]> = [
      ["06 12345678", "+31612345678"],
      ["06-1234 5678", "+31612345678"],
      ["+31 (0)6 1234 5678", "+31612345678"],
      ["0031612345678", "+31612345678"],
      ["020 123 4567", "+31201234567"],
      ["+32 470 12 34 56", "+32470123456"],
      ["+1 650 253 0000", "+16502530000"]
    ]
    for (const [input, expected] of valid) expectValid(nl, input, expected)
    expectInvalid(nl, "12", "not a valid phone number")
    expectInvalid(nl, "call 0612345678", "phone number")
    expectInvalid(nl, "06 1234 5678 ext. 12", "extension")
    expectInvalid({ type: "phone" }, "0612345678", "country code")
    expectInvalid({ type: "phone", defaultCountry: "NL", mobileOnly: true }, "020 123 4567", "not a mobile")
    expectValid({ type: "phone", defaultCountry: "NL", mobileOnly: true }, "0612345678", "+31612345678")
  })

  it("returns E.164 numbers that parse back to themselves", () => {
    fc.assert(
      fc.property(
        // 06-1 to 06-5 are the allocated Dutch mobile ranges.
        fc.stringMatching(/^[1-5][0-9]{7}$/),
        fc.constantFrom("06", "+316", "00316", "+31 6 ", "06-"),
        fc.constantFrom("", " ", "-"),
        (digits, prefix, separator) => {
          const input = `${prefix}${digits.slice(0, 4)}${separator}${digits.slice(4)}`
          const result = normalised({ type: "phone", defaultCountry: "NL" }, input)
          if (result._tag === "Invalid") return false
          const value = result.value as string
          const reparsed = parsePhoneNumberFromString(value)
          return value === `+316${digits}` && reparsed?.number === value && reparsed.isValid()
        }
      )
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.constantFrom("NL", "BE", "DE", "US"), (input, country) => {
        const result = normalised({ type: "phone", defaultCountry: country }, input)
        if (result._tag === "Invalid") return true
        if (result.value === null) return input.trim() === ""
        const value = result.value as string
        return /^\+[1-9][0-9]{6,14}$/.test(value) && parsePhoneNumberFromString(value)?.number === value
      }),
      { numRuns: 500 }
    )
  })

  it("parses plain decimals and refuses anything else", () => {
    const point = { type: "number", decimalSeparator: ".", integer: false }
    expectValid(point, "1234.5", 1234.5)
    expectValid(point, " -3 ", -3)
    expectValid(point, "+0.25", 0.25)
    expectValid(point, ".5", 0.5)
    expectValid(point, "-0", 0)
    expectValid(point, 17, 17)
    expectInvalid(point, "12abc", "not a number")
    expectInvalid(point, "1,234.5", "decimal separator")
    expectInvalid(point, "1e5", "not a number")
    expectInvalid(point, "€12", "not a number")
    expectInvalid(point, "1234567890.123456789", "significant digits")
    expectInvalid(point, true, "not a number")
    expectValid({ type: "number", decimalSeparator: ",", integer: false }, "1234,5", 1234.5)
    expectInvalid({ type: "number", decimalSeparator: ",", integer: false }, "1234.5", "use `,`")
    expectInvalid({ type: "number", decimalSeparator: ".", integer: true }, "2.5", "whole number")
  })

  it("reads back every number it formats", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (value) => {
        const text = String(value)
        if (text.includes("e")) return true
        const result = normalised({ type: "number", decimalSeparator: ".", integer: false }, text)
        if (result._tag === "Invalid") return result.message.includes("significant digits")
        return result.value === (value === 0 ? 0 : value)
      }),
      { numRuns: 300 }
    )
  })

  it("reads dates in ISO or the configured formats and checks the calendar", () => {
    expectValid({ type: "date" }, "2024-02-29", "2024-02-29")
    expectInvalid({ type: "date" }, "2023-02-29", "has no day 29")
    expectInvalid({ type: "date" }, "2024-13-01", "no month 13")
    expectInvalid({ type: "date" }, "02-03-1990", "YYYY-MM-DD")
    expectInvalid({ type: "date" }, "2024-01-02T10:00:00Z", "YYYY-MM-DD")
    expectValid({ type: "date", inputFormat: "DD-MM-YYYY" }, "02-03-1990", "1990-03-02")
    expectValid({ type: "date", inputFormat: ["D/M/YYYY", "YYYY-MM-DD"] }, "2/3/1990", "1990-03-02")
    expectValid({ type: "date", inputFormat: ["D/M/YYYY", "YYYY-MM-DD"] }, "1990-03-02", "1990-03-02")
    expectInvalid({ type: "date", inputFormat: "DD.MM.YYYY" }, "31.04.2024", "has no day 31")
    expectInvalid({ type: "date", inputFormat: "DD.MM.YYYY" }, "31-04-2024", "DD.MM.YYYY")
  })

  it("normalises every calendar date written as DD-MM-YYYY", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10)
          const [year, month, day] = iso.split("-")
          const result = normalised({ type: "date", inputFormat: "DD-MM-YYYY" }, `${day}-${month}-${year}`)
          return result._tag === "Valid" && result.value === iso
        }
      )
    )
  })

  it("reads yes/no values case-insensitively, or the configured words", () => {
    for (const word of ["true", "TRUE", "yes", "Y", "1"]) expectValid({ type: "boolean" }, word, true)
    for (const word of ["false", "No", "n", "0"]) expectValid({ type: "boolean" }, word, false)
    expectValid({ type: "boolean" }, true, true)
    expectValid({ type: "boolean" }, 0, false)
    expectInvalid({ type: "boolean" }, "maybe", "yes/no")
    expectValid({ type: "boolean", trueValues: ["ja"], falseValues: ["nee"] }, "JA", true)
    expectInvalid({ type: "boolean", trueValues: ["ja"], falseValues: ["nee"] }, "yes", "ja, nee")
  })
})

describe("makeMapper", () => {
  it("maps a good row into the canonical profile, keyed by the first non-empty key field", () => {
    const mapped = mapper.mapRow(row(2, goodValues))
    assert.deepStrictEqual(mapped, {
      _tag: "Valid",
      rowNumber: 2,
      key: "email:ann.smith@example.com",
      profile: {
        email: "ann.smith@example.com",
        phone: "+31612345678",
        first_name: "Ann",
        note: "likes tea",
        birth_date: "1990-03-02",
        vip: true,
        lifetime_value: 1234.5
      },
      targets: ["ocamba", "copernica"],
      rejections: []
    })
    const byPhone = mapper.mapRow(row(3, { ...goodValues, Email: "" }))
    assert.strictEqual(byPhone._tag === "Valid" && byPhone.key, "phone:+31612345678")
  })

  it("rejects bad rows with a reason per failing field and lets the batch go on", () => {
    const batch = [
      row(2, goodValues),
      row(3, { ...goodValues, Email: "a@b", Birthday: "31-02-1990", VIP: "maybe" }),
      row(4, { ...goodValues, Email: "", Phone: "" }),
      row(5, { ...goodValues, Email: "bob@example.com", Phone: "+31 6 8765 4321" }),
      row(6, { ...goodValues, Phone: "12", "First name": "A name that is far too long for it" }),
      row(7, {})
    ]
    const results = batch.map(mapper.mapRow)
    assert.deepStrictEqual(
      results.map((result) => result._tag),
      ["Valid", "Rejected", "Rejected", "Valid", "Rejected", "Rejected"]
    )
    const reasonsOf = (result: Mapping.MappedRow) =>
      result._tag === "Rejected" ? result.reasons.map((reason) => [reason.field, reason.column, reason.value]) : []
    assert.deepStrictEqual(reasonsOf(results[1]!), [
      ["email", "Email", "a@b"],
      ["birth_date", "Birthday", "31-02-1990"],
      ["vip", "VIP", "maybe"]
    ])
    assert.deepStrictEqual(reasonsOf(results[2]!), [["email, phone", "Email, Phone", ""]])
    assert.include((results[2] as Mapping.RejectedRow).reasons[0]!.message, "no key")
    assert.deepStrictEqual(reasonsOf(results[4]!), [
      ["phone", "Phone", "12"],
      ["first_name", "First name", "A name that is far too long for it"]
    ])
    // The row is identified although it is rejected, so the state can record the rejection.
    assert.strictEqual((results[4] as Mapping.RejectedRow).key, "email:ann.smith@example.com")
    assert.deepStrictEqual(reasonsOf(results[5]!), [["email, phone", "Email, Phone", ""]])
  })

  it("keeps a row for the target it is good for and says which target refused it", () => {
    // No email: Ocamba takes the mobile number, Copernica matches on Email and cannot.
    const onlyOcamba = mapper.mapRow(row(2, { ...goodValues, Email: "" }))
    assert.strictEqual(onlyOcamba._tag, "Valid")
    if (onlyOcamba._tag !== "Valid") return
    assert.deepStrictEqual(onlyOcamba.targets, ["ocamba"])
    assert.deepStrictEqual(
      onlyOcamba.rejections.map((reason) => [reason.field, reason.targets]),
      [["email", ["copernica"]]]
    )
    assert.include(onlyOcamba.rejections[0]!.message, "Copernica matches profiles on `Email`")

    // A bad lifetime value is mapped to Ocamba only: Copernica still gets the row.
    const onlyCopernica = mapper.mapRow(row(3, { ...goodValues, LTV: "12abc" }))
    assert.strictEqual(onlyCopernica._tag, "Valid")
    if (onlyCopernica._tag !== "Valid") return
    assert.deepStrictEqual(onlyCopernica.targets, ["copernica"])
    assert.deepStrictEqual(
      onlyCopernica.rejections.map((reason) => [reason.field, reason.value, reason.targets]),
      [["lifetime_value", "12abc", ["ocamba"]]]
    )
    assert.strictEqual(onlyCopernica.profile.lifetime_value, null)
  })

  it("refuses a row for Ocamba when it has neither email nor mobile number", () => {
    const copernicaKeyedByName = loadConfig(
      configYaml
        .replace("key: [email, phone]", "key: [first_name]")
        .replace("keyFields: [Email]", "keyFields: [Firstname]")
    )
    const result = Mapping.makeMapper(copernicaKeyedByName).mapRow(row(9, { ...goodValues, Email: " ", Phone: "" }))
    assert.strictEqual(result._tag, "Valid")
    if (result._tag !== "Valid") return
    assert.deepStrictEqual(result.targets, ["copernica"])
    assert.deepStrictEqual(
      result.rejections.map((reason) => [reason.field, reason.targets]),
      [["email, phone", ["ocamba"]]]
    )
    assert.include(result.rejections[0]!.message, "Ocamba needs an email address or a mobile phone number")
  })

  it("cuts long values in reasons", () => {
    const result = mapper.mapRow(row(2, { ...goodValues, Email: `${"x".repeat(500)}@example.com` }))
    assert.strictEqual(result._tag, "Rejected")
    if (result._tag === "Rejected") assert.strictEqual(result.reasons[0]!.value, `${"x".repeat(100)}…`)
  })

  it("finds columns the source lacks", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(mapper.missingColumns(Object.keys(goodValues)), [])
      const error = yield* Effect.flip(mapper.checkColumns(["Email", "Phone", "First name", "Note", "VIP", "LTV"]))
      assert.strictEqual(error.reason._tag, "MissingColumns")
      assert.include(error.message, "`Birthday` (for field `birth_date`)")
    }).pipe(Effect.runSync))

  it("maps 10,000 distinct rows, each valid", () => {
    // Speed is measured in bench/ (`pnpm --filter @profilesync/bench mapping`), never asserted in a test.
    const rows = Array.from({ length: 10_000 }, (_, index) =>
      row(index + 2, { ...goodValues, Email: `user${index}@example.com`, Phone: `06${String(10_000_000 + index)}` })
    )
    const emails = new Set<unknown>()
    for (const raw of rows) {
      const mapped = mapper.mapRow(raw)
      assert.strictEqual(mapped._tag, "Valid", `row ${raw.rowNumber}`)
      emails.add((mapped as Mapping.ValidRow).profile.email)
    }
    assert.strictEqual(emails.size, rows.length)
  })
})

describe("picker", () => {
  it("gives the chosen columns of a target, formatted as targetValues does, in the order asked", () => {
    const mapped = mapper.mapRow(row(2, goodValues))
    assert.strictEqual(mapped._tag, "Valid")
    const profile = (mapped as Mapping.ValidRow).profile
    const all = mapper.targetValues(profile, "ocamba")
    const at = (label: string) => all[mapper.columns("ocamba").indexOf(label)]!
    const pick = mapper.picker("ocamba", ["mobile_phone_number", "email", "vip"])
    assert.deepStrictEqual(pick(profile), [at("mobile_phone_number"), at("email"), at("vip")])
    assert.deepStrictEqual(pick(profile), ["+31612345678", "ann.smith@example.com", "1"])
    assert.deepStrictEqual(mapper.picker("copernica", ["Email"])(profile), ["ann.smith@example.com"])
    assert.throws(() => mapper.picker("ocamba", ["Email"]), /no column Email/)
  })
})

describe("phone numbers seen before", () => {
  it("map to the same result, valid or not, on every row that repeats them", () => {
    const phoneMapper = Mapping.makeMapper(config)
    for (let pass = 0; pass < 3; pass++) {
      const good = phoneMapper.mapRow(row(2 + pass, { ...goodValues, Phone: "06 1234 5678" }))
      assert.strictEqual(good._tag, "Valid")
      assert.strictEqual((good as Mapping.ValidRow).profile.phone, "+31612345678")
      const bad = phoneMapper.mapRow(row(10 + pass, { ...goodValues, Phone: "12" }))
      // The phone is a key field: a bad one refuses the row for every target, each time it comes.
      assert.strictEqual(bad._tag, "Rejected")
      assert.deepStrictEqual(
        (bad as Mapping.RejectedRow).reasons.map((reason) => [reason.field, reason.value, reason.message]),
        [["phone", "12", "is not a valid phone number for NL"]]
      )
    }
  })
})

describe("contentHash", () => {
  const profileOf = (values: Record<string, Mapping.RawValue>) => {
    const result = mapper.mapRow(row(2, values))
    assert.strictEqual(result._tag, "Valid")
    return (result as Mapping.ValidRow).profile
  }

  it("is a stable SHA-256 of what each target receives", () => {
    const profile = profileOf(goodValues)
    const hash = mapper.contentHash(profile, "ocamba")
    assert.match(hash, /^[0-9a-f]{64}$/)
    assert.strictEqual(mapper.contentHash(profileOf(goodValues), "ocamba"), hash)
    assert.notStrictEqual(mapper.contentHash(profile, "copernica"), hash)
    // Birthday goes to Copernica only, the lifetime value to Ocamba only.
    const otherBirthday = profileOf({ ...goodValues, Birthday: "03-03-1990" })
    assert.strictEqual(mapper.contentHash(otherBirthday, "ocamba"), hash)
    assert.notStrictEqual(mapper.contentHash(otherBirthday, "copernica"), mapper.contentHash(profile, "copernica"))
    const otherValue = profileOf({ ...goodValues, LTV: "1234,6" })
    assert.notStrictEqual(mapper.contentHash(otherValue, "ocamba"), hash)
    assert.strictEqual(mapper.contentHash(otherValue, "copernica"), mapper.contentHash(profile, "copernica"))
  })

  it("hashes the length-prefixed labels and values sorted by label, so stored hashes stay valid", () => {
    const profile = profileOf(goodValues)
    const columns = mapper.columns("ocamba")
    const values = mapper.targetValues(profile, "ocamba")
    const text = columns
      .map((label, index) => ({ label, value: values[index]! }))
      .sort((left, right) => (left.label < right.label ? -1 : 1))
      .reduce(
        (hashed, { label, value }) => `${hashed}\n${label.length}:${label}=${value.length}:${value}`,
        "profilesync/v1/ocamba"
      )
    assert.strictEqual(mapper.contentHash(profile, "ocamba"), createHash("sha256").update(text).digest("hex"))
  })

  it("keeps the values states already hold", () => {
    // Stored in every sync state: a changed value would make each profile look changed and be sent again.
    const profile = profileOf(goodValues)
    assert.strictEqual(
      mapper.contentHash(profile, "ocamba"),
      "855777b76bab765970ee9374a453e02f0b4e4b99dd9580e1471e55fc3ad029fb"
    )
    assert.strictEqual(
      mapper.contentHash(profile, "copernica"),
      "86c40aa5e10bde760bd17d29c96cc7740cbfed4e57a6d379d547e2aaf37196f4"
    )
    const unicode = profileOf({ ...goodValues, Note: "Ünïcødé 😀 中文", LTV: "" })
    assert.strictEqual(
      mapper.contentHash(unicode, "ocamba"),
      "9777a8e045021b4f4c83650aaa2ae1ffd2961fefd9b0812190d474680ecb2804"
    )
  })

  it("does not change when the config lists the mappings in another order", () => {
    const reordered = loadConfig(
      configYaml.replace(
        "      email: { field: Email }\n      first_name: { field: Firstname }\n",
        "      first_name: { field: Firstname }\n      email: { field: Email }\n"
      )
    )
    const other = Mapping.makeMapper(reordered)
    const profile = profileOf(goodValues)
    assert.deepStrictEqual(other.columns("copernica").slice(0, 2), ["Firstname", "Email"])
    assert.strictEqual(other.contentHash(profile, "copernica"), mapper.contentHash(profile, "copernica"))
  })
})

describe("makeOcambaImportFile", () => {
  const trickyNotes = [
    'She said "hi"',
    "a, b, and c",
    "two\nlines",
    "windows\r\nline",
    "=SUM(A1:A2)",
    "+31 is not a formula",
    "-minus",
    "@handle",
    "Ünïcødé 😀 中文",
    "tab\tinside",
    '"quoted"'
  ]

  const profileWithNote = (note: string, index = 0) => {
    const result = mapper.mapRow(row(index + 2, { ...goodValues, Email: `user${index}@example.com`, Note: note }))
    assert.strictEqual(result._tag, "Valid")
    return (result as Mapping.ValidRow).profile
  }

  it("writes a header of property labels and rows that round-trip through csv-parse", () => {
    const file = Mapping.makeOcambaImportFile(mapper)
    assert.deepStrictEqual(file.columns, ["email", "mobile_phone_number", "full_name", "note", "vip", "lifetime_value"])
    const profiles = trickyNotes.map(profileWithNote)
    let text = ""
    for (const profile of profiles) {
      const result = file.append(profile)
      assert.strictEqual(result._tag, "Appended")
      if (result._tag === "Appended") text += result.text
    }
    assert.isTrue(text.startsWith("email,mobile_phone_number,full_name,note,vip,lifetime_value\r\n"))
    assert.strictEqual(file.bytes, Buffer.byteLength(text))
    assert.strictEqual(file.rows, profiles.length)
    const parsed = parseCsv(text, { columns: true }) as Array<Record<string, string>>
    // Text that starts like a spreadsheet formula gets a `'` in front (OWASP "CSV Injection"); the rest round-trips.
    assert.deepStrictEqual(
      parsed.map((record) => record.note),
      trickyNotes.map((note) => (/^[=+\-@\t\r]/.test(note) ? `'${note}` : note))
    )
    assert.strictEqual(file.neutralised, 4)
    assert.include(text, `,"'=SUM(A1:A2)",`)
    // Numbers keep their decimal point, booleans go to a numeric property as 1/0, E.164 phones keep their `+`.
    assert.deepStrictEqual(parsed[0], {
      email: "user0@example.com",
      mobile_phone_number: "+31612345678",
      full_name: "Ann",
      note: 'She said "hi"',
      vip: "1",
      lifetime_value: "1234.5"
    })
  })

  it("round-trips any text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), { minLength: 1, maxLength: 20 }),
        (notes) => {
          const file = Mapping.makeOcambaImportFile(mapper)
          let text = ""
          const expected: Array<string> = []
          notes.forEach((note, index) => {
            const profile = profileWithNote(note, index)
            const value = mapper.targetValues(profile, "ocamba")[3]!
            expected.push(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)
            const result = file.append(profile)
            if (result._tag === "Appended") text += result.text
          })
          const parsed = parseCsv(text, { columns: true }) as Array<Record<string, string>>
          assert.deepStrictEqual(
            parsed.map((record) => record.note),
            expected
          )
        }
      ),
      { numRuns: 100 }
    )
  })

  it("splits into chunks before maxFileBytes", () => {
    const maxFileBytes = 2048
    const file = Mapping.makeOcambaImportFile(mapper, { maxFileBytes })
    const chunks: Array<string> = []
    let current = ""
    const profiles = Array.from({ length: 200 }, (_, index) => profileWithNote(`note ${"é".repeat(index % 40)}`, index))
    for (const profile of profiles) {
      let result = file.append(profile)
      if (result._tag === "ChunkFull") {
        // Full means the next row would not have fitted.
        assert.isAbove(file.bytes + Buffer.byteLength(file.encodeRow(profile)), maxFileBytes)
        chunks.push(current)
        current = ""
        file.startChunk()
        result = file.append(profile)
      }
      assert.strictEqual(result._tag, "Appended")
      if (result._tag === "Appended") current += result.text
    }
    chunks.push(current)
    assert.isAbove(chunks.length, 5)
    let rows = 0
    for (const chunk of chunks) {
      assert.isAtMost(Buffer.byteLength(chunk), maxFileBytes)
      assert.isTrue(chunk.startsWith(file.header))
      rows += (parseCsv(chunk, { columns: true }) as Array<unknown>).length
    }
    assert.strictEqual(rows, profiles.length)
  })

  it("says when one row alone is too large", () => {
    const file = Mapping.makeOcambaImportFile(mapper, { maxFileBytes: 1024 })
    const result = file.append(profileWithNote("x".repeat(2000)))
    assert.strictEqual(result._tag, "RowTooLarge")
    assert.strictEqual(file.rows, 0)
  })
})

describe("commitMapping", () => {
  it("maps every column to its property and validates against the contract", () => {
    const body = Mapping.commitMapping(config.targets.ocamba!)
    assert.deepStrictEqual(body.mapping, [
      { label: "email", property: { label: "email", data_type: "text", system: 1 } },
      { label: "mobile_phone_number", property: { label: "mobile_phone_number", data_type: "text", system: 1 } },
      { label: "full_name", property: { label: "full_name", data_type: "text", system: 1 } },
      { label: "note", property: { label: "note", data_type: "text", system: 0 } },
      { label: "vip", property: { label: "vip", data_type: "number", system: 0 } },
      { label: "lifetime_value", property: { label: "lifetime_value", data_type: "number", system: 0 } }
    ])
    const pathParams = { id: "05ef4b72-1c5e-4a0f-9b43-0c1d2e3f4a5b" }
    const valid = Ocamba.validateRequest("commitProfileImport", { pathParams, body })
    assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
    // The validator is live: without an identifying property the same body is refused.
    const withoutIdentifier = { mapping: body.mapping.slice(2) }
    assert.isFalse(Ocamba.validateRequest("commitProfileImport", { pathParams, body: withoutIdentifier }).ok)
  })
})

describe("resyncRequest", () => {
  it("lists the configured ids without empty lists, and validates against the contract", () => {
    const ocamba = config.targets.ocamba!
    assert.strictEqual(Mapping.resyncRequest(ocamba), undefined)
    assert.strictEqual(Mapping.resyncRequest({ ...ocamba, resync: { integration: [], conversion: [] } }), undefined)
    const body = Mapping.resyncRequest({ ...ocamba, resync: { integration: ["1628"], conversion: [] } })
    assert.deepStrictEqual(body, { resync: { integration: ["1628"] } })
    const valid = Ocamba.validateRequest("createResync", { body })
    assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
  })
})

describe("makeCopernicaSource", () => {
  const profiles = ["plain", 'with "quotes"', "semi;colon", "comma, here", "new\nline", "tab\there", "Ünïcødé 😀"].map(
    (note, index) => {
      const result = mapper.mapRow(row(index + 2, { ...goodValues, Email: `user${index}@example.com`, Note: note }))
      return (result as Mapping.ValidRow).profile
    }
  )
  const withoutOptional = (mapper.mapRow(row(99, { Email: "bare@example.com" })) as Mapping.ValidRow).profile

  it("builds JSON rows with identical field order on every row", () => {
    const source = Mapping.makeCopernicaSource(mapper)
    for (const profile of [...profiles, withoutOptional]) assert.strictEqual(source.add(profile), "Added")
    const chunk = source.take()!
    assert.strictEqual(chunk.format, "json")
    assert.strictEqual(chunk.rows, profiles.length + 1)
    assert.strictEqual(source.rows, 0)
    assert.strictEqual(source.take(), undefined)
    if (chunk.format !== "json") return
    const columns = ["Email", "Firstname", "Note", "Birthday", "Vip"]
    const decoded = JSON.parse(JSON.stringify(chunk.source)) as Array<Record<string, string>>
    for (const record of decoded) assert.deepStrictEqual(Object.keys(record), columns)
    assert.deepStrictEqual(decoded[decoded.length - 1], {
      Email: "bare@example.com",
      Firstname: "",
      Note: "",
      Birthday: "",
      Vip: ""
    })
    // A boolean goes into Copernica's default integer field as 1/0.
    assert.strictEqual(decoded[0]!.Vip, "1")
    assert.deepStrictEqual(
      decoded.slice(0, profiles.length).map((record) => record.Note),
      profiles.map((profile) => profile.note)
    )
  })

  it("builds CSV with the configured delimiter that round-trips through csv-parse", () => {
    for (const delimiter of [";", "\t", ","] as const) {
      const csvConfig = loadConfig(
        configYaml.replace(
          "    keyFields: [Email]\n",
          `    keyFields: [Email]\n    format: csv\n    delimiter: ${JSON.stringify(delimiter)}\n`
        )
      )
      const source = Mapping.makeCopernicaSource(Mapping.makeMapper(csvConfig))
      for (const profile of [...profiles, withoutOptional]) source.add(profile)
      const chunk = source.take()!
      assert.strictEqual(chunk.format, "csv")
      if (chunk.format !== "csv") return
      assert.strictEqual(chunk.delimiter, delimiter)
      const records = parseCsv(chunk.source, { delimiter, columns: true }) as Array<Record<string, string>>
      for (const record of records)
        assert.deepStrictEqual(Object.keys(record), ["Email", "Firstname", "Note", "Birthday", "Vip"])
      assert.deepStrictEqual(
        records.map((record) => record.Note),
        [...profiles.map((profile) => profile.note), ""]
      )
      const body = Mapping.createImportBody(chunk, { target: csvConfig.targets.copernica!, name: "csv import" })
      assert.strictEqual(body.delimiter, delimiter)
      const valid = Copernica.validateRequest("createImport", { body })
      assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
    }
  })

  it("chunks by rowsPerImport", () => {
    const source = Mapping.makeCopernicaSource(mapper, { rowsPerImport: 3 })
    const sizes: Array<number> = []
    for (const profile of profiles) {
      if (source.add(profile) === "ChunkFull") {
        assert.isTrue(source.isFull)
        sizes.push(source.take()!.rows)
        assert.strictEqual(source.add(profile), "Added")
      }
    }
    sizes.push(source.take()!.rows)
    assert.deepStrictEqual(sizes, [3, 3, 1])
  })
})

describe("createImportBody", () => {
  const target = config.targets.copernica!
  const chunkOf = (count: number) => {
    const source = Mapping.makeCopernicaSource(mapper)
    for (let index = 0; index < count; index++)
      source.add(
        (mapper.mapRow(row(index + 2, { ...goodValues, Email: `u${index}@example.com` })) as Mapping.ValidRow).profile
      )
    return source.take()!
  }

  it("builds a POST /imports body that validates against the contract", () => {
    const body = Mapping.createImportBody(chunkOf(3), { target, name: "profilesync customers #1" })
    assert.deepStrictEqual(
      { ...body, source: undefined },
      {
        database: 7,
        name: "profilesync customers #1",
        action: "update or add",
        keyFields: ["Email"],
        source: undefined,
        format: "json",
        ignoreEmptyFields: false
      }
    )
    assert.strictEqual((body.source as ReadonlyArray<unknown>).length, 3)
    const valid = Copernica.validateRequest("createImport", { body })
    assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
  })

  it("asks Copernica to remove missing profiles only when the config opts in and one import holds every row", () => {
    const deleting = { ...target, deleteMissing: true }
    const chunk = chunkOf(2)
    assert.notProperty(Mapping.createImportBody(chunk, { target, name: "n", holdsEveryRow: true }), "removeMissing")
    assert.notProperty(Mapping.createImportBody(chunk, { target: deleting, name: "n" }), "removeMissing")
    const body = Mapping.createImportBody(chunk, { target: deleting, name: "n", holdsEveryRow: true })
    assert.strictEqual(body.removeMissing, true)
    assert.isTrue(Copernica.validateRequest("createImport", { body }).ok)
  })

  it("builds delete imports only on explicit opt-in, and never on an empty key", () =>
    Effect.gen(function* () {
      const gone = [
        (mapper.mapRow(row(2, goodValues)) as Mapping.ValidRow).profile,
        (mapper.mapRow(row(3, { ...goodValues, Email: "" })) as Mapping.ValidRow).profile
      ]
      const refused = yield* Effect.flip(Mapping.createDeleteImportBody(mapper, gone, { name: "deletes" }))
      assert.strictEqual(refused.reason._tag, "DeletesNotEnabled")
      const deleting = Mapping.makeMapper(
        loadConfig(configYaml.replace("    keyFields: [Email]\n", "    keyFields: [Email]\n    deleteMissing: true\n"))
      )
      const body = yield* Mapping.createDeleteImportBody(deleting, gone, { name: "deletes" })
      assert.deepStrictEqual(body, {
        database: 7,
        name: "deletes",
        action: "delete",
        deleteTarget: "profile",
        keyFields: ["Email"],
        source: [{ Email: "ann.smith@example.com" }],
        format: "json"
      })
      assert.isTrue(Copernica.validateRequest("createImport", { body }).ok)
    }).pipe(Effect.runSync))
})

describe("planOcambaProperties", () => {
  const target = config.targets.ocamba!
  const system = (label: string, extra: Partial<Mapping.ExistingOcambaProperty> = {}) => ({
    id: `9${label.length}`,
    label,
    data_type: "text",
    system: 1 as const,
    ...extra
  })

  it("creates missing custom properties, patches drifted settings and leaves the rest", () => {
    const existing: Array<Mapping.ExistingOcambaProperty> = [
      system("email"),
      // The vendor's current list example puts the label under `property`.
      { id: "2", property: "mobile_phone_number", data_type: "text", system: 1 },
      system("full_name"),
      { id: "10", label: "note", data_type: "text", description: "Old text", system: 0 },
      // Settings the config leaves out (description) are not compared; pi_data missing reads as 0.
      {
        id: "11",
        label: "lifetime_value",
        data_type: "number",
        export_alias: "ltv",
        description: "Anything",
        system: 0
      }
    ]
    const plan = Mapping.planOcambaProperties(target, existing)
    assert.deepStrictEqual(plan.create, [{ label: "vip", data_type: "number" }])
    assert.deepStrictEqual(plan.update, [{ id: "10", label: "note", patch: { description: "Free text" } }])
    assert.deepStrictEqual(plan.unchanged, ["email", "mobile_phone_number", "full_name", "lifetime_value"])
    assert.deepStrictEqual(plan.systemMissing, [])
    assert.deepStrictEqual(plan.conflicts, [])
    for (const body of plan.create) {
      const valid = Ocamba.validateRequest("createProfileProperty", { body })
      assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
    }
    for (const update of plan.update) {
      const valid = Ocamba.validateRequest("updateProfileProperty", {
        pathParams: { id: update.id },
        body: update.patch
      })
      assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
    }
  })

  it("patches only the settings that differ", () => {
    const plan = Mapping.planOcambaProperties(target, [
      system("email"),
      system("mobile_phone_number"),
      system("full_name"),
      { id: "10", label: "note", data_type: "text", description: "Free text", system: 0 },
      { id: "11", label: "lifetime_value", data_type: "number", export_alias: "value", pi_data: 1, system: 0 }
    ])
    assert.deepStrictEqual(plan.update, [
      { id: "11", label: "lifetime_value", patch: { export_alias: "ltv", pi_data: 0 } }
    ])
  })

  it("reports conflicts instead of touching system properties or data types", () => {
    const plan = Mapping.planOcambaProperties(target, [
      system("email"),
      // A custom label that Ocamba has as a system property.
      system("note"),
      { id: "12", label: "vip", data_type: "text", system: 0 },
      { id: "13", label: "full_name", data_type: "text", system: 0 }
    ])
    assert.deepStrictEqual(plan.create, [
      { label: "lifetime_value", data_type: "number", export_alias: "ltv", pi_data: 0 }
    ])
    assert.deepStrictEqual(plan.update, [])
    assert.deepStrictEqual(plan.systemMissing, ["mobile_phone_number"])
    assert.deepStrictEqual(
      plan.conflicts.map((conflict) => conflict.label),
      ["full_name", "note", "vip"]
    )
    assert.include(plan.conflicts[1]!.message, "system property")
    assert.include(plan.conflicts[2]!.message, "data_type `text` in Ocamba but `number` in the config")
  })

  it("never creates or patches a system property", () => {
    const labels = ["email", "mobile_phone_number", "full_name", "note", "vip", "lifetime_value", "other"]
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            label: fc.constantFrom(...labels),
            system: fc.constantFrom(0 as const, 1 as const),
            data_type: fc.constantFrom("text", "number"),
            description: fc.constantFrom("Free text", "x"),
            pi_data: fc.constantFrom(0 as const, 1 as const)
          }),
          { selector: (property) => property.label }
        ),
        (existing) => {
          const listed = existing.map((property, index) => ({ id: String(index + 1), ...property }))
          const plan = Mapping.planOcambaProperties(target, listed)
          const systemLabels = new Set([
            ...listed.filter((property) => property.system === 1).map((property) => property.label),
            ...Object.entries(target.properties)
              .filter(([, mapping]) => mapping.system)
              .map(([name, mapping]) => mapping.property ?? name)
          ])
          return (
            plan.create.every((body) => !systemLabels.has(body.label)) &&
            plan.update.every((update) => !systemLabels.has(update.label)) &&
            plan.update.every((update) => !("label" in update.patch) && !("data_type" in update.patch))
          )
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("planCopernicaFields", () => {
  const existingField = (name: string, type: string) => ({ name, type })

  it("creates missing fields with a type that holds the values and the defaults Copernica needs", () => {
    const withTypes = loadConfig(
      configYaml.replace(
        "      vip: { field: Vip }\n",
        "      vip: { field: Vip }\n      lifetime_value: { field: LTV, type: float, length: 20 }\n"
      )
    )
    const plan = Mapping.planCopernicaFields(withTypes, [
      existingField("Email", "email"),
      existingField("Firstname", "text")
    ])
    assert.deepStrictEqual(plan.unchanged, ["Email", "Firstname"])
    assert.deepStrictEqual(plan.create, [
      { name: "Note", type: "text" },
      { name: "Birthday", type: "empty_date" },
      { name: "Vip", type: "integer", value: 0 },
      { name: "LTV", type: "float", value: 0, length: 20 }
    ])
    assert.deepStrictEqual(plan.conflicts, [])
    for (const body of plan.create) {
      const valid = Copernica.validateRequest("createDatabaseField", { pathParams: { id: "7" }, body })
      assert.isTrue(valid.ok, valid.ok ? "" : valid.message)
    }
  })

  it("accepts any existing type that holds the values and refuses one that does not", () => {
    const plan = Mapping.planCopernicaFields(config, [
      existingField("Email", "text"),
      existingField("Firstname", "integer"),
      existingField("note", "text"),
      existingField("Birthday", "date"),
      existingField("Vip", "select")
    ])
    assert.deepStrictEqual(plan.unchanged, ["Email", "Birthday", "Vip"])
    assert.deepStrictEqual(plan.create, [])
    assert.deepStrictEqual(
      plan.conflicts.map((conflict) => conflict.label),
      ["Firstname", "Note"]
    )
    assert.include(plan.conflicts[0]!.message, "has type `integer`")
    assert.include(plan.conflicts[1]!.message, "only in case")
  })

  it("falls back to text when the database has its one email field already", () => {
    const twoEmails = loadConfig(
      configYaml
        .replace(
          "  vip: { column: VIP, type: boolean }\n",
          "  vip: { column: VIP, type: boolean }\n  work_email: { column: Work email, type: email }\n"
        )
        .replace("      vip: { field: Vip }\n", "      vip: { field: Vip }\n      work_email: { field: WorkEmail }\n")
    )
    const plan = Mapping.planCopernicaFields(twoEmails, [existingField("Email", "email")])
    assert.deepStrictEqual(
      plan.create.find((body) => body.name === "WorkEmail"),
      { name: "WorkEmail", type: "text" }
    )
  })
})

describe("hostile values", () => {
  const reasonsOf = (result: Mapping.MappedRow) => (result._tag === "Valid" ? result.rejections : result.reasons)

  it("refuses a control character per field, naming it and where it is, or strips it when configured", () => {
    for (const [value, character, position] of [
      ["a\u0000b", "U+0000", 2],
      ["\u001b[31mred", "U+001B", 1],
      ["x\u007f", "U+007F", 2],
      ["c1\u0085", "U+0085", 3]
    ] as const) {
      const result = mapper.mapRow(row(2, { ...goodValues, Note: value }))
      assert.strictEqual(result._tag, "Rejected", JSON.stringify(value))
      const reasons = reasonsOf(result)
      assert.strictEqual(reasons.length, 1)
      assert.strictEqual(reasons[0]!.field, "note")
      assert.include(reasons[0]!.message, `holds the control character ${character} at character ${position}`)
    }
    // Tab and line breaks are text, and CSV quoting carries them.
    assert.strictEqual(mapper.mapRow(row(2, { ...goodValues, Note: "a\tb\r\nc" }))._tag, "Valid")
    const stripping = Mapping.makeMapper(loadConfig(`${configYaml}controlCharacters: strip\n`))
    const stripped = stripping.mapRow(
      row(2, { ...goodValues, Note: "a\u0000b\u0007c", Email: "ann\u0000@example.com" })
    )
    assert.strictEqual(stripped._tag, "Valid")
    if (stripped._tag === "Valid") {
      assert.strictEqual(stripped.profile.note, "abc")
      assert.strictEqual(stripped.profile.email, "ann@example.com")
    }
  })

  it("refuses an email that starts like a formula unless the field opts out", () => {
    const result = mapper.mapRow(row(2, { ...goodValues, Email: "=cmd|'/c'!a0@example.com" }))
    const reasons = reasonsOf(result)
    assert.strictEqual(reasons[0]?.field, "email")
    assert.include(reasons[0]!.message, "starts with `=`, which a spreadsheet runs as a formula")
    const optedOut = Mapping.makeMapper(
      loadConfig(
        configYaml.replace(
          "email: { column: Email, type: email }",
          "email: { column: Email, type: email, neutraliseFormulas: false }"
        )
      )
    )
    const allowed = optedOut.mapRow(row(2, { ...goodValues, Email: "-dash@example.com" }))
    assert.strictEqual(allowed._tag, "Valid")
    assert.strictEqual(allowed._tag === "Valid" ? allowed.profile.email : undefined, "-dash@example.com")
  })

  it("neutralises formulas in Copernica CSV imports (not JSON), with a per-field opt-out", () => {
    const csvYaml = configYaml.replace(
      "    keyFields: [Email]\n",
      '    keyFields: [Email]\n    format: csv\n    delimiter: ";"\n'
    )
    const profileOf = (someMapper: Mapping.Mapper, note: string) =>
      (someMapper.mapRow(row(2, { ...goodValues, Note: note, "First name": "@ann" })) as Mapping.ValidRow).profile
    const csvMapper = Mapping.makeMapper(loadConfig(csvYaml))
    const source = Mapping.makeCopernicaSource(csvMapper)
    source.add(profileOf(csvMapper, '=HYPERLINK("http://x";"y")'))
    const chunk = source.take()!
    assert.strictEqual(chunk.format, "csv")
    const parsed = parseCsv(chunk.source as string, { columns: true, delimiter: ";" }) as Array<Record<string, string>>
    assert.deepStrictEqual(parsed[0]!.Note, `'=HYPERLINK("http://x";"y")`)
    assert.deepStrictEqual(parsed[0]!.Firstname, "'@ann")
    assert.strictEqual(source.neutralised, 2)

    const json = Mapping.makeCopernicaSource(mapper)
    json.add(profileOf(mapper, "=1+1"))
    const jsonChunk = json.take()!
    assert.strictEqual(jsonChunk.format === "json" ? jsonChunk.source[0]!.Note : undefined, "=1+1")
    assert.strictEqual(json.neutralised, 0)

    const optedOut = Mapping.makeMapper(
      loadConfig(
        csvYaml.replace(
          "note: { column: Note, type: text }",
          "note: { column: Note, type: text, neutraliseFormulas: false }"
        )
      )
    )
    const plain = Mapping.makeCopernicaSource(optedOut)
    plain.add(profileOf(optedOut, "-5 degrees"))
    const plainRows = parseCsv(plain.take()!.source as string, { columns: true, delimiter: ";" }) as Array<
      Record<string, string>
    >
    assert.strictEqual(plainRows[0]!.Note, "-5 degrees")
    assert.strictEqual(plainRows[0]!.Firstname, "'@ann")
    assert.strictEqual(plain.neutralised, 1)
  })
})
