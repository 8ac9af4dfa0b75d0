/**
 * @module
 * What `profilesync init` writes: a commented config built from a source file's column names, with the email, phone
 * and name columns recognised and every other column kept as a text field. The result is a config
 * `validate-config` accepts as it stands; the comments say what to change.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"

/**
 * A source file's type and columns, as `init` reads them.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceHeader {
  readonly type: "csv" | "ndjson" | "json"
  readonly columns: ReadonlyArray<string>
  /** The CSV delimiter found in the header line. */
  readonly delimiter?: string
}

/**
 * A column and the canonical field `init` makes of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuessedField {
  readonly column: string
  readonly name: string
  readonly type: "email" | "phone" | "text"
  /** What the column was recognised as, for the Ocamba system properties. */
  readonly role: "email" | "phone" | "full_name" | "first_name" | "last_name" | undefined
}

// Read no more than this of a CSV or NDJSON file to find its first line.
const headerBytes = 1024 * 1024
// A JSON source is one array, parsed whole: refuse files too large to read for a header.
const jsonBytes = 64 * 1024 * 1024

const firstLine = (file: string): string => {
  const handle = FileSystem.openSync(file, "r")
  try {
    const buffer = Buffer.alloc(headerBytes)
    const read = FileSystem.readSync(handle, buffer, 0, headerBytes, 0)
    const text = buffer
      .subarray(0, read)
      .toString("utf8")
      .replace(/^\uFEFF/, "")
    const end = text.search(/\r?\n/)
    return end === -1 ? text : text.slice(0, end)
  } finally {
    FileSystem.closeSync(handle)
  }
}

/** Splits one CSV line, honouring double quotes (`"a,b"` and `""` inside quotes). */
const splitCsvLine = (line: string, delimiter: string): Array<string> => {
  const cells: Array<string> = []
  let cell = ""
  let quoted = false
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        cell += '"'
        index++
      } else if (character === '"') {
        quoted = false
      } else {
        cell += character
      }
    } else if (character === '"') {
      quoted = true
    } else if (character === delimiter) {
      cells.push(cell)
      cell = ""
    } else {
      cell += character
    }
  }
  cells.push(cell)
  return cells.map((value) => value.trim())
}

/**
 * Reads the columns of a source file: a CSV's header line (delimiter `,`, `;`, tab or `|`, whichever splits it
 * most), or the keys of the first record of an NDJSON or JSON file. Throws an `Error` naming the file and what is
 * wrong.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readHeader = (file: string): SourceHeader => {
  const extension = Path.extname(file).toLowerCase()
  if (extension === ".ndjson" || extension === ".jsonl") {
    const line = firstLine(file).trim()
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch {
      throw new Error(`${file}: the first line is not a JSON object`)
    }
    return { type: "ndjson", columns: keysOf(file, record) }
  }
  if (extension === ".json") {
    if (FileSystem.statSync(file).size > jsonBytes) {
      throw new Error(`${file}: too large to read whole for its keys; give an NDJSON or CSV sample instead`)
    }
    let records: unknown
    try {
      records = JSON.parse(FileSystem.readFileSync(file, "utf8").replace(/^\uFEFF/, ""))
    } catch (error) {
      throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    if (!Array.isArray(records) || records.length === 0) {
      throw new Error(`${file}: a JSON source is an array of objects; this one is not, or is empty`)
    }
    return { type: "json", columns: keysOf(file, records[0]) }
  }
  const line = firstLine(file)
  if (line.trim() === "") throw new Error(`${file}: the first line is empty; a CSV source starts with its column names`)
  const delimiter = [",", ";", "\t", "|"]
    .map((candidate) => ({ candidate, cells: splitCsvLine(line, candidate).length }))
    .reduce((best, next) => (next.cells > best.cells ? next : best)).candidate
  const columns = splitCsvLine(line, delimiter)
  if (columns.some((column) => column === "")) {
    throw new Error(`${file}: column ${columns.indexOf("") + 1} of the header line has no name`)
  }
  return { type: "csv", columns, delimiter }
}

const keysOf = (file: string, record: unknown): ReadonlyArray<string> => {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new Error(`${file}: the first record is not a JSON object`)
  }
  const keys = Object.keys(record)
  if (keys.length === 0) throw new Error(`${file}: the first record has no keys`)
  return keys
}

// What a column's name says it holds, by its letters alone (`E-mail address` → `emailaddress`); English and Dutch.
const roles: ReadonlyArray<{ readonly role: NonNullable<GuessedField["role"]>; readonly pattern: RegExp }> = [
  { role: "email", pattern: /^(e?mail(address|adres)?|emailaddress|emailadres)$/ },
  {
    role: "phone",
    pattern:
      /^(phone|phonenumber|mobile|mobilephone|mobilenumber|mobilephonenumber|cell|cellphone|gsm|tel|telephone|telefoon|telefoonnummer|mobiel|mobielnummer|msisdn)$/
  },
  { role: "first_name", pattern: /^(firstname|givenname|forename|voornaam)$/ },
  { role: "last_name", pattern: /^(lastname|surname|familyname|achternaam)$/ },
  { role: "full_name", pattern: /^(name|fullname|naam|volledigenaam|customername|contactname)$/ }
]

const fieldNameOf = (column: string): string => {
  const words = column
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
  const name = words === "" ? "column" : /^[a-z]/.test(words) ? words : `field_${words}`
  return name.slice(0, 64)
}

/**
 * The canonical field of each column: email, phone and name columns by their usual names (the first of each kind
 * only), every other column a text field named after it in `snake_case`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const guessFields = (columns: ReadonlyArray<string>): ReadonlyArray<GuessedField> => {
  const taken = new Set<string>()
  const rolesTaken = new Set<string>()
  const unique = (name: string) => {
    let candidate = name
    for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${name.slice(0, 60)}_${suffix}`
    taken.add(candidate)
    return candidate
  }
  return columns.map((column) => {
    const letters = column.toLowerCase().replace(/[^a-z]/g, "")
    const match = roles.find(({ pattern, role }) => !rolesTaken.has(role) && pattern.test(letters))
    if (match === undefined) return { column, name: unique(fieldNameOf(column)), type: "text", role: undefined }
    rolesTaken.add(match.role)
    const type = match.role === "email" ? "email" : match.role === "phone" ? "phone" : "text"
    const name = match.role === "full_name" ? "name" : match.role
    return { column, name: unique(taken.has(name) ? fieldNameOf(column) : name), type, role: match.role }
  })
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted. */
const scalar = (text: string): string =>
  /^[A-Za-z_./][A-Za-z0-9 _./-]*$/.test(text) &&
  !/\s$/.test(text) &&
  !/^(true|false|yes|no|on|off|null|y|n)$/i.test(text)
    ? text
    : JSON.stringify(text)

/**
 * Options of {@link renderConfig}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RenderOptions {
  readonly name: string
  /** The source's path as the config writes it (relative to the config file). */
  readonly sourcePath: string
  /** Where editors find the JSON Schema. */
  readonly schemaUrl: string
}

/**
 * The commented YAML config for a source header.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderConfig = (header: SourceHeader, fields: ReadonlyArray<GuessedField>, options: RenderOptions) => {
  const email = fields.find((field) => field.role === "email")
  const phone = fields.find((field) => field.role === "phone")
  const fullName = fields.find((field) => field.role === "full_name")
  const key = [email, phone].filter((field) => field !== undefined)
  const keyFields = key.length > 0 ? key : [fields[0]!]
  const width = Math.max(...fields.map((field) => field.name.length)) + 1
  const copernicaName = (field: GuessedField) =>
    /^[A-Za-z][A-Za-z0-9_]*$/.test(field.column) ? field.column : field.name

  const lines = [
    `# yaml-language-server: $schema=${options.schemaUrl}`,
    `# A profilesync config written by \`profilesync init\` from ${options.sourcePath}.`,
    "# Check it with `profilesync validate-config -c <this file>`, then try `profilesync run --dry-run`.",
    "# Every setting: profilesync config-schema, or the @profilesync/daemon README.",
    "version: 1",
    `name: ${scalar(options.name)}`,
    '# schedule: "*/15 * * * *"    # for `profilesync schedule` (cron; quote it)',
    "# timeZone: Europe/Amsterdam  # the schedule's time zone (default UTC)",
    "",
    "source:",
    `  type: ${header.type}`,
    `  path: ${scalar(options.sourcePath)}       # relative to this file`,
    ...(header.type === "csv" && header.delimiter !== "," ? [`  delimiter: ${JSON.stringify(header.delimiter)}`] : []),
    "",
    "# The canonical profile: one field per column. Types: text, email (validated, lower-cased), phone (to E.164),",
    "# number, date (inputFormat: DD-MM-YYYY), boolean. `required: true` rejects rows where the value is empty.",
    "fields:",
    ...fields.map((field) => {
      const entry = `{ column: ${scalar(field.column)}, type: ${field.type}${field.type === "phone" ? ", defaultCountry: NL" : ""} }`
      const note =
        field.type === "phone"
          ? "  # for numbers without +code"
          : field.role === undefined
            ? ""
            : `  # recognised as ${field.role.replace("_", " ")}`
      return `  ${`${field.name}:`.padEnd(width)} ${entry}${note}`
    }),
    "",
    "# What identifies a profile across runs: the first of these fields with a value.",
    `key: [${keyFields.map((field) => field.name).join(", ")}]`,
    ...(key.length === 0 ? ["# (no email or phone column was found: check that this field identifies a profile)"] : []),
    "",
    "# Keep the targets you use. Tokens come from the environment (tokenEnv) or a file (tokenFile), never this file;",
    "# through the proxy sidecar, set baseUrl to the proxy and leave credentials out.",
    "targets:"
  ]
  if (email !== undefined || phone !== undefined) {
    lines.push(
      "  ocamba:",
      "    account: default                       # names the rate budget shared by everything using this account",
      "    credentials: { tokenEnv: OCAMBA_TOKEN }",
      "    properties:                            # canonical field -> Ocamba property",
      ...(email === undefined ? [] : [`      ${email.name}: { property: email, system: true }`]),
      ...(phone === undefined ? [] : [`      ${phone.name}: { property: mobile_phone_number, system: true }`]),
      ...(fullName === undefined ? [] : [`      ${fullName.name}: { property: full_name, system: true }`]),
      ...fields
        .filter((field) => field.role === undefined || field.role === "first_name" || field.role === "last_name")
        .map(
          (field) =>
            `      # ${field.name}: { property: ${field.name}, data_type: text }   # a custom property, created by the first run`
        )
    )
  }
  lines.push(
    "  copernica:",
    "    credentials: { tokenEnv: COPERNICA_TOKEN }",
    "    database: 1                            # your Copernica database ID",
    `    keyFields: [${copernicaName(keyFields[0]!)}]                   # the Copernica field that matches profiles`,
    "    fields:                                # canonical field -> Copernica field (created when missing)",
    ...fields.map((field) => `      ${field.name}: { field: ${copernicaName(field)} }`),
    "",
    "state: { sqlite: ./profilesync.db }         # or { postgres: { urlEnv: PROFILESYNC_STATE_URL } } for several machines",
    "rejects: { path: ./rejects.ndjson }         # rows that fail validation, with the reason",
    ""
  )
  return lines.join("\n")
}
