/**
 * `ioredis` is an optional peer dependency: only `@profilesync/core/ThrottleRedis` may load it. Follows every static
 * import from the package's entry points through `src/` (a dynamic `import()` is loaded only when called, so it is not
 * followed) and checks which ones reach `ioredis`.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"

const sourceDirectory = Path.resolve(import.meta.dirname, "../src")
// `import … from "x"`, `import "x"` and `export … from "x"`, not `import type` (erased when compiled).
const staticImport =
  /^\s*(?:import(?!\s+type\b)[^"']*?from\s*|import\s*|export(?!\s+type\b)[^"']*?from\s*)["']([^"']+)["']/gm

const importsOf = (file: string): ReadonlyArray<string> =>
  [...FileSystem.readFileSync(file, "utf8").matchAll(staticImport)].map((match) => match[1]!)

/** The packages outside `src/` that loading `entry` loads, following relative imports. */
const packagesLoadedBy = (entry: string): ReadonlySet<string> => {
  const seen = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) visit(Path.resolve(Path.dirname(file), specifier))
      else packages.add(specifier.startsWith("node:") ? specifier : specifier.split("/")[0]!)
    }
  }
  visit(Path.join(sourceDirectory, entry))
  return packages
}

describe("ioredis, an optional peer dependency", () => {
  const entries = FileSystem.readdirSync(sourceDirectory).filter((name) => name.endsWith(".ts"))

  it("is loaded by ThrottleRedis", () => {
    assert.isTrue(packagesLoadedBy("ThrottleRedis.ts").has("ioredis"))
  })

  it("is not loaded by the package's main entry, Throttle, or any other public module", () => {
    assert.include(entries, "index.ts")
    assert.include(entries, "Throttle.ts")
    for (const entry of entries.filter((name) => name !== "ThrottleRedis.ts")) {
      assert.isFalse(packagesLoadedBy(entry).has("ioredis"), `${entry} loads ioredis`)
    }
  })
})
