/**
 * Install benchmark: what a user pays to install each published package. Every package is packed (scripts/pack.sh)
 * and installed with npm from its tarball, with the tarballs of its @profilesync dependencies, into an empty project
 * outside the workspace; npm fetches the rest (required peers included) from the registry, through the machine's npm
 * cache (warm after the first run, so seconds are install-and-build time, not download time). Reported per package:
 * installed packages, MB on disk, seconds, and native builds (native modules compiled during the install). Then the
 * cold-import time of `createOcambaClient` in a fresh node process, from `@profilesync/core` and from
 * `@profilesync/core/PromiseClient`, less an empty node start (median of 7).
 *
 * Usage: pnpm --filter @profilesync/bench install-size [--packages core,sync] [--json results/install.json]
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const repository = Path.resolve(import.meta.dirname, "..")
const flag = (name: string) => {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}
const chosen = flag("--packages")?.split(",") ?? ["contracts", "core", "sandbox", "sync", "proxy", "daemon"]
const jsonFile = flag("--json")

// The @profilesync packages each one depends on (its tarball and theirs are installed together).
const internal: Record<string, ReadonlyArray<string>> = {
  contracts: [],
  core: ["contracts"],
  sandbox: ["contracts"],
  sync: ["core", "contracts"],
  proxy: ["core", "contracts"],
  daemon: ["sync", "core", "contracts"]
}

const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-install-bench-"))
const tarballs = Path.join(scratch, "tarballs")
execFileSync("bash", [Path.join(repository, "scripts/pack.sh"), tarballs], { stdio: ["ignore", "ignore", "inherit"] })
const tarballOf = (name: string) => {
  const file = FileSystem.readdirSync(tarballs).find((entry) => entry.startsWith(`profilesync-${name}-`))
  if (file === undefined) throw new Error(`no tarball of @profilesync/${name}`)
  return Path.join(tarballs, file)
}
const npmEnv = {
  ...process.env,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false"
}

const sizeOf = (directory: string): number =>
  FileSystem.readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + FileSystem.statSync(Path.join(entry.parentPath, entry.name)).size, 0)

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const rows: Array<Record<string, unknown>> = []
let coreProject: string | undefined
for (const name of chosen) {
  const project = Path.join(scratch, name)
  FileSystem.mkdirSync(project)
  FileSystem.writeFileSync(Path.join(project, "package.json"), JSON.stringify({ name: `bench-${name}`, private: true }))
  const start = performance.now()
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-package-lock", ...[name, ...internal[name]!].map(tarballOf)],
    { cwd: project, env: npmEnv, stdio: ["ignore", "ignore", "inherit"] }
  )
  const seconds = (performance.now() - start) / 1000
  const listing = execFileSync("npm", ["ls", "--all", "--parseable"], { cwd: project, env: npmEnv, encoding: "utf8" })
  const packages = listing.split("\n").filter((line) => line.includes("node_modules")).length
  // A native build leaves its module(s) under the package's build/Release; one package counts once.
  const nativeBuilds = [
    ...new Set(
      FileSystem.readdirSync(Path.join(project, "node_modules"), { recursive: true, encoding: "utf8" })
        .filter((file) => /(^|\/)build\/Release\/[^/]+\.node$/.test(file))
        .map((file) => file.slice(0, file.lastIndexOf("/build/Release/")))
    )
  ]
  const row = {
    package: `@profilesync/${name}`,
    packages,
    megabytes: Number((sizeOf(Path.join(project, "node_modules")) / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    nativeBuilds: nativeBuilds.length,
    nativeModules: nativeBuilds
  }
  rows.push(row)
  console.error(
    `${row.package.padEnd(24)} ${String(packages).padStart(5)} packages ${String(row.megabytes).padStart(7)} MB ${String(row.seconds).padStart(6)} s  native builds: ${row.nativeBuilds}`
  )
  if (name === "core") coreProject = project
}

const imports: Array<Record<string, unknown>> = []
if (coreProject !== undefined) {
  FileSystem.writeFileSync(Path.join(coreProject, "package.json"), JSON.stringify({ private: true, type: "module" }))
  const timeNode = (code: string) =>
    median(
      Array.from({ length: 7 }, () => {
        const start = performance.now()
        execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: coreProject })
        return performance.now() - start
      })
    )
  const empty = timeNode("")
  for (const from of ["@profilesync/core", "@profilesync/core/PromiseClient"]) {
    const milliseconds =
      timeNode(
        `import { createOcambaClient } from "${from}"; if (typeof createOcambaClient !== "function") process.exit(1)`
      ) - empty
    imports.push({ import: `createOcambaClient from ${from}`, milliseconds: Number(milliseconds.toFixed(0)) })
    console.error(
      `cold import of createOcambaClient from ${from.padEnd(32)} ${milliseconds.toFixed(0).padStart(5)} ms (over an empty node start of ${empty.toFixed(0)} ms)`
    )
  }
}

const document = {
  date: new Date().toISOString(),
  node: process.version,
  npm: execFileSync("npm", ["--version"], { encoding: "utf8" }).trim(),
  loadAverage: Os.loadavg(),
  install: rows,
  coldImport: imports
}
if (jsonFile !== undefined)
  FileSystem.writeFileSync(Path.resolve(import.meta.dirname, jsonFile), `${JSON.stringify(document, null, 2)}\n`)
else console.log(JSON.stringify(document, null, 2))
FileSystem.rmSync(scratch, { recursive: true, force: true })
