/**
 * Starting and stopping what a benchmark needs, all on 127.0.0.1: the sandbox (as its own process, so its CPU is not
 * the load generator's), redis-server on a free port, proxy replicas and nginx with a generated config. Every child
 * is killed when the benchmark exits, even on Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import { createConnection } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePort } from "@profilesync/test-support"
import { sleep } from "./report.ts"

/** The monorepo's root. */
export const repoRoot = Path.resolve(import.meta.dirname, "..", "..")

export const sandboxTokens = { ocamba: "ocamba-sandbox-token", copernica: "copernica-sandbox-token" } as const
export const sandboxAccounts = { ocamba: "ocamba-account-1", copernica: "copernica-account-1" } as const

const children = new Set<ChildProcess>()
let exiting = false
const killAll = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}
process.on("exit", killAll)
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (exiting) return
    exiting = true
    killAll()
    process.exit(130)
  })
}

export { freePort }

/** A temporary directory under the OS temp dir, removed by the caller (or left for inspection). */
export const tempDirectory = (prefix: string): string => FileSystem.mkdtempSync(Path.join(Os.tmpdir(), prefix))

/** A child process the benchmark owns. */
export interface Service {
  readonly name: string
  readonly pid: number
  readonly child: ChildProcess
  /** The last 64 KiB of its stdout and stderr, for error messages. */
  readonly output: () => string
  /** SIGTERM, then SIGKILL after `graceMillis` (default 3 s). */
  readonly stop: (graceMillis?: number) => Promise<void>
}

export interface ServiceOptions {
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly discardStdout?: boolean
}

export const spawnService = (
  name: string,
  command: string,
  args: ReadonlyArray<string>,
  options: ServiceOptions = {}
): Service => {
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    // A chatty child (a proxy logging every request) writes to /dev/null rather than into this process.
    stdio: ["ignore", options.discardStdout === true ? "ignore" : "pipe", "pipe"]
  })
  children.add(child)
  let output = ""
  const keep = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.length > 65_536) output = output.slice(-65_536)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  child.on("exit", () => children.delete(child))
  child.on("error", (error) => {
    output += `\nspawn error: ${error.message}`
  })
  const stop = (graceMillis = 3_000) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMillis)
      child.once("exit", () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill("SIGTERM")
    })
  return { name, pid: child.pid ?? -1, child, output: () => output, stop }
}

/** Runs a TypeScript entry point the way the workspace does: Node with the source condition and tsx. */
export const spawnTypeScript = (
  name: string,
  file: string,
  args: ReadonlyArray<string>,
  options: ServiceOptions = {}
): Service =>
  spawnService(name, process.execPath, ["--conditions=@profilesync/source", "--import", "tsx", file, ...args], options)

const exited = (service: Service) => service.child.exitCode !== null || service.child.signalCode !== null

/** Waits until `url` answers (any status), or fails with the service's output. */
export const waitForHttp = async (service: Service, url: string, timeoutMillis = 30_000): Promise<void> => {
  const until = Date.now() + timeoutMillis
  for (;;) {
    if (exited(service)) throw new Error(`${service.name} exited before it was ready:\n${service.output()}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      await response.arrayBuffer()
      return
    } catch {
      if (Date.now() > until) throw new Error(`${service.name} did not answer ${url} in time:\n${service.output()}`)
      await sleep(50)
    }
  }
}

/** CPU seconds (user + system) a process and its children have used so far, from /proc. */
let clockTicks: number | undefined
export const cpuSeconds = (pid: number): number => {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100
  try {
    const stat = FileSystem.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12)
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return 0
  }
}

/** The pids of a process's direct children (nginx workers under their master). */
export const childPids = (pid: number): ReadonlyArray<number> => {
  const found: Array<number> = []
  for (const entry of FileSystem.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = FileSystem.readFileSync(`/proc/${entry}/stat`, "utf8")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (ppid === pid) found.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}

// ---------------------------------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------------------------------

export interface AccountCounters {
  readonly requests: number
  readonly responses: { readonly "2xx": number; readonly "3xx": number; readonly "4xx": number; readonly "5xx": number }
  readonly rateLimited: number
  readonly dropped: number
}

export interface Counters {
  readonly requests: number
  readonly rateLimited: number
  readonly invalidResponses: number
  readonly vendors: Readonly<
    Record<"ocamba" | "copernica", AccountCounters & { readonly accounts: Readonly<Record<string, AccountCounters>> }>
  >
}

/** One request as the sandbox logged it: when it was decided (arrival, to the millisecond), its status, its account. */
export interface SandboxRequest {
  readonly at: number
  readonly status: number | "dropped"
  readonly account: string
  /** The operation id of the spec, when the sandbox matched one. */
  readonly operation: string | undefined
}

export interface SandboxProcess {
  readonly service: Service
  /** Every request so far, from the sandbox's request log (only with `requestLog: true`). */
  readonly requests: () => ReadonlyArray<SandboxRequest>
  readonly url: string
  readonly ocambaBaseUrl: string
  readonly copernicaBaseUrl: string
  readonly counters: () => Promise<Counters>
  readonly reset: () => Promise<void>
  readonly stop: () => Promise<void>
}

/**
 * Starts `profilesync-sandbox` from source as its own process. `options` is a `SandboxOptions` JSON (written to a
 * temporary `--config` file); `args` are extra CLI flags.
 */
export const startSandbox = async (
  args: ReadonlyArray<string> = [],
  options: Record<string, unknown> = {},
  settings: { readonly requestLog?: boolean } = {}
): Promise<SandboxProcess> => {
  const port = await freePort()
  const directory = tempDirectory("profilesync-bench-sandbox-")
  const configFile = Path.join(directory, "sandbox.json")
  FileSystem.writeFileSync(configFile, JSON.stringify(options))
  const requestLog = settings.requestLog === true
  const service = spawnTypeScript(
    "sandbox",
    Path.join(repoRoot, "packages/sandbox/src/cli.ts"),
    ["--port", String(port), ...(requestLog ? [] : ["--quiet"]), "--config", configFile, ...args],
    { cwd: Path.join(repoRoot, "packages/sandbox") }
  )
  // `2026-05-01T10:00:00.000Z GET /v1/hood/... 200 3ms account=ocamba-account-1 ...`: logged when the answer is
  // done, so the arrival is the time minus the duration.
  const requests: Array<SandboxRequest> = []
  if (requestLog) {
    let partial = ""
    service.child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n")
      partial = lines.pop() ?? ""
      for (const line of lines) {
        const match = /^(\S+Z) \S+ \S+ (\d+|dropped) (\d+)ms account=(\S+)(?: operation=(\S+))?/.exec(line)
        if (match === null) continue
        requests.push({
          at: Date.parse(match[1]!) - Number(match[3]),
          status: match[2] === "dropped" ? "dropped" : Number(match[2]),
          account: match[4]!,
          operation: match[5]
        })
      }
    })
  }
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(service, `${url}/_sandbox/counters`)
  return {
    service,
    requests: () => requests,
    url,
    ocambaBaseUrl: `${url}/v1/hood`,
    copernicaBaseUrl: `${url}/v3`,
    counters: async () => (await (await fetch(`${url}/_sandbox/counters`)).json()) as Counters,
    reset: async () => {
      await (await fetch(`${url}/_sandbox/reset`, { method: "POST" })).arrayBuffer()
    },
    stop: async () => {
      await service.stop()
      FileSystem.rmSync(directory, { recursive: true, force: true })
    }
  }
}

/** The counters of one account, zero when it has made no request yet. */
export const accountCounters = (counters: Counters, vendor: "ocamba" | "copernica", account: string): AccountCounters =>
  counters.vendors[vendor].accounts[account] ?? {
    requests: 0,
    responses: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
    rateLimited: 0,
    dropped: 0
  }

// ---------------------------------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------------------------------

export interface RedisProcess {
  readonly url: string
  readonly port: number
  readonly service: Service
  /** Runs one command (RESP over a fresh socket), e.g. `["FLUSHALL"]`. */
  readonly command: (args: ReadonlyArray<string>) => Promise<string>
  readonly stop: () => Promise<void>
}

/** redis-server on a free port, no persistence, in a temporary directory (`REDIS_SERVER_BIN` overrides the binary). */
export const startRedis = async (): Promise<RedisProcess> => {
  const port = await freePort()
  const directory = tempDirectory("profilesync-bench-redis-")
  const service = spawnService(
    process.env.REDIS_SERVER_BIN ?? "redis-server",
    process.env.REDIS_SERVER_BIN ?? "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]
  )
  const until = Date.now() + 10_000
  while (!service.output().includes("Ready to accept connections")) {
    if (exited(service)) throw new Error(`redis-server exited:\n${service.output()}`)
    if (Date.now() > until) throw new Error(`redis-server did not start:\n${service.output()}`)
    await sleep(20)
  }
  const command = (args: ReadonlyArray<string>) =>
    new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port })
      let answer = ""
      socket.on("data", (chunk) => {
        answer += chunk.toString()
        if (answer.endsWith("\r\n")) {
          socket.end()
          resolve(answer.trim())
        }
      })
      socket.on("error", reject)
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`)
    })
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    service,
    command,
    stop: async () => {
      await service.stop()
      FileSystem.rmSync(directory, { recursive: true, force: true })
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Proxy sidecar
// ---------------------------------------------------------------------------------------------------------------------

export const proxyEntry = Path.join(repoRoot, "apps/proxy/src/main.ts")
export const proxyAvailable = (): boolean => FileSystem.existsSync(proxyEntry)
/** The compiled proxy (`pnpm --filter @profilesync/proxy... build`), as production runs it. */
export const proxyBuilt = Path.join(repoRoot, "apps/proxy/dist/main.js")

export interface ProxyProcess {
  readonly url: string
  readonly service: Service
  /** Milliseconds from spawning the process to its first `200` on `/readyz`. */
  readonly startMillis: number
  readonly stop: () => Promise<void>
}

/** The resident set of a process, now (`VmRSS`) and at its peak (`VmHWM`), in MiB, from /proc. */
export const residentMemory = (pid: number): { readonly now: number; readonly peak: number } => {
  try {
    const status = FileSystem.readFileSync(`/proc/${pid}/status`, "utf8")
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024
    return { now: field("VmRSS"), peak: field("VmHWM") }
  } catch {
    return { now: Number.NaN, peak: Number.NaN }
  }
}

/** Polls `url` every 5 ms until it answers 200; returns the milliseconds since `since` (a `performance.now()`). */
export const waitForOk = async (service: Service, url: string, since: number, timeoutMillis = 60_000) => {
  const until = Date.now() + timeoutMillis
  for (;;) {
    if (exited(service)) throw new Error(`${service.name} exited before it was ready:\n${service.output()}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      await response.arrayBuffer()
      if (response.status === 200) return performance.now() - since
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`${service.name} did not answer ${url} in time:\n${service.output()}`)
    await sleep(5)
  }
}

/**
 * A plain `node:http` + undici `Pool` forwarder (support/plain-forwarder.mjs) in front of the sandbox: the anchor for
 * what a Node proxy costs before doing any of the proxy's work.
 */
export const startPlainForwarder = async (sandbox: { readonly url: string }): Promise<ProxyProcess> => {
  const port = await freePort()
  const spawnedAt = performance.now()
  const service = spawnService(
    "plain-forwarder",
    process.execPath,
    [Path.join(repoRoot, "bench/support/plain-forwarder.mjs")],
    {
      env: { ...process.env, PORT: String(port), UPSTREAM: sandbox.url, TOKEN: sandboxTokens.ocamba }
    }
  )
  const url = `http://127.0.0.1:${port}`
  const startMillis = await waitForOk(service, `${url}/readyz`, spawnedAt)
  return { url, service, startMillis, stop: () => service.stop() }
}

/**
 * Starts one proxy replica (`apps/proxy`, from source) on a free port with the given environment on top of the
 * sandbox's URLs and tokens; waits for `/healthz`.
 */
export const startProxy = async (
  sandbox: { readonly ocambaBaseUrl: string; readonly copernicaBaseUrl: string },
  environment: Readonly<Record<string, string>>,
  options: {
    readonly discardStdout?: boolean
    readonly built?: boolean
    /** Node options before the entry point of the compiled proxy (e.g. `--cpu-prof`). */
    readonly nodeArguments?: ReadonlyArray<string>
    /** Another compiled proxy's `main.js` (an earlier build, to compare with). Default apps/proxy/dist/main.js. */
    readonly entry?: string
  } = {}
): Promise<ProxyProcess> => {
  const port = await freePort()
  const built = options.built === true
  const entry = options.entry ?? proxyBuilt
  if (built && !FileSystem.existsSync(entry)) {
    throw new Error(`${entry} is missing: run pnpm --filter @profilesync/proxy... build first`)
  }
  const spawnedAt = performance.now()
  const service = (built ? spawnService : spawnTypeScript)(
    "proxy",
    built ? process.execPath : proxyEntry,
    built ? [...(options.nodeArguments ?? []), entry] : [],
    {
      cwd: Path.join(repoRoot, "apps/proxy"),
      discardStdout: options.discardStdout ?? false,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
        OCAMBA_TOKEN: sandboxTokens.ocamba,
        COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
        COPERNICA_TOKEN: sandboxTokens.copernica,
        LOG_LEVEL: "warn",
        SHUTDOWN_GRACE_MS: "0",
        ...environment
      }
    }
  )
  const url = `http://127.0.0.1:${port}`
  const startMillis = await waitForOk(service, `${url}/readyz`, spawnedAt)
  return { url, service, startMillis, stop: () => service.stop() }
}

// ---------------------------------------------------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------------------------------------------------

export const nginxBinary = (): string | undefined => {
  for (const candidate of [process.env.NGINX_BIN, "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
    if (candidate !== undefined && FileSystem.existsSync(candidate)) return candidate
  }
  return undefined
}

export interface NginxProcess {
  readonly url: string
  readonly service: Service
  /** The worker processes' pids (for CPU accounting). */
  readonly workers: () => ReadonlyArray<number>
  readonly stop: () => Promise<void>
}

/**
 * nginx as a plain reverse proxy in front of `upstreamUrl`: one worker (the Node proxy is one process too), HTTP/1.1
 * keep-alive to the upstream, no access log, a generated config in a temporary directory.
 */
export const startNginx = async (upstreamUrl: string): Promise<NginxProcess> => {
  const binary = nginxBinary()
  if (binary === undefined) throw new Error("nginx is not installed (apt-get install -y nginx)")
  const port = await freePort()
  const upstream = new URL(upstreamUrl)
  const directory = tempDirectory("profilesync-bench-nginx-")
  // Workers run as `nobody` when nginx starts as root: they must be able to reach the temp paths.
  FileSystem.chmodSync(directory, 0o755)
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    FileSystem.mkdirSync(Path.join(directory, sub), { mode: 0o777 })
    FileSystem.chmodSync(Path.join(directory, sub), 0o777)
  }
  const config = `daemon off;
worker_processes 1;
error_log stderr warn;
pid ${directory}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${directory}/client_body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  keepalive_requests 1000000;
  upstream sandbox {
    server ${upstream.hostname}:${upstream.port};
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_buffering on;
    }
  }
}
`
  const configFile = Path.join(directory, "nginx.conf")
  FileSystem.writeFileSync(configFile, config)
  const service = spawnService("nginx", binary, ["-c", configFile, "-p", directory, "-e", "stderr"])
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(service, `${url}/_sandbox/counters`, 10_000)
  return {
    url,
    service,
    workers: () => childPids(service.pid),
    stop: async () => {
      await service.stop()
      FileSystem.rmSync(directory, { recursive: true, force: true })
    }
  }
}
