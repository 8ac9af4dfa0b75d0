/**
 * @module
 * The request log: one line per request, credentials redacted, status or `dropped`, account named.
 */
import { describe, expect, it } from "vitest"
import { createSandboxApp } from "../../src/app.ts"
import type { RequestLogEntry } from "../../src/options.ts"
import { copernicaRequest, ocambaRequest } from "../helpers.ts"

describe("requestLog", () => {
  it("writes one line per request with the access token redacted", async () => {
    const lines: Array<{ line: string; entry: RequestLogEntry }> = []
    const app = createSandboxApp({ log: (line, entry) => lines.push({ line, entry }) })
    await copernicaRequest(app, "GET", "/databases")
    await ocambaRequest(app, "GET", "/profile-properties", { token: "wrong" })
    await app.request("/_sandbox/counters")
    expect(lines).toHaveLength(3)
    expect(lines[0]?.line).toMatch(
      /^\S+ GET \/v3\/databases\?access_token=REDACTED 200 \d+ms account=copernica-account-1 operation=listDatabases$/
    )
    expect(lines[0]?.line).not.toContain("copernica-sandbox-token")
    expect(lines[1]?.entry).toMatchObject({ status: 401, account: undefined, method: "GET" })
    expect(lines[2]?.entry.path).toBe("/_sandbox/counters")
  })

  it("logs dropped requests as dropped", async () => {
    const entries: Array<RequestLogEntry> = []
    const app = createSandboxApp({ log: (_line, entry) => entries.push(entry), faults: { dropRate: 1 } })
    await expect(ocambaRequest(app, "GET", "/profile-properties")).rejects.toThrow()
    expect(entries[0]?.status).toBe("dropped")
  })
})
