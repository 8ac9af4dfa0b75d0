/**
 * @module
 * Bodies nested 10,000 deep, as JSON and as PHP form keys, sent through the proxy and straight to the sandbox: each is
 * a 400 in the vendor's error shape, never a 500, and the vendor receives nothing.
 */
import type { Sandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

let sandbox: Sandbox
let proxy: TestProxy

beforeAll(async () => {
  sandbox = await startTestSandbox()
  proxy = await startTestProxy({ ...sandboxEnvironment(sandbox), OCAMBA_LIMITS: "1000/1s" })
})
afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const deepJson = (depth: number) => `${'{"label":"deep","nested":['.repeat(depth)}{"label":"x"}${"]}".repeat(depth)}`

const post = (url: string, contentType: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": contentType, ...headers }, body })

describe("a body nested 10,000 deep", () => {
  it("is a 400 in Ocamba's shape, through the proxy and at the sandbox", async () => {
    const sandboxToken = { authorization: "Bearer ocamba-sandbox-token" }
    for (const response of [
      await post(`${proxy.url}/ocamba/v1/hood/profile-properties`, "application/json", deepJson(10_000)),
      await post(`${sandbox.ocambaBaseUrl}/profile-properties`, "application/json", deepJson(10_000), sandboxToken)
    ]) {
      expect(response.status).toBe(400)
      const body = (await response.json()) as { code: number; message: string }
      expect(body.code).toBe(400)
      expect(body.message).toMatch(/nests deeper than 512 levels/)
    }
  })

  it("is a 400 in Copernica's shape, as JSON and as PHP form keys (which PHP drops past 64 levels)", async () => {
    const formKey = `name${"[a]".repeat(10_000)}`
    const cases = [
      ["application/json", deepJson(10_000)],
      ["application/x-www-form-urlencoded", `${encodeURIComponent(formKey)}=1`]
    ] as const
    for (const [contentType, body] of cases) {
      for (const url of [
        `${proxy.url}/copernica/v3/database/1/fields`,
        `${sandbox.copernicaBaseUrl}/database/1/fields?access_token=copernica-sandbox-token`
      ]) {
        const response = await post(url, contentType, body)
        expect(response.status, `${contentType} ${url}`).toBe(400)
        const answer = (await response.json()) as { error: { message: string } }
        expect(typeof answer.error.message).toBe("string")
      }
    }
  })
})
