/**
 * @module
 * The inspection API: state dumps, counters, reset; free of auth, limits and faults.
 */
import { describe, expect, it } from "vitest"
import { createSandboxApp } from "../../src/app.ts"
import { copernicaRequest, manualClock, ocambaRequest } from "../helpers.ts"

describe("inspection API", () => {
  it("dumps what each vendor holds, per account", async () => {
    const app = createSandboxApp()
    await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "region" } })
    const all = (await (await app.request("/_sandbox/state")).json()) as {
      ocamba: { accounts: Record<string, { properties: Array<{ label: string }> }> }
      copernica: { accounts: Record<string, { databases: Array<{ name: string }> }> }
    }
    expect(all.ocamba.accounts["ocamba-account-1"]?.properties.map((property) => property.label)).toContain("region")
    expect(all.ocamba.accounts["ocamba-account-2"]?.properties.map((property) => property.label)).not.toContain(
      "region"
    )
    expect(all.copernica.accounts["copernica-account-1"]?.databases[0]?.name).toBe("Customers")
    const one = await app.request("/_sandbox/state/ocamba/ocamba-account-1")
    expect(((await one.json()) as { id: string }).id).toBe("ocamba-account-1")
    expect((await app.request("/_sandbox/state/ocamba/nobody")).status).toBe(404)
    expect((await app.request("/_sandbox/state/mailchimp")).status).toBe(404)
    expect((await app.request("/_sandbox/state/copernica")).status).toBe(200)
  })

  it("counts requests, classes, 429s and window usage per account", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now })
    for (let index = 0; index < 12; index++) {
      await ocambaRequest(app, "GET", "/profile-properties")
    }
    await ocambaRequest(app, "GET", "/profile-properties", { token: "wrong" })
    await copernicaRequest(app, "GET", "/import/5")
    const counters = (await (await app.request("/_sandbox/counters")).json()) as Record<string, unknown>
    expect(counters).toMatchObject({
      requests: 14,
      responses: { "2xx": 10, "4xx": 4, "5xx": 0 },
      rateLimited: 2,
      invalidResponses: 0,
      vendors: {
        ocamba: {
          requests: 13,
          unauthorized: 1,
          accounts: {
            "ocamba-account-1": {
              requests: 12,
              rateLimited: 2,
              windows: [
                { limit: 10, windowMilliseconds: 1000, used: 10, remaining: 0 },
                { limit: 150, windowMilliseconds: 60000, used: 10, remaining: 140 }
              ],
              inFlight: 0
            },
            "ocamba-account-2": { requests: 0 }
          }
        },
        copernica: { requests: 1, accounts: { "copernica-account-1": { responses: { "4xx": 1 } } } }
      }
    })
  })

  it("resets state, counters, windows and seeded ids", async () => {
    const app = createSandboxApp()
    const firstTrace = ((await (await ocambaRequest(app, "GET", "/nowhere")).json()) as { trace_id: string }).trace_id
    await ocambaRequest(app, "POST", "/profile-properties", { body: { label: "region" } })
    const reset = await app.request("/_sandbox/reset", { method: "POST" })
    expect(reset.status).toBe(200)
    expect(app.runtime.state.ocamba.account("ocamba-account-1").findPropertyByLabel("region")).toBeUndefined()
    expect(app.runtime.countersSnapshot().requests).toBe(0)
    const againTrace = ((await (await ocambaRequest(app, "GET", "/nowhere")).json()) as { trace_id: string }).trace_id
    expect(againTrace).toBe(firstTrace)
  })

  it("abandons import processing pending at reset", async () => {
    const app = createSandboxApp({ copernica: { processing: { delayMilliseconds: 30 } } })
    await copernicaRequest(app, "POST", "/imports", {
      body: { database: 1, action: "add", source: [{ Email: "a@example.com" }] }
    })
    expect(app.runtime.tasks.pending).toBe(1)
    app.runtime.reset()
    expect(app.runtime.tasks.pending).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(app.runtime.state.copernica.account("copernica-account-1").databases.get(1)?.profiles.size).toBe(0)
  })

  it("is not subject to tokens, limits or faults", async () => {
    const app = createSandboxApp({ faults: { errorRate: 1, rateLimitStorm: true } })
    for (let index = 0; index < 20; index++) {
      expect((await app.request("/_sandbox/counters")).status).toBe(200)
    }
    expect((await app.request("/_sandbox")).status).toBe(200)
    expect((await app.request("/elsewhere")).status).toBe(404)
  })
})
