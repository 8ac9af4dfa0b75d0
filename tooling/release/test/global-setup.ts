/**
 * Builds and packs every published package once, with `scripts/pack.sh` (what the Dockerfile runs), and hands the
 * directory of tarballs to the test files as `tarballs`.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    tarballs: string
  }
}

const repository = Path.resolve(import.meta.dirname, "../../..")

export default function setup(project: TestProject) {
  const directory = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-tarballs-"))
  execFileSync("bash", [Path.join(repository, "scripts/pack.sh"), directory], {
    cwd: repository,
    stdio: ["ignore", "ignore", "inherit"]
  })
  project.provide("tarballs", directory)
  return () => FileSystem.rmSync(directory, { recursive: true, force: true })
}
