/**
 * @module
 * The Grafana dashboards in deploy/grafana against a real Prometheus: Debian's `prometheus` 2.x starts on loopback
 * and scrapes a running proxy (the build, in front of the sandbox) and `profilesync schedule --metrics-port`; a sync
 * runs through the proxy, the proxy's queue and the vendor's 429s are provoked, and then every panel's PromQL (with
 * Grafana's variables replaced by concrete values) must parse and return at least one series through Prometheus'
 * HTTP API. A dashboard naming a metric the code no longer exports fails here.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type CliProcess,
  jsonLines,
  makeProfiles,
  repositoryDirectory,
  spawnCli,
  temporaryDirectory,
  waitUntil,
  writeConfig,
  writeProfiles
} from "./support.ts"

interface Panel {
  readonly title: string
  readonly datasource: { readonly uid: string }
  readonly targets: ReadonlyArray<{ readonly expr: string; readonly datasource: { readonly uid: string } }>
}
interface Dashboard {
  readonly __inputs: ReadonlyArray<{ readonly name: string; readonly type: string; readonly pluginId: string }>
  readonly panels: ReadonlyArray<Panel>
  readonly templating: {
    readonly list: ReadonlyArray<{ readonly name: string; readonly query: { readonly query: string } }>
  }
}

const dashboards = Object.fromEntries(
  ["proxy", "daemon"].map((name) => [
    name,
    JSON.parse(
      FileSystem.readFileSync(Path.join(repositoryDirectory, "deploy", "grafana", `${name}.json`), "utf8")
    ) as Dashboard
  ])
)

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder for the datasource chosen at import.
const datasourceInput = "${DS_PROMETHEUS}"

/** Grafana's variables as concrete values: every instance and sync, and fixed ranges. */
const concrete = (expression: string): string =>
  expression
    .replaceAll("$__rate_interval", "1m")
    .replaceAll("$__range", "10m")
    .replaceAll("$instance", ".+")
    .replaceAll("$sync", ".+")

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })

const stop = async (child: ChildProcess | undefined): Promise<void> => {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
  await exited
  clearTimeout(timer)
}

/** Polls an HTTP URL until it answers 200 (bounded). */
const waitForHttp = async (url: string, description: string, child: ChildProcess, output: () => string) => {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${description} exited early: ${output()}`)
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false
    )
    if (ok) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}: ${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface QueryAnswer {
  readonly status: string
  readonly error?: string
  readonly data?: { readonly result: ReadonlyArray<unknown> }
}

describe("the Grafana dashboards against a real Prometheus", { timeout: 240_000 }, () => {
  const directory = temporaryDirectory()
  let sandbox: Sandbox
  let proxy: ChildProcess | undefined
  let proxyOutput = ""
  let daemon: CliProcess | undefined
  let prometheus: ChildProcess | undefined
  let prometheusOutput = ""
  let prometheusUrl = ""
  let proxyUrl = ""

  const query = async (expression: string): Promise<QueryAnswer> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expression)}`)
    return (await response.json()) as QueryAnswer
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11 })

    const proxyPort = await freePort()
    proxyUrl = `http://127.0.0.1:${proxyPort}`
    const proxyProcess = spawn(
      process.execPath,
      [Path.join(repositoryDirectory, "apps/proxy/bin/profilesync-proxy.js")],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOST: "127.0.0.1",
          PORT: String(proxyPort),
          OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
          COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
          OCAMBA_TOKEN: "ocamba-sandbox-token",
          COPERNICA_TOKEN: "copernica-sandbox-token",
          // A short queue, so that a burst of callers meets the proxy's own 429.
          MAX_QUEUE: "2",
          LOG_LEVEL: "warn"
        },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    proxy = proxyProcess
    proxyProcess.stdout!.on("data", (chunk: Buffer) => {
      proxyOutput += chunk.toString()
    })
    proxyProcess.stderr!.on("data", (chunk: Buffer) => {
      proxyOutput += chunk.toString()
    })
    await waitForHttp(`${proxyUrl}/healthz`, "the proxy", proxyProcess, () => proxyOutput)

    // The sync goes through the proxy, which holds the tokens: the config names none.
    writeProfiles(Path.join(directory.path, "profiles.csv"), makeProfiles(30))
    const config = writeConfig({
      directory: directory.path,
      ocambaBaseUrl: `${proxyUrl}/ocamba/v1/hood`,
      copernicaBaseUrl: `${proxyUrl}/copernica/v3`,
      schedule: "0 0 1 1 *"
    })
    FileSystem.writeFileSync(config, FileSystem.readFileSync(config, "utf8").replace(/^ +credentials:.*\n/gm, ""))
    const daemonPort = await freePort()
    daemon = spawnCli(["schedule", "--config", config, "--now", "--metrics-port", String(daemonPort)])

    const prometheusPort = await freePort()
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`
    const prometheusConfig = Path.join(directory.path, "prometheus.yml")
    FileSystem.writeFileSync(
      prometheusConfig,
      [
        "global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }",
        "scrape_configs:",
        `  - { job_name: profilesync-proxy, static_configs: [{ targets: ["127.0.0.1:${proxyPort}"] }] }`,
        `  - { job_name: profilesync-daemon, static_configs: [{ targets: ["127.0.0.1:${daemonPort}"] }] }`,
        ""
      ].join("\n")
    )
    const prometheusProcess = spawn(
      "prometheus",
      [
        `--config.file=${prometheusConfig}`,
        `--storage.tsdb.path=${Path.join(directory.path, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        "--log.level=warn"
      ],
      { cwd: directory.path, stdio: ["ignore", "pipe", "pipe"] }
    )
    prometheus = prometheusProcess
    prometheusProcess.stdout!.on("data", (chunk: Buffer) => {
      prometheusOutput += chunk.toString()
    })
    prometheusProcess.stderr!.on("data", (chunk: Buffer) => {
      prometheusOutput += chunk.toString()
    })
    await waitForHttp(`${prometheusUrl}/-/ready`, "prometheus", prometheusProcess, () => prometheusOutput)

    // The first run, through the proxy, to its end.
    await waitUntil(
      () => jsonLines(daemon!.stderr()).some((line) => line.message === "next run scheduled"),
      "the daemon's first run",
      120_000
    )
    expect(daemon.stderr()).toContain('"status":"succeeded"')

    // Vendor 429s: Copernica answers 429 for a moment; the proxy pauses the account and tries again.
    sandbox.setFaults({ rateLimitStorm: { durationMilliseconds: 1500, retryAfterSeconds: 1 }, vendors: ["copernica"] })
    const stormed = await fetch(`${proxyUrl}/copernica/v3/databases`)
    await stormed.arrayBuffer()
    // The proxy's own 429s: a burst of callers on one Ocamba account, more than its queue holds.
    const burst = await Promise.all(
      Array.from({ length: 60 }, () =>
        fetch(`${proxyUrl}/ocamba/v1/hood/profile-properties`).then(async (response) => {
          await response.arrayBuffer()
          return response.status
        })
      )
    )
    expect(burst).toContain(429)
  })

  afterAll(async () => {
    await stop(prometheus)
    await stop(daemon?.child)
    await stop(proxy)
    await sandbox?.close()
    directory.cleanup()
  })

  it("ship as importable dashboards with a DS_PROMETHEUS datasource input", () => {
    for (const dashboard of Object.values(dashboards)) {
      expect(dashboard.__inputs).toEqual([
        expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })
      ])
      expect(dashboard.panels.length).toBeGreaterThan(0)
      for (const panel of dashboard.panels) {
        expect(panel.datasource.uid, panel.title).toBe(datasourceInput)
        expect(panel.targets.length, panel.title).toBeGreaterThan(0)
        for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe(datasourceInput)
      }
    }
  })

  it("every panel's query parses and returns at least one series once the metrics are scraped", async () => {
    const queries = Object.entries(dashboards).flatMap(([name, dashboard]) =>
      dashboard.panels.flatMap((panel) =>
        panel.targets.map((target) => ({ where: `${name}: ${panel.title}`, expression: concrete(target.expr) }))
      )
    )
    const empty = async () => {
      const failing: Array<string> = []
      for (const { where, expression } of queries) {
        const answer = await query(expression)
        if (answer.status !== "success") failing.push(`${where}: ${expression}: ${answer.error}`)
        else if (answer.data!.result.length === 0) failing.push(`${where}: ${expression}: no series`)
      }
      return failing
    }
    // Scrapes happen every second; rates need two samples after the burst. Bounded: a minute at most.
    const deadline = Date.now() + 60_000
    let failing = await empty()
    while (failing.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      failing = await empty()
    }
    expect(failing).toEqual([])
  })

  it("every variable's label_values finds values", async () => {
    for (const dashboard of Object.values(dashboards)) {
      for (const variable of dashboard.templating.list) {
        const match = /^label_values\((\w+), *(\w+)\)$/.exec(variable.query.query)
        expect(match, variable.name).not.toBeNull()
        const response = await fetch(
          `${prometheusUrl}/api/v1/label/${match![2]}/values?match[]=${encodeURIComponent(match![1]!)}`
        )
        const answer = (await response.json()) as { data: ReadonlyArray<string> }
        expect(answer.data.length, variable.name).toBeGreaterThan(0)
      }
    }
  })

  it("a query naming a metric nobody exports finds nothing, and a malformed one is an error (the check can fail)", async () => {
    const missing = await query(
      concrete('sum by (vendor) (rate(profilesync_proxy_requests_count{instance=~"$instance"}[$__rate_interval]))')
    )
    expect(missing.status).toBe("success")
    expect(missing.data!.result).toEqual([])
    expect((await query("sum by (vendor (profilesync_proxy_requests_total)")).status).toBe("error")
  })
})
