/**
 * What every published package says about where it comes from agrees: one repository
 * (github.com/profilesync/profilesync) in each manifest's `repository`, `homepage` and `bugs` and in the systemd units'
 * `Documentation=`, one LICENSE (the root's, copied into each package, which npm publishes), and no placeholder left
 * where a user reads it (manifests, LICENSEs, READMEs, deploy/).
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { repository } from "./support.ts"

const source = "https://github.com/profilesync/profilesync"
const published = [
  "packages/contracts",
  "packages/core",
  "packages/sync",
  "packages/sandbox",
  "apps/proxy",
  "apps/daemon"
]

const read = (file: string) => FileSystem.readFileSync(Path.join(repository, file), "utf8")

/** The files of `directory`, recursively (relative to the repository). */
const filesUnder = (directory: string): ReadonlyArray<string> =>
  FileSystem.readdirSync(Path.join(repository, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(directory, entry.name)
    return entry.isDirectory() ? filesUnder(path) : [path]
  })

describe("package metadata", () => {
  it("the published packages are every folder under packages/ and apps/", () => {
    const folders = ["packages", "apps"].flatMap((parent) =>
      FileSystem.readdirSync(Path.join(repository, parent)).map((name) => `${parent}/${name}`)
    )
    expect(folders.toSorted()).toEqual(published.toSorted())
  })

  it.each(published)("%s names the one repository, its folder in it, and the MIT license", (folder) => {
    const manifest = JSON.parse(read(`${folder}/package.json`))
    expect(manifest).toMatchObject({
      license: "MIT",
      repository: { type: "git", url: `git+${source}.git`, directory: folder },
      homepage: `${source}/tree/main/${folder}#readme`,
      bugs: { url: `${source}/issues` }
    })
    expect(read(`${folder}/LICENSE`)).toBe(read("LICENSE"))
  })

  it("the LICENSE names its year and holders", () => {
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The profilesync contributors\n/)
  })

  it("the systemd units document themselves at the same repository", () => {
    const units = filesUnder("deploy/systemd")
    expect(units.length).toBeGreaterThan(0)
    for (const unit of units) expect(read(unit), unit).toContain(`Documentation=${source}/tree/main/deploy#systemd`)
  })

  it("no placeholder is left in a manifest, a LICENSE, a README or deploy/", () => {
    const files = [
      "LICENSE",
      "README.md",
      ...published.flatMap((folder) => [`${folder}/package.json`, `${folder}/LICENSE`, `${folder}/README.md`]),
      ...filesUnder("deploy")
    ]
    const placeholders = [
      /\bOWNER\b|\bTODO\b|\bFIXME\b/,
      /your-org|your_org|<year>|\[year\]|\[fullname\]|<owner>|<repo>/i
    ]
    for (const file of files) {
      for (const placeholder of placeholders) expect(placeholder.exec(read(file))?.[0], file).toBeUndefined()
    }
  })
})
