/**
 * Reads the vendor pages in `../shared/vendor-docs` (beside the repository) and returns every request and response
 * example on them, parsed from the files' own text, so tests can check the specs, the sandbox and the proxy against
 * the vendors' words rather than against copies.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** One example from a vendor page. */
export interface VendorDocExample {
  /** The vendor page's file name. */
  readonly file: string
  readonly vendor: "ocamba" | "copernica"
  readonly operationId: string
  readonly method: "post" | "patch" | "get"
  /** The path relative to the vendor's server URL, with `{id}` left as the page shows it. */
  readonly path: string
  readonly kind: "request" | "response"
  /** The documented status, for responses; for requests, the documented success status. */
  readonly status: number
  /** The JSON body, or `undefined` for a documented empty body. */
  readonly body: unknown
}

const repositoryRoot = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")

/** Where the vendor pages are: `PROFILESYNC_VENDOR_DOCS`, or `../shared/vendor-docs` beside the repository. */
export const vendorDocsDirectory = (): string =>
  process.env.PROFILESYNC_VENDOR_DOCS ?? Path.resolve(repositoryRoot, "../shared/vendor-docs")

/** The JSON objects in `text`, each with the offset where it starts. Text that is not JSON is skipped. */
export const jsonObjectsIn = (text: string): Array<{ readonly offset: number; readonly value: unknown }> => {
  const found: Array<{ offset: number; value: unknown }> = []
  let index = 0
  while (index < text.length) {
    const start = text.indexOf("{", index)
    if (start === -1) break
    let depth = 0
    let inString = false
    let end = -1
    for (let cursor = start; cursor < text.length; cursor++) {
      const character = text[cursor]
      if (inString) {
        if (character === "\\") cursor++
        else if (character === '"') inString = false
      } else if (character === '"') inString = true
      else if (character === "{") depth++
      else if (character === "}") {
        depth--
        if (depth === 0) {
          end = cursor
          break
        }
      }
    }
    if (end === -1) break
    try {
      found.push({ offset: start, value: JSON.parse(text.slice(start, end + 1)) })
      index = end + 1
    } catch {
      index = start + 1
    }
  }
  return found
}

/**
 * Parses the PHP array literal that starts at `offset` (`array( "k" => v, ... )`) into a JS value. Enough PHP for the
 * vendor pages: nested `array()`, single- and double-quoted strings, numbers, booleans.
 */
export const parsePhpArray = (text: string, offset: number): unknown => {
  let cursor = offset
  const skipSpace = () => {
    while (cursor < text.length && /\s/.test(text[cursor]!)) cursor++
  }
  const expect = (token: string) => {
    skipSpace()
    if (!text.startsWith(token, cursor))
      throw new Error(`Expected ${token} at ${cursor}: ${text.slice(cursor, cursor + 20)}`)
    cursor += token.length
  }
  const parseValue = (): unknown => {
    skipSpace()
    if (text.startsWith("array(", cursor)) {
      cursor += "array(".length
      const entries: Array<[string | number, unknown]> = []
      let listIndex = 0
      for (;;) {
        skipSpace()
        if (text[cursor] === ")") {
          cursor++
          break
        }
        const first = parseValue()
        skipSpace()
        if (text.startsWith("=>", cursor)) {
          cursor += 2
          entries.push([first as string, parseValue()])
        } else {
          entries.push([listIndex++, first])
        }
        skipSpace()
        if (text[cursor] === ",") cursor++
      }
      return entries.every(([key]) => typeof key === "number")
        ? entries.map(([, value]) => value)
        : Object.fromEntries(entries)
    }
    const quote = text[cursor]
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, cursor + 1)
      const value = text.slice(cursor + 1, end)
      cursor = end + 1
      return value
    }
    const literal = /^(true|false|-?\d+(?:\.\d+)?)/.exec(text.slice(cursor))?.[1]
    if (literal === undefined) throw new Error(`Unexpected PHP at ${cursor}: ${text.slice(cursor, cursor + 20)}`)
    cursor += literal.length
    return literal === "true" ? true : literal === "false" ? false : Number(literal)
  }
  expect("")
  return parseValue()
}

interface PageRule {
  readonly vendor: "ocamba" | "copernica"
  readonly operationId: string
  readonly method: "post" | "patch"
  readonly path: string
  readonly successStatus: number
}

/** How to read each page: which operation it documents. Recognised by the endpoint URL the page shows. */
const pages: ReadonlyArray<PageRule & { readonly marker: RegExp }> = [
  {
    marker: /POST\s+https:\/\/api\.ocamba\.com\/v1\/hood\/profiles\/imports\/\{id\}\/commit/,
    vendor: "ocamba",
    operationId: "commitProfileImport",
    method: "post",
    path: "/profiles/imports/{id}/commit",
    successStatus: 202
  },
  {
    marker: /POST\s+https:\/\/api\.ocamba\.com\/v1\/hood\/profile-properties\b/,
    vendor: "ocamba",
    operationId: "createProfileProperty",
    method: "post",
    path: "/profile-properties",
    successStatus: 201
  },
  {
    marker: /PATCH\s+https:\/\/api\.ocamba\.com\/v1\/hood\/profile-properties\/\{id\}/,
    vendor: "ocamba",
    operationId: "updateProfileProperty",
    method: "patch",
    path: "/profile-properties/{id}",
    successStatus: 204
  },
  {
    marker: /POST\s+https:\/\/api\.ocamba\.com\/v1\/hood\/resync/,
    vendor: "ocamba",
    operationId: "createResync",
    method: "post",
    path: "/resync",
    successStatus: 204
  },
  {
    marker: /https:\/\/api\.copernica\.com\/v3\/imports\?access_token/,
    vendor: "copernica",
    operationId: "createImport",
    method: "post",
    path: "/imports",
    successStatus: 201
  }
]

const statusHeading =
  /(?:HTTP\/1\.1\s+)?\b(2\d\d|4\d\d|5\d\d)\s+(?:Accepted|Created|No Content|OK|Bad Request|Internal Server Error)/g

/** Every example on every vendor page, requests first in page order. */
export const vendorDocExamples = (directory: string = vendorDocsDirectory()): Array<VendorDocExample> => {
  const examples: Array<VendorDocExample> = []
  for (const file of FileSystem.readdirSync(directory).sort()) {
    const text = FileSystem.readFileSync(Path.join(directory, file), "utf8")
    const page = pages.find((candidate) => candidate.marker.test(text))
    if (page === undefined) throw new Error(`${file}: no known endpoint on this vendor page`)
    const base = { file, vendor: page.vendor, operationId: page.operationId, method: page.method, path: page.path }
    // The "Responses" heading starts the examples of answers (on one page it follows the code without a line break).
    const responsesStart = text.search(/Responses[ \t]*\n/)
    const requestText = responsesStart === -1 ? text : text.slice(0, responsesStart)
    const responseText = responsesStart === -1 ? "" : text.slice(responsesStart)

    if (page.vendor === "copernica") {
      // The Copernica page shows PHP: `$data = array(...)` posted with `$api->post("imports/", $data)`.
      for (const match of text.matchAll(/\$data\s*=\s*(array\()/g)) {
        examples.push({
          ...base,
          kind: "request",
          status: page.successStatus,
          body: parsePhpArray(text, match.index + match[0].length - "array(".length)
        })
      }
      continue
    }
    // Requests: the curl `-d` body, the raw HTTP request and the JS `JSON.stringify(...)` body all repeat the same
    // JSON; each copy is checked, so a page whose copies disagree is caught.
    for (const { value } of jsonObjectsIn(requestText)) {
      examples.push({ ...base, kind: "request", status: page.successStatus, body: value })
    }
    // A status may head its section twice ("201 Created" then "HTTP/1.1 201 Created"): bodies are gathered by status.
    const headings = [...responseText.matchAll(statusHeading)]
    const bodiesByStatus = new Map<number, Array<unknown>>()
    headings.forEach((heading, index) => {
      const status = Number(heading[1])
      const sectionEnd = headings[index + 1]?.index ?? responseText.length
      const section = responseText.slice(heading.index + heading[0].length, sectionEnd)
      const bodies = bodiesByStatus.get(status) ?? []
      bodies.push(...jsonObjectsIn(section).map(({ value }) => value))
      bodiesByStatus.set(status, bodies)
    })
    for (const [status, bodies] of bodiesByStatus) {
      if (bodies.length === 0) examples.push({ ...base, kind: "response", status, body: undefined })
      for (const body of bodies) examples.push({ ...base, kind: "response", status, body })
    }
  }
  return examples
}
