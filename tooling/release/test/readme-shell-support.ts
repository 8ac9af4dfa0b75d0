/**
 * What the README shell tests share: a scratch directory, the workspace's built bins under the names npm installs
 * them as (on `PATH`), and README commands run with `sh -c`, either to their end or started and stopped later.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { get, repository, runProcess, waitUntilAsync } from "./support.ts"

export const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-readme-shell-"))

// The workspace's built bins under the names npm installs them as.
export const bin = Path.join(scratch, "bin")
FileSystem.mkdirSync(bin)
for (const [name, file] of [
  ["profilesync", "apps/daemon/bin/profilesync.js"],
  ["profilesync-proxy", "apps/proxy/bin/profilesync-proxy.js"],
  ["profilesync-sandbox", "packages/sandbox/bin/profilesync-sandbox.js"]
] as const) {
  FileSystem.symlinkSync(Path.join(repository, file), Path.join(bin, name))
}

export const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${bin}${Path.delimiter}${process.env.PATH ?? ""}`,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false"
}

/** The sandbox's test tokens (its README names them) of its first account, and of its second. */
export const sandboxTokens = { OCAMBA_TOKEN: "ocamba-sandbox-token", COPERNICA_TOKEN: "copernica-sandbox-token" }
export const secondAccountTokens = {
  OCAMBA_TOKEN: "ocamba-sandbox-token-2",
  COPERNICA_TOKEN: "copernica-sandbox-token-2"
}

/** A new directory in the scratch directory. */
export const scratchDirectory = (name: string): string => {
  const directory = Path.join(scratch, name)
  FileSystem.mkdirSync(directory, { recursive: true })
  return directory
}

/** A command started with `sh -c` in its own process group, so stopping it stops what the shell started. */
export interface Started {
  readonly output: () => string
  /** When every process holding its output has ended, with the shell's exit code. */
  readonly exited: Promise<number | null>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

const started: Array<Started> = []

export const startShell = (
  text: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string }
): Started => {
  const child: ChildProcess = spawn("sh", ["-c", text], {
    cwd: options.cwd ?? repository,
    env: { ...baseEnv, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)))
  const handle: Started = {
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL")
        } catch {
          // Already gone.
        }
      }, 30_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
  started.push(handle)
  return handle
}

/** Kills whatever a test started and left running (a failed test stops nothing itself). */
export const stopEverything = () => Promise.all(started.map((handle) => handle.stop("SIGKILL")))

export const runShell = (
  text: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string; readonly timeoutMilliseconds?: number } = {}
) =>
  runProcess("sh", ["-c", text], {
    env: { ...baseEnv, ...options.env },
    cwd: options.cwd ?? repository,
    timeoutMilliseconds: options.timeoutMilliseconds ?? 120_000
  })

/** Waits until `url` answers 200 (a refused connection counts as not yet). */
export const answers200 = (url: string, description: string, timeoutMilliseconds = 90_000) =>
  waitUntilAsync(
    async () => (await get(url).catch(() => ({ status: 0 }))).status === 200,
    description,
    timeoutMilliseconds
  )
