/**
 * @module
 * Fault injection through the whole app: seeded 5xx sequences, latency, dropped connections on a real socket, 429
 * storms, imports that fail part way, and run-time changes.
 */
import { Copernica, Ocamba } from "@profilesync/contracts"
import { afterEach, assert, describe, expect, it } from "vitest"
import { createSandboxApp } from "../../src/app.ts"
import { DroppedConnectionError } from "../../src/middleware/faults/index.ts"
import { type Sandbox, startSandbox } from "../../src/server.ts"
import {
  copernicaRequest,
  eventually,
  expectNoSandboxBugs,
  functionalApp,
  manualClock,
  ocambaRequest,
  standardMapping,
  uploadCsv
} from "../helpers.ts"

const statusSequence = async (seed: number | string) => {
  const app = functionalApp({ seed, faults: { errorRate: 0.4 } })
  const statuses: Array<number> = []
  for (let index = 0; index < 40; index++) {
    const path = index % 2 === 0 ? "/profile-properties?page=1,1" : "/profile-properties?label=email"
    statuses.push((await ocambaRequest(app, "GET", path)).status)
  }
  for (let index = 0; index < 10; index++) {
    statuses.push((await copernicaRequest(app, "GET", "/databases")).status)
  }
  return statuses
}

let sandbox: Sandbox | undefined
afterEach(async () => {
  await sandbox?.close()
  sandbox = undefined
})

describe("fault injection", () => {
  it("gives the same status sequence twice for a fixed seed, and another for another seed", async () => {
    const first = await statusSequence(1234)
    const second = await statusSequence(1234)
    expect(second).toEqual(first)
    expect(new Set(first)).toEqual(new Set([200, 500, 502, 503]))
    expect(await statusSequence("another seed")).not.toEqual(first)
  })

  it("answers injected errors in each vendor's shape, after the request used its quota", async () => {
    const app = createSandboxApp({ faults: { errorRate: 1, errorStatuses: [500] } })
    const ocamba = await ocambaRequest(app, "GET", "/profile-properties")
    expect(ocamba.status).toBe(500)
    const body = await ocamba.json()
    expect(body).toEqual({ code: 500, title: "Internal server error.", trace_id: expect.any(String) })
    expect(Ocamba.validateResponse("listProfileProperties", 500, body)).toEqual({ ok: true })
    expect(ocamba.headers.get("X-RateLimit-Remaining")).toBe("9")
    const copernica = await copernicaRequest(app, "GET", "/databases")
    expect(copernica.status).toBe(500)
    const copernicaBody = await copernica.json()
    expect(copernicaBody).toEqual({ error: { message: "Internal server error" } })
    expect(Copernica.validateResponse("listDatabases", 500, copernicaBody)).toEqual({ ok: true })
    expect(app.runtime.countersSnapshot().responses["5xx"]).toBe(2)
  })

  it("adds latency", async () => {
    const app = functionalApp({ faults: { latencyMilliseconds: 60 } })
    const started = performance.now()
    expect((await copernicaRequest(app, "GET", "/databases")).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
  })

  it("drops connections without an answer on a real socket", async () => {
    sandbox = await startSandbox({ faults: { dropRate: 1, vendors: ["ocamba"] } })
    await expect(
      fetch(`${sandbox.ocambaBaseUrl}/profile-properties`, {
        headers: { Authorization: "Bearer ocamba-sandbox-token" }
      })
    ).rejects.toThrow()
    const copernica = await fetch(`${sandbox.copernicaBaseUrl}/databases?access_token=copernica-sandbox-token`)
    expect(copernica.status).toBe(200)
    const counters = sandbox.counters()
    expect(counters.dropped).toBe(1)
    expect(counters.vendors.ocamba.accounts["ocamba-account-1"]?.dropped).toBe(1)
  })

  it("rejects app.request with DroppedConnectionError where a socket would be dropped", async () => {
    const app = createSandboxApp({ faults: { dropRate: 1 } })
    await expect(ocambaRequest(app, "GET", "/profile-properties")).rejects.toBeInstanceOf(DroppedConnectionError)
  })

  it("answers every request 429 during a storm without using quota", async () => {
    const clock = manualClock()
    const app = createSandboxApp({
      now: clock.now,
      faults: { rateLimitStorm: { from: clock.start, durationMilliseconds: 3000 } }
    })
    for (let index = 0; index < 15; index++) {
      const response = await ocambaRequest(app, "GET", "/profile-properties")
      expect(response.status).toBe(429)
      expect(response.headers.get("Retry-After")).toBe("3")
      expect(response.headers.get("X-RateLimit-Limit")).toBeNull()
    }
    const copernica = await copernicaRequest(app, "GET", "/databases")
    expect(copernica.status).toBe(429)
    expect(await copernica.json()).toEqual({ error: { message: "Too many requests" } })
    clock.advance(3000)
    const after = await ocambaRequest(app, "GET", "/profile-properties")
    expect(after.status).toBe(200)
    expect(after.headers.get("X-RateLimit-Remaining")).toBe("9")
    expect(app.runtime.countersSnapshot().vendors.ocamba.accounts["ocamba-account-1"]?.rateLimited).toBe(15)
  })

  it("fails Ocamba imports part way, reporting the rows never processed", async () => {
    const app = functionalApp({ seed: 5, faults: { importFailureRate: 1 }, ocamba: { richImportReport: true } })
    const rows = Array.from({ length: 20 }, (_, index) => `p${index}@example.com,,P${index}`)
    const id = await uploadCsv(app, ["email,phone,name", ...rows].join("\n"))
    await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, { body: { mapping: standardMapping } })
    const record = await eventually(async () => {
      const body = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as Record<
        string,
        number | string
      >
      return body.status === "running" ? undefined : body
    })
    expect(record.status).toBe("failed")
    expect(Number(record.imported_records) + Number(record.failed_records)).toBe(20)
    expect(Number(record.imported_records)).toBeLessThan(20)
    const report = (await (await ocambaRequest(app, "GET", `/reports/profiles/import/${id}/full`)).json()) as Array<{
      code: string
    }>
    expect(report.filter((row) => row.code === "NOT_PROCESSED")).toHaveLength(Number(record.failed_records))
    expectNoSandboxBugs(app)
  })

  it("fails Copernica imports part way with lasterror", async () => {
    const app = functionalApp({ faults: { importFailureRate: 1 } })
    const source = Array.from({ length: 20 }, (_, index) => ({ Email: `p${index}@example.com` }))
    const response = await copernicaRequest(app, "POST", "/imports", { body: { database: 1, action: "add", source } })
    const id = response.headers.get("X-Created")!
    const job = await eventually(async () => {
      const body = (await (await copernicaRequest(app, "GET", `/import/${id}`)).json()) as Record<string, unknown>
      return body.status === "running" ? undefined : body
    })
    expect(job.status).toBe("failed")
    expect(job.lasterror).toContain("sandbox fault injection")
    expect(Number(job.processedLines)).toBeLessThan(20)
    expect(app.runtime.state.copernica.account("copernica-account-1").databases.get(1)?.profiles.size).toBe(
      Number(job.processedLines)
    )
  })

  it("changes faults at run time through setFaults and POST /_sandbox/faults", async () => {
    const app = functionalApp()
    expect((await copernicaRequest(app, "GET", "/databases")).status).toBe(200)
    app.runtime.setFaults({ errorRate: 1, errorStatuses: [503] })
    expect((await copernicaRequest(app, "GET", "/databases")).status).toBe(503)
    const changed = await app.request("/_sandbox/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ errorRate: 0, rateLimitStorm: true })
    })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({ errorRate: 0, rateLimitStorm: { from: expect.any(Number) } })
    expect((await copernicaRequest(app, "GET", "/databases")).status).toBe(429)
    await app.request("/_sandbox/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rateLimitStorm: false })
    })
    expect((await copernicaRequest(app, "GET", "/databases")).status).toBe(200)
    const invalid = await app.request("/_sandbox/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ errorRate: 3 })
    })
    expect(invalid.status).toBe(400)
    const unknown = await app.request("/_sandbox/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ explode: true })
    })
    expect(unknown.status).toBe(400)
  })
})

describe("responseLossRate", () => {
  it("carries out the request and then loses the answer", async () => {
    const sandbox = await startSandbox({ faults: { responseLossRate: 1 } })
    try {
      const failure = await fetch(`${sandbox.ocambaBaseUrl}/profile-properties`, {
        method: "POST",
        headers: { Authorization: "Bearer ocamba-sandbox-token", "Content-Type": "application/json" },
        body: JSON.stringify({ label: "lost_answer", data_type: "text" })
      }).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(failure, TypeError)
      const account = sandbox.state.ocamba.accounts.get("ocamba-account-1")
      const labels = [...(account?.properties.values() ?? [])].map((property) => property.label)
      assert.include(labels, "lost_answer")
      assert.strictEqual(sandbox.counters().vendors.ocamba.dropped, 1)
    } finally {
      await sandbox.close()
    }
  })
})
