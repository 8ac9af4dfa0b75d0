/**
 * Test support for the sync engine: a sandbox with short processing delays that records every request's operation,
 * a config like `examples/customers.yaml` pointed at it (in a temporary directory, with a SQLite state file and a
 * rejects file there), the source rows as the mapping normalises them, and comparisons of the sandbox's vendor state
 * with those rows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Mapping from "@profilesync/core/Mapping"
import { type RequestLogEntry, type Sandbox, startSandbox } from "@profilesync/sandbox"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Source from "../../src/Source.ts"
import type * as Sync from "../../src/Sync.ts"
import * as SyncConfig from "../../src/SyncConfig.ts"

/** The bundled example source: 10,000 profiles, a few of them bad. */
export const exampleCsv = join(import.meta.dirname, "..", "..", "..", "..", "examples", "profiles.csv")

export const ocambaAccount = "ocamba-account-1"
export const copernicaAccount = "copernica-account-1"

/** The sandbox's default tokens, read by the configs through `tokenEnv`. */
export const setSandboxTokens = (): void => {
  process.env.OCAMBA_TOKEN = "ocamba-sandbox-token"
  process.env.COPERNICA_TOKEN = "copernica-sandbox-token"
}

/** Operations that change vendor state. */
export const writeOperations: ReadonlySet<string> = new Set([
  "createProfileImport",
  "commitProfileImport",
  "createProfileProperty",
  "updateProfileProperty",
  "createResync",
  "createImport",
  "createDatabaseField"
])

export interface SyncSandbox {
  readonly sandbox: Sandbox
  /** Every request the sandbox answered, in order. */
  readonly requests: Array<RequestLogEntry>
  /** Requests whose operation writes. */
  readonly writes: () => ReadonlyArray<RequestLogEntry>
}

/**
 * A sandbox whose imports finish after `delayMilliseconds` (default 20), closed with the scope. Its Ocamba reports
 * carry only the documented fields unless `richImportReport` (the sandbox's own row numbers and failure codes);
 * `refuseImportRow` makes its Ocamba imports refuse rows (the sandbox's option of that name).
 */
export const sandbox = (
  delayMilliseconds = 20,
  richImportReport = false,
  refuseImportRow?: (row: Readonly<Record<string, string>>) => string | undefined
) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<SyncSandbox> => {
      const requests: Array<RequestLogEntry> = []
      const started = await startSandbox({
        ocamba: { processing: { delayMilliseconds }, richImportReport, refuseImportRow },
        copernica: { processing: { delayMilliseconds } },
        log: (_line, entry) => {
          requests.push(entry)
        }
      })
      return {
        sandbox: started,
        requests,
        writes: () =>
          requests.filter((entry) => entry.operationId !== undefined && writeOperations.has(entry.operationId))
      }
    }),
    (started) => Effect.promise(() => started.sandbox.close())
  )

/** A temporary directory, removed with the scope. */
export const temporaryDirectory = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "profilesync-sync-test-"))),
  (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
)

export interface ConfigOptions {
  readonly directory: string
  readonly sandbox: Sandbox
  readonly source?: unknown
  readonly name?: string
  readonly rowsPerImport?: number
  readonly deleteMissing?: boolean
  readonly copernicaFormat?: "json" | "csv"
  readonly maxAttempts?: number
  readonly state?: unknown
  readonly targets?: ReadonlyArray<Sync.TargetName>
  /** Changes the config document (plain JSON) before it is parsed. */
  readonly edit?: (document: Record<string, any>) => void
}

/**
 * `examples/customers.yaml` pointed at the sandbox, with the sandbox's tokens through `tokenEnv`, and a state file and
 * rejects file in `directory`.
 */
export const configFor = (options: ConfigOptions): Effect.Effect<SyncConfig.SyncConfig, SyncConfig.SyncConfigError> => {
  const targets = options.targets ?? ["ocamba", "copernica"]
  const document = {
    version: 1,
    name: options.name ?? "customers",
    source: options.source ?? { type: "csv", path: exampleCsv, delimiter: ",", encoding: "utf-8" },
    fields: {
      email: { column: "email", type: "email" },
      phone: { column: "phone", type: "phone", defaultCountry: "NL" },
      first_name: { column: "first_name", type: "text", maxLength: 100 },
      last_name: { column: "last_name", type: "text", maxLength: 100 },
      birth_date: { column: "birth_date", type: "date", inputFormat: "DD-MM-YYYY" },
      city: { column: "city", type: "text" },
      country: { column: "country", type: "text" },
      vip: { column: "vip", type: "boolean" },
      lifetime_value: { column: "lifetime_value", type: "number" },
      customer_id: { column: "customer_id", type: "text" }
    },
    key: ["email", "phone"],
    targets: {
      ...(targets.includes("ocamba")
        ? {
            ocamba: {
              baseUrl: options.sandbox.ocambaBaseUrl,
              account: ocambaAccount,
              credentials: { tokenEnv: "OCAMBA_TOKEN" },
              properties: {
                email: { property: "email", system: true },
                phone: { property: "mobile_phone_number", system: true },
                first_name: { property: "first_name", system: true },
                last_name: { property: "last_name", system: true },
                city: { property: "city", system: true },
                country: { property: "country", system: true },
                birth_date: { property: "birth_date", description: "Date of birth (YYYY-MM-DD)", pi_data: true },
                vip: { property: "vip", description: "VIP customer (true/false)", example: "true" },
                lifetime_value: {
                  property: "lifetime_value",
                  description: "Total revenue in EUR",
                  export_alias: "ltv"
                },
                customer_id: { property: "customer_id", description: "The id in our shop", example: "100001" }
              },
              resync: { integration: ["1628"], conversion: ["1000192"] }
            }
          }
        : {}),
      ...(targets.includes("copernica")
        ? {
            copernica: {
              baseUrl: options.sandbox.copernicaBaseUrl,
              account: copernicaAccount,
              credentials: { tokenEnv: "COPERNICA_TOKEN" },
              database: 1,
              keyFields: ["Email"],
              fields: {
                email: { field: "Email" },
                first_name: { field: "Firstname", type: "text" },
                last_name: { field: "Lastname", type: "text" },
                phone: { field: "Phone" },
                city: { field: "City", type: "text" },
                vip: { field: "Vip", type: "text" },
                lifetime_value: { field: "LifetimeValue", type: "float", default: 0 }
              },
              rowsPerImport: options.rowsPerImport ?? 1000,
              format: options.copernicaFormat ?? "json",
              deleteMissing: options.deleteMissing ?? false
            }
          }
        : {})
    },
    state: options.state ?? { sqlite: join(options.directory, "state.db") },
    deadLetters: { maxAttempts: options.maxAttempts ?? 3 },
    rejects: { path: join(options.directory, "rejects.ndjson") }
  }
  options.edit?.(document)
  // JSON is YAML: the config goes through the same parser as a file.
  return SyncConfig.parse(JSON.stringify(document), join(options.directory, "customers.yaml"))
}

/** Fast polls for the sandbox's 20 ms imports. */
export const testPolling: Sync.PollingOptions = { initialDelay: "20 millis", maxDelay: "200 millis" }

/** A row of the source as the mapping sees it. */
export interface ExpectedRow {
  readonly rowNumber: number
  readonly mapped: Mapping.MappedRow
}

/** Every row of a CSV, mapped (duplicate keys after the first are left out, as the engine rejects them). */
export const expectedRows = (config: SyncConfig.SyncConfig, path: string): Effect.Effect<ReadonlyArray<ExpectedRow>> =>
  Effect.gen(function* () {
    const mapper = Mapping.makeMapper(config)
    const seen = new Set<string>()
    const rows: Array<ExpectedRow> = []
    yield* Stream.runForEach(Source.csv({ path }).rows, (item) =>
      Effect.sync(() => {
        if (item._tag !== "SourceRow") return
        const mapped = mapper.mapRow({ rowNumber: item.rowNumber, values: item.values })
        if (mapped.key !== undefined) {
          if (seen.has(mapped.key)) return
          seen.add(mapped.key)
        }
        rows.push({ rowNumber: item.rowNumber, mapped })
      })
    ).pipe(Effect.orDie)
    return rows
  })

/** The valid rows for a target, with what the target should hold (column → formatted value). */
export const targetRows = (
  config: SyncConfig.SyncConfig,
  rows: ReadonlyArray<ExpectedRow>,
  target: Sync.TargetName
): ReadonlyArray<{ readonly key: string; readonly values: Readonly<Record<string, string>> }> => {
  const mapper = Mapping.makeMapper(config)
  const columns = mapper.columns(target)
  return rows.flatMap(({ mapped }) => {
    if (mapped._tag !== "Valid" || !mapped.targets.includes(target)) return []
    const values = mapper.targetValues(mapped.profile, target)
    return [{ key: mapped.key, values: Object.fromEntries(columns.map((column, index) => [column, values[index]!])) }]
  })
}

/**
 * Differences between what Ocamba holds and the rows (empty when equal). The sandbox finds profiles by email, then
 * mobile phone number, and keeps a stored value when a cell is empty, so empty values are not compared.
 */
export const ocambaDifferences = (
  sandbox: Sandbox,
  rows: ReadonlyArray<{ readonly key: string; readonly values: Readonly<Record<string, string>> }>
): ReadonlyArray<string> => {
  const account = sandbox.state.ocamba.account(ocambaAccount)
  const differences: Array<string> = []
  for (const row of rows) {
    const email = row.values.email ?? ""
    const phone = row.values.mobile_phone_number ?? ""
    const profile =
      (email === "" ? undefined : account.findProfileByEmail(email)) ??
      (phone === "" ? undefined : account.findProfileByPhone(phone))
    if (profile === undefined) {
      differences.push(`${row.key}: no Ocamba profile`)
      continue
    }
    for (const [label, value] of Object.entries(row.values)) {
      if (value !== "" && profile.properties[label] !== value) {
        differences.push(
          `${row.key}: ${label} is ${JSON.stringify(profile.properties[label])}, expected ${JSON.stringify(value)}`
        )
      }
    }
  }
  return differences
}

/** Copernica database 1's profiles by lower-cased Email. */
export const copernicaProfiles = (sandbox: Sandbox): ReadonlyMap<string, Readonly<Record<string, string>>> => {
  const database = sandbox.state.copernica.account(copernicaAccount).databases.get(1)!
  return new Map(
    [...database.profiles.values()].map((profile) => [(profile.fields.Email ?? "").toLowerCase(), profile.fields])
  )
}

/** Differences between Copernica database 1 and the rows (empty when equal), every field compared. */
export const copernicaDifferences = (
  sandbox: Sandbox,
  rows: ReadonlyArray<{ readonly key: string; readonly values: Readonly<Record<string, string>> }>
): ReadonlyArray<string> => {
  const profiles = copernicaProfiles(sandbox)
  const differences: Array<string> = []
  for (const row of rows) {
    const profile = profiles.get((row.values.Email ?? "").toLowerCase())
    if (profile === undefined) {
      differences.push(`${row.key}: no Copernica profile`)
      continue
    }
    for (const [field, value] of Object.entries(row.values)) {
      if (profile[field] !== value) {
        differences.push(`${row.key}: ${field} is ${JSON.stringify(profile[field])}, expected ${JSON.stringify(value)}`)
      }
    }
  }
  return differences
}

/** The lines of an NDJSON file. */
export const readNdjson = (path: string): ReadonlyArray<Record<string, unknown>> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/**
 * A copy of a CSV with `first_name` changed to `<name> Changed` in the given data rows (1-based); the rows must not
 * hold quotes.
 */
export const withChangedFirstNames = (from: string, to: string, rows: ReadonlySet<number>): void => {
  const lines = readFileSync(from, "utf8").split("\n")
  const header = lines[0]!.split(",")
  const column = header.indexOf("first_name")
  for (const row of rows) {
    const cells = lines[row]!.split(",")
    cells[column] = `${cells[column]} Changed`
    lines[row] = cells.join(",")
  }
  writeFileSync(to, lines.join("\n"))
}

/** Writes a file and returns its path. */
export const writeSource = (directory: string, name: string, contents: string | Buffer): string => {
  const path = join(directory, name)
  writeFileSync(path, contents)
  return path
}
