/**
 * @module
 * Test support: the proxy as a separate process, started exactly as in production (`node bin/profilesync-proxy.js`,
 * the build: the e2e global setup builds it) with a given environment, on a free port. Its JSON log lines are
 * collected. It is ready when `/healthz` answers (whatever `LOG_LEVEL` says).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort } from "@profilesync/test-support"

/** The proxy package's directory. */
export const proxyDirectory = join(dirname(fileURLToPath(import.meta.url)), "../..")

/** A running proxy process. */
export interface ProxyProcess {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  /** Parsed JSON log lines so far. */
  readonly logs: Array<Record<string, unknown>>
  /** Raw stdout and stderr so far. */
  readonly output: () => string
  /** Resolves with the exit code and signal when the process ends. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** Sends a signal (if still running) and waits for the exit, up to `timeoutMillis` (then SIGKILL). */
  readonly stop: (
    signal?: NodeJS.Signals,
    timeoutMillis?: number
  ) => Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Runs the built proxy with `env` (merged over a minimal base) and returns when it exits or fails to start. */
export const runProxyProcess = (env: Record<string, string>) =>
  spawn(process.execPath, ["bin/profilesync-proxy.js"], {
    cwd: proxyDirectory,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })

/** Starts a proxy process and waits until it listens (up to 30 s, for a loaded machine). */
export const startProxyProcess = async (env: Record<string, string>): Promise<ProxyProcess> => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = runProxyProcess({ ...env, PORT: String(port) })
  const logs: Array<Record<string, unknown>> = []
  let output = ""
  let pending = ""
  // `close`, not `exit`: the last log lines can still be in the pipes when the process has exited.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal }))
  )
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString()
    pending += chunk.toString()
    const lines = pending.split("\n")
    pending = lines.pop() ?? ""
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // Not a JSON line: kept in `output` only.
      }
    }
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  let exitedEarly: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void exited.then((result) => {
    exitedEarly = result
  })
  const startedAt = Date.now()
  for (;;) {
    if (exitedEarly !== undefined) {
      throw new Error(`the proxy exited (${exitedEarly.code ?? exitedEarly.signal}) before listening:\n${output}`)
    }
    if (Date.now() - startedAt > 30_000) {
      child.kill("SIGKILL")
      throw new Error(`the proxy did not start within 30 s:\n${output}`)
    }
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false
    )
    if (healthy) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const stop = async (signal: NodeJS.Signals = "SIGTERM", timeoutMillis = 15_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis)
    const result = await exited
    clearTimeout(timer)
    return result
  }
  return { url, pid: child.pid!, child, logs, output: () => output, exited, stop }
}
