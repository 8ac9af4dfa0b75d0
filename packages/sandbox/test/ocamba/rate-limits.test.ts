/**
 * @module
 * Ocamba's documented limits (10 per second and 150 per minute per account, fixed windows), with an injected clock
 * so every window boundary is exact.
 */
import { Ocamba } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import { createSandboxApp } from "../../src/app.ts"
import { expectNoSandboxBugs, manualClock, ocambaRequest, ocambaTokenTwo } from "../helpers.ts"

const list = "/profile-properties?page=1,1"

describe("Ocamba rate limits", () => {
  it("admits 10 requests in a second and answers the 11th 429 with Retry-After and no X-RateLimit headers", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now })
    clock.advance(300)
    const statuses: Array<number> = []
    for (let index = 0; index < 10; index++) {
      const response = await ocambaRequest(app, "GET", list)
      statuses.push(response.status)
      expect(response.headers.get("X-RateLimit-Remaining")).toBe(String(9 - index))
    }
    expect(statuses).toEqual(Array(10).fill(200))
    const refused = await ocambaRequest(app, "GET", list)
    expect(refused.status).toBe(429)
    // 700 ms are left in the 1 s window: Retry-After rounds up to whole seconds.
    expect(refused.headers.get("Retry-After")).toBe("1")
    expect(refused.headers.get("X-RateLimit-Limit")).toBeNull()
    expect(refused.headers.get("X-RateLimit-Remaining")).toBeNull()
    expect(refused.headers.get("X-RateLimit-Reset")).toBeNull()
    const body = await refused.json()
    expect(body).toMatchObject({ code: 429, title: "Too many requests." })
    expect(Ocamba.validateResponse("listProfileProperties", 429, body)).toEqual({ ok: true })

    // A second account has its own windows.
    expect((await ocambaRequest(app, "GET", list, { token: ocambaTokenTwo })).status).toBe(200)

    // The next window admits again.
    clock.advance(700)
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)

    const counters = app.runtime.countersSnapshot().vendors.ocamba.accounts
    expect(counters["ocamba-account-1"]?.rateLimited).toBe(1)
    expect(counters["ocamba-account-2"]?.rateLimited).toBe(0)
    expectNoSandboxBugs(app)
  })

  it("refuses the 151st request in a minute although no second held more than 10", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now })
    // 15 seconds of 10 requests each: 150 admitted, none refused.
    for (let second = 0; second < 15; second++) {
      clock.set(clock.start + second * 1000)
      for (let index = 0; index < 10; index++) {
        expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
      }
    }
    // Second 15 of the same minute: its own 1 s window is empty, the 60 s window is full.
    clock.set(clock.start + 15_500)
    const refused = await ocambaRequest(app, "GET", list)
    expect(refused.status).toBe(429)
    expect(refused.headers.get("Retry-After")).toBe(String(Math.ceil((60_000 - 15_500) / 1000)))
    const usage = app.runtime.countersSnapshot().vendors.ocamba.accounts["ocamba-account-1"]?.windows
    expect(usage?.map((window) => window.used)).toEqual([0, 150])

    // The next minute starts fresh.
    clock.set(clock.start + 60_000)
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
  })

  it("describes the window closest to refusing in X-RateLimit-*", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now })
    const first = await ocambaRequest(app, "GET", list)
    expect(first.headers.get("X-RateLimit-Limit")).toBe("10")
    expect(first.headers.get("X-RateLimit-Remaining")).toBe("9")
    expect(first.headers.get("X-RateLimit-Reset")).toBe("1")
    for (let second = 1; second < 15; second++) {
      clock.set(clock.start + second * 1000)
      for (let index = 0; index < 10; index++) {
        await ocambaRequest(app, "GET", list)
      }
    }
    // 141 used of 150 in the minute; the new second has 9 of 10 left after this request, the minute 8.
    clock.set(clock.start + 59_000)
    const late = await ocambaRequest(app, "GET", list)
    expect(late.headers.get("X-RateLimit-Limit")).toBe("150")
    expect(late.headers.get("X-RateLimit-Remaining")).toBe("8")
    expect(late.headers.get("X-RateLimit-Reset")).toBe("1")
  })

  it("counts only admitted requests, and never those refused for their token", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now })
    for (let index = 0; index < 5; index++) {
      expect((await ocambaRequest(app, "GET", list, { token: "wrong" })).status).toBe(401)
    }
    for (let index = 0; index < 10; index++) {
      expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
    }
    for (let index = 0; index < 3; index++) {
      expect((await ocambaRequest(app, "GET", list)).status).toBe(429)
    }
    const snapshot = app.runtime.countersSnapshot()
    expect(snapshot.vendors.ocamba.unauthorized).toBe(5)
    expect(snapshot.vendors.ocamba.accounts["ocamba-account-1"]?.windows.map((window) => window.used)).toEqual([10, 10])
    expect(snapshot.vendors.ocamba.accounts["ocamba-account-1"]?.rateLimited).toBe(3)
    expect(snapshot.rateLimited).toBe(3)
  })

  it("counts refused requests too when countRejectedRequests is set", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now, ocamba: { rateLimits: { countRejectedRequests: true } } })
    for (let index = 0; index < 12; index++) {
      await ocambaRequest(app, "GET", list)
    }
    expect(
      app.runtime.countersSnapshot().vendors.ocamba.accounts["ocamba-account-1"]?.windows.map((window) => window.used)
    ).toEqual([12, 12])
  })

  it("shifts window boundaries by alignmentOffsetMilliseconds", async () => {
    const clock = manualClock()
    const app = createSandboxApp({ now: clock.now, ocamba: { rateLimits: { alignmentOffsetMilliseconds: 400 } } })
    clock.set(clock.start + 300)
    for (let index = 0; index < 10; index++) {
      expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
    }
    // Without the offset a new window would start at +1000; with it, at +400.
    clock.set(clock.start + 399)
    expect((await ocambaRequest(app, "GET", list)).status).toBe(429)
    clock.set(clock.start + 400)
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
  })

  it("answers Retry-After: -1 past the concurrency cap", async () => {
    const app = createSandboxApp({
      ocamba: { rateLimits: { concurrency: 2 } },
      faults: { latencyMilliseconds: 100 }
    })
    const responses = await Promise.all([1, 2, 3].map(() => ocambaRequest(app, "GET", list)))
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([200, 200, 429])
    const refused = responses.find((response) => response.status === 429)
    expect(refused?.headers.get("Retry-After")).toBe("-1")
    // The slots are free again once the slow requests finished.
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
  })

  it("allows 10 requests in flight per account by default, the only number Ocamba has published", async () => {
    // No windows: the 11th request must meet the concurrency cap, not the 10-per-second window.
    const app = createSandboxApp({ ocamba: { rateLimits: { windows: [] } }, faults: { latencyMilliseconds: 1000 } })
    const responses = await Promise.all(Array.from({ length: 11 }, () => ocambaRequest(app, "GET", list)))
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([...Array(10).fill(200), 429])
    expect(responses.find((response) => response.status === 429)?.headers.get("Retry-After")).toBe("-1")
  })

  it("takes any windows from the options", async () => {
    const clock = manualClock()
    const app = createSandboxApp({
      now: clock.now,
      ocamba: { rateLimits: { windows: [{ limit: 2, windowMilliseconds: 5000 }] } }
    })
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
    expect((await ocambaRequest(app, "GET", list)).status).toBe(200)
    const refused = await ocambaRequest(app, "GET", list)
    expect(refused.status).toBe(429)
    expect(refused.headers.get("Retry-After")).toBe("5")
  })
})
