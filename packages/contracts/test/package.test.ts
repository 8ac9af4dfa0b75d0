/**
 * Packs `@profilesync/contracts` as it would be published, installs the tarball into a scratch project outside the
 * workspace, type-checks a consumer against it and runs an import of it.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"

const packageDirectory = Path.resolve(import.meta.dirname, "..")
const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-contracts-consumer-"))
const require = createRequire(import.meta.url)
const typescriptCompiler = require.resolve("typescript/bin/tsc")
const typesNode = Path.dirname(
  require.resolve("@types/node/package.json", { paths: [Path.resolve(packageDirectory, "../..")] })
)
// pnpm sets npm_execpath to itself when it runs a script; a bare `pnpm` is the fallback for a direct vitest run.
const pnpm =
  process.env.npm_execpath?.includes("pnpm") === true ? [process.execPath, process.env.npm_execpath] : ["pnpm"]
const run = (command: ReadonlyArray<string>, cwd: string) =>
  execFileSync(command[0]!, command.slice(1), {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true" }
  })

afterAll(() => FileSystem.rmSync(scratch, { recursive: true, force: true }))

describe("the published package", () => {
  it("installs from its tarball, type-checks and imports in a project outside the workspace", () => {
    run([...pnpm, "pack", "--pack-destination", scratch], packageDirectory)
    const tarball = FileSystem.readdirSync(scratch).find((file) => file.endsWith(".tgz"))
    assert.isDefined(tarball)

    const listing = run(["tar", "-tzf", Path.join(scratch, tarball!)], scratch)
    assert.include(listing, "package/dist/index.js")
    assert.include(listing, "package/dist/index.d.ts")
    assert.notInclude(listing, "package/src/")
    assert.notInclude(listing, "package/test/")

    const project = Path.join(scratch, "consumer")
    FileSystem.mkdirSync(project)
    FileSystem.writeFileSync(
      Path.join(project, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { "@profilesync/contracts": `file:../${tarball}` }
      })
    )
    run([...pnpm, "install", "--prefer-offline", "--ignore-workspace", "--config.confirmModulesPurge=false"], project)
    FileSystem.symlinkSync(typesNode, Path.join(project, "node_modules/@types-node"), "dir")

    FileSystem.writeFileSync(
      Path.join(project, "consumer.ts"),
      [
        'import { Copernica, Ocamba, createCopernicaFetchClient, type OcambaTypes } from "@profilesync/contracts"',
        'import type { paths } from "@profilesync/contracts/ocamba-hood"',
        'const policy: "check-first" = Ocamba.operations.commitProfileImport.retry.policy',
        'const path: keyof paths = "/resync"',
        'type Property = OcambaTypes.components["schemas"]["ProfileProperty"]',
        'const client = createCopernicaFetchClient({ accessToken: "t", baseUrl: "http://127.0.0.1:1/v3" })',
        "export const used = [policy, path, client, Copernica.serverUrl] as const",
        "export type { Property }"
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
          typeRoots: ["./node_modules"],
          types: ["@types-node"]
        },
        files: ["consumer.ts"]
      })
    )
    const typeErrors = (() => {
      try {
        return run([process.execPath, typescriptCompiler, "-p", "tsconfig.json"], project)
      } catch (error) {
        return String((error as { stdout?: string }).stdout)
      }
    })()
    assert.strictEqual(typeErrors.trim(), "")

    FileSystem.writeFileSync(
      Path.join(project, "consumer.mjs"),
      [
        'import { Ocamba, Copernica } from "@profilesync/contracts"',
        "const outcome = Ocamba.validateRequest('createResync', { body: { resync: {} } })",
        "console.log(JSON.stringify({ operations: Object.keys(Ocamba.operations).length + Object.keys(Copernica.operations).length, refused: !outcome.ok, windows: Ocamba.rateLimits.windows }))"
      ].join("\n")
    )
    const printed = JSON.parse(run([process.execPath, "consumer.mjs"], project))
    assert.deepStrictEqual(printed, {
      operations: 14,
      refused: true,
      windows: [
        { limit: 10, windowSeconds: 1 },
        { limit: 150, windowSeconds: 60 }
      ]
    })
  }, 180_000)
})
