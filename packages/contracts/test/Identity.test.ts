/**
 * The vendors' matching rule, stated once: what the sandbox simulates and the sync engine refuses collisions by.
 */
import { describe, expect, it } from "vitest"
import { copernicaIdentity, ocambaIdentity, ocambaSameProfile } from "../src/Identity.ts"

describe("ocambaIdentity", () => {
  it("matches on the email when there is one, else on the phone, and keeps both as keys", () => {
    expect(ocambaIdentity({ email: " Ann@Example.com ", mobile_phone_number: "+31 6 1234 5678" })).toEqual({
      match: "email:ann@example.com",
      keys: ["email:ann@example.com", "phone:+31612345678"]
    })
    expect(ocambaIdentity({ email: "", mobile_phone_number: "+31612345678" })).toEqual({
      match: "phone:+31612345678",
      keys: ["phone:+31612345678"]
    })
    expect(ocambaIdentity({ email: " ", mobile_phone_number: undefined })).toBeUndefined()
  })

  it("says two rows are one profile for the same email, or a phone-only row on a stored phone, in either order", () => {
    const ann = ocambaIdentity({ email: "ann@example.com", mobile_phone_number: "+31612345678" })!
    const bob = ocambaIdentity({ email: "bob@example.com", mobile_phone_number: "+31612345678" })!
    const phoneOnly = ocambaIdentity({ mobile_phone_number: "+31 612 345 678" })!
    const annAgain = ocambaIdentity({ email: "ANN@example.com" })!
    expect(ocambaSameProfile(ann, bob)).toBe(false)
    expect(ocambaSameProfile(ann, phoneOnly)).toBe(true)
    expect(ocambaSameProfile(phoneOnly, ann)).toBe(true)
    expect(ocambaSameProfile(ann, annAgain)).toBe(true)
  })
})

describe("copernicaIdentity", () => {
  it("compares the key fields trimmed and without case, in keyFields order", () => {
    expect(copernicaIdentity({ Email: " Ann@Example.com", Id: "7" }, ["Email", "Id"])).toBe(
      copernicaIdentity({ Email: "ann@example.com ", Id: "7", Other: "x" }, ["Email", "Id"])
    )
    expect(copernicaIdentity({ Email: "a", Id: "b" }, ["Email", "Id"])).not.toBe(
      copernicaIdentity({ Email: "a", Id: "c" }, ["Email", "Id"])
    )
  })
})
