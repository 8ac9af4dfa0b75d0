/**
 * @module
 * Every operation of both specs is served (none falls through to the vendor's unknown-route answer), and Copernica's
 * optional limits behave like Ocamba's except for the headers Copernica does not send.
 */
import { Copernica, Ocamba } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import { createSandboxApp } from "../src/app.ts"
import { copernicaRequest, manualClock, ocambaRequest } from "./helpers.ts"

const samplePath = (template: string) =>
  template.replace(
    "{id}",
    template.includes("imports") || template.includes("import/") ? "00000000-0000-4000-8000-000000000000" : "1"
  )

describe("spec coverage", () => {
  it.each(Object.values(Ocamba.operations))("serves Ocamba $operationId", async (operation) => {
    const app = createSandboxApp()
    const response = await ocambaRequest(app, operation.method.toUpperCase(), samplePath(operation.path))
    const body = (await response.json().catch(() => ({}))) as { message?: string }
    expect(body.message ?? "").not.toMatch(/^No route/)
  })

  it.each(Object.values(Copernica.operations))("serves Copernica $operationId", async (operation) => {
    const app = createSandboxApp()
    const response = await copernicaRequest(app, operation.method.toUpperCase(), operation.path.replace("{id}", "1"))
    const body = (await response.json().catch(() => ({}))) as { error?: { message: string } }
    expect(body.error?.message).not.toBe("Invalid method")
  })
})

describe("Copernica limits", () => {
  it("are off by default and, when configured, answer 429 with Retry-After and no X-RateLimit headers", async () => {
    const unlimited = createSandboxApp()
    for (let index = 0; index < 30; index++) {
      expect((await copernicaRequest(unlimited, "GET", "/databases")).status).toBe(200)
    }
    const clock = manualClock()
    const limited = createSandboxApp({
      now: clock.now,
      copernica: { rateLimits: { windows: [{ limit: 3, windowMilliseconds: 2000 }] } }
    })
    for (let index = 0; index < 3; index++) {
      const response = await copernicaRequest(limited, "GET", "/databases")
      expect(response.status).toBe(200)
      expect(response.headers.get("X-RateLimit-Limit")).toBeNull()
    }
    const refused = await copernicaRequest(limited, "GET", "/databases")
    expect(refused.status).toBe(429)
    expect(refused.headers.get("Retry-After")).toBe("2")
    expect(await refused.json()).toEqual({ error: { message: "Too many requests" } })
  })
})
