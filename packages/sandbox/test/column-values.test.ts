/**
 * @module
 * Kept import rows: the same values by column before and after packing, unusual strings included.
 */
import { describe, expect, it } from "vitest"
import { ColumnValues } from "../src/column-values.ts"

describe("ColumnValues", () => {
  it("reads the same values after packing", () => {
    const columns = [
      ["a@example.com", "Zoë", "", 'quote " and , comma', "line\nbreak", "lone \ud800 surrogate", "😀"],
      ["1", "2", "3", "4", "5", "6", "7"]
    ]
    const values = new ColumnValues(
      columns.map((column) => [...column]),
      7
    )
    expect(values.columns).toEqual(columns)
    values.pack()
    expect(values.length).toBe(7)
    expect(values.columns).toEqual(columns)
    values.pack()
    expect(values.columns).toEqual(columns)
  })
})
