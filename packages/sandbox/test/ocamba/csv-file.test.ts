/**
 * @module
 * Reading uploaded CSV files: rows padded or cut to the header's columns, quoting, and repeated values kept intact.
 */
import { describe, expect, it } from "vitest"
import { readCsvFile } from "../../src/ocamba/csv-file.ts"

describe("readCsvFile", () => {
  it("pads short rows and cuts long ones to the header's columns", () => {
    const reading = readCsvFile('email;city;name\na@example.com;Leiden\nb@example.com;Gent;"B; Bee";extra\n')
    expect(reading).toEqual({
      ok: true,
      columns: ["email", "city", "name"],
      rows: [
        ["a@example.com", "Leiden", ""],
        ["b@example.com", "Gent", "B; Bee"]
      ]
    })
  })

  it("keeps every row's own values when many rows repeat some of them", () => {
    const lines = Array.from({ length: 3000 }, (_, index) => `p${index}@example.com,${["Leiden", "Gent"][index % 2]}`)
    const reading = readCsvFile(["email,city", ...lines].join("\n"))
    if (!reading.ok) throw new Error(reading.message)
    expect(reading.rows).toHaveLength(3000)
    expect(reading.rows.map((row) => row.join(","))).toEqual(lines)
  })
})
