/**
 * @module
 * The README's "Against the sandbox" example, followed as written: the config it names exists, is valid, and a run
 * of the command it shows (same command, same environment) syncs the bundled profiles into a sandbox. The one change
 * is the port: the test's sandbox listens on a free one, not on 4010, so the test never meets another sandbox.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { packageDirectory, repositoryDirectory, runCli, temporaryDirectory } from "./support.ts"

const readme = FileSystem.readFileSync(Path.join(packageDirectory, "README.md"), "utf8")

// The ```sh block of the "Against the sandbox" section.
const sandboxSection = (): string => {
  const section = readme.slice(readme.indexOf("### Against the sandbox"))
  const block = /```sh\n([\s\S]*?)```/.exec(section)
  if (block === null) throw new Error("the README has no sh block under 'Against the sandbox'")
  return block[1]!
}

describe("the daemon README's sandbox example", { timeout: 240_000 }, () => {
  let sandbox: Sandbox
  const directory = temporaryDirectory()

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7 })
  })
  afterAll(async () => {
    await sandbox.close()
    directory.cleanup()
  })

  it("runs as written: the config exists, and the command syncs the bundled profiles", async () => {
    const lines = sandboxSection().replaceAll("\\\n", " ").split("\n")
    expect(lines[0]).toMatch(/^pnpm --filter @profilesync\/sandbox start --port 4010 &$/)
    const command = lines[1]!.trim().split(/\s+/)
    // `VAR=value … apps/daemon/bin/profilesync.js run --config examples/sandbox.yaml`
    const environment = Object.fromEntries(
      command.filter((word) => /^[A-Z_]+=/.test(word)).map((word) => word.split("=") as [string, string])
    )
    const [bin, ...args] = command.filter((word) => !/^[A-Z_]+=/.test(word))
    expect(bin).toBe("apps/daemon/bin/profilesync.js")
    const configIndex = args.indexOf("--config") + 1
    const documented = Path.join(repositoryDirectory, args[configIndex]!)
    expect(FileSystem.existsSync(documented), `${documented} exists`).toBe(true)

    // The same config on the test's sandbox, with its files beside it.
    const port = new URL(sandbox.url).port
    const text = FileSystem.readFileSync(documented, "utf8")
    expect(text.match(/127\.0\.0\.1:4010/g)?.length).toBe(2)
    const config = Path.join(directory.path, "sandbox.yaml")
    FileSystem.writeFileSync(config, text.replaceAll("127.0.0.1:4010", `127.0.0.1:${port}`))
    FileSystem.copyFileSync(
      Path.join(Path.dirname(documented), "profiles.csv"),
      Path.join(directory.path, "profiles.csv")
    )
    args[configIndex] = config

    const result = await runCli([...args, "--json"], { env: environment, timeoutMilliseconds: 200_000 })
    expect(result.code, result.stderr.slice(-2000)).toBe(0)
    const report = JSON.parse(result.stdout) as {
      status: string
      read: number
      targets: Record<string, { created: number }>
    }
    expect(report.status).toBe("succeeded")
    expect(report.read).toBe(10_000)
    expect(report.targets.ocamba!.created).toBeGreaterThan(9_000)
    expect(report.targets.copernica!.created).toBeGreaterThan(9_000)
    expect(sandbox.state.copernica.account("copernica-account-1").databases.get(1)!.profiles.size).toBe(
      report.targets.copernica!.created
    )
  })
})
