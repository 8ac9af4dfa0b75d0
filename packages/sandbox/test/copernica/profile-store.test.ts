/**
 * @module
 * The column store of Copernica profiles: lookups by id and by key fields, updates (also of another index's key),
 * removals with the holes they leave and their compaction, and fields added to existing profiles.
 */
import { describe, expect, it } from "vitest"
import { CopernicaProfileStore } from "../../src/copernica/profile-store.ts"

const now = Date.UTC(2026, 0, 5, 9, 0, 0)
const defaults = new Map([
  ["Email", ""],
  ["Firstname", ""],
  ["Score", "0"]
])

const storeWith = (rows: ReadonlyArray<Record<string, string>>) => {
  const store = new CopernicaProfileStore(7)
  for (const [name, value] of defaults) store.addField(name, value)
  for (const [index, values] of rows.entries()) store.create(index + 1, `secret${index + 1}`, values, defaults, now)
  return store
}

const emailsOf = (store: CopernicaProfileStore, slots: ReadonlyArray<number>) =>
  slots.map((slot) => store.valueAt(slot, "Email"))

describe("CopernicaProfileStore", () => {
  it("hands out copies with every field, defaults for the unset ones", () => {
    const store = storeWith([{ Email: "ann@example.com", Firstname: "Ann" }, { Email: "bob@example.com" }])
    expect(store.size).toBe(2)
    expect(store.get(2)).toEqual({
      ID: 2,
      fields: { Email: "bob@example.com", Firstname: "", Score: "0" },
      interests: [],
      database: 7,
      secret: "secret2",
      created: "2026-01-05 09:00:00",
      modified: "2026-01-05 09:00:00"
    })
    store.get(1)!.fields.Firstname = "Changed"
    expect(store.get(1)!.fields.Firstname).toBe("Ann")
    expect(store.get(3)).toBeUndefined()
    expect([...store.values()].map((profile) => profile.ID)).toEqual([1, 2])
  })

  it("finds profiles by key fields trimmed and without regard to case, never by an empty key", () => {
    const store = storeWith([
      { Email: "Ann@Example.com", Firstname: "Ann" },
      { Email: "bob@example.com", Firstname: "Bob" },
      { Email: " ann@example.com ", Firstname: "Ann" },
      { Email: "", Firstname: "Nobody" }
    ])
    expect(store.matches(["Email"], { Email: "ANN@example.com" })).toEqual([0, 2])
    expect(store.matches(["Email", "Firstname"], { Email: "bob@example.com", Firstname: "bob" })).toEqual([1])
    expect(store.matches(["Email", "Firstname"], { Email: "bob@example.com", Firstname: "Ann" })).toEqual([])
    expect(store.matches(["Email"], { Email: " " })).toEqual([])
    expect(store.matches([], { Email: "bob@example.com" })).toEqual([])
  })

  it("keeps every index current through creates, updates and removals", () => {
    const store = storeWith([{ Email: "ann@example.com", Firstname: "Ann" }])
    // Both indexes exist before the changes below.
    expect(store.matches(["Firstname"], { Firstname: "ann" })).toEqual([0])
    const bob = store.create(2, "secret2", { Email: "bob@example.com", Firstname: "Bob" }, defaults, now)
    expect(store.matches(["Firstname"], { Firstname: "BOB" })).toEqual([bob])

    // An update matched on Email changes the key of the Firstname index.
    store.update(0, { Email: "ann@example.com", Firstname: "Annie", Score: "" }, true, now + 1000)
    expect(store.matches(["Firstname"], { Firstname: "Ann" })).toEqual([])
    expect(store.matches(["Firstname"], { Firstname: "annie" })).toEqual([0])
    expect(store.get(1)).toMatchObject({ fields: { Firstname: "Annie", Score: "0" }, modified: "2026-01-05 09:00:01" })
    store.update(0, { Score: "" }, false, now)
    expect(store.valueAt(0, "Score")).toBe("")

    expect(store.remove(bob)).toMatchObject({ ID: 2, fields: { Email: "bob@example.com" } })
    expect(store.size).toBe(1)
    expect(store.get(2)).toBeUndefined()
    expect(store.matches(["Email"], { Email: "bob@example.com" })).toEqual([])
    expect(store.matches(["Firstname"], { Firstname: "Bob" })).toEqual([])
  })

  it("finds ids across the holes of removed profiles and after compaction", () => {
    const rows = Array.from({ length: 3000 }, (_, index) => ({ Email: `p${index + 1}@example.com` }))
    const store = storeWith(rows)
    expect(store.matches(["Email"], { Email: "p2000@example.com" })).toEqual([1999])
    // Remove every profile whose id is not a multiple of 3.
    for (let id = 1; id <= 3000; id++) if (id % 3 !== 0) store.remove(store.slotOf(id)!)
    expect(store.size).toBe(1000)
    for (const id of [1, 2, 3, 1500, 1501, 2998, 2999, 3000]) {
      expect(store.get(id)?.fields.Email, `id ${id}`).toBe(id % 3 === 0 ? `p${id}@example.com` : undefined)
    }
    store.compactIfSparse()
    expect(store.size).toBe(1000)
    expect([...store.slots()]).toHaveLength(1000)
    expect(store.get(1500)?.fields.Email).toBe("p1500@example.com")
    expect(store.get(1501)).toBeUndefined()
    expect(emailsOf(store, store.matches(["Email"], { Email: "P3000@example.com" }))).toEqual(["p3000@example.com"])
    expect(store.matches(["Email"], { Email: "p2999@example.com" })).toEqual([])
  })

  it("gives a new field's default to every existing profile", () => {
    const store = storeWith([{ Email: "ann@example.com" }, { Email: "bob@example.com" }])
    store.addField("City", "Leiden")
    expect([...store.values()].map((profile) => profile.fields.City)).toEqual(["Leiden", "Leiden"])
  })
})
