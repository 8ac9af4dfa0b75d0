/**
 * Helpers of the dashboard's tests: a state store filled by real `profilesync run`s against the sandbox (rejects,
 * dead letters, a second sync, and a run left in progress), the dashboard started as a real process, and the
 * personal data that must never show unmasked.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as OS from "node:os"
import * as Path from "node:path"
import type { Sandbox } from "@profilesync/sandbox"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { type CliProcess, runCli, sandboxTokens, spawnCli, temporaryDirectory, waitUntil } from "./support.ts"

/** Where the state lives: a SQLite file, or PostgreSQL through the URL in `DASHBOARD_STATE_URL`. */
export type StateKind = { readonly kind: "sqlite" } | { readonly kind: "postgres"; readonly url: string }

export interface Customer {
  readonly email: string
  readonly phone: string
  readonly name: string
}

/** `count` customers; every 7th has an email that is not one and every 11th a phone that is not one (rejects). */
export const makeCustomers = (count: number, version: number): ReadonlyArray<Customer> =>
  Array.from({ length: count }, (_, index) => {
    const number = index + 1
    return {
      email: number % 7 === 0 ? `customer${number}-at-example.com` : `customer${number}@example.com`,
      phone: number % 11 === 0 ? `+31 6 ${number}` : `+31 6 1234 ${String(5000 + number)}`,
      name: `Customer ${number} v${version}`
    }
  })

/** The source's emails and phone numbers in every form a page could show them: as read and as normalised. */
export const personalData = (customers: ReadonlyArray<Customer>): ReadonlyArray<string> =>
  customers.flatMap((customer) => {
    const digits = customer.phone.replace(/\D/g, "")
    // Digit forms only of real numbers: a short bad one ("+31 6 22") as digits would match counts and ids.
    return [customer.email, customer.phone, ...(digits.length >= 9 ? [`+${digits}`, digits.slice(2)] : [])]
  })

export const writeSource = (file: string, customers: ReadonlyArray<Customer>) =>
  FileSystem.writeFileSync(
    file,
    `${[
      "email,phone,name",
      ...customers.map((customer) => `${customer.email},${customer.phone},${customer.name}`)
    ].join("\n")}\n`
  )

const stateLine = (state: StateKind, directory: string) =>
  state.kind === "sqlite"
    ? `state: { sqlite: ${Path.join(directory, "state.db")} }`
    : "state: { postgres: { urlEnv: DASHBOARD_STATE_URL } }"

export const writeSyncConfig = (options: {
  readonly directory: string
  readonly name: string
  readonly sandbox: Sandbox
  readonly state: StateKind
  readonly ocamba: boolean
  /** The source file (default `<name>.csv`); the config is written as `<source>.yaml`. */
  readonly source?: string
}): string => {
  const source = options.source ?? `${options.name}.csv`
  const lines = [
    "version: 1",
    `name: ${options.name}`,
    'schedule: "0 3 * * *"',
    "timeZone: Europe/Amsterdam",
    `source: { type: csv, path: ./${source} }`,
    "fields:",
    "  email: { column: email, type: email, required: true }",
    "  phone: { column: phone, type: phone, defaultCountry: NL }",
    "  name: { column: name, type: text }",
    "key: [email]",
    "targets:",
    ...(options.ocamba
      ? [
          "  ocamba:",
          `    baseUrl: ${options.sandbox.ocambaBaseUrl}`,
          `    account: ${options.name}`,
          "    credentials: { tokenEnv: OCAMBA_TOKEN }",
          "    properties:",
          "      email: { property: email, system: true }",
          "      phone: { property: mobile_phone_number, system: true }",
          "      name: { property: full_name, system: true }"
        ]
      : []),
    "  copernica:",
    `    baseUrl: ${options.sandbox.copernicaBaseUrl}`,
    "    credentials: { tokenEnv: COPERNICA_TOKEN }",
    "    database: 1",
    "    keyFields: [Email]",
    "    fields:",
    "      email: { field: Email }",
    "      phone: { field: Phone }",
    "      name: { field: Firstname, type: text }",
    "    rowsPerImport: 10",
    stateLine(options.state, options.directory),
    "deadLetters: { maxAttempts: 1 }",
    `rejects: { path: ./${options.name}-rejects.ndjson }`,
    ""
  ]
  const file = Path.join(options.directory, `${source.replace(/\.\w+$/, "")}.yaml`)
  FileSystem.writeFileSync(file, lines.join("\n"))
  return file
}

/** Two syncs' configs, their state filled by real runs, and a run of `crm` in progress. */
export interface FilledState {
  readonly directory: string
  readonly configs: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  /** Every email and phone number the sources held. */
  readonly personal: ReadonlyArray<string>
  /** The run still in progress; kill it when done. */
  readonly inProgress: CliProcess
  readonly cleanup: () => void
}

/** Polls an asynchronous condition every 250 ms until it holds. */
const waitFor = async (condition: () => Promise<boolean>, description: string, timeoutMilliseconds = 60_000) => {
  const deadline = Date.now() + timeoutMilliseconds
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const run = async (config: string, env: Readonly<Record<string, string>>, expected: ReadonlyArray<number>) => {
  const result = await runCli(["run", "--config", config, "--json"], { env })
  if (!expected.includes(result.code ?? -1)) {
    throw new Error(`profilesync run exited with ${result.code}:\n${result.stderr}`)
  }
  return JSON.parse(result.stdout) as { readonly runId: string; readonly status: string }
}

/**
 * Fills the state: `crm` (Ocamba and Copernica) runs three times (the third while Copernica fails every import,
 * which dead-letters its rows), `newsletter` (Copernica) once, then a fourth `crm` run waits for source rows that do
 * not come, so it is in progress while the dashboard is looked at.
 */
export const fillState = async (sandbox: Sandbox, state: StateKind): Promise<FilledState> => {
  const directory = temporaryDirectory()
  const env = { ...sandboxTokens, ...(state.kind === "postgres" ? { DASHBOARD_STATE_URL: state.url } : {}) }
  const crm = writeSyncConfig({ directory: directory.path, name: "crm", sandbox, state, ocamba: true })
  const newsletter = writeSyncConfig({ directory: directory.path, name: "newsletter", sandbox, state, ocamba: false })
  const crmSource = Path.join(directory.path, "crm.csv")
  const sources: Array<Customer> = []
  const write = (file: string, customers: ReadonlyArray<Customer>) => {
    sources.push(...customers)
    writeSource(file, customers)
  }

  write(crmSource, makeCustomers(40, 1))
  await run(crm, env, [0, 3])
  write(crmSource, makeCustomers(40, 2))
  await run(crm, env, [0, 3])
  sandbox.setFaults({ importFailureRate: 1, vendors: ["copernica"] })
  write(crmSource, makeCustomers(40, 3))
  const failing = await run(crm, env, [3])
  sandbox.setFaults({ importFailureRate: 0 })
  if (failing.status !== "partial") throw new Error(`the failing run ended ${failing.status}`)
  write(
    Path.join(directory.path, "newsletter.csv"),
    makeCustomers(12, 1).map((customer) => ({ ...customer, email: customer.email.replace("customer", "reader") }))
  )
  await run(newsletter, env, [0, 3])

  // The fourth run reads a named pipe that gets its header and then nothing more: it holds the lock, renews it, and
  // waits for rows, for as long as the test needs a run in progress.
  const live = writeSyncConfig({
    directory: directory.path,
    name: "crm",
    sandbox,
    state,
    ocamba: true,
    source: "crm.fifo"
  })
  const fifo = Path.join(directory.path, "crm.fifo")
  execFileSync("mkfifo", [fifo])
  const inProgress = spawnCli(["run", "--config", live], { env })
  const writer = FileSystem.createWriteStream(fifo)
  writer.write("email,phone,name\n")
  await waitFor(
    async () => (await runCli(["status", "--config", crm, "--json"], { env })).stdout.includes('"status":"running"'),
    "the fourth run to start"
  )
  return {
    directory: directory.path,
    configs: [crm, newsletter],
    env,
    personal: personalData(sources),
    inProgress,
    cleanup: () => {
      inProgress.child.kill("SIGKILL")
      writer.destroy()
      directory.cleanup()
    }
  }
}

/** A running dashboard. */
export interface RunningDashboard {
  readonly url: string
  readonly process: CliProcess
  readonly stop: () => Promise<void>
}

/** Starts `profilesync dashboard` with `args` and waits until it says where it listens. */
export const startDashboard = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Promise<RunningDashboard> => {
  const cli = spawnCli(["dashboard", "--port", "0", ...args], { env })
  let exited = false
  void cli.exited.then(() => {
    exited = true
  })
  await waitUntil(
    () => {
      if (exited) throw new Error(`the dashboard exited:\n${cli.stdout()}\n${cli.stderr()}`)
      return /serving .* at (http:\S+)/.test(cli.stdout())
    },
    "the dashboard to listen",
    60_000
  )
  const url = /serving .* at (http:\S+)/.exec(cli.stdout())![1]!
  return {
    url,
    process: cli,
    stop: async () => {
      cli.child.kill("SIGTERM")
      await cli.exited
    }
  }
}

const browserFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** Debian's Chromium, headless, in a fresh profile (no browser is downloaded); `close` removes the profile. */
export const launchBrowser = async (): Promise<{
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}> => {
  const userDataDirectory = FileSystem.mkdtempSync(Path.join(OS.tmpdir(), "profilesync-chromium-"))
  const context = await chromium.launchPersistentContext(userDataDirectory, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: browserFlags,
    acceptDownloads: true
  })
  return {
    context,
    close: async () => {
      await context.close()
      FileSystem.rmSync(userDataDirectory, { recursive: true, force: true })
    }
  }
}

/** Every problem a page reports: console errors, uncaught exceptions, failed requests, error statuses. */
export const watch = (page: Page, allowedStatuses: ReadonlyArray<number> = []): Array<string> => {
  const problems: Array<string> = []
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`)
  })
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`))
  page.on("response", (response) => {
    if (response.status() >= 400 && !allowedStatuses.includes(response.status())) {
      problems.push(`${response.status()}: ${response.url()}`)
    }
  })
  return problems
}
