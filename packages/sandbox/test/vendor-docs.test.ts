/**
 * @module
 * Every verbatim request of the vendor documentation (copied from shared/vendor-docs, file named at each test) gets
 * its documented status and a body that validates against the spec; then every request example of both specs is
 * replayed the same way.
 */
import { Copernica, Ocamba } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import {
  copernicaRequest,
  eventually,
  expectNoSandboxBugs,
  functionalApp,
  ocambaRequest,
  uploadCsv
} from "./helpers.ts"

const myRegion = {
  label: "my_region",
  data_type: "text",
  example: "northern_europe",
  description:
    "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
  export_alias: "region_name",
  pi_data: 1,
  importable: 1,
  exportable: 1
}

describe("verbatim vendor requests", () => {
  it("create profile property (001_dfb4b4ece1275eeb.txt) answers 201 with a full property", async () => {
    const app = functionalApp()
    const response = await ocambaRequest(app, "POST", "/profile-properties", { body: myRegion })
    expect(response.status).toBe(201)
    const body = (await response.json()) as Record<string, unknown>
    expect(Ocamba.validateResponse("createProfileProperty", 201, body)).toEqual({ ok: true })
    expect(body).toMatchObject({ label: "my_region", target: "my_region", system: 0, import_aliases: ["region_name"] })
    expect(body.id).toMatch(/^[0-9]+$/)
    expect(body.create_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expectNoSandboxBugs(app)
  })

  it("update profile property (002_5404d5432f465a12.txt) answers 204 with no body", async () => {
    const app = functionalApp()
    const created = (await (await ocambaRequest(app, "POST", "/profile-properties", { body: myRegion })).json()) as {
      id: string
    }
    const response = await ocambaRequest(app, "PATCH", `/profile-properties/${created.id}`, {
      body: {
        example: "northern_europe",
        description:
          "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
        export_alias: "region_name"
      }
    })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe("")
    expect(Ocamba.validateResponse("updateProfileProperty", 204, undefined)).toEqual({ ok: true })
    expectNoSandboxBugs(app)
  })

  it("commit an import (000_53688db285f0249c.txt) answers 202 with running LRO metadata", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 } } })
    await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "custom_column" } })
    const id = await uploadCsv(app, "email,phone,name,column\njane@example.com,+381601234567,Jane Doe,north\n")
    const response = await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, {
      body: {
        mapping: [
          { label: "email", property: { label: "email", data_type: "text", system: 1 } },
          { label: "phone", property: { label: "mobile_phone_number", data_type: "text", system: 1 } },
          { label: "name", property: { label: "full_name", data_type: "text", system: 1 } },
          { label: "column", property: { label: "custom_column", data_type: "text", system: 0 } }
        ]
      }
    })
    expect(response.status).toBe(202)
    const body = await response.json()
    expect(Ocamba.validateResponse("commitProfileImport", 202, body)).toEqual({ ok: true })
    expect(body).toMatchObject({ status: "running" })
    await eventually(async () => {
      const record = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as { status: string }
      return record.status === "finished" ? record : undefined
    })
    const profile = [...app.runtime.state.ocamba.account("ocamba-account-1").profiles.values()][0]
    expect(profile?.properties).toEqual({
      email: "jane@example.com",
      mobile_phone_number: "+381601234567",
      full_name: "Jane Doe",
      custom_column: "north"
    })
    expectNoSandboxBugs(app)
  })

  it("resync (004_0a3546bfb8b10812.txt) answers 204 and is recorded", async () => {
    const app = functionalApp()
    const resync = { integration: ["1628", "1001", "1263"], conversion: ["1000192", "1000293", "1001123"] }
    const response = await ocambaRequest(app, "POST", "/resync", { body: { resync } })
    expect(response.status).toBe(204)
    expect(Ocamba.validateResponse("createResync", 204, undefined)).toEqual({ ok: true })
    expect(app.runtime.state.ocamba.account("ocamba-account-1").resyncs).toMatchObject([resync])
    expectNoSandboxBugs(app)
  })

  it.each([
    {
      name: "PHP example",
      keyFields: ["Email"],
      source:
        '[\n\t\t{ \n\t\t\t"Email": "support@copernica.com", \n\t\t\t"Contactpersoon": "Jeroen" \n\t\t}, \n\t\t{ \n\t\t\t"Email": "info@copernica.com", \n\t\t\t"Contactpersoon": "Danny" \n\t\t}\n\t]'
    },
    {
      name: "PHP example with subprofiles",
      keyFields: ["Email", "Order.OrderID"],
      source:
        '[\n\t\t{ \n\t\t\t"Email": "support@copernica.com", \n\t\t\t"Contactpersoon": "Jeroen",\n\t\t\t"Order.OrderID": "00001", \n\t\t\t"Order.Status": "Completed" \n\t\t}, \n\t\t{ \n\t\t\t"Email": "info@copernica.com", \n\t\t\t"Contactpersoon": "Danny",\n\t\t\t"Order.OrderID": "00001", \n\t\t\t"Order.Status": "Completed" \n\t\t}\n\t]'
    }
  ])("POST imports/ $name (003_91707fd63af173f6.txt) answers 201 with X-Created", async ({ keyFields, source }) => {
    const app = functionalApp({ copernica: { processing: { delayMilliseconds: 0 } } })
    // The PHP helper posts to "imports/" with a trailing slash.
    const response = await copernicaRequest(app, "POST", "/imports/", {
      body: {
        database: 1,
        name: "TestImport",
        rebuild: true,
        action: "update or add",
        keyFields,
        format: "json",
        source
      }
    })
    expect(response.status).toBe(201)
    expect(await response.text()).toBe("")
    const created = response.headers.get("X-Created")
    expect(created).toMatch(/^[0-9]+$/)
    expect(response.headers.get("X-location")).toMatch(new RegExp(`/v3/import/${created}$`))
    expect(Copernica.validateResponse("createImport", 201, undefined)).toEqual({ ok: true })
    const job = await eventually(async () => {
      const body = (await (await copernicaRequest(app, "GET", `/import/${created}`)).json()) as Record<string, unknown>
      return body.status === "finished" ? body : undefined
    })
    expect(Copernica.validateResponse("getImport", 200, job)).toEqual({ ok: true })
    expect(job).toMatchObject({ totallines: "2", processedLines: "2", lasterror: false })
    const emails = [
      ...app.runtime.state.copernica.account("copernica-account-1").databases.get(1)!.profiles.values()
    ].map((profile) => profile.fields.Email)
    expect(emails).toEqual(["support@copernica.com", "info@copernica.com"])
    expectNoSandboxBugs(app)
  })
})

/** Every request example in a spec, with the operation it belongs to. */
const requestExamples = (document: object) => {
  const examples: Array<{ operationId: string; method: string; path: string; name: string; value: unknown }> = []
  const paths = (document as { paths: Record<string, Record<string, unknown>> }).paths
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const typed = operation as {
        operationId?: string
        requestBody?: { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }
      }
      for (const media of Object.values(typed.requestBody?.content ?? {})) {
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          examples.push({ operationId: typed.operationId ?? "", method, path, name, value: example.value })
        }
      }
    }
  }
  return examples
}

describe("request examples of the specs", () => {
  it.each(requestExamples(Ocamba.document))(
    "Ocamba $operationId $name answers 2xx",
    async ({ operationId, method, value }) => {
      const app = functionalApp()
      await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "custom_column" } })
      let path = ""
      if (operationId === "commitProfileImport") {
        path = `/profiles/imports/${await uploadCsv(app, "email,phone,name,column\na@example.com,+38160,A,x\n")}/commit`
      } else if (operationId === "updateProfileProperty") {
        path = `/profile-properties/${app.runtime.state.ocamba.account("ocamba-account-1").findPropertyByLabel("custom_column")!.id}`
      } else if (operationId === "createProfileProperty") {
        path = "/profile-properties"
      } else if (operationId === "createResync") {
        path = "/resync"
      }
      expect(path, `no path prepared for ${operationId}`).not.toBe("")
      const response = await ocambaRequest(app, method.toUpperCase(), path, { body: value })
      expect(response.status, await response.clone().text()).toBeGreaterThanOrEqual(200)
      expect(response.status).toBeLessThan(300)
      expectNoSandboxBugs(app)
    }
  )

  it.each(requestExamples(Copernica.document))(
    "Copernica $operationId $name answers 201",
    async ({ operationId, method, path, value }) => {
      const app = functionalApp()
      const concrete = path.replace("{id}", "1")
      const response = await copernicaRequest(app, method.toUpperCase(), concrete, { body: value })
      expect(response.status, `${operationId}: ${await response.clone().text()}`).toBe(201)
      expect(response.headers.get("X-Created")).toMatch(/^[0-9]+$/)
      expectNoSandboxBugs(app)
    }
  )
})
