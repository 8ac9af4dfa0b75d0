/** The redactor: secrets found by value in every echoed form, in text, bytes and streams split at any point. */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { formsOf } from "../src/internal/redact.ts"
import * as Redact from "../src/Redact.ts"

const token = "tok/en+With Spaces&ü=1"
const bearer = "b3aR3r-0123456789abcdef"
Redact.register(token)
Redact.register(bearer)
Redact.registerUrlPassword("redis://:p%40ss-w0rd@localhost:6379")

const allForms = [...formsOf(token), ...formsOf(bearer), "p@ss-w0rd", "p%40ss-w0rd"]

const leaks = (text: string) => allForms.filter((form) => text.includes(form))

describe("Redact", () => {
  it("finds a secret verbatim, percent-encoded, form-encoded and JSON-escaped (JavaScript and PHP)", () => {
    const echoed = [
      `invalid token ${token}`,
      `GET /v3/x?t=${encodeURIComponent(token)}`,
      `t=${encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}`,
      `form: ${new URLSearchParams({ t: token }).toString()}`,
      JSON.stringify({ message: `bad ${token}` }),
      JSON.stringify({ message: token }).replaceAll("/", "\\/").replace("ü", "\\u00fc"),
      `redis://:p@ss-w0rd@x and p%40ss-w0rd`
    ]
    for (const line of echoed) {
      const redacted = Redact.text(line)
      expect(leaks(redacted), line).toEqual([])
      expect(redacted).toContain("REDACTED")
    }
  })

  it("keeps the contracts' patterns for tokens it was never told about", () => {
    expect(Redact.text("Bearer unknown-123 and ?access_token=zzz&x=1")).toBe(
      "Bearer REDACTED and ?access_token=REDACTED&x=1"
    )
  })

  it("ignores values too short to be secrets", () => {
    Redact.register("abc")
    expect(Redact.text("abc abc")).toBe("abc abc")
  })

  it("returns the same bytes when no secret is in them", () => {
    const clean = Buffer.from(JSON.stringify({ ok: true, id: 12 }))
    expect(Redact.bytes(clean)).toBe(clean)
    const dirty = Buffer.from(`{"error":"token ${bearer} refused"}`)
    expect(Buffer.from(Redact.bytes(dirty)).toString()).toBe('{"error":"token REDACTED refused"}')
  })

  it("replaces a secret split across chunks at every position, in every form", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...allForms),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        (form, before, after, cuts) => {
          const whole = Buffer.from(`${before}${form}${after}${form}`)
          const points = [...new Set(cuts.map((cut) => cut % (whole.byteLength + 1)))].sort((a, b) => a - b)
          const scanner = Redact.scanner()
          const out: Array<Buffer> = []
          let last = 0
          for (const point of [...points, whole.byteLength]) {
            out.push(scanner.push(whole.subarray(last, point)))
            last = point
          }
          out.push(scanner.flush())
          const streamed = Buffer.concat(out).toString()
          expect(leaks(streamed)).toEqual([])
          expect(streamed).toBe(Buffer.from(Redact.bytes(whole)).toString())
        }
      ),
      { numRuns: 300 }
    )
  })

  it("passes a stream without secrets through unchanged, byte for byte", () => {
    const scanner = Redact.scanner()
    const chunks = ["hello ", "wor", "ld", "", "!"].map((chunk) => Buffer.from(chunk))
    const out = Buffer.concat([...chunks.map((chunk) => scanner.push(chunk)), scanner.flush()])
    expect(out.toString()).toBe("hello world!")
  })

  it("redacts the strings (and keys) of a value, bounded in depth", () => {
    const report = { errors: [`vendor said Bearer ${bearer}`], [token]: 1, nested: { n: 3, when: null } }
    const cleaned = Redact.value(report)
    expect(leaks(JSON.stringify(cleaned))).toEqual([])
    expect(cleaned.nested).toEqual({ n: 3, when: null })
    let deep: unknown = token
    for (let level = 0; level < 10_000; level++) deep = [deep]
    expect(leaks(Redact.json(deep))).toEqual([])
  })
})
