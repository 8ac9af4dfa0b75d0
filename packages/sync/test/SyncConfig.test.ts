/**
 * Tests for `SyncConfig`: a complete config loads with defaults and absolute paths; typos, wrong types, credentials
 * written into the YAML and broken cross-references are refused with the YAML path, line:column and what is
 * expected; `resolveCredential` reads environment variables and files without ever printing the secret.
 */
import * as FileSystem from "node:fs"
import * as OperatingSystem from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import * as Source from "../src/Source.ts"
import * as SyncConfig from "../src/SyncConfig.ts"

// Line numbers matter in these tests: the assertions name lines of this text.
const validYaml = `version: 1
name: customers
schedule: "*/15 * * * *"
source:
  type: csv
  path: ./profiles.csv
  delimiter: ","
  encoding: utf-8
fields:
  email: { column: Email, type: email }
  phone: { column: Phone, type: phone, defaultCountry: NL }
  first_name: { column: First name, type: text, maxLength: 200 }
  birth_date: { column: Birthday, type: date, inputFormat: "DD-MM-YYYY" }
  vip: { column: VIP, type: boolean }
  lifetime_value: { column: LTV, type: number }
key: [email, phone]
targets:
  ocamba:
    account: my-company
    credentials: { tokenEnv: OCAMBA_TOKEN }
    properties:
      email: { property: email, system: true }
      phone: { property: mobile_phone_number, system: true }
      first_name: { property: full_name, system: true }
      lifetime_value: { property: lifetime_value, data_type: number, description: Lifetime value, example: "120.50", export_alias: ltv, pi_data: 0 }
    maxFileBytes: 50000000
    resync: { integration: ["1628"], conversion: [1000192] }
  copernica:
    credentials: { tokenFile: ./secrets/copernica }
    database: 1
    keyFields: [Email]
    fields:
      email: { field: Email, type: email }
      first_name: { field: Firstname, type: text }
    rowsPerImport: 1000
    format: json
    deleteMissing: false
state: { sqlite: ./profilesync.db }
deadLetters: { maxAttempts: 3 }
rejects: { path: ./rejects.ndjson }
`

const replaceOnce = (text: string, search: string, replacement: string) => {
  assert.isTrue(text.includes(search), `fixture holds ${JSON.stringify(search)}`)
  return text.replace(search, replacement)
}

/** Parses and returns the error, failing the test when the config is accepted. */
const parseFailure = (text: string) =>
  SyncConfig.parse(text, "customers.yaml", { baseDirectory: "/etc/profilesync" }).pipe(
    Effect.flip,
    Effect.map((error) => {
      assert.strictEqual(error._tag, "SyncConfigError")
      return error
    })
  )

const issuesOf = (error: SyncConfig.SyncConfigError): ReadonlyArray<SyncConfig.ConfigIssue> => {
  const reason = error.reason
  assert.isTrue(reason._tag === "InvalidConfig" || reason._tag === "InvalidYaml", `got ${reason._tag}`)
  return reason._tag === "InvalidConfig" || reason._tag === "InvalidYaml" ? reason.issues : []
}

const onlyIssue = (error: SyncConfig.SyncConfigError) => {
  const issues = issuesOf(error)
  assert.strictEqual(issues.length, 1, error.message)
  return issues[0]!
}

describe("SyncConfig", () => {
  describe("load", () => {
    it.effect("loads a complete config with defaults and paths resolved against its directory", () =>
      Effect.gen(function* () {
        const directory = FileSystem.mkdtempSync(Path.join(OperatingSystem.tmpdir(), "profilesync-config-"))
        const file = Path.join(directory, "customers.yaml")
        FileSystem.writeFileSync(file, validYaml)
        const config = yield* SyncConfig.load(file)
        FileSystem.rmSync(directory, { recursive: true })

        assert.strictEqual(config.name, "customers")
        assert.strictEqual(config.schedule, "*/15 * * * *")
        assert.deepStrictEqual(config.source, {
          type: "csv",
          path: Path.join(directory, "profiles.csv"),
          delimiter: ",",
          quote: '"',
          encoding: "utf-8"
        })
        assert.deepStrictEqual(config.key, ["email", "phone"])
        const ocamba = config.targets.ocamba!
        assert.strictEqual(ocamba.baseUrl, "https://api.ocamba.com/v1/hood")
        assert.deepStrictEqual(ocamba.properties.lifetime_value, {
          property: "lifetime_value",
          system: false,
          data_type: "number",
          description: "Lifetime value",
          example: "120.50",
          export_alias: "ltv",
          pi_data: false
        })
        // Ids written as numbers in YAML come out as the vendor's strings.
        assert.deepStrictEqual(ocamba.resync, { integration: ["1628"], conversion: ["1000192"] })
        const copernica = config.targets.copernica!
        assert.strictEqual(copernica.baseUrl, "https://api.copernica.com/v3")
        assert.deepStrictEqual(copernica.credentials, { tokenFile: Path.join(directory, "secrets", "copernica") })
        assert.strictEqual(copernica.action, "update or add")
        assert.strictEqual(copernica.ignoreEmptyFields, false)
        assert.deepStrictEqual(config.state, { sqlite: Path.join(directory, "profilesync.db") })
        assert.deepStrictEqual(config.rejects, { path: Path.join(directory, "rejects.ndjson") })
        const phone = config.fields.phone
        assert.strictEqual(phone?.type === "phone" ? phone.defaultCountry : undefined, "NL")
      })
    )

    it.effect("accepts every encoding the CSV source decodes, windows-1252 included", () =>
      Effect.gen(function* () {
        for (const encoding of Source.csvEncodings) {
          const config = yield* SyncConfig.parse(
            replaceOnce(validYaml, "encoding: utf-8", `encoding: ${encoding}`),
            "/srv/sync/customers.yaml"
          )
          assert.strictEqual(config.source.type === "csv" ? config.source.encoding : undefined, encoding)
        }
      })
    )

    it.effect("fills in every default of a minimal config", () =>
      Effect.gen(function* () {
        const config = yield* SyncConfig.parse(
          `version: 1
name: minimal
source: { type: ndjson, path: rows.ndjson }
fields:
  email: { type: email }
key: [email]
targets:
  ocamba:
    baseUrl: http://127.0.0.1:8787/ocamba/v1/hood/
    properties:
      email: { system: true }
`,
          "/srv/sync/minimal.yaml"
        )
        assert.deepStrictEqual(config.source, { type: "ndjson", path: "/srv/sync/rows.ndjson", encoding: "utf-8" })
        const ocamba = config.targets.ocamba!
        // Through the proxy sidecar no credentials are needed, and the trailing slash is dropped.
        assert.strictEqual(ocamba.baseUrl, "http://127.0.0.1:8787/ocamba/v1/hood")
        assert.strictEqual(ocamba.credentials, undefined)
        assert.strictEqual(ocamba.account, "default")
        assert.strictEqual(ocamba.maxFileBytes, 50_000_000)
        assert.deepStrictEqual(config.state, { sqlite: "/srv/sync/profilesync.db" })
        assert.deepStrictEqual(config.deadLetters, { maxAttempts: 3 })
        assert.deepStrictEqual(config.rejects, { path: "/srv/sync/rejects.ndjson" })
      })
    )

    it.effect("accepts the complete example of the module documentation", () =>
      Effect.gen(function* () {
        const source = FileSystem.readFileSync(new URL("../src/SyncConfig.ts", import.meta.url), "utf8")
        const block = /\* ```yaml\n([\s\S]*?)\n \* ```/.exec(source)
        assert.isNotNull(block)
        const yaml = block![1]!
          .split("\n")
          .map((line) => line.replace(/^ \* ?/, ""))
          .join("\n")
        const config = yield* SyncConfig.parse(yaml, "/srv/profilesync/customers.yaml")
        assert.deepStrictEqual(Object.keys(config.targets), ["ocamba", "copernica"])
        assert.deepStrictEqual(config.targets.ocamba?.resync, { integration: ["1628"], conversion: [] })
      })
    )

    it.effect("fails with ReadFailed naming a file that does not exist", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(SyncConfig.load("/nonexistent/profilesync.yaml"))
        assert.strictEqual(error.reason._tag, "ReadFailed")
        assert.include(error.message, "/nonexistent/profilesync.yaml")
        assert.include(error.message, "does not exist")
      })
    )
  })

  describe("parse", () => {
    it.effect("names the path, line and suggestion for a misspelt key", () =>
      Effect.gen(function* () {
        const error = yield* parseFailure(replaceOnce(validYaml, "  delimiter:", "  delimitr:"))
        const issue = onlyIssue(error)
        assert.strictEqual(issue.path, "source.delimitr")
        assert.strictEqual(issue.line, 7)
        assert.strictEqual(issue.column, 3)
        assert.include(issue.message, "did you mean `delimiter`?")
        assert.strictEqual(error.message, `customers.yaml:7:3: source.delimitr: ${issue.message}`)
      })
    )

    it.effect("suggests keys at every level, also for case and underscore variants", () =>
      Effect.gen(function* () {
        const error = yield* parseFailure(
          replaceOnce(replaceOnce(validYaml, "targets:", "tragets:"), "keyFields:", "key_fields:")
        )
        const messages = issuesOf(error).map((issue) => `${issue.path}: ${issue.message}`)
        assert.isTrue(
          messages.some((message) => message.startsWith("tragets: unknown key `tragets`; did you mean `targets`?"))
        )
        // The misspelt section also leaves `targets` missing.
        assert.isTrue(messages.some((message) => message.startsWith("targets: is missing")))
      })
    )

    it.effect("names the path and what is expected for a wrong type", () =>
      Effect.gen(function* () {
        const error = yield* parseFailure(replaceOnce(validYaml, "rowsPerImport: 1000", "rowsPerImport: many"))
        const issue = onlyIssue(error)
        assert.strictEqual(issue.path, "targets.copernica.rowsPerImport")
        assert.strictEqual(issue.line, 35)
        assert.strictEqual(issue.column, 20)
        assert.strictEqual(issue.message, 'expected a whole number of rows from 1 to 100000, got "many"')
      })
    )

    it.effect("lists the allowed values of an enumeration", () =>
      Effect.gen(function* () {
        const error = yield* parseFailure(replaceOnce(validYaml, "data_type: number", "data_type: numeric"))
        const issue = onlyIssue(error)
        assert.strictEqual(issue.path, "targets.ocamba.properties.lifetime_value.data_type")
        assert.strictEqual(issue.line, 25)
        assert.strictEqual(issue.message, 'expected one of "text", "number", "date", got "numeric"')
      })
    )

    it.effect("checks a source by its type", () =>
      Effect.gen(function* () {
        const wrongType = onlyIssue(yield* parseFailure(replaceOnce(validYaml, "type: csv", "type: excel")))
        assert.strictEqual(wrongType.path, "source.type")
        assert.include(wrongType.message, '"csv", "ndjson", "json", "postgres"')
        const postgres = onlyIssue(
          yield* parseFailure(
            replaceOnce(
              validYaml,
              '  type: csv\n  path: ./profiles.csv\n  delimiter: ","\n  encoding: utf-8\n',
              "  type: postgres\n  query: select * from customers\n"
            )
          )
        )
        assert.strictEqual(postgres.path, "source")
        assert.include(postgres.message, "give `urlEnv` or `urlFile`")
      })
    )

    it.effect("reports every problem at once, in file order", () =>
      Effect.gen(function* () {
        let text = replaceOnce(validYaml, "  delimiter:", "  delimitr:")
        text = replaceOnce(text, "rowsPerImport: 1000", "rowsPerImport: 0")
        text = replaceOnce(text, 'inputFormat: "DD-MM-YYYY"', 'inputFormat: "DD-MM-YY"')
        const issues = issuesOf(yield* parseFailure(text))
        assert.deepStrictEqual(
          issues.map((issue) => issue.path),
          ["source.delimitr", "fields.birth_date.inputFormat", "targets.copernica.rowsPerImport"]
        )
        assert.deepStrictEqual(
          issues.map((issue) => issue.line),
          [7, 13, 35]
        )
      })
    )

    it.effect("refuses field names that are not lower-case identifiers, at the key", () =>
      Effect.gen(function* () {
        const issue = onlyIssue(
          yield* parseFailure(
            replaceOnce(validYaml, "  vip: { column: VIP, type: boolean }", "  VIP flag: { type: boolean }")
          )
        )
        assert.strictEqual(issue.path, 'fields["VIP flag"]')
        assert.strictEqual(issue.line, 14)
        assert.strictEqual(issue.column, 3)
        assert.include(issue.message, "lower-case letters")
      })
    )

    it.effect("validates the cron expression and explains an unquoted one", () =>
      Effect.gen(function* () {
        const invalid = onlyIssue(yield* parseFailure(replaceOnce(validYaml, '"*/15 * * * *"', '"*/15 * * *"')))
        assert.strictEqual(invalid.path, "schedule")
        assert.include(invalid.message, "not a valid cron expression")
        const unquoted = yield* parseFailure(replaceOnce(validYaml, '"*/15 * * * *"', "*/15 * * * *"))
        assert.strictEqual(unquoted.reason._tag, "InvalidYaml")
        assert.include(onlyIssue(unquoted).message, "must be quoted")
        assert.strictEqual(onlyIssue(unquoted).line, 3)
      })
    )

    it.effect("reports YAML syntax errors with their line", () =>
      Effect.gen(function* () {
        const error = yield* parseFailure(replaceOnce(validYaml, "name: customers\n", "name: customers\nname: again\n"))
        assert.strictEqual(error.reason._tag, "InvalidYaml")
        const issue = onlyIssue(error)
        assert.strictEqual(issue.line, 3)
        assert.include(issue.message, "unique")
      })
    )

    it.effect("refuses a token written into the YAML and never repeats it", () =>
      Effect.gen(function* () {
        const secret = "ocb_live_7Hq2ZrX9kPpL4vW1"
        const error = yield* parseFailure(
          replaceOnce(validYaml, "credentials: { tokenEnv: OCAMBA_TOKEN }", `credentials: { token: ${secret} }`)
        )
        const issue = onlyIssue(error)
        assert.strictEqual(issue.path, "targets.ocamba.credentials.token")
        assert.strictEqual(issue.line, 20)
        assert.include(issue.message, "tokenEnv")
        assert.include(issue.message, "tokenFile")
        assert.notInclude(error.message, secret)
      })
    )

    it.effect("refuses credentials anywhere, in any spelling, and URLs with a password", () =>
      Effect.gen(function* () {
        let text = replaceOnce(validYaml, "account: my-company", "account: my-company\n    apiKey: abc123")
        text = replaceOnce(
          text,
          "state: { sqlite: ./profilesync.db }",
          'state: { postgres: { url: "postgres://sync:hunter22@db/state" } }'
        )
        const error = yield* parseFailure(text)
        const paths = issuesOf(error).map((issue) => issue.path)
        assert.includeMembers(paths, ["targets.ocamba.apiKey", "state.postgres.url"])
        assert.notInclude(error.message, "abc123")
        assert.notInclude(error.message, "hunter22")
      })
    )

    it("never repeats a credential value, whatever it is", () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[A-Za-z0-9_\-.]{12,40}$/),
          fc.constantFrom("token", "accessToken", "access_token", "password", "clientSecret"),
          (secret, key) => {
            const text = replaceOnce(
              validYaml,
              "credentials: { tokenEnv: OCAMBA_TOKEN }",
              `credentials: { ${key}: "${secret}" }`
            )
            const result = Effect.runSync(Effect.either(SyncConfig.parse(text, "customers.yaml")))
            return Either.isLeft(result) && !result.left.message.includes(secret)
          }
        ),
        { numRuns: 60 }
      )
    })

    it.effect("does not echo a token pasted where a variable name belongs", () =>
      Effect.gen(function* () {
        for (const secret of ["3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"]) {
          const error = yield* parseFailure(replaceOnce(validYaml, "tokenEnv: OCAMBA_TOKEN", `tokenEnv: ${secret}`))
          const issue = onlyIssue(error)
          assert.strictEqual(issue.path, "targets.ocamba.credentials.tokenEnv")
          assert.include(issue.message, "looks like a token")
          assert.notInclude(error.message, secret)
        }
      })
    )

    it.effect("refuses an Ocamba target that maps neither email nor mobile_phone_number", () =>
      Effect.gen(function* () {
        const text = replaceOnce(
          validYaml,
          "      email: { property: email, system: true }\n      phone: { property: mobile_phone_number, system: true }\n",
          ""
        )
        const issue = onlyIssue(yield* parseFailure(text))
        assert.strictEqual(issue.path, "targets.ocamba.properties")
        assert.strictEqual(issue.line, 21)
        assert.include(issue.message, "`email` or `mobile_phone_number`")
      })
    )

    it.effect("requires the identifying properties to be system properties fed by normalised fields", () =>
      Effect.gen(function* () {
        const notSystem = onlyIssue(
          yield* parseFailure(
            replaceOnce(validYaml, "email: { property: email, system: true }", "email: { property: email }")
          )
        )
        assert.strictEqual(notSystem.path, "targets.ocamba.properties.email.system")
        assert.include(notSystem.message, "write `system: true`")
        const wrongField = issuesOf(
          yield* parseFailure(
            replaceOnce(
              validYaml,
              "first_name: { property: full_name, system: true }",
              "first_name: { property: email, system: true }"
            )
          )
        ).map((issue) => issue.message)
        assert.isTrue(wrongField.some((message) => message.includes("which `email` maps to already")))
        assert.isTrue(wrongField.some((message) => message.includes("must come from a field of type `email`")))
      })
    )

    it.effect("refuses settings on a system property", () =>
      Effect.gen(function* () {
        const issue = onlyIssue(
          yield* parseFailure(
            replaceOnce(
              validYaml,
              "first_name: { property: full_name, system: true }",
              "first_name: { property: full_name, system: true, description: Name }"
            )
          )
        )
        assert.strictEqual(issue.path, "targets.ocamba.properties.first_name.description")
        assert.include(issue.message, "system property")
      })
    )

    it.effect("checks that mappings, key and keyFields refer to things that exist", () =>
      Effect.gen(function* () {
        let text = replaceOnce(validYaml, "key: [email, phone]", "key: [email, mobile]")
        text = replaceOnce(text, "keyFields: [Email]", "keyFields: [E-mail]")
        text = replaceOnce(
          text,
          "first_name: { field: Firstname, type: text }",
          "surname: { field: Lastname, type: text }"
        )
        const issues = issuesOf(yield* parseFailure(text))
        assert.deepStrictEqual(
          issues.map((issue) => [issue.path, issue.line]),
          [
            ["key[1]", 16],
            ["targets.copernica.keyFields[0]", 31],
            ["targets.copernica.fields.surname", 34]
          ]
        )
        assert.include(issues[0]!.message, "`mobile` is not a field defined under `fields`")
        assert.include(issues[1]!.message, "`E-mail` is not a mapped Copernica field (mapped: `Email`)")
      })
    )

    it.effect("requires credentials when a target talks to the vendor directly", () =>
      Effect.gen(function* () {
        const issue = onlyIssue(
          yield* parseFailure(replaceOnce(validYaml, "    credentials: { tokenEnv: OCAMBA_TOKEN }\n", ""))
        )
        assert.strictEqual(issue.path, "targets.ocamba")
        assert.include(issue.message, "`credentials` is required")
      })
    )

    it.effect("refuses a CSV delimiter on a JSON Copernica source and a field type that cannot hold the values", () =>
      Effect.gen(function* () {
        let text = replaceOnce(validYaml, "    format: json\n", '    format: json\n    delimiter: ";"\n')
        text = replaceOnce(
          text,
          "first_name: { field: Firstname, type: text }",
          "first_name: { field: Firstname, type: integer }"
        )
        const issues = issuesOf(yield* parseFailure(text))
        assert.deepStrictEqual(
          issues.map((issue) => issue.path),
          ["targets.copernica.fields.first_name.type", "targets.copernica.delimiter"]
        )
      })
    )

    it.effect("decodes with the exported schema as well", () =>
      Effect.gen(function* () {
        const decoded = yield* Schema.decodeUnknown(SyncConfig.SyncConfig, { onExcessProperty: "error" })({
          version: 1,
          name: "plain",
          source: { type: "json", path: "rows.json" },
          fields: { phone: { type: "phone", defaultCountry: "BE" } },
          key: ["phone"],
          targets: {
            ocamba: {
              baseUrl: "http://proxy:8787/ocamba/v1/hood",
              properties: { phone: { property: "mobile_phone_number", system: 1 } }
            }
          }
        })
        assert.strictEqual(decoded.targets.ocamba?.properties.phone?.system, true)
        // The bare schema leaves paths as written: only parse and load resolve them.
        assert.deepStrictEqual(decoded.rejects, { path: "./rejects.ndjson" })
      })
    )
  })

  describe("resolveCredential", () => {
    it.effect("reads an environment variable through the ConfigProvider, redacted", () =>
      Effect.gen(function* () {
        const token = yield* SyncConfig.resolveCredential({ tokenEnv: "OCAMBA_TOKEN" }).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OCAMBA_TOKEN", " s3cr3t-token \n"]])))
        )
        assert.strictEqual(Redacted.value(token), "s3cr3t-token")
        assert.notInclude(String(token), "s3cr3t")
        assert.notInclude(JSON.stringify({ token }), "s3cr3t")
      })
    )

    it.effect("reads a file without its trailing newline", () =>
      Effect.gen(function* () {
        const directory = FileSystem.mkdtempSync(Path.join(OperatingSystem.tmpdir(), "profilesync-secret-"))
        const file = Path.join(directory, "token")
        FileSystem.writeFileSync(file, "file-secret-value\n")
        const token = yield* SyncConfig.resolveCredential({ tokenFile: file })
        const url = yield* SyncConfig.resolveCredential({ urlFile: file })
        FileSystem.rmSync(directory, { recursive: true })
        assert.strictEqual(Redacted.value(token), "file-secret-value")
        assert.strictEqual(Redacted.value(url), "file-secret-value")
      })
    )

    it.effect("fails naming the variable or file, never the secret", () =>
      Effect.gen(function* () {
        const directory = FileSystem.mkdtempSync(Path.join(OperatingSystem.tmpdir(), "profilesync-secret-"))
        const empty = Path.join(directory, "empty")
        FileSystem.writeFileSync(empty, " \n")
        const provider = ConfigProvider.fromMap(
          new Map([
            ["BLANK_TOKEN", "   "],
            ["REAL_TOKEN", "top-secret-1"]
          ])
        )
        const failures = yield* Effect.all(
          [
            SyncConfig.resolveCredential({ tokenEnv: "MISSING_TOKEN" }),
            SyncConfig.resolveCredential({ tokenEnv: "BLANK_TOKEN" }),
            SyncConfig.resolveCredential({ tokenFile: empty }),
            SyncConfig.resolveCredential({ tokenFile: Path.join(directory, "absent") }),
            SyncConfig.resolveCredential({ tokenFile: directory })
          ].map((effect) => Effect.flip(effect))
        ).pipe(Effect.withConfigProvider(provider))
        FileSystem.rmSync(directory, { recursive: true })
        const messages = failures.map((error) => {
          assert.strictEqual(error.reason._tag, "CredentialUnavailable")
          return error.message
        })
        assert.include(messages[0], "environment variable MISSING_TOKEN")
        assert.include(messages[0], "not set")
        assert.include(messages[1], "environment variable BLANK_TOKEN")
        assert.include(messages[1], "empty")
        assert.include(messages[2], empty)
        assert.include(messages[2], "empty")
        assert.include(messages[3], "does not exist")
        assert.include(messages[4], "directory")
        for (const message of messages) assert.notInclude(message, "top-secret-1")
      })
    )
  })
})
