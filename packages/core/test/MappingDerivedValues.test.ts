/**
 * Tests for derived field values in `Mapping` and `MappingConfig`: constants, templates, the `trim`, `lowercase`,
 * `uppercase` and lookup transforms, defaults, what a reject says when a lookup misses, the columns a derived field
 * needs, the content hash covering derived values, and the config errors (with their paths) for each misuse.
 */

import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Mapping from "../src/Mapping.ts"
import * as MappingConfig from "../src/MappingConfig.ts"

const baseFields = { email: { column: "Email", type: "email" } }

const configWith = (fields: Record<string, unknown>) => ({
  fields: { ...baseFields, ...fields },
  key: ["email"],
  targets: {
    copernica: {
      credentials: { tokenEnv: "COPERNICA_TOKEN" },
      database: 7,
      keyFields: ["email"],
      fields: Object.fromEntries(["email", ...Object.keys(fields)].map((name) => [name, {}]))
    }
  }
})

const decode = Schema.decodeUnknownEither(MappingConfig.MappingConfig, { errors: "all", onExcessProperty: "error" })

const mapperWith = (fields: Record<string, unknown>) => {
  const decoded = decode(configWith(fields))
  if (Either.isLeft(decoded)) throw new Error(ParseResult.TreeFormatter.formatErrorSync(decoded.left))
  return Mapping.makeMapper(decoded.right)
}

/** The config problems as `path: message` lines. */
const problems = (fields: Record<string, unknown>): ReadonlyArray<string> => {
  const decoded = decode(configWith(fields))
  if (Either.isRight(decoded)) return []
  return ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map(
    (issue) => `${issue.path.join(".")}: ${issue.message}`
  )
}

const mapOne = (mapper: Mapping.Mapper, values: Record<string, Mapping.RawValue>) =>
  mapper.mapRow({ rowNumber: 1, values: { Email: "ann@example.com", ...values } })

const profileOf = (mapper: Mapping.Mapper, values: Record<string, Mapping.RawValue>) => {
  const mapped = mapOne(mapper, values)
  assert.strictEqual(mapped._tag, "Valid", JSON.stringify(mapped))
  return (mapped as Extract<Mapping.MappedRow, { _tag: "Valid" }>).profile
}

describe("constant", () => {
  it("gives every row the same value, of the field's type", () => {
    const mapper = mapperWith({
      origin: { type: "text", constant: "webshop" },
      tier: { type: "number", constant: 3 },
      consent: { type: "boolean", constant: true }
    })
    const profile = profileOf(mapper, { origin: "ignored", tier: "9" })
    assert.deepStrictEqual([profile.origin, profile.tier, profile.consent], ["webshop", 3, true])
    assert.deepStrictEqual(mapper.missingColumns(["Email"]), [], "a constant needs no source column")
  })

  it("is part of the content hash, so changing it resends the profile", () => {
    const first = mapperWith({ origin: { type: "text", constant: "webshop" } })
    const second = mapperWith({ origin: { type: "text", constant: "store" } })
    const hashOf = (mapper: Mapping.Mapper) => mapper.contentHash(profileOf(mapper, {}), "copernica")
    assert.notStrictEqual(hashOf(first), hashOf(second))
    assert.strictEqual(hashOf(first), hashOf(mapperWith({ origin: { type: "text", constant: "webshop" } })))
  })
})

describe("template", () => {
  const mapper = mapperWith({
    full_name: { type: "text", template: "{First name} {Last name}" },
    label: { type: "text", template: "{{{Code}}}: {First name}" }
  })

  it("joins the named cells with the literal text", () => {
    const profile = profileOf(mapper, { "First name": "Ann", "Last name": "Smith", Code: 7 })
    assert.strictEqual(profile.full_name, "Ann Smith")
    assert.strictEqual(profile.label, "{7}: Ann", "`{{` and `}}` are literal braces; a number cell is its text")
  })

  it("leaves out an empty cell, and is empty when every cell it names is empty", () => {
    const profile = profileOf(mapper, { "First name": "Ann", "Last name": "" })
    assert.strictEqual(profile.full_name, "Ann", "the text is trimmed by the text type's normalisation")
    const empty = profileOf(mapper, { "First name": " ", "Last name": null })
    assert.strictEqual(empty.full_name, null, "literal text alone is not a value")
    assert.strictEqual(empty.label, null, "nor are its literal braces")
  })

  it("needs every column it names in the source", () => {
    assert.deepStrictEqual(mapper.missingColumns(["Email", "First name"]), [
      { field: "full_name", column: "Last name" },
      { field: "label", column: "Code" }
    ])
  })

  it("names its columns in a reject", () => {
    const strict = mapperWith({ full_name: { type: "text", template: "{First} {Last}", maxLength: 5 } })
    const mapped = mapOne(strict, { First: "Annabel", Last: "Smith" })
    assert.strictEqual(mapped._tag, "Rejected")
    const reason = (mapped as Extract<Mapping.MappedRow, { _tag: "Rejected" }>).reasons[0]!
    assert.deepStrictEqual([reason.field, reason.column, reason.value], ["full_name", "First, Last", "Annabel Smith"])
  })
})

describe("transforms", () => {
  it("apply in order before the type's normalisation", () => {
    const mapper = mapperWith({
      city: { type: "text", column: "City", transforms: ["trim", "uppercase"] },
      code: { type: "text", column: "Code", transforms: ["uppercase", "lowercase"] },
      site: { type: "text", template: "{Host}.example", transforms: ["lowercase"] }
    })
    const profile = profileOf(mapper, { City: "  Amsterdam ", Code: "AbC", Host: "WWW" })
    assert.deepStrictEqual([profile.city, profile.code, profile.site], ["AMSTERDAM", "abc", "www.example"])
  })

  it("run before a date's inputFormat, which stays the way to read dates", () => {
    const mapper = mapperWith({
      born: { type: "date", column: "Born", transforms: ["trim"], inputFormat: "DD-MM-YYYY" }
    })
    assert.strictEqual(profileOf(mapper, { Born: " 02-03-1990 " }).born, "1990-03-02")
  })

  const countries = { NL: "Netherlands", BE: "Belgium" }

  it("look a value up, matching the text exactly", () => {
    const mapper = mapperWith({
      country: { type: "text", column: "Country", transforms: ["trim", "uppercase", { lookup: { values: countries } }] }
    })
    assert.strictEqual(profileOf(mapper, { Country: " nl " }).country, "Netherlands")
    assert.strictEqual(profileOf(mapper, { Country: "" }).country, null, "an empty value stays empty")
  })

  it("give a value outside the table the lookup's default, else the field's default", () => {
    const lookupDefault = mapperWith({
      country: { type: "text", column: "Country", transforms: [{ lookup: { values: countries, default: "Other" } }] }
    })
    assert.strictEqual(profileOf(lookupDefault, { Country: "DE" }).country, "Other")
    const fieldDefault = mapperWith({
      country: {
        type: "text",
        column: "Country",
        transforms: [{ lookup: { values: countries } }, "uppercase"],
        default: "Unknown"
      }
    })
    assert.strictEqual(profileOf(fieldDefault, { Country: "DE" }).country, "Unknown")
    assert.strictEqual(profileOf(fieldDefault, { Country: "BE" }).country, "BELGIUM")
  })

  it("refuse a value outside the table for the field's targets when there is no default", () => {
    const mapper = mapperWith({
      country: {
        type: "text",
        column: "Country",
        transforms: [{ lookup: { file: "countries.csv", values: countries } }]
      }
    })
    const mapped = mapOne(mapper, { Country: "DE" })
    assert.strictEqual(mapped._tag, "Rejected")
    const reason = (mapped as Extract<Mapping.MappedRow, { _tag: "Rejected" }>).reasons[0]!
    assert.deepStrictEqual([reason.field, reason.column, reason.value], ["country", "Country", "DE"])
    assert.include(reason.message, "`DE` is not in the lookup table `countries.csv`")
  })

  it("refuse to compile a lookup whose file was not loaded", () => {
    assert.throws(
      () => mapperWith({ country: { type: "text", transforms: [{ lookup: { file: "countries.csv" } }] } }),
      /fields\.country\.transforms\.0: the lookup table `countries\.csv` was not loaded/
    )
  })
})

describe("default", () => {
  it("fills an empty value, before `required` is checked", () => {
    const mapper = mapperWith({
      language: { type: "text", column: "Language", default: "en", required: true },
      points: { type: "number", column: "Points", default: 0 }
    })
    const empty = profileOf(mapper, { Language: "  ", Points: null })
    assert.deepStrictEqual([empty.language, empty.points], ["en", 0])
    const filled = profileOf(mapper, { Language: "nl", Points: "12" })
    assert.deepStrictEqual([filled.language, filled.points], ["nl", 12])
  })
})

describe("config errors", () => {
  it("refuse more than one source of a value", () => {
    assert.deepStrictEqual(problems({ origin: { type: "text", column: "Origin", constant: "webshop" } }), [
      "fields.origin.constant: a field takes its value from one of `column`, `constant` and `template`, but this one has `column` and `constant`"
    ])
  })

  it("refuse a constant as a key", () => {
    assert.deepStrictEqual(problems({ email: { type: "email", constant: "shop@example.com" } }), [
      "key.0: `email` is a constant: a key must tell rows apart, and a constant gives every row the same one"
    ])
  })

  it("refuse a malformed template, naming where", () => {
    assert.deepStrictEqual(problems({ name: { type: "text", template: "{First name" } }), [
      "fields.name.template: `{` at character 1 is not closed (write `{{` for a literal brace)"
    ])
    assert.deepStrictEqual(problems({ name: { type: "text", template: "First } name" } }), [
      "fields.name.template: `}` at character 7 closes nothing (write `}}` for a literal brace)"
    ])
    assert.deepStrictEqual(problems({ name: { type: "text", template: "{{plain}}" } }), [
      "fields.name.template: names no column: write one like `{first_name}`"
    ])
  })

  it("refuse an unknown transform and a lookup without a table", () => {
    const unknown = problems({ name: { type: "text", transforms: ["titlecase"] } })
    assert.isTrue(
      unknown.some((line) => line.startsWith("fields.name.transforms.0:")),
      `an unknown transform is refused at its path: ${unknown.join("\n")}`
    )
    assert.isTrue(
      unknown.some((line) => line.includes('"trim"') && line.includes('"titlecase"')),
      `the message names the transforms there are: ${unknown.join("\n")}`
    )
    assert.deepStrictEqual(problems({ name: { type: "text", transforms: [{ lookup: {} }] } }), [
      "fields.name.transforms.0.lookup: give the table: `file` (a two-column CSV, from,to) or `values` (`{ from: to }`)"
    ])
  })
})
