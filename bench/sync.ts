/**
 * Sync benchmark: a full sync of 100,000 generated profiles into both vendors of the sandbox, then an incremental
 * run after 1% of the source rows changed, then a run with nothing changed: wall time, vendor calls per vendor (from
 * the sandbox's counters), 429s, and the daemon's peak RSS, with the run report the engine printed.
 *
 * Setup:
 * - Source: examples/generate-profiles.ts 100000 rows, seed 42 (cached). Config: examples/customers.yaml with the
 *   source, state (SQLite), rejects and vendor URLs pointed at a temporary directory and the sandbox, credentials
 *   from `OCAMBA_TOKEN` / `COPERNICA_TOKEN`. Calls go straight to the sandbox (no proxy), spending the budget through
 *   the daemon's own in-memory throttle.
 * - Sandbox (its own process): Ocamba's real limits, 10/1s and 150/60s (no scaling: a sync needs few Ocamba calls, so
 *   it fits in minutes), Copernica without published limits (the client's adaptive rate applies), import processing
 *   delay 100 ms (the sandbox's default), response validation off.
 * - Change: one data row in 100 (rows 37, 137, ...) gets another city: 1,000 source rows.
 * - Runner: the daemon CLI, `profilesync run --config F --once --json` (apps/daemon, from source), one process per
 *   run; `--mode engine` runs `Sync.run` in this process instead (`Sync.layer(config)`).
 *
 * - CPU: the daemon's user + system seconds from /proc, sampled every 100 ms (the last sample before it exited).
 *   `--cpu-prof DIR` writes a V8 CPU profile of each daemon run into DIR.
 *
 * - Memory: the daemon's peak RSS (`VmHWM` from /proc, sampled every 100 ms). `--built` runs the compiled daemon
 *   (`apps/daemon/bin/profilesync.js` with dist/ built: `pnpm turbo run build --filter @profilesync/daemon...`), as
 *   users run it, instead of the sources through tsx (whose compiler holds about 100 MiB of its own).
 *   `--node-options "--max-semi-space-size=4"` passes V8 flags to the daemon; `--runs full` runs only the full sync.
 *
 * Usage: pnpm --filter @profilesync/bench sync [--rows 100000] [--mode daemon|engine] [--timeout 900]
 *        [--built] [--runs full,incremental-1%,unchanged] [--node-options "..."] [--cpu-prof DIR]
 *        [--json results/sync.json]
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { profilesFile } from "./support/data.ts"
import { emit, flag, hasFlag, log, machine, round, sleep, table } from "./support/report.ts"
import {
  type AccountCounters,
  accountCounters,
  type Counters,
  cpuSeconds,
  repoRoot,
  type SandboxProcess,
  sandboxAccounts,
  sandboxTokens,
  spawnService,
  startSandbox,
  tempDirectory
} from "./support/services.ts"

const rows = Number(flag("rows") ?? 100_000)
const mode = (flag("mode") ?? "daemon") as "daemon" | "engine"
const timeoutSeconds = Number(flag("timeout") ?? 900)
const changeEvery = 100
const daemonEntry = Path.join(repoRoot, "apps/daemon/src/main.ts")
const engineEntry = Path.join(repoRoot, "packages/sync/src/Sync.ts")
const built = hasFlag("built")
const builtEntry = Path.join(repoRoot, "apps/daemon/dist/main.js")
const runKinds = ["full", "incremental-1%", "unchanged"] as const
const selectedRuns = (flag("runs") ?? runKinds.join(",")).split(",")
// Its value starts with "--", which `flag` takes for the next flag.
const nodeOptionsAt = process.argv.indexOf("--node-options")
const nodeOptions = (nodeOptionsAt === -1 ? "" : (process.argv[nodeOptionsAt + 1] ?? ""))
  .split(" ")
  .filter((option) => option !== "")

/** examples/customers.yaml, pointed at the sandbox and a temporary directory (fails loudly if the example moved on). */
const writeConfig = (directory: string, sandbox: SandboxProcess, source: string): string => {
  let text = FileSystem.readFileSync(Path.join(repoRoot, "examples/customers.yaml"), "utf8")
  const replace = (pattern: RegExp, replacement: string) => {
    if (!pattern.test(text)) throw new Error(`examples/customers.yaml changed: ${pattern} not found`)
    text = text.replace(pattern, replacement)
  }
  replace(/^(\s*path:\s*)\.\/profiles\.csv.*$/m, `$1${JSON.stringify(source)}`)
  replace(
    /^(\s*)baseUrl:\s*\S*\/ocamba\/v1\/hood.*$/m,
    `$1baseUrl: ${sandbox.ocambaBaseUrl}\n$1credentials: { tokenEnv: OCAMBA_TOKEN }`
  )
  replace(
    /^(\s*)baseUrl:\s*\S*\/copernica\/v3.*$/m,
    `$1baseUrl: ${sandbox.copernicaBaseUrl}\n$1credentials: { tokenEnv: COPERNICA_TOKEN }`
  )
  replace(/^state:.*$/m, `state: { sqlite: ${JSON.stringify(Path.join(directory, "state.db"))} }`)
  replace(/^rejects:.*$/m, `rejects: { path: ${JSON.stringify(Path.join(directory, "rejects.ndjson"))} }`)
  const file = Path.join(directory, "customers.yaml")
  FileSystem.writeFileSync(file, text)
  return file
}

/** Copies the source with one data row in `changeEvery` given another city; returns how many rows changed. */
const writeChanged = (from: string, to: string): number => {
  const lines = FileSystem.readFileSync(from, "utf8").split("\n")
  const header = lines[0]!.split(",")
  const city = header.indexOf("city")
  if (city === -1) throw new Error("the generated file has no city column")
  let changed = 0
  // Rows 37, 137, 237, ...: 1 in 100, and never one of the generator's deliberately bad rows (every 500th).
  for (let index = 37; index < lines.length; index += changeEvery) {
    // Rows with quoted fields are left alone (their commas are not all separators); the next row takes their turn.
    for (let candidate = index; candidate < Math.min(lines.length, index + changeEvery); candidate++) {
      const line = lines[candidate]!
      if (line === "" || line.includes('"')) continue
      const cells = line.split(",")
      cells[city] = cells[city] === "Haarlem" ? "Leiden" : "Haarlem"
      lines[candidate] = cells.join(",")
      changed++
      break
    }
  }
  FileSystem.writeFileSync(to, lines.join("\n"))
  return changed
}

interface VendorCalls {
  readonly requests: number
  readonly ok: number
  readonly rateLimited: number
  readonly clientErrors: number
  readonly serverErrors: number
}

const delta = (before: AccountCounters, after: AccountCounters): VendorCalls => ({
  requests: after.requests - before.requests,
  ok: after.responses["2xx"] - before.responses["2xx"],
  rateLimited: after.rateLimited - before.rateLimited,
  clientErrors: after.responses["4xx"] - before.responses["4xx"] - (after.rateLimited - before.rateLimited),
  serverErrors: after.responses["5xx"] - before.responses["5xx"]
})

const vendorCalls = (before: Counters, after: Counters) => ({
  ocamba: delta(
    accountCounters(before, "ocamba", sandboxAccounts.ocamba),
    accountCounters(after, "ocamba", sandboxAccounts.ocamba)
  ),
  copernica: delta(
    accountCounters(before, "copernica", sandboxAccounts.copernica),
    accountCounters(after, "copernica", sandboxAccounts.copernica)
  )
})

interface RunOutcome {
  readonly exitCode: number | null
  readonly seconds: number
  readonly peakRssMiB: number | null
  /** CPU seconds (user + system) of the daemon process, last sampled just before it exited. */
  readonly cpuSeconds: number | null
  readonly report: unknown
  readonly stderrTail: string
}

const peakRss = (pid: number): number | null => {
  try {
    const status = FileSystem.readFileSync(`/proc/${pid}/status`, "utf8")
    const match = /VmHWM:\s+(\d+) kB/.exec(status)
    return match === null ? null : Number(match[1]) / 1024
  } catch {
    return null
  }
}

const cpuProfileDirectory = flag("cpu-prof")
const environment = {
  ...process.env,
  OCAMBA_TOKEN: sandboxTokens.ocamba,
  COPERNICA_TOKEN: sandboxTokens.copernica,
  PROFILESYNC_LOG_FORMAT: "json"
}

/** One `profilesync run --once --json` in its own process. */
const runDaemon = async (config: string): Promise<RunOutcome> => {
  const started = performance.now()
  const profile =
    cpuProfileDirectory === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${Path.resolve(cpuProfileDirectory)}`]
  const service = spawnService(
    "daemon",
    process.execPath,
    [
      ...profile,
      ...nodeOptions,
      ...(built ? [builtEntry] : ["--conditions=@profilesync/source", "--import", "tsx", daemonEntry]),
      ...["run", "--config", config, "--once", "--json"]
    ],
    { cwd: Path.join(repoRoot, "apps/daemon"), env: environment }
  )
  let stdout = ""
  service.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  let peak: number | null = null
  let cpu: number | null = null
  const sampler = setInterval(() => {
    peak = peakRss(service.pid) ?? peak
    // 0 once the process has exited: the last sample stands.
    const sample = cpuSeconds(service.pid)
    if (sample > 0) cpu = sample
  }, 100)
  const timer = setTimeout(() => service.child.kill("SIGKILL"), timeoutSeconds * 1000)
  const exitCode = await new Promise<number | null>((resolve) => service.child.once("exit", (code) => resolve(code)))
  clearTimeout(timer)
  clearInterval(sampler)
  const seconds = (performance.now() - started) / 1000
  const reportLine = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((line) => line.startsWith("{"))
  let report: unknown = null
  try {
    report = reportLine === undefined ? null : JSON.parse(reportLine)
  } catch {
    report = { unparsed: reportLine }
  }
  return {
    exitCode,
    seconds: round(seconds, 2),
    peakRssMiB: peak === null ? null : round(peak, 1),
    cpuSeconds: cpu === null ? null : round(cpu, 1),
    report,
    stderrTail: service.output().split("\n").slice(-15).join("\n")
  }
}

/** One `Sync.run` in this process (the engine without the CLI). */
const runEngine = async (configFile: string): Promise<RunOutcome> => {
  const { SyncConfig } = await import("@profilesync/sync")
  const Sync = await import("@profilesync/sync/Sync")
  const Effect = await import("effect/Effect")
  Object.assign(process.env, environment)
  const started = performance.now()
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  const exit = await Effect.runPromiseExit(
    Effect.flatMap(SyncConfig.load(configFile), (config) => Effect.provide(Sync.run({ config }), Sync.layer(config)))
  )
  clearInterval(sampler)
  const seconds = (performance.now() - started) / 1000
  return {
    exitCode: exit._tag === "Success" ? 0 : 1,
    seconds: round(seconds, 2),
    peakRssMiB: round(peak / 1024 / 1024, 1),
    cpuSeconds: null,
    report: exit._tag === "Success" ? exit.value : { failure: String(exit.cause) },
    stderrTail: ""
  }
}

interface TargetSummary {
  readonly sent: number
  readonly unchanged: number
  readonly failed: number
  readonly rejected: number
  readonly chunks: number
  readonly errors: number
}

/** The figures of the engine's `RunReport` the table shows (the whole report is kept in the JSON). */
const summarise = (report: unknown) => {
  const value = report as {
    status?: string
    durationMilliseconds?: number
    read?: number
    rejected?: number
    vendorCalls?: Record<string, number>
    targets?: Record<
      string,
      {
        created: number
        updated: number
        unchanged: number
        failed: number
        rejected: number
        chunks: number
        errors: ReadonlyArray<string>
      }
    >
  } | null
  if (value === null || typeof value !== "object" || value.targets === undefined) return null
  const targets: Record<string, TargetSummary> = {}
  for (const [name, target] of Object.entries(value.targets)) {
    targets[name] = {
      sent: target.created + target.updated,
      unchanged: target.unchanged,
      failed: target.failed,
      rejected: target.rejected,
      chunks: target.chunks,
      errors: target.errors.length
    }
  }
  return {
    status: value.status,
    engineSeconds: value.durationMilliseconds === undefined ? undefined : round(value.durationMilliseconds / 1000, 2),
    read: value.read,
    rejected: value.rejected,
    reportedVendorCalls: value.vendorCalls,
    targets
  }
}

const main = async () => {
  const started = Date.now()
  const entry = mode === "daemon" ? (built ? builtEntry : daemonEntry) : engineEntry
  if (!FileSystem.existsSync(entry) || !FileSystem.existsSync(engineEntry)) {
    const missing = [entry, engineEntry].filter((file) => !FileSystem.existsSync(file))
    log(`sync: cannot run yet, missing ${missing.map((file) => Path.relative(repoRoot, file)).join(", ")}`)
    emit({ benchmark: "sync", machine: machine(), skipped: `missing ${missing.join(", ")}` })
    return
  }
  log(`sync: ${rows} profiles, runner ${mode}${built ? " (built)" : ""} ${nodeOptions.join(" ")}`)
  const generated = profilesFile(rows)
  const directory = tempDirectory("profilesync-bench-sync-")
  const source = Path.join(directory, "profiles.csv")
  FileSystem.copyFileSync(generated, source)
  const sandbox = await startSandbox(["--processing-delay", "100"], { validateResponses: false }, { requestLog: true })
  const config = writeConfig(directory, sandbox, source)
  const run = mode === "daemon" ? runDaemon : runEngine
  const runs: Array<Record<string, unknown>> = []
  try {
    for (const kind of runKinds.filter((name) => selectedRuns.includes(name))) {
      let changedRows = 0
      if (kind === "incremental-1%") changedRows = writeChanged(generated, source)
      const before = await sandbox.counters()
      const loggedBefore = sandbox.requests().length
      const outcome = await run(config)
      await sleep(200)
      const after = await sandbox.counters()
      const calls = vendorCalls(before, after)
      const byOperation: Record<string, number> = {}
      for (const request of sandbox.requests().slice(loggedBefore)) {
        if (request.account === "-") continue // the inspection API (counters)
        const name = `${request.account.startsWith("ocamba") ? "ocamba" : "copernica"}.${request.operation ?? "unknown"}`
        byOperation[name] = (byOperation[name] ?? 0) + 1
      }
      runs.push({
        run: kind,
        changedSourceRows: changedRows,
        ...outcome,
        summary: summarise(outcome.report),
        vendorCalls: calls,
        vendorCallsByOperation: byOperation
      })
      log(
        `  ${kind.padEnd(15)} ${outcome.seconds.toFixed(1)} s, exit ${outcome.exitCode}, Ocamba ${calls.ocamba.requests} calls (${calls.ocamba.rateLimited} × 429), Copernica ${calls.copernica.requests} calls (${calls.copernica.rateLimited} × 429), peak RSS ${outcome.peakRssMiB} MiB, CPU ${outcome.cpuSeconds} s`
      )
      log(
        `    by operation: ${Object.entries(byOperation)
          .sort()
          .map(([name, count]) => `${name} ${count}`)
          .join(", ")}`
      )
      if (outcome.exitCode !== 0 && outcome.exitCode !== 3) {
        log(`  the run failed; its last log lines:\n${outcome.stderrTail}`)
        break
      }
    }
  } finally {
    await sandbox.stop()
    FileSystem.rmSync(directory, { recursive: true, force: true })
  }
  log()
  log(
    table(
      [
        "run",
        "status",
        "wall s",
        "engine s",
        "rows read",
        "Ocamba sent/unchanged",
        "Copernica sent/unchanged",
        "Ocamba calls",
        "Ocamba 429",
        "Copernica calls",
        "Copernica 429",
        "peak RSS MiB",
        "CPU s"
      ],
      runs.map((entry) => {
        const calls = entry.vendorCalls as ReturnType<typeof vendorCalls>
        const summary = entry.summary as ReturnType<typeof summarise>
        const target = (name: string) => {
          const figures = summary?.targets[name]
          return figures === undefined ? undefined : `${figures.sent}/${figures.unchanged}`
        }
        return [
          entry.run as string,
          summary?.status ?? `exit ${entry.exitCode}`,
          entry.seconds as number,
          summary?.engineSeconds,
          summary?.read,
          target("ocamba"),
          target("copernica"),
          calls.ocamba.requests,
          calls.ocamba.rateLimited,
          calls.copernica.requests,
          calls.copernica.rateLimited,
          entry.peakRssMiB as number | null,
          entry.cpuSeconds as number | null
        ]
      })
    )
  )
  emit({
    benchmark: "sync",
    machine: machine(),
    durationSeconds: round((Date.now() - started) / 1000, 1),
    setup: {
      rows,
      runner:
        mode === "daemon"
          ? `profilesync run --config F --once --json (apps/daemon ${built ? "built" : "from source"})`
          : "Sync.run",
      nodeOptions,
      sandbox: "Ocamba 10/1s,150/60s (real, unscaled); Copernica no windows; processing delay 100 ms; validation off",
      change: `one data row in ${changeEvery} (rows 37, 137, ...) gets another city`,
      config: "examples/customers.yaml, source/state/rejects/URLs replaced, direct to the sandbox (no proxy)"
    },
    runs
  })
}

await main()
process.exit(0)
