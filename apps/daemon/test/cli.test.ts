/**
 * The built `profilesync` as a user meets it: help and version, no colours off a terminal, the config's JSON Schema
 * (shipped, printed, and accepting every example), and `init`.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { SyncConfig } from "@profilesync/sync"
import { Ajv } from "ajv"
import { afterAll, describe, expect, it } from "vitest"
import * as Yaml from "yaml"
import { packageDirectory, repositoryDirectory, runCli, temporaryDirectory } from "./support.ts"

const packageJson = JSON.parse(FileSystem.readFileSync(Path.join(packageDirectory, "package.json"), "utf8")) as {
  readonly version: string
}
const shippedSchema = JSON.parse(
  FileSystem.readFileSync(Path.join(packageDirectory, "profilesync.schema.json"), "utf8")
) as Record<string, unknown>
const validate = new Ajv({ allErrors: true, strict: false }).compile(shippedSchema)
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is looked for
const ansi = /\x1b\[/

const directory = temporaryDirectory()
afterAll(() => directory.cleanup())

describe("profilesync", () => {
  it("--version prints the package's version", async () => {
    const result = await runCli(["--version"])
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n`, stderr: "" })
  })

  it("--help and a command's --help print the hand-written help, without colours", async () => {
    const overview = await runCli(["--help"], { env: { FORCE_COLOR: "1" } })
    expect(overview.code).toBe(0)
    expect(overview.stdout).toMatch(/^Usage: profilesync <command> \[options\]$/m)
    const run = await runCli(["run", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: profilesync run \[-c FILE\]/m)
    expect(`${overview.stdout}${run.stdout}`).not.toMatch(ansi)
  })

  it("refuses unknown commands and options with exit 2, one prefixed line and no colours", async () => {
    const unknown = await runCli(["rn"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("profilesync: unknown command `rn`; did you mean `run`?")
    const option = await runCli(["status", "--bogus"], { env: { NO_COLOR: "1" } })
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("profilesync: Received unknown argument: '--bogus'")
    expect(option.stderr).not.toMatch(ansi)
    for (const builtIn of ["--wizard", "--completions", "--verbose"]) {
      expect((await runCli(["status", builtIn])).code, builtIn).toBe(2)
    }
    const level = await runCli(["status", "--log-level", "loud"])
    expect(level.code).toBe(2)
    expect(level.stderr).toContain("--log-level takes one of debug, info, warning, error")
  })

  it("config-schema prints the shipped JSON Schema, which is the one derived from SyncConfig", async () => {
    const result = await runCli(["config-schema"])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(shippedSchema)
    // `pnpm generate` rewrites the file; this fails when the config schema changed and it was not run.
    expect(shippedSchema).toEqual(JSON.parse(JSON.stringify(SyncConfig.jsonSchema())))
  })

  it("every example config validates against the JSON Schema and names it for editors", () => {
    const examplesDirectory = Path.join(repositoryDirectory, "examples")
    const examples = FileSystem.readdirSync(examplesDirectory)
      .filter((name) => name.endsWith(".yaml"))
      .map((name) => Path.join(examplesDirectory, name))
    expect(examples.length).toBeGreaterThanOrEqual(2)
    for (const file of examples) {
      const text = FileSystem.readFileSync(file, "utf8")
      const schemaLine = text.match(/^# yaml-language-server: \$schema=(.+)$/m)
      expect(schemaLine, file).not.toBeNull()
      expect(FileSystem.existsSync(Path.resolve(Path.dirname(file), schemaLine![1]!)), file).toBe(true)
      expect(validate(Yaml.parse(text)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  })

  it("the JSON Schema refuses what an editor should flag", () => {
    const valid = Yaml.parse(
      FileSystem.readFileSync(Path.join(repositoryDirectory, "examples", "customers.yaml"), "utf8")
    )
    expect(validate({ ...valid, sorce: valid.source })).toBe(false)
    expect(validate({ ...valid, state: { sqlite: "a.db", postgres: { urlEnv: "URL" } } })).toBe(false)
    expect(validate({ ...valid, source: { ...valid.source, delimiter: ";;" } })).toBe(false)
    expect(validate({ ...valid, deadLetters: { maxAttempts: 0 } })).toBe(false)
  })

  it("init writes a commented config from a CSV header that validate-config and the JSON Schema accept", async () => {
    const source = Path.join(directory.path, "Klanten export.csv")
    FileSystem.writeFileSync(
      source,
      '\uFEFF"E-mail adres";Mobiel;Voornaam;Achternaam;"Plaats, land";Customer ID\na@example.com;0612345678;An;Bos;Utrecht;7\n'
    )
    const config = Path.join(directory.path, "klanten.yaml")
    const init = await runCli(["init", "--from", source, "-o", config])
    expect(init.code, init.stderr).toBe(0)
    const text = FileSystem.readFileSync(config, "utf8")
    expect(text).toMatch(/^# yaml-language-server: \$schema=/)
    expect(text).toContain("path: ./Klanten export.csv ")
    expect(text).toContain('delimiter: ";"')
    const parsed = Yaml.parse(text)
    expect(parsed.name).toBe("klanten-export")
    expect(parsed.fields).toEqual({
      email: { column: "E-mail adres", type: "email" },
      phone: { column: "Mobiel", type: "phone", defaultCountry: "NL" },
      first_name: { column: "Voornaam", type: "text" },
      last_name: { column: "Achternaam", type: "text" },
      plaats_land: { column: "Plaats, land", type: "text" },
      customer_id: { column: "Customer ID", type: "text" }
    })
    expect(parsed.key).toEqual(["email", "phone"])
    expect(parsed.targets.ocamba.properties).toEqual({
      email: { property: "email", system: true },
      phone: { property: "mobile_phone_number", system: true }
    })
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true)

    const check = await runCli(["validate-config", "-c", config, "--json"])
    expect(check.code, check.stdout + check.stderr).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ valid: true, sync: "klanten-export", fields: 6 })

    const again = await runCli(["init", "--from", source, "-o", config])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("exists; give --force to overwrite it")
  })

  it("init reads NDJSON keys, and a file without email or phone still gives a valid config", async () => {
    const source = Path.join(directory.path, "accounts.ndjson")
    FileSystem.writeFileSync(source, '{"accountNumber":"1","companyName":"Acme","city":"Delft"}\n')
    const init = await runCli(["init", "--from", source], { cwd: directory.path })
    expect(init.code, init.stderr).toBe(0)
    const config = Path.join(directory.path, "accounts.yaml")
    FileSystem.writeFileSync(config, init.stdout)
    const parsed = Yaml.parse(init.stdout)
    expect(parsed.source).toEqual({ type: "ndjson", path: "./accounts.ndjson" })
    expect(Object.keys(parsed.fields)).toEqual(["account_number", "company_name", "city"])
    expect(parsed.targets.ocamba).toBeUndefined()
    const check = await runCli(["validate-config", "-c", config])
    expect(check.code, check.stdout + check.stderr).toBe(0)
  })

  it("init names a missing source file", async () => {
    const result = await runCli(["init", "--from", Path.join(directory.path, "nope.csv")])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("nope.csv: no such file")
  })
})
