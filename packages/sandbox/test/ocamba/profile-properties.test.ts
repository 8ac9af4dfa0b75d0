/**
 * @module
 * Ocamba profile properties: seeded system properties, creation with unique labels, PATCH rules, the list
 * conventions, and the vendor's error shape for spec violations.
 */
import { Ocamba } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import { expectNoSandboxBugs, functionalApp, ocambaRequest, ocambaTokenTwo } from "../helpers.ts"

type PropertyList = { total: number; items: Array<Record<string, unknown>> }

describe("Ocamba profile properties", () => {
  it("starts with the system properties, which refuse PATCH", async () => {
    const app = functionalApp()
    const list = (await (await ocambaRequest(app, "GET", "/profile-properties?system=1")).json()) as PropertyList
    expect(Ocamba.validateResponse("listProfileProperties", 200, list)).toEqual({ ok: true })
    const labels = list.items.map((item) => item.label)
    expect(labels).toEqual(expect.arrayContaining(["email", "mobile_phone_number", "full_name"]))
    const email = list.items.find((item) => item.label === "email")!
    const refused = await ocambaRequest(app, "PATCH", `/profile-properties/${String(email.id)}`, {
      body: { description: "new" }
    })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { message: string }).message).toContain("System properties are not updatable")
    expectNoSandboxBugs(app)
  })

  it("creates custom properties with unique labels per account", async () => {
    const app = functionalApp()
    expect((await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "region" } })).status).toBe(201)
    const duplicate = await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "Region" } })
    expect(duplicate.status).toBe(400)
    expect(((await duplicate.json()) as { message: string }).message).toContain("already exists")
    // Another account is separate.
    expect(
      (await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "region" }, token: ocambaTokenTwo }))
        .status
    ).toBe(201)
    const clash = await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "email" } })
    expect(clash.status).toBe(400)
  })

  it("patches custom properties and keeps label and data_type immutable", async () => {
    const app = functionalApp()
    const created = (await (
      await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "region" } })
    ).json()) as {
      id: string
    }
    expect(
      (
        await ocambaRequest(app, "PATCH", `/profile-properties/${created.id}`, {
          body: { pi_data: 1, example: "north" }
        })
      ).status
    ).toBe(204)
    const stored = app.runtime.state.ocamba.account("ocamba-account-1").properties.get(created.id)
    expect(stored).toMatchObject({ pi_data: 1, example: "north", label: "region" })
    const relabel = await ocambaRequest(app, "PATCH", `/profile-properties/${created.id}`, { body: { label: "x" } })
    expect(relabel.status).toBe(400)
    expect(((await relabel.json()) as { message: string }).message).toContain("request body /label: is not")
    const empty = await ocambaRequest(app, "PATCH", `/profile-properties/${created.id}`, { body: {} })
    expect(empty.status).toBe(400)
    const missing = await ocambaRequest(app, "PATCH", "/profile-properties/999", { body: { example: "x" } })
    expect(missing.status).toBe(404)
    expectNoSandboxBugs(app)
  })

  it("refuses data types other than text, as the vendor says only text is supported", async () => {
    const app = functionalApp()
    const response = await ocambaRequest(app, "POST", "/profile-properties", {
      body: { label: "age", data_type: "number" }
    })
    expect(response.status).toBe(400)
    const wrongEnum = await ocambaRequest(app, "POST", "/profile-properties", {
      body: { label: "age", data_type: "int" }
    })
    expect(((await wrongEnum.json()) as { message: string }).message).toContain(
      "request body /data_type: must be one of"
    )
  })

  it("follows the list conventions: filters, search, sort, pages and projection", async () => {
    const app = functionalApp()
    for (const label of ["alpha", "beta", "gamma"]) {
      await ocambaRequest(app, "POST", "/profile-properties", { body: { label, description: `the ${label} one` } })
    }
    const get = async (query: string) =>
      (await (await ocambaRequest(app, "GET", `/profile-properties?${query}`)).json()) as PropertyList
    expect((await get("system=0")).total).toBe(3)
    expect((await get("label=in:alpha,gamma")).items.map((item) => item.label)).toEqual(["alpha", "gamma"])
    expect((await get("label=neq:alpha&system=0")).items.map((item) => item.label)).toEqual(["beta", "gamma"])
    expect((await get("q=BET&q_fields=label,description")).items.map((item) => item.label)).toEqual(["beta"])
    const page = await get("system=0&page=2,2")
    expect(page.total).toBe(3)
    expect(page.items.map((item) => item.label)).toEqual(["gamma"])
    expect((await get("label=alpha&fields=id,label")).items).toEqual([{ id: expect.any(String), label: "alpha" }])
    expect((await get("system=0&sort=-pi_data,data_type")).total).toBe(3)
    const badSort = await ocambaRequest(app, "GET", "/profile-properties?sort=label")
    expect(badSort.status).toBe(400)
    expect(((await badSort.json()) as { message: string }).message).toContain("query /sort")
    const badPage = await ocambaRequest(app, "GET", "/profile-properties?page=0")
    expect(badPage.status).toBe(400)
    expectNoSandboxBugs(app)
  })

  it("answers 400 naming the JSON path for bodies that break the spec", async () => {
    const app = functionalApp()
    const response = await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "x", pi_data: 2 } })
    expect(response.status).toBe(400)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      code: 400,
      title: "Bad request.",
      message: "request body /pi_data: must be one of 0, 1, got 2"
    })
    expect(Ocamba.validateResponse("createProfileProperty", 400, body)).toEqual({ ok: true })
    const notJson = await app.request("/v1/hood/profile-properties", {
      method: "POST",
      headers: { Authorization: "Bearer ocamba-sandbox-token", "Content-Type": "application/json" },
      body: "{"
    })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { message: string }).message).toContain("not valid JSON")
  })

  it("answers 401 in Ocamba's shape without or with a wrong token, 404 for unknown routes, 405 for methods", async () => {
    const app = functionalApp()
    const none = await app.request("/v1/hood/profile-properties")
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ code: 401, title: "Unauthorized.", message: "Unauthorized." })
    expect((await ocambaRequest(app, "GET", "/profile-properties", { token: "nope" })).status).toBe(401)
    const unknown = await ocambaRequest(app, "GET", "/profiles/123")
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 404, title: "Not found." })
    const wrongMethod = await ocambaRequest(app, "DELETE", "/profile-properties/1000001")
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toBe("PATCH")
    expect(await wrongMethod.json()).toMatchObject({ code: 405 })
  })
})
