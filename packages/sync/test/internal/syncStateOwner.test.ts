/**
 * Lock owners: `host:pid:random` parsed, and which holders are known to be dead (a process of this host that is gone,
 * or one with this process's pid that this process does not hold a lock as).
 */
import { describe, expect, it } from "vitest"
import { isDeadLocalOwner, parseOwner } from "../../src/internal/syncStateOwner.ts"

describe("lock owners", () => {
  const here = {
    host: "box",
    pid: 100,
    exists: (pid: number) => pid === 200,
    heldHere: (owner: string) => owner === "box:100:live"
  }

  it("parses host:pid:random, host names with colons included", () => {
    expect(parseOwner("box:42:abcd1234")).toEqual({ host: "box", pid: 42 })
    expect(parseOwner("fe80::1:42:abcd")).toEqual({ host: "fe80::1", pid: 42 })
    expect(parseOwner("someone")).toBeUndefined()
  })

  it("is dead only for a gone process of this host, or an earlier process that had this pid", () => {
    expect(isDeadLocalOwner("box:300:aaaa", here)).toBe(true)
    expect(isDeadLocalOwner("box:100:aaaa", here)).toBe(true)
    expect(isDeadLocalOwner("box:100:live", here)).toBe(false)
    expect(isDeadLocalOwner("box:200:aaaa", here)).toBe(false)
    expect(isDeadLocalOwner("other:300:aaaa", here)).toBe(false)
    expect(isDeadLocalOwner("not-an-owner", here)).toBe(false)
  })
})
