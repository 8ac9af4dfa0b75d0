/**
 * Test support shared by the packages, the apps and the benchmarks: a free port on 127.0.0.1, and a real
 * `redis-server` on one, without persistence, in a temporary directory, that a test can stop (as a crash would) and
 * start again on the same port. The binary is `REDIS_SERVER_BIN` when set, else `redis-server` on the PATH.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A port nothing listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Kills a child process with SIGKILL and waits for it to exit. */
export const killProcess = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Starts `redis-server` on `port` and resolves once it accepts connections. */
export const launchRedis = (port: number, directory: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.env.REDIS_SERVER_BIN ?? "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`redis-server did not start on port ${port}:\n${output}`))
    }, 10_000)
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${output}`))
    })
  })

/** A running (or stopped) test Redis. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server, as a crash would. */
  readonly stop: () => Promise<void>
  /** Starts it again on the same port, empty. */
  readonly start: () => Promise<void>
  /** Kills the server and removes its directory. */
  readonly close: () => Promise<void>
}

/** Starts a test Redis; call `close` when done. */
export const startRedisServer = async (): Promise<RedisServer> => {
  const directory = mkdtempSync(join(tmpdir(), "profilesync-redis-"))
  const port = await freePort()
  let child: ChildProcess | undefined = await launchRedis(port, directory)
  const stop = async () => {
    if (child !== undefined) await killProcess(child)
    child = undefined
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start: async () => {
      child ??= await launchRedis(port, directory)
    },
    close: async () => {
      await stop()
      rmSync(directory, { recursive: true, force: true })
    }
  }
}

export { type MariaDbServer, startMariaDbServer } from "./mariadb.ts"
export { type AttributeValue, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp.ts"
export { type Relay, startRelay } from "./relay.ts"
