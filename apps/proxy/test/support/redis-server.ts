/**
 * @module
 * Test support: a real `redis-server` on 127.0.0.1 and a free port, without persistence, in a temporary directory
 * (the same way `packages/core/test/support/RedisServer.ts` starts one, as Promises). The binary is
 * `REDIS_SERVER_BIN` when set, else `redis-server` on the PATH.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./ports.ts"

/** A running test Redis. */
export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Starts a server; call `stop` when done. */
export const startRedisServer = async (): Promise<RedisServer> => {
  const binary = process.env.REDIS_SERVER_BIN ?? "redis-server"
  const directory = mkdtempSync(join(tmpdir(), "profilesync-proxy-redis-"))
  const port = await freePort()
  const child: ChildProcess = await new Promise((resolve, reject) => {
    const started = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const timer = setTimeout(() => {
      started.kill("SIGKILL")
      reject(new Error(`redis-server did not start on port ${port}:\n${output}`))
    }, 10_000)
    started.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve(started)
      }
    })
    started.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    started.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve())
          child.kill("SIGKILL")
        })
      }
      rmSync(directory, { recursive: true, force: true })
    }
  }
}
