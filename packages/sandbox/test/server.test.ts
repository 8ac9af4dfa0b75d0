/**
 * @module
 * The sandbox on a real socket: 127.0.0.1 and a free port by default, both vendors on one port, clean close.
 */
import { describe, expect, it } from "vitest"
import { startSandbox } from "../src/server.ts"

describe("startSandbox", () => {
  it("serves both vendors on one loopback port and closes", async () => {
    const sandbox = await startSandbox({ seed: 3 })
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(sandbox.ocambaBaseUrl).toBe(`${sandbox.url}/v1/hood`)
      expect(sandbox.copernicaBaseUrl).toBe(`${sandbox.url}/v3`)
      const ocamba = await fetch(`${sandbox.ocambaBaseUrl}/profile-properties?label=email`, {
        headers: { Authorization: "Bearer ocamba-sandbox-token" }
      })
      expect(ocamba.status).toBe(200)
      expect(ocamba.headers.get("X-RateLimit-Limit")).toBe("10")
      const copernica = await fetch(`${sandbox.copernicaBaseUrl}/imports/?access_token=copernica-sandbox-token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ database: 1, action: "add", source: [{ Email: "a@example.com" }] })
      })
      expect(copernica.status).toBe(201)
      expect(copernica.headers.get("X-location")).toBe(`${sandbox.url}/v3/import/${copernica.headers.get("X-Created")}`)
      const form = new FormData()
      form.append("file", new File(["email\na@example.com\n"], "people.csv", { type: "text/csv" }))
      const upload = await fetch(`${sandbox.ocambaBaseUrl}/profiles/imports`, {
        method: "POST",
        headers: { Authorization: "Bearer ocamba-sandbox-token" },
        body: form
      })
      expect(upload.status).toBe(202)
      expect(sandbox.counters().requests).toBe(3)
      sandbox.setFaults({ errorRate: 1 })
      expect(
        (await fetch(`${sandbox.copernicaBaseUrl}/databases?access_token=copernica-sandbox-token`)).status
      ).toBeGreaterThanOrEqual(500)
      sandbox.reset()
      expect(sandbox.counters().requests).toBe(0)
      expect(sandbox.state.copernica.account("copernica-account-1").imports.size).toBe(0)
    } finally {
      await sandbox.close()
    }
    await expect(fetch(`${sandbox.url}/_sandbox`)).rejects.toThrow()
  })

  it("refuses to start on a port in use", async () => {
    const first = await startSandbox()
    try {
      const port = Number(new URL(first.url).port)
      await expect(startSandbox({ port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.close()
    }
  })
})
