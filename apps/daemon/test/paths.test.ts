/**
 * @module
 * What the daemon writes and where, checked before anything is sent: a dry run writes nothing (no store, no
 * directory, an existing store byte for byte unchanged); `validate-config` refuses a directory where a file goes and
 * an output it cannot write, naming the config key and the path; `run` refuses them before its first vendor call.
 */
import { createHash } from "node:crypto"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, runCli, sandboxTokens, temporaryDirectory, writeConfig, writeProfiles } from "./support.ts"

const env = { ...sandboxTokens }

// Every file under a directory with a digest of its content, to compare a tree before and after.
const snapshot = (directory: string): Record<string, string> => {
  const files: Record<string, string> = {}
  for (const entry of FileSystem.readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const path = Path.join(entry.parentPath, entry.name)
    files[Path.relative(directory, path)] = entry.isFile()
      ? createHash("sha256").update(FileSystem.readFileSync(path)).digest("hex")
      : "directory"
  }
  return files
}

const vendorImports = (sandbox: Sandbox): number =>
  sandbox.state.copernica.account("copernica-account-1").imports.size +
  sandbox.state.ocamba.account("ocamba-account-1").imports.size

// Each case starts the CLI up to three times; on a loaded machine one start can take several seconds.
describe("paths", { timeout: 120_000 }, () => {
  let sandbox: Sandbox
  const directories: Array<{ readonly cleanup: () => void }> = []

  const story = (profiles = makeProfiles(4)) => {
    const directory = temporaryDirectory()
    directories.push(directory)
    writeProfiles(Path.join(directory.path, "profiles.csv"), profiles)
    const config = writeConfig({
      directory: directory.path,
      ocambaBaseUrl: sandbox.ocambaBaseUrl,
      copernicaBaseUrl: sandbox.copernicaBaseUrl
    })
    return { directory: directory.path, config }
  }

  // Replaces one line of the config written by `writeConfig`.
  const edit = (config: string, from: string, to: string) => {
    const text = FileSystem.readFileSync(config, "utf8")
    expect(text).toContain(from)
    FileSystem.writeFileSync(config, text.replace(from, to))
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11 })
  })
  afterEach(() => {
    sandbox.reset()
    for (const directory of directories.splice(0)) directory.cleanup()
  })
  afterAll(() => sandbox.close())

  describe("a dry run", () => {
    it("creates no state store and no directory when there is none", async () => {
      const { directory, config } = story()
      const before = snapshot(directory)
      const result = await runCli(["run", "--config", config, "--dry-run", "--json"], { env })
      expect(result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"))).toEqual([])
      expect(result.code).toBe(0)
      // A missing store is an empty one: every row would be created.
      expect(JSON.parse(result.stdout)).toMatchObject({
        dryRun: true,
        read: 4,
        targets: { ocamba: { created: 4, unchanged: 0 }, copernica: { created: 4, unchanged: 0 } }
      })
      expect(snapshot(directory)).toEqual(before)
      expect(FileSystem.existsSync(Path.join(directory, "state"))).toBe(false)
      expect(vendorImports(sandbox)).toBe(0)
    })

    it("reads an existing store and leaves every file of it as it was", async () => {
      const { directory, config } = story()
      const real = await runCli(["run", "--config", config, "--json"], { env })
      expect(real.code).toBe(0)
      // One more row, so the dry run has something to plan besides what the store knows.
      writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(5))
      const before = snapshot(directory)
      const imports = vendorImports(sandbox)
      const result = await runCli(["run", "--config", config, "--dry-run", "--json"], { env })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({
        dryRun: true,
        read: 5,
        targets: { ocamba: { created: 1, unchanged: 4 }, copernica: { created: 1, unchanged: 4 } }
      })
      // The one file a dry run writes is its rejects preview, beside the configured rejects file.
      const after = snapshot(directory)
      expect(Object.keys(after).filter((file) => !(file in before))).toEqual(["state/rejects.dry-run.ndjson"])
      delete after["state/rejects.dry-run.ndjson"]
      expect(after).toEqual(before)
      expect(vendorImports(sandbox)).toBe(imports)
    })
  })

  describe("validate-config and run refuse a path that cannot work", () => {
    const cases = [
      { key: "source.path", from: "path: ./profiles.csv", directoryName: "profiles-directory" },
      { key: "state.sqlite", from: "sqlite: ./state/profilesync.db", directoryName: "state-directory" },
      { key: "rejects.path", from: "path: ./state/rejects.ndjson", directoryName: "rejects-directory" }
    ] as const

    for (const { key, from, directoryName } of cases) {
      it(`${key} naming a directory`, async () => {
        const { directory, config } = story()
        FileSystem.mkdirSync(Path.join(directory, directoryName))
        edit(config, from, from.replace(/\.\/[\w./-]+$/, `./${directoryName}`))
        const expected = `${key}: ${Path.join(directory, directoryName)} is a directory, not a file`

        const validated = await runCli(["validate-config", "--config", config], { env })
        expect(validated.code).toBe(2)
        expect(validated.stdout).toBe("")
        expect(validated.stderr).toContain(expected)

        const json = await runCli(["validate-config", "--config", config, "--json"], { env })
        expect(json.code).toBe(2)
        expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, issues: [{ path: key }] })

        const run = await runCli(["run", "--config", config], { env })
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(expected)
        expect(vendorImports(sandbox)).toBe(0)
      })
    }

    it("a token file that is a directory", async () => {
      const { directory, config } = story()
      const tokenDirectory = Path.join(directory, "token")
      FileSystem.mkdirSync(tokenDirectory)
      edit(config, "credentials: { tokenEnv: COPERNICA_TOKEN }", `credentials: { tokenFile: ${tokenDirectory} }`)
      const validated = await runCli(["validate-config", "--config", config], { env })
      expect(validated.code).toBe(2)
      expect(validated.stderr).toContain(
        `targets.copernica.credentials.tokenFile: ${tokenDirectory} is a directory, not a file`
      )
      const run = await runCli(["run", "--config", config], { env })
      expect(run.code).toBe(2)
      expect(vendorImports(sandbox)).toBe(0)
    })

    it("a rejects file under a path that is a file, so its directory cannot be created", async () => {
      const { directory, config } = story()
      const file = Path.join(directory, "not-a-directory")
      FileSystem.writeFileSync(file, "")
      edit(config, "path: ./state/rejects.ndjson", "path: ./not-a-directory/rejects.ndjson")
      const validated = await runCli(["validate-config", "--config", config], { env })
      expect(validated.code).toBe(2)
      expect(validated.stderr).toContain(
        `rejects.path: ${Path.join(file, "rejects.ndjson")} cannot be created: ${file} is not a directory`
      )
      const run = await runCli(["run", "--config", config], { env })
      expect(run.code).toBe(2)
      expect(vendorImports(sandbox)).toBe(0)
    })

    it("a source file that does not exist yet is only a warning for validate-config", async () => {
      const { directory, config } = story()
      FileSystem.rmSync(Path.join(directory, "profiles.csv"))
      const validated = await runCli(["validate-config", "--config", config], { env })
      expect(validated.code).toBe(0)
      expect(validated.stdout).toContain(
        `warning: source.path: ${Path.join(directory, "profiles.csv")} does not exist (yet); runs need it`
      )
    })
  })
})
