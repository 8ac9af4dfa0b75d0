/**
 * The main job, end to end, on embedded defaults: starts the vendor sandbox and the proxy sidecar on loopback, runs
 * the sync daemon once over the bundled example (10,000 profiles with a few bad rows) through the proxy to both
 * vendors, prints the run report and where the rejects and the state are, runs it again to show that nothing changed
 * costs nothing, and stops every process it started.
 *
 * Ports: the sandbox on 4010 and the proxy on 8787 (the ports examples/customers.yaml names). `DEMO_SANDBOX_PORT` and
 * `DEMO_PROXY_PORT` move them (the README test does, to stay clear of a demo someone else is running); the daemon
 * then runs a copy of the config beside it that names the proxy's port.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..")
const examples = Path.join(root, "examples")
const stateDirectory = Path.join(examples, ".profilesync")
const sandboxPort = Number(process.env.DEMO_SANDBOX_PORT ?? 4010)
const proxyPort = Number(process.env.DEMO_PROXY_PORT ?? 8787)
const bundledConfig = Path.join(examples, "customers.yaml")
// Beside the original, so its relative paths (the CSV, the state) mean the same; removed when the demo ends.
const config = proxyPort === 8787 ? bundledConfig : Path.join(examples, `.customers-proxy-${proxyPort}.yaml`)
const tsxNode = [process.execPath, "--conditions=@profilesync/source", "--import", "tsx"]

const children: Array<ChildProcess> = []
const stopAll = async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
          child.once("exit", () => {
            clearTimeout(timer)
            resolve()
          })
          child.kill("SIGTERM")
        })
    )
  )
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stopAll().then(() => process.exit(130))
  })
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = Net.createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

const start = (
  name: string,
  command: ReadonlyArray<string>,
  options: { cwd: string; env?: Record<string, string> }
) => {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
  })
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal === null && !stopping) {
      console.error(`\n${name} exited with code ${code}:\n${output}`)
    }
  })
  children.push(child)
  return child
}

const waitFor = async (name: string, url: string, child: ChildProcess) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} stopped before it was ready`)
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${name} was not ready at ${url} within 60 s`)
}

const runDaemon = (title: string) =>
  new Promise<number>((resolve) => {
    console.log(`\n=== ${title} ===`)
    const child = spawn(tsxNode[0]!, [...tsxNode.slice(1), "src/main.ts", "run", "--config", config, "--once"], {
      cwd: Path.join(root, "apps/daemon"),
      env: { ...process.env },
      stdio: "inherit"
    })
    child.once("exit", (code) => resolve(code ?? 1))
  })

let stopping = false
const main = async () => {
  for (const [name, port] of [
    ["sandbox", sandboxPort],
    ["proxy", proxyPort]
  ] as const) {
    if (!(await portFree(port))) {
      throw new Error(`port ${port} (the ${name}) is in use on 127.0.0.1: stop what holds it and run the demo again`)
    }
  }
  // Every demo starts from scratch: the sandbox is new, so the state of an earlier demo would not match it.
  FileSystem.rmSync(stateDirectory, { recursive: true, force: true })
  if (config !== bundledConfig) {
    FileSystem.writeFileSync(
      config,
      FileSystem.readFileSync(bundledConfig, "utf8").replaceAll("127.0.0.1:8787/", `127.0.0.1:${proxyPort}/`)
    )
  }

  console.log(`starting the vendor sandbox on http://127.0.0.1:${sandboxPort} (Ocamba /v1/hood, Copernica /v3)`)
  const sandbox = start("sandbox", [...tsxNode, "src/cli.ts", "--port", String(sandboxPort), "--quiet"], {
    cwd: Path.join(root, "packages/sandbox")
  })
  await waitFor("the sandbox", `http://127.0.0.1:${sandboxPort}/_sandbox/counters`, sandbox)

  console.log(`starting the proxy sidecar on http://127.0.0.1:${proxyPort} (it holds the tokens and the shared budget)`)
  const proxy = start("proxy", [...tsxNode, "src/main.ts"], {
    cwd: Path.join(root, "apps/proxy"),
    env: {
      PORT: String(proxyPort),
      OCAMBA_BASE_URL: `http://127.0.0.1:${sandboxPort}/v1/hood`,
      OCAMBA_TOKEN: "ocamba-sandbox-token",
      OCAMBA_ACCOUNT: "demo",
      COPERNICA_BASE_URL: `http://127.0.0.1:${sandboxPort}/v3`,
      COPERNICA_TOKEN: "copernica-sandbox-token",
      LOG_LEVEL: "warn"
    }
  })
  await waitFor("the proxy", `http://127.0.0.1:${proxyPort}/readyz`, proxy)

  const first = await runDaemon("first run: every valid profile is new")
  console.log(`\nrejected rows, with a reason per field: ${Path.join(stateDirectory, "rejects.ndjson")}`)
  console.log(`sync state (SQLite): ${Path.join(stateDirectory, "state.db")}`)

  const second = await runDaemon("second run: nothing changed, so nothing is sent")

  const counters = (await (await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/counters`)).json()) as {
    vendors: Record<string, { requests: number; rateLimited: number }>
  }
  console.log(
    `\nthe vendors saw ${counters.vendors.ocamba?.requests ?? 0} Ocamba and ${counters.vendors.copernica?.requests ?? 0} Copernica requests, ` +
      `${(counters.vendors.ocamba?.rateLimited ?? 0) + (counters.vendors.copernica?.rateLimited ?? 0)} of them refused with 429`
  )
  // Exit codes: 3 means some rows were rejected or failed, which the bundled example has on purpose.
  return [first, second].every((code) => code === 0 || code === 3) ? 0 : 1
}

const removeConfigCopy = () => {
  if (config !== bundledConfig) FileSystem.rmSync(config, { force: true })
}

main().then(
  async (code) => {
    stopping = true
    removeConfigCopy()
    await stopAll()
    process.exit(code)
  },
  async (error: unknown) => {
    stopping = true
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
    removeConfigCopy()
    await stopAll()
    process.exit(1)
  }
)
