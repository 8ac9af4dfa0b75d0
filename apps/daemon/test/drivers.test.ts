/**
 * @module
 * The daemon's driver loaders cover every driver module `@profilesync/sync` imports (`Drivers.modules`), and each
 * imports its module from the daemon's own dependencies.
 */
import { modules } from "@profilesync/sync/Drivers"
import { describe, expect, it } from "vitest"
import { loaders } from "../src/drivers.ts"

describe("the daemon's driver loaders", () => {
  const specifiers = [...new Set(Object.values(modules).flat())]

  it("cover every module sync's stores and sources import", () => {
    expect(specifiers.length).toBeGreaterThanOrEqual(5)
    expect(specifiers.filter((specifier) => loaders[specifier] === undefined)).toEqual([])
  })

  it.each(specifiers)("import %s", async (specifier) => {
    const module = (await loaders[specifier]!()) as Record<string, unknown>
    expect(Object.keys(module).length).toBeGreaterThan(0)
  })
})
