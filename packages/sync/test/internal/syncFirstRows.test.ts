/**
 * The first-row tables behind the duplicate-key and identity-collision checks: the first row of each value comes
 * back exactly, two different values with the same 32-bit hash are told apart by their text, values written to the
 * file (past the write buffer) read back the same, and no file is left in the temp directory, even while open.
 */
import { readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { afterEach, describe, expect, it } from "vitest"
import * as FirstRows from "../../src/internal/syncFirstRows.ts"

const opened: Array<FirstRows.ValueFile> = []
const openFile = () => {
  const file = FirstRows.openValueFile()
  opened.push(file)
  return file
}
afterEach(() => {
  for (const file of opened.splice(0)) file.close()
})

/**
 * Two different values with the same hash, found once by trying `email:person${n}@example.com` for n = 0, 1, 2, ...
 * (a changed hash function makes the test below say so, rather than pass without a shared hash).
 */
const hashTwins = ["email:person28958@example.com", "email:person720582@example.com"] as const

describe("FirstRows", () => {
  it("answers the first row of a value, and nothing for a new one", () => {
    const rows = FirstRows.make(openFile())
    expect(rows.claim("customer_id:1", 2)).toBeUndefined()
    expect(rows.claim("customer_id:2", 3)).toBeUndefined()
    expect(rows.claim("customer_id:1", 7)).toBe(2)
    expect(rows.get("customer_id:1")).toBe(2)
    expect(rows.get("customer_id:3")).toBeUndefined()
    expect(rows.has("customer_id:2")).toBe(true)
    expect(rows.has("customer_id:20")).toBe(false)
    expect(rows.size()).toBe(2)
  })

  it("tells apart two values that share a hash", () => {
    const [first, second] = hashTwins
    expect(first).not.toBe(second)
    expect(FirstRows.hashOf(first)).toBe(FirstRows.hashOf(second))
    const rows = FirstRows.make(openFile())
    expect(rows.claim(first, 10)).toBeUndefined()
    // Not a duplicate: only the hash is the same.
    expect(rows.claim(second, 11)).toBeUndefined()
    expect(rows.claim(second, 12)).toBe(11)
    expect(rows.claim(first, 13)).toBe(10)
    expect(rows.size()).toBe(2)
  })

  it("keeps every value exact through growth and past the write buffer, non-ASCII text included", () => {
    const file = openFile()
    const rows = FirstRows.make(file)
    const others = FirstRows.make(file)
    const count = 60_000
    // About 3 MiB of values: most of them are read back from the file, not the write buffer.
    const valueAt = (index: number) => `email:ünïcødé.${index}.${"x".repeat(index % 40)}@example.com`
    const wrong: Array<number> = []
    for (let index = 0; index < count; index++)
      if (rows.claim(valueAt(index), index + 1) !== undefined) wrong.push(index)
    for (let index = 0; index < count; index += 7) others.claim(valueAt(index), index + 100)
    for (let index = 0; index < count; index++) {
      if (rows.claim(valueAt(index), count + index + 1) !== index + 1) wrong.push(index)
    }
    expect(wrong).toEqual([])
    expect(others.get(valueAt(7))).toBe(107)
    expect(others.get(valueAt(8))).toBeUndefined()
    expect(rows.size()).toBe(count)
  })

  it("leaves no file behind, even before it is closed", () => {
    const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith("profilesync-values-")))
    const file = openFile()
    const rows = FirstRows.make(file)
    for (let index = 0; index < 50_000; index++) rows.claim(`customer_id:${index}`, index + 1)
    const left = readdirSync(tmpdir()).filter((name) => name.startsWith("profilesync-values-") && !before.has(name))
    // Gone from the directory while still open (a killed process leaves nothing); the values still read back.
    expect(left).toEqual([])
    expect(rows.get("customer_id:7")).toBe(8)
    file.close()
  })
})
