/**
 * @module
 * Copernica imports: every action, key fields, empty fields, removal of missing profiles, autostart, CSV and JSON
 * sources, form encoding, and the vendor's error answers.
 */
import { Copernica } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import type { SandboxApp } from "../../src/app.ts"
import { copernicaRequest, eventually, expectNoSandboxBugs, functionalApp } from "../helpers.ts"

const runImport = async (app: SandboxApp, body: Record<string, unknown>) => {
  const response = await copernicaRequest(app, "POST", "/imports", { body: { database: 1, ...body } })
  expect(response.status, await response.clone().text()).toBe(201)
  const id = response.headers.get("X-Created")!
  return eventually(async () => {
    const job = (await (await copernicaRequest(app, "GET", `/import/${id}`)).json()) as Record<string, unknown>
    return job.status === "finished" || job.status === "failed" ? job : undefined
  })
}

const profiles = (app: SandboxApp) => [
  ...app.runtime.state.copernica.account("copernica-account-1").databases.get(1)!.profiles.values()
]

const rows = [
  { Email: "ann@example.com", Firstname: "Ann", Lastname: "Smith" },
  { Email: "bob@example.com", Firstname: "Bob", Lastname: "Jones" }
]

describe("Copernica imports", () => {
  it("leaves one profile per key when an update or add import runs twice", async () => {
    const app = functionalApp()
    const body = { action: "update or add", keyFields: ["Email"], source: rows }
    await runImport(app, body)
    await runImport(app, {
      ...body,
      source: [
        { Email: "ANN@example.com ", Firstname: "Annie", Lastname: "Smith" },
        { Email: "bob@example.com", Firstname: "Bob", Lastname: "Jones" }
      ]
    })
    const stored = profiles(app)
    expect(stored).toHaveLength(2)
    expect(stored.map((profile) => profile.fields.Firstname)).toEqual(["Annie", "Bob"])
    expectNoSandboxBugs(app)
  })

  it("adds duplicates with add, updates only existing ones with update, and leaves matches with ignore or add", async () => {
    const app = functionalApp()
    await runImport(app, { action: "add", source: rows })
    await runImport(app, { action: "add", source: rows.slice(0, 1) })
    expect(profiles(app)).toHaveLength(3)

    const update = await runImport(app, {
      action: "update",
      keyFields: ["Email"],
      source: [
        { Email: "ann@example.com", Firstname: "Updated" },
        { Email: "nobody@example.com", Firstname: "Ghost" }
      ]
    })
    expect(update).toMatchObject({ type: "update", totallines: "2", processedLines: "2" })
    expect(profiles(app).map((profile) => profile.fields.Firstname)).toEqual(["Updated", "Bob", "Updated"])

    await runImport(app, {
      action: "ignore or add",
      keyFields: ["Email"],
      source: [
        { Email: "bob@example.com", Firstname: "Ignored" },
        { Email: "cy@example.com", Firstname: "Cy" }
      ]
    })
    expect(profiles(app).map((profile) => profile.fields.Firstname)).toEqual(["Updated", "Bob", "Updated", "Cy"])
  })

  it("deletes matching profiles with action delete", async () => {
    const app = functionalApp()
    await runImport(app, { action: "add", source: rows })
    await runImport(app, {
      action: "delete",
      keyFields: ["Email"],
      deleteTarget: "profile",
      source: [{ Email: "bob@example.com" }]
    })
    expect(profiles(app).map((profile) => profile.fields.Email)).toEqual(["ann@example.com"])
    const database = app.runtime.state.copernica.account("copernica-account-1").databases.get(1)!
    expect(database.removedProfiles.map((profile) => profile.fields.Email)).toEqual(["bob@example.com"])
  })

  it("keeps stored values for empty fields with ignoreEmptyFields", async () => {
    const app = functionalApp()
    await runImport(app, { action: "add", source: rows })
    const update = {
      action: "update",
      keyFields: ["Email"],
      source: [{ Email: "ann@example.com", Firstname: "", Lastname: "New" }]
    }
    await runImport(app, { ...update, ignoreEmptyFields: true })
    expect(profiles(app)[0]?.fields).toMatchObject({ Firstname: "Ann", Lastname: "New" })
    await runImport(app, update)
    expect(profiles(app)[0]?.fields).toMatchObject({ Firstname: "", Lastname: "New" })
  })

  it("removes the profiles missing from the import with removeMissing", async () => {
    const app = functionalApp()
    await runImport(app, {
      action: "add",
      source: [...rows, { Email: "cy@example.com", Firstname: "Cy", Lastname: "" }]
    })
    await runImport(app, { action: "update or add", keyFields: ["Email"], removeMissing: true, source: rows })
    expect(profiles(app).map((profile) => profile.fields.Email)).toEqual(["ann@example.com", "bob@example.com"])
  })

  it("leaves an import with autostart false ready for start", async () => {
    const app = functionalApp()
    const response = await copernicaRequest(app, "POST", "/imports", {
      body: { database: 1, action: "add", autostart: false, source: rows }
    })
    const id = response.headers.get("X-Created")!
    await new Promise((resolve) => setTimeout(resolve, 20))
    const job = await (await copernicaRequest(app, "GET", `/import/${id}`)).json()
    expect(job).toEqual({
      ID: id,
      name: `import ${id}`,
      type: "add",
      status: "ready for start",
      totallines: "0",
      processedLines: "0",
      lastrun: false,
      nextrun: false,
      lasterror: false
    })
    expect(Copernica.validateResponse("getImport", 200, job)).toEqual({ ok: true })
    expect(profiles(app)).toHaveLength(0)
  })

  it("reports running, then finished with a last run time", async () => {
    const app = functionalApp({ copernica: { processing: { delayMilliseconds: 40 } } })
    const response = await copernicaRequest(app, "POST", "/imports", {
      body: { database: 1, action: "add", source: rows }
    })
    const id = response.headers.get("X-Created")!
    const running = (await (await copernicaRequest(app, "GET", `/import/${id}`)).json()) as Record<string, unknown>
    expect(running).toMatchObject({ status: "running", totallines: "2", processedLines: "0", lastrun: false })
    const finished = await eventually(async () => {
      const job = (await (await copernicaRequest(app, "GET", `/import/${id}`)).json()) as Record<string, unknown>
      return job.status === "finished" ? job : undefined
    })
    expect(finished.lastrun).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
  })

  it("reads CSV sources with the given delimiter and standard quoting", async () => {
    const app = functionalApp()
    const source = 'Email;Firstname;Lastname\nann@example.com;"Ann; Marie";"O""Neil"\r\nbob@example.com;Bob;\n'
    const job = await runImport(app, {
      action: "update or add",
      keyFields: ["Email"],
      format: "csv",
      delimiter: ";",
      source
    })
    expect(job).toMatchObject({ totallines: "2", processedLines: "2", lasterror: false })
    expect(profiles(app).map((profile) => [profile.fields.Firstname, profile.fields.Lastname])).toEqual([
      ["Ann; Marie", 'O"Neil'],
      ["Bob", ""]
    ])
    const tabbed = await runImport(app, {
      action: "add",
      format: "csv",
      delimiter: "\t",
      source: "Email\tFirstname\ncy@example.com\tCy\n"
    })
    expect(tabbed.processedLines).toBe("1")
  })

  it("accepts form-encoded bodies the way PHP sends them", async () => {
    const app = functionalApp()
    const form = new URLSearchParams()
    form.set("database", "1")
    form.set("action", "update or add")
    form.append("keyFields[]", "Email")
    form.set("source[0][Email]", "ann@example.com")
    form.set("source[0][Firstname]", "Ann")
    form.set("autostart", "true")
    const response = await app.request("/v3/imports?access_token=copernica-sandbox-token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString()
    })
    expect(response.status, await response.clone().text()).toBe(201)
    await eventually(() => (profiles(app).length === 1 ? true : undefined))
    expect(profiles(app)[0]?.fields.Firstname).toBe("Ann")
  })

  it("answers Copernica's 400 errors", async () => {
    const app = functionalApp()
    const post = async (body: Record<string, unknown>) => {
      const response = await copernicaRequest(app, "POST", "/imports", { body })
      expect(response.status).toBe(400)
      const error = (await response.json()) as { error: { message: string } }
      expect(Copernica.validateResponse("createImport", 400, error)).toEqual({ ok: true })
      return error.error.message
    }
    expect(await post({ database: 99, source: rows })).toBe("No database with supplied ID")
    expect(await post({ database: 1, action: "update or add", source: rows })).toContain(
      "needs at least one profile key field"
    )
    expect(await post({ database: 1, action: "update", keyFields: ["Nope"], source: rows })).toContain(
      '"Nope" is not a field'
    )
    expect(await post({ database: 1, action: "merge", source: rows })).toContain("/action")
    expect(await post({ database: 1, source: rows, location: "https://example.com/a.csv" })).toContain(
      "Invalid data provided"
    )
    expect(await post({ database: 1, source: "Email\na@example.com", format: "csv" })).toContain("/delimiter")
    expect(await post({ database: 1, source: "[{", format: "json" })).toContain("not valid JSON")
    expect(
      await post({
        database: 1,
        source: [
          { Email: "a@example.com", Firstname: "A" },
          { Firstname: "B", Email: "b@example.com" }
        ]
      })
    ).toContain("same order in every row")
    const unknown = await copernicaRequest(app, "GET", "/import/999")
    expect(await unknown.json()).toEqual({ error: { message: "No entity with supplied ID" } })
    const token = await copernicaRequest(app, "GET", "/import/1", { token: "nope" })
    expect(token.status).toBe(400)
    expect(await token.json()).toEqual({ error: { message: "Invalid access token" } })
    const route = await copernicaRequest(app, "DELETE", "/imports")
    expect(route.status).toBe(400)
    expect(await route.json()).toEqual({ error: { message: "Invalid method" } })
    expectNoSandboxBugs(app)
  })

  it("ends a location import with lasterror, since the sandbox fetches no URL", async () => {
    const app = functionalApp()
    const job = await runImport(app, { action: "add", location: "https://www.copernica.com/import/testimport.csv" })
    expect(job).toMatchObject({ status: "failed", name: "https://www.copernica.com/import/testimport.csv" })
    expect(job.lasterror).toContain("location")
  })
})
