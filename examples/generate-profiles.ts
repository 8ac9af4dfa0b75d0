/**
 * Writes a CSV of realistic customer profiles for the demo and the benchmarks: deterministic for a seed, with a few
 * deliberately bad rows (an invalid email, an impossible phone number, neither email nor phone, an impossible date)
 * so that the rejects file has something to say.
 *
 * Usage: tsx examples/generate-profiles.ts [rows=10000] [output=examples/profiles.csv] [seed=42] [badEvery=500]
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
// The complete metadata, as the sync validates with it: a number the generator calls valid is valid there too.
import { parsePhoneNumberFromString } from "libphonenumber-js/max"

const [rowsArgument, outputArgument, seedArgument, badEveryArgument] = process.argv.slice(2)
const rows = Number(rowsArgument ?? 10_000)
const output = Path.resolve(outputArgument ?? Path.join(import.meta.dirname, "profiles.csv"))
let state = Number(seedArgument ?? 42) >>> 0
const badEvery = Number(badEveryArgument ?? 500)

/** mulberry32: small, fast, and the same sequence on every machine. */
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0
  let value = state
  value = Math.imul(value ^ (value >>> 15), value | 1)
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
  return ((value ^ (value >>> 14)) >>> 0) / 4294967296
}
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

const firstNames = [
  "Ada",
  "Grace",
  "Daan",
  "Emma",
  "Liam",
  "Sophie",
  "Noah",
  "Julia",
  "Lucas",
  "Mila",
  "Sem",
  "Tess",
  "Finn",
  "Anna",
  "Bram",
  "Eva",
  "Jesse",
  "Sara",
  "Milan",
  "Lotte",
  "Hugo",
  "Zoë",
  "Thijs",
  "Iris",
  "Jan",
  "Maud",
  "Ruben",
  "Fleur",
  "Léa",
  "Jürgen",
  "Ömer",
  "Chloé",
  "Wouter",
  "Saar",
  "Mohamed",
  "Yara"
]
const lastNames = [
  "de Vries",
  "Jansen",
  "van den Berg",
  "Bakker",
  "Visser",
  "Smit",
  "Meijer",
  "de Boer",
  "Mulder",
  "de Groot",
  "Bos",
  "Vos",
  "Peters",
  "Hendriks",
  "van Leeuwen",
  "Dekker",
  "Brouwer",
  "de Wit",
  "Dijkstra",
  "Smits",
  "O'Brien",
  "Müller",
  "Dubois",
  "Janssens",
  "Peeters",
  "Schmidt",
  "Lovelace",
  "Hopper"
]
const domains = ["example.com", "example.nl", "example.org", "mail.example.net", "example.be", "example.de"]
const cities: ReadonlyArray<readonly [string, string]> = [
  ["Amsterdam", "NL"],
  ["Rotterdam", "NL"],
  ["Utrecht", "NL"],
  ["Eindhoven", "NL"],
  ["Groningen", "NL"],
  ["Antwerpen", "BE"],
  ["Gent", "BE"],
  ["Brussel", "BE"],
  ["Berlin", "DE"],
  ["Köln", "DE"],
  ["Düsseldorf", "DE"]
]

const mobileNumber = (country: string): string => {
  for (;;) {
    const candidate =
      country === "NL"
        ? `06${Math.floor(10_000_000 + random() * 89_999_999)}`
        : country === "BE"
          ? `04${pick(["70", "71", "72", "75", "76", "77", "78", "79", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99"])}${Math.floor(100_000 + random() * 899_999)}`
          : `01${pick(["51", "52", "57", "59", "70", "71", "72", "73", "75", "76", "77", "78", "79"])}${Math.floor(10_000_000 + random() * 89_999_999)}`
    const parsed = parsePhoneNumberFromString(candidate, country as "NL")
    if (parsed?.isValid() === true) {
      // Written as people type them: at home some national, some international with spaces, some E.164; abroad
      // (the sync's default country is NL) always with the country code.
      const style = random()
      if (country !== "NL") return style < 0.5 ? parsed.formatInternational() : parsed.number
      return style < 0.5 ? candidate : style < 0.8 ? parsed.formatInternational() : parsed.number
    }
  }
}

const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)
const pad = (value: number) => String(value).padStart(2, "0")

const lines = ["customer_id,email,phone,first_name,last_name,birth_date,city,country,vip,lifetime_value"]
for (let row = 1; row <= rows; row++) {
  const first = pick(firstNames)
  const last = pick(lastNames)
  const [city, country] = pick(cities)
  const local = `${first}.${last}`
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z.]/g, "")
  let email = random() < 0.93 ? `${local}.${row}@${pick(domains)}` : ""
  // Some people type their address in capitals or with spaces around it; normalisation handles both.
  if (email !== "" && random() < 0.05) email = ` ${email.toUpperCase()} `
  let phone = random() < 0.7 || email === "" ? mobileNumber(country) : ""
  let birthDate = `${pad(1 + Math.floor(random() * 28))}-${pad(1 + Math.floor(random() * 12))}-${1940 + Math.floor(random() * 65)}`
  if (row % badEvery === 0) {
    // A few bad rows, each wrong in one way the rejects file must explain.
    const kind = (row / badEvery) % 4
    if (kind === 0) email = `${local}.${row}@@${pick(domains)}`
    else if (kind === 1) phone = "+31 6 123"
    else if (kind === 2) {
      email = ""
      phone = ""
    } else birthDate = "31-02-1990"
  }
  const vip = random() < 0.1 ? "yes" : "no"
  const lifetimeValue = (random() * 2_500).toFixed(2)
  lines.push(
    [String(100_000 + row), email, phone, first, last, birthDate, city, country, vip, lifetimeValue]
      .map(quote)
      .join(",")
  )
}
FileSystem.writeFileSync(output, `${lines.join("\n")}\n`)
console.log(`wrote ${rows} profiles to ${Path.relative(process.cwd(), output)}`)
