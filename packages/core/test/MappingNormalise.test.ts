/**
 * Tests for the email normaliser's one-match path: an address it accepts is one every step-by-step check accepts,
 * unchanged, and whatever it does not accept gets the step-by-step answer (so the reasons are the ones the checks
 * give). Random addresses are drawn from the characters that matter: dots, `@`, hyphens, digits, spaces, quotes,
 * non-ASCII letters, and the length limits.
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { explainEmail, Invalid, normaliseEmail } from "../src/internal/mappingNormalise.ts"

const outcome = (result: string | Invalid) => (result instanceof Invalid ? `refused: ${result.message}` : result)

const piece = fc.stringMatching(/^[a-z0-9.\-@_+ "é]{0,12}$/)
const long = (length: number) => fc.constant("a".repeat(length))

describe("normaliseEmail", () => {
  it("gives the step-by-step answer for every address", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(piece, fc.constantFrom("@", ".", "-", "example.com", "0", "123", "xn--bcher-kva"), long(60)),
          {
            maxLength: 8
          }
        ),
        (parts) => {
          const input = parts.join("")
          const value = input.trim().toLowerCase()
          return outcome(normaliseEmail(input)) === outcome(explainEmail(value))
        }
      ),
      { numRuns: 20_000 }
    )
  })

  it("answers at the length limits as the checks do", () => {
    const local64 = "a".repeat(64)
    const label63 = "b".repeat(63)
    const longDomain = `${[label63, label63, label63].join(".")}.${"c".repeat(57)}`
    for (const input of [
      `${local64}@example.com`,
      `${local64}a@example.com`,
      `x@${longDomain}`,
      `x@${longDomain}c`,
      `${"a".repeat(12)}@${longDomain.slice(10)}`,
      `x@${"d".repeat(64)}.com`,
      "Zoe.Peters@Example.NL",
      "a@b.123",
      "a@b.c1"
    ]) {
      assert.strictEqual(outcome(normaliseEmail(input)), outcome(explainEmail(input.trim().toLowerCase())), input)
    }
    assert.strictEqual(normaliseEmail(" Zoe.Peters@Example.NL "), "zoe.peters@example.nl")
  })
})
