/**
 * @module
 * The fixed-window limiter on its own: window arithmetic, Retry-After, in-flight slots and reconfiguration.
 */
import { describe, expect, it } from "vitest"
import { FixedWindowLimiter } from "../../src/limits/fixed-window-limiter.ts"
import { manualClock } from "../helpers.ts"

describe("FixedWindowLimiter", () => {
  it("admits up to the limit per window and names the last blocking window's end in Retry-After", () => {
    const clock = manualClock()
    const limiter = new FixedWindowLimiter({
      now: clock.now,
      windows: [
        { limit: 2, windowMilliseconds: 1000 },
        { limit: 3, windowMilliseconds: 10_000 }
      ]
    })
    const admit = () => {
      const decision = limiter.tryAdmit("a")
      if (decision.admitted) decision.release()
      return decision
    }
    expect(admit().admitted).toBe(true)
    expect(admit().admitted).toBe(true)
    clock.advance(100)
    expect(admit()).toMatchObject({ admitted: false, reason: "window", retryAfterSeconds: 1 })
    clock.advance(900)
    expect(admit().admitted).toBe(true)
    clock.advance(1000)
    // Both windows are full now? The 1 s window is empty, the 10 s window holds 3: it blocks for 8 s.
    expect(admit()).toMatchObject({ admitted: false, retryAfterSeconds: 8, window: { limit: 3 } })
    expect(limiter.usage("a").map((window) => window.used)).toEqual([0, 3])
    expect(limiter.usage("unknown").map((window) => window.remaining)).toEqual([2, 3])
  })

  it("holds an in-flight slot until release, once", () => {
    const limiter = new FixedWindowLimiter({ now: Date.now, windows: [], concurrency: 1 })
    const first = limiter.tryAdmit("a")
    expect(limiter.tryAdmit("a")).toEqual({ admitted: false, reason: "concurrency" })
    expect(limiter.tryAdmit("b").admitted).toBe(true)
    if (first.admitted) {
      first.release()
      first.release()
    }
    expect(limiter.inFlight("a")).toBe(0)
    expect(limiter.tryAdmit("a").admitted).toBe(true)
  })

  it("starts windows afresh when reconfigured or reset", () => {
    const clock = manualClock()
    const limiter = new FixedWindowLimiter({ now: clock.now, windows: [{ limit: 1, windowMilliseconds: 1000 }] })
    limiter.tryAdmit("a")
    expect(limiter.tryAdmit("a").admitted).toBe(false)
    limiter.reconfigure({ windows: [{ limit: 5, windowMilliseconds: 1000 }] })
    expect(limiter.tryAdmit("a").admitted).toBe(true)
    limiter.reset()
    expect(limiter.usage("a")[0]?.used).toBe(0)
  })
})
