/**
 * @module
 * The Ocamba profile store: lookups by email and by phone after creates and updates, and values kept per profile
 * when repeated values are shared between profiles.
 */
import { describe, expect, it } from "vitest"
import { OcambaAccountState } from "../../src/ocamba/state.ts"

const now = Date.UTC(2026, 0, 5, 9, 0, 0)
const account = () => new OcambaAccountState({ id: "a", companyId: "1", memberId: "2" }, now)

describe("OcambaAccountState", () => {
  it("finds profiles by email and by phone, following a changed phone number", () => {
    const state = account()
    const ann = state.upsertProfile({ email: "Ann@Example.com", mobile_phone_number: "+31 6 1234 5678" }, "i1", now)
    const phoneOnly = state.upsertProfile({ mobile_phone_number: "+31699999999" }, "i1", now)
    expect(state.findProfileByEmail(" ann@example.COM")?.id).toBe(ann.id)
    expect(state.findProfileByPhone("+31612345678")?.id).toBe(ann.id)
    expect(state.findProfileByPhone("+31 699 999 999")?.id).toBe(phoneOnly.id)

    const updated = state.upsertProfile({ email: "ann@example.com", mobile_phone_number: "+31600000000" }, "i2", now)
    expect(updated.id).toBe(ann.id)
    expect(updated.importIds).toEqual(["i1", "i2"])
    expect(state.findProfileByPhone("+31612345678")).toBeUndefined()
    expect(state.findProfileByPhone("+31600000000")?.id).toBe(ann.id)
    expect(state.profiles.size).toBe(2)
  })

  it("lets a new profile take a phone number over, as the last write under that number", () => {
    const state = account()
    const ann = state.upsertProfile({ email: "ann@example.com", mobile_phone_number: "+31 6 1111 1111" }, "i1", now)
    const bob = state.upsertProfile({ email: "bob@example.com", mobile_phone_number: "+31611111111" }, "i1", now)
    expect(bob.id).not.toBe(ann.id)
    expect(state.findProfileByPhone("+31611111111")?.id).toBe(bob.id)
    state.upsertProfile({ email: "bob@example.com", mobile_phone_number: "+31622222222" }, "i2", now)
    expect(state.findProfileByPhone("+31611111111")).toBeUndefined()
    expect(state.findProfileByPhone("+31622222222")?.id).toBe(bob.id)
    expect(state.findProfileByEmail("ann@example.com")?.properties.mobile_phone_number).toBe("+31 6 1111 1111")
  })

  it("keeps each profile's own values when many profiles repeat some and differ in others", () => {
    const state = account()
    const cities = ["Leiden", "Haarlem", "Gent"]
    for (let index = 0; index < 3000; index++) {
      state.upsertProfile(
        { email: `p${index}@example.com`, city: cities[index % 3]!, first_name: `Name${index}` },
        "i",
        now
      )
    }
    for (const index of [0, 1, 2, 1024, 2999]) {
      expect(state.findProfileByEmail(`p${index}@example.com`)?.properties).toEqual({
        email: `p${index}@example.com`,
        city: cities[index % 3],
        first_name: `Name${index}`
      })
    }
    state.upsertProfile({ email: "p5@example.com", city: "Utrecht" }, "j", now)
    expect(state.findProfileByEmail("p5@example.com")?.properties.city).toBe("Utrecht")
    expect(state.findProfileByEmail("p8@example.com")?.properties.city).toBe("Gent")
  })
})
