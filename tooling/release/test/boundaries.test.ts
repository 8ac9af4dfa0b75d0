/**
 * The packages import each other one way only, as the root README draws it: contracts at the bottom, core on
 * contracts, sync on core, the proxy on core alone (it never loads the sync engine), the daemon on sync, and the
 * sandbox on contracts alone (the independent judge). Every `@profilesync/*` import in a package's `src/` must be
 * allowed here and declared in its manifest, so a published package never reaches for one it does not install.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { repository } from "./support.ts"

const allowed: Record<string, ReadonlyArray<string>> = {
  "packages/contracts": [],
  "packages/core": ["@profilesync/contracts"],
  "packages/sync": ["@profilesync/contracts", "@profilesync/core"],
  "packages/sandbox": ["@profilesync/contracts"],
  "apps/proxy": ["@profilesync/contracts", "@profilesync/core"],
  "apps/daemon": ["@profilesync/contracts", "@profilesync/core", "@profilesync/sync"]
}

const sourceFiles = (directory: string): ReadonlyArray<string> =>
  FileSystem.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path)
    return /\.tsx?$/.test(entry.name) ? [path] : []
  })

/** The workspace packages a file imports (statically or dynamically), by package name. */
const importedPackages = (file: string): ReadonlyArray<string> =>
  Array.from(
    FileSystem.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(@profilesync\/[a-z-]+)(?:\/[^"]*)?"/g),
    (match) => match[1]!
  )

describe("package boundaries", () => {
  it.each(Object.keys(allowed))("%s imports only the packages below it, and declares them", (folder) => {
    const manifest = JSON.parse(FileSystem.readFileSync(Path.join(repository, folder, "package.json"), "utf8")) as {
      readonly dependencies?: Record<string, string>
      readonly peerDependencies?: Record<string, string>
    }
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {})
    ])
    const found = new Map<string, string>()
    for (const file of sourceFiles(Path.join(repository, folder, "src"))) {
      for (const name of importedPackages(file)) found.set(name, Path.relative(repository, file))
    }
    const own = JSON.parse(FileSystem.readFileSync(Path.join(repository, folder, "package.json"), "utf8")).name
    found.delete(own)
    for (const [name, file] of found) {
      expect(allowed[folder], `${file} imports ${name}`).toContain(name)
      expect(declared.has(name), `${file} imports ${name}, which ${folder}/package.json does not declare`).toBe(true)
    }
    // Nothing the manifest promises the other way: no published package depends on a package above it.
    for (const name of declared) {
      if (name.startsWith("@profilesync/")) expect(allowed[folder], `${folder} declares ${name}`).toContain(name)
    }
  })
})
