/**
 * Test support: builds `@profilesync/contracts` and `@profilesync/core` into their `dist` once per test run, so tests
 * that spawn processes run built JavaScript (as a user would) instead of loading TypeScript in every child.
 */
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import * as Path from "node:path"

const packagesDirectory = Path.resolve(import.meta.dirname, "../../..")
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

const compile = (name: string): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, "-p", "tsconfig.build.json"],
      { cwd: Path.join(packagesDirectory, name), timeout: 180_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`building ${name} failed: ${error.message}\n${stdout}${stderr}`)) : resolve()
    )
  })

let built: Promise<void> | undefined

/** Builds contracts, then core (core imports the contracts' `dist`); later calls share the first build. */
export const buildCore = (): Promise<void> => {
  built ??= compile("contracts").then(() => compile("core"))
  return built
}
