/**
 * @module
 * Helpers of the daemon's tests: spawn `bin/profilesync.js` (the build: see global-setup.ts) as a real process, watch its output, and write a sync's
 * files (config and source) into a temporary directory. Loopback only; every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as OS from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const packageDirectory = fileURLToPath(new URL("..", import.meta.url))
export const repositoryDirectory = Path.resolve(packageDirectory, "../..")
const bin = Path.join(packageDirectory, "bin", "profilesync.js")

/** The sandbox's default tokens, as a deployment would put them in the environment. */
export const sandboxTokens = {
  OCAMBA_TOKEN: "ocamba-sandbox-token",
  COPERNICA_TOKEN: "copernica-sandbox-token"
} as const

export interface CliProcess {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

export interface SpawnOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Starts `profilesync <args>`; logs are JSON (stderr is not a terminal here). */
export const spawnCli = (args: ReadonlyArray<string>, options: SpawnOptions = {}): CliProcess => {
  const environment: Record<string, string> = {}
  for (const [key, value] of Object.entries({
    ...process.env,
    PROFILESYNC_LOG_FORMAT: "json",
    ...options.env
  })) {
    // pnpm's variables would make the CLI move to INIT_CWD (see main.ts); tests choose the directory themselves.
    // PROFILESYNC_FROM_SOURCE would run the sources through tsx; the tests run the build.
    if (value !== undefined && !key.startsWith("npm_") && key !== "INIT_CWD" && key !== "PROFILESYNC_FROM_SOURCE")
      environment[key] = value
  }
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? packageDirectory,
    env: environment,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  // `close`, not `exit`: output can still be in the pipes when the process has exited (on a loaded machine for longer
  // than any fixed wait); `close` comes once both pipes have ended, with everything read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }))
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `profilesync <args>` to its end (killed after `timeoutMilliseconds`). */
export const runCli = async (
  args: ReadonlyArray<string>,
  options: SpawnOptions & { readonly timeoutMilliseconds?: number } = {}
): Promise<CliResult> => {
  const cli = spawnCli(args, options)
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), options.timeoutMilliseconds ?? 30_000)
  const { code, signal } = await cli.exited
  clearTimeout(timer)
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() }
}

/** Polls `condition` every `intervalMilliseconds` until it holds, failing after `timeoutMilliseconds`. */
export const waitUntil = async (
  condition: () => boolean,
  description: string,
  timeoutMilliseconds = 20_000,
  intervalMilliseconds = 20
): Promise<void> => {
  const deadline = Date.now() + timeoutMilliseconds
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMilliseconds))
  }
}

/** The JSON log lines of a process's stderr (non-JSON lines are skipped). */
export const jsonLines = (text: string): ReadonlyArray<Record<string, unknown>> =>
  text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>]
      } catch {
        return []
      }
    })

/** A fresh temporary directory, removed by `cleanup`. */
export const temporaryDirectory = (): { readonly path: string; readonly cleanup: () => void } => {
  const path = FileSystem.mkdtempSync(Path.join(OS.tmpdir(), "profilesync-daemon-"))
  return { path, cleanup: () => FileSystem.rmSync(path, { recursive: true, force: true }) }
}

export interface Profile {
  readonly email: string
  readonly name: string
  readonly tier: string
}

/** `count` distinct profiles; `version` changes every name and tier so a second source differs from the first. */
export const makeProfiles = (count: number, version = 1): ReadonlyArray<Profile> =>
  Array.from({ length: count }, (_, index) => ({
    email: `customer${String(index + 1).padStart(4, "0")}@example.com`,
    name: `Customer ${index + 1} v${version}`,
    tier: ["gold", "silver", "bronze"][(index + version) % 3]!
  }))

export const writeProfiles = (file: string, profiles: ReadonlyArray<Profile>): void => {
  FileSystem.writeFileSync(
    file,
    ["email,name,tier", ...profiles.map((profile) => `${profile.email},${profile.name},${profile.tier}`)].join("\n") +
      "\n"
  )
}

export interface SyncFilesOptions {
  readonly directory: string
  readonly ocambaBaseUrl?: string | undefined
  readonly copernicaBaseUrl?: string | undefined
  readonly rowsPerImport?: number
  readonly maxFileBytes?: number
  readonly maxAttempts?: number
  readonly schedule?: string
  readonly deleteMissing?: boolean
}

/**
 * Writes `profilesync.yaml` for `profiles.csv` in `directory`: email (key), name and tier, to the targets whose base
 * URL is given, with the credentials in OCAMBA_TOKEN and COPERNICA_TOKEN.
 */
export const writeConfig = (options: SyncFilesOptions): string => {
  const lines = [
    "version: 1",
    "name: daemon-test",
    ...(options.schedule === undefined ? [] : [`schedule: "${options.schedule}"`, "timeZone: UTC"]),
    "source: { type: csv, path: ./profiles.csv }",
    "fields:",
    "  email: { column: email, type: email, required: true }",
    "  name: { column: name, type: text }",
    "  tier: { column: tier, type: text }",
    "key: [email]",
    "targets:"
  ]
  if (options.ocambaBaseUrl !== undefined) {
    lines.push(
      "  ocamba:",
      `    baseUrl: ${options.ocambaBaseUrl}`,
      "    account: daemon-test",
      "    credentials: { tokenEnv: OCAMBA_TOKEN }",
      `    maxFileBytes: ${options.maxFileBytes ?? 1024}`,
      "    properties:",
      "      email: { property: email, system: true }",
      "      name: { property: full_name, system: true }",
      "      tier: { property: loyalty_tier, description: Loyalty tier, example: gold }"
    )
  }
  if (options.copernicaBaseUrl !== undefined) {
    lines.push(
      "  copernica:",
      `    baseUrl: ${options.copernicaBaseUrl}`,
      "    credentials: { tokenEnv: COPERNICA_TOKEN }",
      "    database: 1",
      "    keyFields: [Email]",
      "    fields:",
      "      email: { field: Email }",
      "      name: { field: Firstname, type: text }",
      "      tier: { field: Tier, type: text }",
      `    rowsPerImport: ${options.rowsPerImport ?? 10}`,
      ...(options.deleteMissing === true ? ["    deleteMissing: true"] : [])
    )
  }
  lines.push(
    "state: { sqlite: ./state/profilesync.db }",
    `deadLetters: { maxAttempts: ${options.maxAttempts ?? 3} }`,
    "rejects: { path: ./state/rejects.ndjson }",
    ""
  )
  const file = Path.join(options.directory, "profilesync.yaml")
  FileSystem.writeFileSync(file, lines.join("\n"))
  return file
}
