/**
 * @module
 * The seeded generator: repeatable streams, independent derived streams, valid UUIDs.
 */
import { describe, expect, it } from "vitest"
import { createRandomSource, deriveSeed, seedToInteger } from "../src/random.ts"

describe("random", () => {
  it("repeats a stream for the same seed", () => {
    const first = createRandomSource(99)
    const second = createRandomSource(99)
    const draws = Array.from({ length: 50 }, () => [first.next(), second.next()])
    for (const [left, right] of draws) {
      expect(left).toBe(right)
      expect(left).toBeGreaterThanOrEqual(0)
      expect(left).toBeLessThan(1)
    }
  })

  it("hashes text seeds and derives distinct streams", () => {
    expect(seedToInteger("demo")).toBe(seedToInteger("demo"))
    expect(seedToInteger("demo")).not.toBe(seedToInteger("demo2"))
    expect(deriveSeed(1, "faults")).not.toBe(deriveSeed(1, "identifiers"))
  })

  it("makes version 4 UUIDs", () => {
    const random = createRandomSource(3)
    for (let index = 0; index < 100; index++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
  })
})
