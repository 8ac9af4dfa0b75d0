/**
 * @module
 * Copernica databases, fields and profiles: the seeded database, field creation rules, and the profile list's
 * `fields[]` conditions, ordering, paging and `dataonly`.
 */
import { Copernica } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import { copernicaRequest, expectNoSandboxBugs, functionalApp } from "../helpers.ts"

const seeded = (options: { readonly strict?: boolean } = {}) =>
  functionalApp({
    ...options,
    copernica: {
      databases: [
        {
          name: "Customers",
          fields: [
            { name: "Email", type: "email" },
            { name: "Firstname", type: "text" },
            { name: "Age", type: "integer", value: "0" }
          ],
          profiles: [
            { fields: { Email: "ann@example.com", Firstname: "Ann", Age: "31" } },
            { fields: { Email: "bob@example.org", Firstname: "Bob", Age: "17" } },
            { fields: { Email: "cy@example.com", Firstname: "Cy", Age: "45" } }
          ]
        }
      ]
    }
  })

type Page = { start: number; limit: number; count: number; total?: number; data: Array<Record<string, unknown>> }

describe("Copernica databases", () => {
  it("lists the seeded Customers database with its fields", async () => {
    const app = functionalApp()
    const body = (await (await copernicaRequest(app, "GET", "/databases")).json()) as Page
    expect(Copernica.validateResponse("listDatabases", 200, body)).toEqual({ ok: true })
    expect(body).toMatchObject({ start: 0, limit: 100, count: 1, total: 1 })
    const database = body.data[0] as { ID: string; name: string; fields: Page }
    expect(database.ID).toBe("1")
    expect(database.name).toBe("Customers")
    expect(database.fields.data.map((field) => [field.name, field.type])).toEqual([
      ["Email", "email"],
      ["Firstname", "text"],
      ["Lastname", "text"],
      ["Phone", "phone_gsm"]
    ])
    expectNoSandboxBugs(app)
  })

  it("lists fields by database id or name, with numbers as strings", async () => {
    const app = functionalApp()
    const byId = (await (await copernicaRequest(app, "GET", "/database/1/fields")).json()) as Page
    const byName = (await (await copernicaRequest(app, "GET", "/database/Customers/fields")).json()) as Page
    expect(byName).toEqual(byId)
    expect(byId.data[0]).toMatchObject({ ID: "1", name: "Email", length: "100", textlines: "1", hidden: false })
    expect(Copernica.validateResponse("listDatabaseFields", 200, byId)).toEqual({ ok: true })
    const missing = await copernicaRequest(app, "GET", "/database/Nope/fields")
    expect(await missing.json()).toEqual({ error: { message: "No database with supplied ID" } })
  })

  it("creates fields with X-Created, refusing duplicate names and a second email field", async () => {
    const app = functionalApp()
    const created = await copernicaRequest(app, "POST", "/database/1/fields", {
      body: {
        name: "text_field",
        type: "text",
        value: "this is a text field",
        displayed: true,
        length: 50,
        textlines: 1
      }
    })
    expect(created.status).toBe(201)
    expect(await created.text()).toBe("")
    expect(created.headers.get("X-Created")).toBe("5")
    expect(created.headers.get("X-location")).toMatch(/\/v3\/database\/1\/field\/5$/)
    const duplicate = await copernicaRequest(app, "POST", "/database/1/fields", { body: { name: "TEXT_FIELD" } })
    expect(duplicate.status).toBe(400)
    const email = await copernicaRequest(app, "POST", "/database/1/fields", { body: { name: "Email2", type: "email" } })
    expect(((await email.json()) as { error: { message: string } }).error.message).toContain("type email")
    const integer = await copernicaRequest(app, "POST", "/database/1/fields", {
      body: { name: "Age", type: "integer" }
    })
    expect(integer.status).toBe(400)
    const missing = await copernicaRequest(app, "POST", "/database/7/fields", { body: { name: "x" } })
    expect(await missing.json()).toEqual({ error: { message: "No database with supplied ID" } })
    expectNoSandboxBugs(app)
  })

  it("filters profiles with fields[] conditions", async () => {
    const app = seeded()
    const emails = async (...conditions: Array<string>) => {
      const query = conditions.map((condition) => `fields[]=${encodeURIComponent(condition)}`).join("&")
      const response = await copernicaRequest(app, "GET", "/database/1/profiles", { query })
      const body = (await response.json()) as Page
      expect(Copernica.validateResponse("listDatabaseProfiles", 200, body)).toEqual({ ok: true })
      return body.data.map((profile) => (profile.fields as Record<string, string>).Email)
    }
    expect(await emails("Email==ANN@example.com")).toEqual(["ann@example.com"])
    expect(await emails("Age>16", "Age<=40")).toEqual(["ann@example.com", "bob@example.org"])
    expect(await emails("Email=~%.com")).toEqual(["ann@example.com", "cy@example.com"])
    expect(await emails("Email!~%.com")).toEqual(["bob@example.org"])
    expect(await emails("Firstname<>Bob")).toEqual(["ann@example.com", "cy@example.com"])
    expect(await emails("id==2")).toEqual(["bob@example.org"])
    // The live API ignores a condition it cannot apply (rmuit/copernica-api testProfileCrud), so the sandbox does.
    expect(await emails("Nope==1")).toEqual(["ann@example.com", "bob@example.org", "cy@example.com"])
    expect(await emails("Email ==ann@example.com")).toEqual(["ann@example.com", "bob@example.org", "cy@example.com"])
    expect(await emails("Email ==ann@example.com", "Firstname<>Bob")).toEqual(["ann@example.com", "cy@example.com"])
    expect(await emails(" Email==ann@example.com ")).toEqual(["ann@example.com"])
    expectNoSandboxBugs(app)
  })

  it("refuses the conditions it would ignore in strict mode, naming the rule", async () => {
    const app = seeded({ strict: true })
    const unknown = await copernicaRequest(app, "GET", "/database/1/profiles", { query: "fields[]=Nope%3D%3D1" })
    expect(unknown.status).toBe(400)
    expect(JSON.stringify(await unknown.json())).toContain("sandbox strict mode")
  })

  it("orders, pages and trims profiles", async () => {
    const app = seeded()
    const get = async (query: string) =>
      (await (await copernicaRequest(app, "GET", "/database/1/profiles", { query })).json()) as Page
    const ordered = await get("orderby=Age&order=desc")
    expect(ordered.data.map((profile) => profile.ID)).toEqual(["3", "1", "2"])
    const paged = await get("start=1&limit=1&total=false")
    expect(paged).toMatchObject({ start: 1, limit: 1, count: 1 })
    expect(paged.total).toBeUndefined()
    expect(paged.data[0]?.ID).toBe("2")
    const dataOnly = await get("dataonly=true&limit=1")
    expect(Object.keys(dataOnly.data[0] ?? {}).sort()).toEqual(["ID", "fields", "interests", "modified"])
    const full = await get("limit=1")
    expect(full.data[0]).toMatchObject({ ID: "1", database: "1", removed: false })
    const tooMany = await copernicaRequest(app, "GET", "/database/1/profiles", { query: "limit=1001" })
    expect(tooMany.status).toBe(400)
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toContain("query /limit")
    const random = await get("orderby=random")
    expect(random.data.map((profile) => profile.ID).sort()).toEqual(["1", "2", "3"])
    expectNoSandboxBugs(app)
  })
})
