/**
 * How the dashboard masks customer data: emails and phone numbers keep their shape, other values their first
 * character, and free text has the emails and phone numbers inside it masked; `--show-values` shows them.
 */
import { describe, expect, it } from "vitest"
import { makeMasker, maskText, maskValue } from "../src/dashboard/mask.ts"

describe("dashboard masking", () => {
  it("masks emails, phone numbers and other values", () => {
    expect(maskValue("john@example.com")).toBe("j***@example.com")
    expect(maskValue("+31 6 12345678")).toBe("+31 6 ****5678")
    expect(maskValue("+31612345678")).toBe("+31 *****5678")
    expect(maskValue("0612345678")).toBe("******5678")
    expect(maskValue("gold")).toBe("g***")
    expect(maskValue("")).toBe("")
  })

  it("masks the emails and phone numbers quoted in a reason", () => {
    const text = maskText('"john.doe@example.com" is not valid; nor is +31612345678')
    expect(text).toBe('"j***@example.com" is not valid; nor is +31 *****5678')
  })

  it("shows values in full only with --show-values", () => {
    expect(makeMasker(false).value("john@example.com")).toBe("j***@example.com")
    expect(makeMasker(true).value("john@example.com")).toBe("john@example.com")
    expect(makeMasker(false).value(null)).toBe("")
  })
})
