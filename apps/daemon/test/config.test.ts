/**
 * @module
 * Config errors as a scheduler and a human see them: `validate-config` accepts the bundled example and refuses a bad
 * file (derived field values included: an unknown transform, a missing lookup file, two sources of one value); `run` with a typo prints one `file:line:column: yaml.path: problem` line, exits 2, and leaves the state store
 * as it was.
 */
import { createHash } from "node:crypto"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, repositoryDirectory, runCli, temporaryDirectory, writeConfig, writeProfiles } from "./support.ts"

const example = Path.join(repositoryDirectory, "examples", "customers.yaml")

describe("validate-config", () => {
  it("accepts the bundled example", async () => {
    const result = await runCli(["validate-config", "--config", example])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("customers.yaml is valid.")
    expect(result.stdout).toContain("sync      customers")
    expect(result.stdout).toMatch(/schedule {2}\*\/15 \* \* \* \* \(Europe\/Amsterdam\); next run \d{4}-/)
  })

  describe("with a bad file", () => {
    const directory = temporaryDirectory()
    let bad = ""
    beforeAll(() => {
      bad = Path.join(directory.path, "customers.yaml")
      const text = FileSystem.readFileSync(example, "utf8").replace('  delimiter: ","', '  delimitr: ","')
      FileSystem.writeFileSync(bad, text)
    })
    afterAll(() => directory.cleanup())

    it("names the file, line, column and YAML path, and exits 2", async () => {
      const result = await runCli(["validate-config", "--config", bad])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr).toContain(
        `${bad}:13:3: source.delimitr: unknown key \`delimitr\`; did you mean \`delimiter\`?`
      )
      expect(result.stderr).not.toMatch(/^\s+at /m)
    })

    it("lists the problems as JSON with --json", async () => {
      const result = await runCli(["validate-config", "--config", bad, "--json"])
      expect(result.code).toBe(2)
      expect(JSON.parse(result.stdout)).toEqual({
        valid: false,
        file: bad,
        issues: [
          {
            line: 13,
            column: 3,
            path: "source.delimitr",
            message: "unknown key `delimitr`; did you mean `delimiter`?"
          }
        ]
      })
    })
  })

  describe("with a mode Ocamba cannot honour", () => {
    const directory = temporaryDirectory()
    afterAll(() => directory.cleanup())

    it("names targets.ocamba.mode and why, and exits 2", async () => {
      const file = Path.join(directory.path, "customers.yaml")
      const text = FileSystem.readFileSync(example, "utf8").replace(
        "\n  ocamba:\n",
        "\n  ocamba:\n    mode: update-only\n"
      )
      FileSystem.writeFileSync(file, text)
      const result = await runCli(["validate-config", "--config", file])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(
        `${file}:32:11: targets.ocamba.mode: \`update-only\` cannot be honoured by Ocamba: its import always creates a profile no row matches`
      )
    })
  })

  describe("with derived field values", () => {
    const directory = temporaryDirectory()
    afterAll(() => directory.cleanup())
    const withFields = (name: string, city: string, country: string) => {
      const file = Path.join(directory.path, name)
      const text = FileSystem.readFileSync(example, "utf8")
        .replace("  city: { column: city, type: text }", `  city: ${city}`)
        .replace("  country: { column: country, type: text }", `  country: ${country}`)
        .replace("path: ./profiles.csv", `path: ${Path.join(Path.dirname(example), "profiles.csv")}`)
      FileSystem.writeFileSync(file, text)
      return file
    }

    it("accepts a constant, a template, transforms, a lookup file and a default", async () => {
      FileSystem.writeFileSync(Path.join(directory.path, "countries.csv"), "from,to\nNL,Netherlands\n")
      const file = withFields(
        "good.yaml",
        '{ template: "{city} ({country})", type: text, default: Unknown }',
        "{ column: country, type: text, transforms: [trim, uppercase, { lookup: { file: countries.csv } }] }"
      )
      const result = await runCli(["validate-config", "--config", file])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
    })

    it("names an unknown transform and a missing lookup file at their YAML paths, and exits 2", async () => {
      const unknown = withFields(
        "unknown.yaml",
        "{ column: city, type: text }",
        "{ type: text, transforms: [titlecase] }"
      )
      const unknownResult = await runCli(["validate-config", "--config", unknown])
      expect(unknownResult.code).toBe(2)
      expect(unknownResult.stderr).toContain(
        `${unknown}:23:39: fields.country.transforms[0]: expected a transform: \`trim\`, \`lowercase\`, \`uppercase\` or \`{ lookup: { file: table.csv } }\`, got "titlecase"`
      )
      const missing = withFields(
        "missing.yaml",
        "{ column: city, type: text }",
        "{ type: text, transforms: [{ lookup: { file: nowhere.csv } }] }"
      )
      const missingResult = await runCli(["validate-config", "--config", missing])
      expect(missingResult.code).toBe(2)
      expect(missingResult.stderr).toContain(
        `${missing}:23:57: fields.country.transforms[0].lookup.file: lookup table ${Path.join(directory.path, "nowhere.csv")}: the file does not exist`
      )
    })

    it("refuses a field with both a column and a constant at the second", async () => {
      const both = withFields("both.yaml", "{ column: city, constant: Amsterdam, type: text }", "{ type: text }")
      const result = await runCli(["validate-config", "--config", both])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(
        /both\.yaml:22:\d+: fields\.city\.constant: a field takes its value from one of `column`, `constant` and `template`, but this one has `column` and `constant`/
      )
    })
  })

  it("refuses a missing file with exit 2", async () => {
    const result = await runCli(["validate-config", "--config", "/nonexistent/profilesync.yaml"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      "cannot read the config file /nonexistent/profilesync.yaml: the file does not exist"
    )
  })

  it("refuses an unknown flag with exit 2", async () => {
    const result = await runCli(["validate-config", "--bogus"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--bogus")
  })
})

describe("run with a config error", () => {
  const directory = temporaryDirectory()
  let config = ""
  let store = ""
  const digest = (file: string) => createHash("sha256").update(FileSystem.readFileSync(file)).digest("hex")

  beforeAll(async () => {
    writeProfiles(Path.join(directory.path, "profiles.csv"), makeProfiles(3))
    // Nothing listens on port 9: a run that got past the config would fail differently (exit 1).
    config = writeConfig({ directory: directory.path, copernicaBaseUrl: "http://127.0.0.1:9/v3" })
    store = Path.join(directory.path, "state", "profilesync.db")
    FileSystem.mkdirSync(Path.dirname(store))
    await Effect.runPromise(
      Effect.gen(function* () {
        const state = yield* SyncState.SyncState
        const run = yield* state.startRun({ sync: "daemon-test", targets: ["copernica"] })
        yield* state.finishRun(run.id, { status: "succeeded", counts: { read: 3, created: 3 } })
        yield* state.confirm("daemon-test", "copernica", [{ key: "a@example.com", hash: "h1" }])
      }).pipe(Effect.provide(SyncState.layerSqlite({ filename: store })))
    )
    // A typo deep in the file: `feild` for `field`.
    const text = FileSystem.readFileSync(config, "utf8").replace("name: { field: Firstname", "name: { feild: Firstname")
    FileSystem.writeFileSync(config, text)
  })
  afterAll(() => directory.cleanup())

  it("prints file:line and the YAML path, exits 2, and leaves the state store unharmed", async () => {
    const before = { files: FileSystem.readdirSync(Path.dirname(store)).sort(), digest: digest(store) }
    const result = await runCli(["run", "--config", config], {
      env: { OCAMBA_TOKEN: "ocamba-sandbox-token", COPERNICA_TOKEN: "copernica-sandbox-token" }
    })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(
      new RegExp(
        `${config.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: targets\\.copernica\\.fields\\.name\\.feild: `
      )
    )
    expect(result.stderr).toContain("unknown key `feild`")
    expect(result.stderr).not.toMatch(/^\s+at /m)
    expect({ files: FileSystem.readdirSync(Path.dirname(store)).sort(), digest: digest(store) }).toEqual(before)
    const runs = await Effect.runPromise(
      Effect.flatMap(SyncState.SyncState, (state) => state.recentRuns({ sync: "daemon-test" })).pipe(
        Effect.provide(SyncState.layerSqlite({ filename: store }))
      )
    )
    expect(runs.map((run) => run.status)).toEqual(["succeeded"])
  })

  it("refuses a --target the config does not configure, with exit 2", async () => {
    const directory2 = temporaryDirectory()
    try {
      writeProfiles(Path.join(directory2.path, "profiles.csv"), makeProfiles(1))
      const only = writeConfig({ directory: directory2.path, copernicaBaseUrl: "http://127.0.0.1:9/v3" })
      const result = await runCli(["run", "--config", only, "--target", "ocamba"])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("--target ocamba")
      expect(FileSystem.existsSync(Path.join(directory2.path, "state", "profilesync.db"))).toBe(false)
    } finally {
      directory2.cleanup()
    }
  })
})
