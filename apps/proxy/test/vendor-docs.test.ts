/**
 * @module
 * Every verbatim request of the vendor pages (../shared/vendor-docs, read by `@profilesync/vendor-docs`) sent through
 * the proxy to the sandbox gets the vendor's documented answer: the documented status, a body that validates against
 * the spec and carries every field of the documented example. And a request the spec refuses gets the documented
 * error shape without reaching the vendor.
 */
import { type AnyVendorContract, Copernica, Ocamba } from "@profilesync/contracts"
import type { Sandbox } from "@profilesync/sandbox"
import { type VendorDocExample, vendorDocExamples } from "@profilesync/vendor-docs"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

const examples = vendorDocExamples()
const requests = examples.filter((example) => example.kind === "request")
const documented = (example: VendorDocExample, status: number) =>
  examples.find(
    (candidate) =>
      candidate.kind === "response" &&
      candidate.file === example.file &&
      candidate.status === status &&
      candidate.body !== undefined
  )?.body as Record<string, unknown> | undefined

let sandbox: Sandbox
let proxy: TestProxy

beforeAll(async () => {
  sandbox = await startTestSandbox({
    ocamba: { processing: { delayMilliseconds: 0 } },
    copernica: { processing: { delayMilliseconds: 0 } }
  })
  proxy = await startTestProxy(sandboxEnvironment(sandbox))
})
afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})
beforeEach(() => sandbox.reset())

const send = (method: string, path: string, body?: unknown) =>
  proxy.proxy.app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : body instanceof FormData
        ? { body }
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  })

const uploadCsv = async (csv: string): Promise<string> => {
  const form = new FormData()
  form.append("file", new File([csv], "people.csv", { type: "text/csv" }))
  const response = await send("POST", "/ocamba/v1/hood/profiles/imports", form)
  expect(response.status, await response.clone().text()).toBe(202)
  return ((await response.json()) as { id: string }).id
}

/** Prepares what the example's path needs (a property to update, an uploaded import to commit). */
const pathFor = async (example: VendorDocExample): Promise<string> => {
  if (example.vendor === "copernica") {
    // The official PHP helper posts to "imports/" with a trailing slash; the proxy accepts what the vendor accepts.
    return "/copernica/v3/imports/"
  }
  switch (example.operationId) {
    case "commitProfileImport": {
      await send("POST", "/ocamba/v1/hood/profile-properties", { label: "custom_column" })
      const id = await uploadCsv("email,phone,name,column\njane@example.com,+381601234567,Jane Doe,north\n")
      return `/ocamba/v1/hood/profiles/imports/${id}/commit`
    }
    case "updateProfileProperty": {
      const created = await send("POST", "/ocamba/v1/hood/profile-properties", { label: "my_region" })
      return `/ocamba/v1/hood/profile-properties/${((await created.json()) as { id: string }).id}`
    }
    default:
      return `/ocamba/v1/hood${example.path}`
  }
}

describe("verbatim vendor requests through the proxy", () => {
  it.each(requests.map((example, index) => ({ ...example, index })))(
    "$file $operationId (#$index) answers $status as documented",
    async (example) => {
      const path = await pathFor(example)
      const response = await send(example.method.toUpperCase(), path, example.body)
      const text = await response.text()
      expect(response.status, text).toBe(example.status)
      expect(response.headers.get("x-profilesync-source")).toBe("upstream")
      const body = text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>)
      // The examples' operation ids are read from the docs: any vendor's names.
      const contract: AnyVendorContract = example.vendor === "ocamba" ? Ocamba : Copernica
      expect(contract.validateResponse(example.operationId, response.status, body)).toEqual({ ok: true })
      const documentedBody = documented(example, example.status)
      if (documentedBody === undefined) {
        expect(text).toBe("")
      } else {
        expect(Object.keys(body ?? {})).toEqual(expect.arrayContaining(Object.keys(documentedBody)))
      }
      if (example.vendor === "copernica") expect(response.headers.get("x-created")).toMatch(/^[0-9]+$/)
      expect(sandbox.counters().invalidResponses).toBe(0)
    }
  )
})

describe("documented error answers", () => {
  const ocambaPages = [
    ...new Set(requests.filter((example) => example.vendor === "ocamba").map((example) => example.file))
  ]

  it.each(ocambaPages)("%s: a request the spec refuses gets the documented 400 shape, never sent", async (file) => {
    const example = requests.find((candidate) => candidate.file === file)!
    const path =
      example.operationId === "commitProfileImport"
        ? "/ocamba/v1/hood/profiles/imports/05ef4b72-ad7c-4199-baea-d7cb9150f19b/commit"
        : example.path.replace("{id}", "1000105")
    const before = sandbox.counters().requests
    const response = await send(
      example.method.toUpperCase(),
      path.startsWith("/ocamba") ? path : `/ocamba/v1/hood${path}`,
      ["not an object"]
    )
    expect(response.status).toBe(400)
    const body = (await response.json()) as Record<string, unknown>
    const documentedBody = documented(example, 400)!
    expect(Object.keys(body).sort()).toEqual(Object.keys(documentedBody).sort())
    expect(body).toMatchObject({ code: 400, title: documentedBody.title })
    expect(body.message).toMatch(/^request body \(root\): must be object/)
    expect((Ocamba as AnyVendorContract).validateResponse(example.operationId, 400, body)).toEqual({ ok: true })
    expect(sandbox.counters().requests).toBe(before)
  })

  it("a Copernica request the spec refuses gets Copernica's error shape, never sent", async () => {
    const before = sandbox.counters().requests
    const response = await send("POST", "/copernica/v3/imports", { database: 1, source: [], action: "replace" })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { message: expect.stringMatching(/^Invalid data provided: request body \/action: must be one of/) }
    })
    expect(sandbox.counters().requests).toBe(before)
  })
})
