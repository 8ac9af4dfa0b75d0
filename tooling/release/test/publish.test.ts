/**
 * Each packed package as the registry would receive it: `npm publish --dry-run` passes without warnings (beyond not
 * being logged in), the tarball ships LICENSE, README and CHANGELOG, no sources, tests or source maps, and every
 * `exports` target (and `bin`) it names is a file in the tarball.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { describe, expect, inject, it } from "vitest"
import { runProcess } from "./support.ts"

const tarballs = inject("tarballs")
const files = FileSystem.readdirSync(tarballs).filter((file) => file.endsWith(".tgz"))

/** Every string an `exports` map can resolve to. */
const targets = (exports: unknown): ReadonlyArray<string> =>
  typeof exports === "string"
    ? [exports]
    : exports !== null && typeof exports === "object"
      ? Object.values(exports).flatMap(targets)
      : []

describe("the packed packages", () => {
  it("are the six published packages", () => {
    expect(files.map((file) => file.replace(/-\d+\.\d+\.\d+\.tgz$/, "")).sort()).toEqual([
      "profilesync-contracts",
      "profilesync-core",
      "profilesync-daemon",
      "profilesync-proxy",
      "profilesync-sandbox",
      "profilesync-sync"
    ])
  })

  it.each(files)("%s passes npm publish --dry-run and ships what its manifest names", async (file) => {
    const tarball = Path.join(tarballs, file)
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((entry) => entry !== "")
      .map((entry) => entry.replace(/^package\//, ""))
    const manifest = JSON.parse(
      execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })
    ) as Record<string, unknown>

    for (const required of ["LICENSE", "README.md", "CHANGELOG.md", "package.json"]) expect(listing).toContain(required)
    expect(listing.filter((entry) => /^(src|test)\/|\.map$|\.test\./.test(entry))).toEqual([])
    expect(manifest).toMatchObject({ license: "MIT", publishConfig: { access: "public" } })
    for (const field of ["repository", "homepage", "bugs", "keywords", "description"])
      expect(manifest).toHaveProperty(field)
    expect(JSON.stringify(manifest)).not.toContain("workspace:")
    expect(JSON.stringify(manifest.exports ?? {})).not.toContain("@profilesync/source")

    for (const target of targets(manifest.exports)) {
      const relative = target.replace(/^\.\//, "")
      if (relative.includes("*")) {
        const pattern = new RegExp(`^${relative.replace(".", "\\.").replace("*", "[^/]+")}$`)
        expect(
          listing.some((entry) => pattern.test(entry)),
          target
        ).toBe(true)
      } else {
        expect(listing, target).toContain(relative)
      }
    }
    for (const target of targets(manifest.bin)) expect(listing).toContain(target.replace(/^\.\//, ""))

    const published = await runProcess("npm", ["publish", "--dry-run", tarball], {
      // Without the npm_config_* variables pnpm sets for its scripts: npm would warn about pnpm's own settings.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
        npm_config_update_notifier: "false"
      },
      cwd: tarballs
    })
    expect(published.code, published.output).toBe(0)
    expect(published.output).toContain(`+ ${manifest.name}@${manifest.version}`)
    const warnings = published.output
      .split("\n")
      .filter((line) => line.startsWith("npm warn") && !line.includes("requires you to be logged in"))
    expect(warnings).toEqual([])
  })
})
