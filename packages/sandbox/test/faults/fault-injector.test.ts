/**
 * @module
 * The seeded fault decisions on their own: repeatable per seed, rates honoured, storms bounded in time.
 */
import { describe, expect, it } from "vitest"
import { FaultInjector } from "../../src/faults/fault-injector.ts"
import { manualClock } from "../helpers.ts"

const sequence = (seed: number, count: number) => {
  const injector = new FaultInjector(seed, Date.now, {
    errorRate: 0.3,
    dropRate: 0.1,
    latencyMilliseconds: { min: 0, max: 50 }
  })
  return Array.from({ length: count }, () => injector.decide("ocamba"))
}

describe("FaultInjector", () => {
  it("decides the same faults for the same seed and different ones for another seed", () => {
    expect(sequence(42, 200)).toEqual(sequence(42, 200))
    expect(sequence(42, 200)).not.toEqual(sequence(43, 200))
  })

  it("injects errors and drops at about the configured rates", () => {
    const decisions = sequence(7, 5000)
    const errors = decisions.filter((decision) => decision.errorStatus !== undefined).length / decisions.length
    const drops = decisions.filter((decision) => decision.dropConnection).length / decisions.length
    expect(errors).toBeGreaterThan(0.24)
    expect(errors).toBeLessThan(0.3)
    expect(drops).toBeGreaterThan(0.08)
    expect(drops).toBeLessThan(0.12)
    expect(new Set(decisions.map((decision) => decision.errorStatus))).toEqual(new Set([undefined, 500, 502, 503]))
    for (const decision of decisions) {
      expect(decision.latencyMilliseconds).toBeGreaterThanOrEqual(0)
      expect(decision.latencyMilliseconds).toBeLessThanOrEqual(50)
    }
  })

  it("draws the same numbers whatever the rates, so changing one rate does not shift the others", () => {
    const errorsOnly = new FaultInjector(9, Date.now, { errorRate: 0.5 })
    const withDrops = new FaultInjector(9, Date.now, { errorRate: 0.5, latencyMilliseconds: 10 })
    const first = Array.from({ length: 100 }, () => errorsOnly.decide("ocamba").errorStatus)
    const second = Array.from({ length: 100 }, () => withDrops.decide("ocamba").errorStatus)
    expect(first).toEqual(second)
  })

  it("bounds a storm in time and reports the seconds left as Retry-After", () => {
    const clock = manualClock()
    const injector = new FaultInjector(1, clock.now, {
      rateLimitStorm: { from: clock.start + 1000, durationMilliseconds: 10_000 }
    })
    expect(injector.stormRetryAfterSeconds("ocamba")).toBeUndefined()
    clock.advance(1000)
    expect(injector.stormRetryAfterSeconds("ocamba")).toBe(10)
    clock.advance(8500)
    expect(injector.stormRetryAfterSeconds("copernica")).toBe(2)
    clock.advance(1499)
    expect(injector.stormRetryAfterSeconds("ocamba")).toBe(1)
    clock.advance(1)
    expect(injector.stormRetryAfterSeconds("ocamba")).toBeUndefined()
  })

  it("limits faults to the chosen vendors", () => {
    const injector = new FaultInjector(1, Date.now, { errorRate: 1, vendors: ["copernica"], rateLimitStorm: true })
    expect(injector.decide("ocamba").errorStatus).toBeUndefined()
    expect(injector.decide("copernica").errorStatus).toBeDefined()
    expect(injector.stormRetryAfterSeconds("ocamba")).toBeUndefined()
    expect(injector.stormRetryAfterSeconds("copernica")).toBe(1)
  })

  it("refuses rates outside [0, 1]", () => {
    expect(() => new FaultInjector(1, Date.now, { errorRate: 2 })).toThrow(RangeError)
    const injector = new FaultInjector(1, Date.now)
    expect(() => injector.update({ dropRate: -0.1 })).toThrow(/dropRate/)
  })
})
