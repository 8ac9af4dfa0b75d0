/**
 * The libraries as a consumer gets them: each of core, sync and sandbox installed with npm from its tarball (with the
 * tarballs of its @profilesync dependencies, so nothing of ours comes from the registry, and its peers from the
 * registry at the workspace's locked versions) into a project outside the workspace; a consumer importing every
 * public subpath type-checks (NodeNext, strict) and runs under node. Core's install is also checked for what a
 * client-only user must not get: native code, SQL drivers, CSV parsers, YAML libraries, or ioredis loaded on import;
 * sync's, that npm installs no database driver the project did not ask for (they are optional peers) and a state
 * store needs only its own driver (a missing one is an error naming the package).
 */
import * as FileSystem from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { type NativeMirror, startNativeMirror } from "./native-mirror.ts"
import { repository, runProcess } from "./support.ts"

const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-consumer-"))
const typescriptCompiler = createRequire(Path.join(repository, "package.json")).resolve("typescript/bin/tsc")
const typesNode = Path.dirname(createRequire(Path.join(repository, "package.json")).resolve("@types/node/package.json"))

let tarballs: string
let mirror: NativeMirror

beforeAll(async () => {
  tarballs = inject("tarballs")
  mirror = await startNativeMirror()
})

afterAll(async () => {
  await mirror?.close()
  FileSystem.rmSync(scratch, { recursive: true, force: true })
})

/** The tarball `scripts/pack.sh` made of `packages/<name>`. */
const tarballOf = (name: string): string => {
  const file = FileSystem.readdirSync(tarballs).find((entry) => entry.startsWith(`profilesync-${name}-`))
  if (file === undefined) throw new Error(`no tarball of @profilesync/${name} in ${tarballs}`)
  return Path.join(tarballs, file)
}

/** The version of `dependency` the workspace's lockfile installed for `packages/<name>`. */
const lockedVersion = (name: string, dependency: string): string => {
  const manifest = Path.join(repository, "packages", name, "node_modules", dependency, "package.json")
  return (JSON.parse(FileSystem.readFileSync(manifest, "utf8")) as { readonly version: string }).version
}

/**
 * The public subpaths of `packages/<name>`: the root and, when it exports `./*`, one per `src/*.ts` module and per
 * module of a module's folder (`src/Source/Csv.ts` is `@profilesync/sync/Source/Csv`).
 */
const subpaths = (name: string): ReadonlyArray<string> => {
  const manifest = JSON.parse(
    FileSystem.readFileSync(Path.join(repository, "packages", name, "package.json"), "utf8")
  ) as { readonly publishConfig: { readonly exports: Record<string, unknown> } }
  const modules =
    "./*" in manifest.publishConfig.exports
      ? FileSystem.readdirSync(Path.join(repository, "packages", name, "src"), { recursive: true, encoding: "utf8" })
          .map((file) => file.split(Path.sep).join("/"))
          // A module folder is named like its module (`Source/`); `internal/` and `generated/` are not public.
          .filter((file) => /^[A-Z]\w*(\/[A-Z]\w*)?\.ts$/.test(file))
          .map((file) => `@profilesync/${name}/${file.slice(0, -3)}`)
      : []
  return [`@profilesync/${name}`, ...modules]
}

const npm = async (project: string, args: ReadonlyArray<string>) => {
  const result = await runProcess("npm", args, {
    cwd: project,
    env: {
      ...process.env,
      ...mirror.env,
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false"
    },
    timeoutMilliseconds: 600_000
  })
  expect(result.code, result.output).toBe(0)
  return result.output
}

/** A scratch project with `dependencies`, installed by npm (with `options`, e.g. `--legacy-peer-deps`); its directory. */
const install = async (
  label: string,
  dependencies: Record<string, string>,
  options: ReadonlyArray<string> = []
): Promise<string> => {
  const project = Path.join(scratch, label)
  FileSystem.mkdirSync(project)
  FileSystem.writeFileSync(
    Path.join(project, "package.json"),
    JSON.stringify({ name: `consumer-${label}`, private: true, type: "module", dependencies })
  )
  await npm(project, ["install", "--prefer-offline", "--no-package-lock", ...options])
  return project
}

/** Type-checks a consumer that imports every one of `modules` (strict, NodeNext); returns tsc's output. */
const typeCheck = async (project: string, modules: ReadonlyArray<string>): Promise<string> => {
  // A Node consumer has @types/node; the workspace's copy stands in for it (ioredis's types reference it).
  FileSystem.mkdirSync(Path.join(project, "node_modules/@types"), { recursive: true })
  FileSystem.symlinkSync(typesNode, Path.join(project, "node_modules/@types/node"), "dir")
  FileSystem.writeFileSync(
    Path.join(project, "consumer.ts"),
    [
      ...modules.map((module, index) => `import * as module${index} from "${module}"`),
      `export const modules = [${modules.map((_, index) => `module${index}`).join(", ")}] as const`
    ].join("\n")
  )
  FileSystem.writeFileSync(
    Path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"]
      },
      files: ["consumer.ts"]
    })
  )
  const result = await runProcess(process.execPath, [typescriptCompiler, "-p", "tsconfig.json"], {
    cwd: project,
    env: process.env,
    timeoutMilliseconds: 300_000
  })
  return result.output.trim()
}

/** Imports each of `modules` with node from the project; returns the export names of each. */
const importEach = async (project: string, modules: ReadonlyArray<string>): Promise<Record<string, Array<string>>> => {
  FileSystem.writeFileSync(
    Path.join(project, "import.mjs"),
    [
      `const modules = ${JSON.stringify(modules)}`,
      "const exported = {}",
      "for (const module of modules) exported[module] = Object.keys(await import(module))",
      "console.log(JSON.stringify(exported))"
    ].join("\n")
  )
  const result = await runProcess(process.execPath, ["import.mjs"], { cwd: project, env: process.env })
  expect(result.code, result.output).toBe(0)
  return JSON.parse(result.output) as Record<string, Array<string>>
}

/** The package names in `npm ls --all --parseable` of the project. */
const installedPackages = async (project: string): Promise<ReadonlyArray<string>> => {
  const listing = await npm(project, ["ls", "--all", "--parseable"])
  return listing
    .split("\n")
    .filter((line) => line.includes("node_modules"))
    .map((line) => {
      const tail = line.trim().split("node_modules/").at(-1) ?? ""
      return tail.startsWith("@") ? tail.split("/").slice(0, 2).join("/") : (tail.split("/")[0] ?? "")
    })
}

// Modules that declare types only (the type check covers them): they import, and export nothing at run time.
const typeOnlyModules: ReadonlyArray<string> = ["@profilesync/core/Vendor"]

const expectEveryModuleExports = (exported: Record<string, Array<string>>, modules: ReadonlyArray<string>) => {
  expect(Object.keys(exported)).toEqual([...modules])
  for (const module of modules) {
    if (typeOnlyModules.includes(module)) expect(exported[module], module).toEqual([])
    else expect(exported[module]?.length ?? 0, module).toBeGreaterThan(0)
  }
}

describe("each library installed with npm into a project outside the workspace", () => {
  it("core: no native code, no SQL driver, CSV parser or YAML library, ioredis only for ThrottleRedis", async () => {
    const modules = subpaths("core")
    expect(modules).toContain("@profilesync/core/ThrottleRedis")
    const project = await install("core", {
      "@profilesync/core": `file:${tarballOf("core")}`,
      "@profilesync/contracts": `file:${tarballOf("contracts")}`,
      effect: lockedVersion("core", "effect")
    })

    const packages = await installedPackages(project)
    expect(packages).toContain("@profilesync/core")
    expect(packages).toContain("libphonenumber-js")
    const forbidden = [
      "pg",
      "better-sqlite3",
      "csv-parse",
      "papaparse",
      "yaml",
      "js-yaml",
      "ioredis",
      "node-gyp-build",
      "prebuild-install"
    ]
    expect(packages.filter((name) => forbidden.includes(name) || name.startsWith("@effect/sql"))).toEqual([])
    const native = FileSystem.readdirSync(Path.join(project, "node_modules"), {
      recursive: true,
      encoding: "utf8"
    }).filter((file) => file.endsWith(".node") || /(^|\/)build\/(Release|Makefile|config\.gypi)/.test(file))
    expect(native).toEqual([])

    // Without ioredis installed, the root and every other subpath import: none of them loads it.
    const withoutRedis = modules.filter((module) => !module.endsWith("/ThrottleRedis"))
    expectEveryModuleExports(await importEach(project, withoutRedis), withoutRedis)

    await npm(project, [
      "install",
      "--prefer-offline",
      "--no-package-lock",
      `ioredis@${lockedVersion("core", "ioredis")}`
    ])
    expect(await typeCheck(project, modules)).toBe("")
    expectEveryModuleExports(await importEach(project, modules), modules)
  }, 900_000)

  it("sync: with only the SQLite driver installed, SQLite state works and PostgreSQL names its driver; every subpath", async () => {
    const modules = subpaths("sync")
    expect(modules).toEqual(
      expect.arrayContaining([
        "@profilesync/sync/Sync",
        "@profilesync/sync/SyncState",
        "@profilesync/sync/Source/Csv",
        "@profilesync/sync/Source/Json",
        "@profilesync/sync/Source/Postgres",
        "@profilesync/sync/SyncState/Sqlite",
        "@profilesync/sync/SyncState/Postgres"
      ])
    )
    // A consumer that installs one driver, SQLite's, as the README says: the drivers are optional peers, so npm
    // installs sync's required peers itself and leaves the PostgreSQL driver out. SQLite's native module comes from
    // the loopback mirror.
    const project = await install("sync", {
      "@profilesync/sync": `file:${tarballOf("sync")}`,
      "@profilesync/core": `file:${tarballOf("core")}`,
      "@profilesync/contracts": `file:${tarballOf("contracts")}`,
      effect: lockedVersion("sync", "effect"),
      "@effect/sql-sqlite-node": lockedVersion("sync", "@effect/sql-sqlite-node")
    })
    const packages = await installedPackages(project)
    expect(packages).toEqual(expect.arrayContaining(["@effect/sql", "@effect/experimental", "better-sqlite3"]))
    expect(packages.filter((name) => name === "pg" || name === "@effect/sql-pg")).toEqual([])

    // A SQLite store opens and takes a run; a PostgreSQL store fails before connecting, naming the package.
    FileSystem.writeFileSync(
      Path.join(project, "stores.mjs"),
      [
        'import * as Effect from "effect/Effect"',
        'import * as SyncState from "@profilesync/sync/SyncState"',
        "const startRun = (layer) =>",
        "  Effect.runPromise(",
        '    Effect.flatMap(SyncState.SyncState, (store) => store.startRun({ sync: "s", targets: ["ocamba"] })).pipe(',
        "      Effect.provide(layer),",
        "      Effect.either",
        "    )",
        "  )",
        'const sqlite = await startRun(SyncState.layerSqlite({ filename: "state.db" }))',
        'const postgres = await startRun(SyncState.layerPostgres({ url: "postgres://127.0.0.1:9/state" }))',
        "const outcome = (result) =>",
        "  result._tag === 'Right' ? { status: result.right.status } : { reason: result.left.reason._tag, message: result.left.message }",
        "console.log(JSON.stringify({ sqlite: outcome(sqlite), postgres: outcome(postgres) }))"
      ].join("\n")
    )
    const stores = await runProcess(process.execPath, ["stores.mjs"], { cwd: project, env: process.env })
    expect(stores.code, stores.output).toBe(0)
    expect(JSON.parse(stores.output)).toEqual({
      sqlite: { status: "running" },
      postgres: {
        reason: "MissingDriver",
        message: expect.stringContaining("needs the package @effect/sql-pg, which is not installed")
      }
    })

    await npm(project, [
      "install",
      "--prefer-offline",
      "--no-package-lock",
      `@effect/sql-pg@${lockedVersion("sync", "@effect/sql-pg")}`,
      // The Redis throttle's optional peer, which the types of every subpath (core's ThrottleRedis) reference.
      `ioredis@${lockedVersion("sync", "ioredis")}`
    ])
    expect(await typeCheck(project, modules)).toBe("")
    expectEveryModuleExports(await importEach(project, modules), modules)
  }, 900_000)

  it("sandbox: its one entry point", async () => {
    const modules = subpaths("sandbox")
    expect(modules).toEqual(["@profilesync/sandbox"])
    const project = await install("sandbox", {
      "@profilesync/sandbox": `file:${tarballOf("sandbox")}`,
      "@profilesync/contracts": `file:${tarballOf("contracts")}`
    })
    expect(await typeCheck(project, modules)).toBe("")
    const exported = await importEach(project, modules)
    expect(exported["@profilesync/sandbox"]).toContain("startSandbox")
  }, 600_000)
})
