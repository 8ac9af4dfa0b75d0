/**
 * @module
 * Store columns: every value read back as written, whether the column keeps a dictionary (repeated values) or the
 * strings themselves (mostly distinct values, integers among them), across the switch from one to the other.
 */
import { describe, expect, it } from "vitest"
import { StringColumn } from "../src/string-column.ts"

describe("StringColumn", () => {
  it("reads back repeated values, missing values and overwrites", () => {
    const column = StringColumn.filled(3, undefined)
    const cities = ["Leiden", "Gent", "Köln"]
    for (let index = 0; index < 5000; index++) column.push(cities[index % 3])
    column.set(1, "Utrecht")
    expect(column.length).toBe(5003)
    expect([column.get(0), column.get(1), column.get(2)]).toEqual([undefined, "Utrecht", undefined])
    expect(column.get(3)).toBe("Leiden")
    expect(column.get(5002)).toBe(cities[4999 % 3])
  })

  it("keeps every value exactly once values prove distinct, integers included but never a padded one", () => {
    const column = new StringColumn()
    const written: Array<string | undefined> = []
    for (let index = 0; index < 40_000; index++) {
      const value =
        index % 7 === 0
          ? undefined
          : index % 5 === 0
            ? String(100_000 + index)
            : index % 11 === 0
              ? `00${index}`
              : `person${index}@example.com`
      written.push(value)
      column.push(value)
    }
    column.set(7, "0")
    written[7] = "0"
    column.set(14, "1234567890")
    written[14] = "1234567890"
    expect(Array.from({ length: column.length }, (_, slot) => column.get(slot))).toEqual(written)
    const picked = column.pick([14, 7, 10, 0])
    expect([picked.get(0), picked.get(1), picked.get(2), picked.get(3)]).toEqual([
      "1234567890",
      "0",
      String(100_010),
      undefined
    ])
  })
})
