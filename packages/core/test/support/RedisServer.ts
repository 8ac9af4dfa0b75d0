/**
 * Test support: a real `redis-server` on 127.0.0.1 with a free port, no persistence (`--save "" --appendonly no`),
 * in a temporary directory, that a test can stop and start again on the same port (to simulate an outage).
 *
 * The binary is `REDIS_SERVER_BIN` when set, else `redis-server` on the PATH.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** A running (or stopped) test Redis server. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (as a crash would). */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port, empty. */
  readonly start: Effect.Effect<void, Error>
}

const freePort = (): Promise<number> =>
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

const launch = (binary: string, port: number, directory: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      binary,
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

const kill = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Starts a server for the current scope; it is killed and its directory removed when the scope closes. */
export const make: Effect.Effect<RedisServer, Error, Scope.Scope> = Effect.gen(function* () {
  const binary = process.env.REDIS_SERVER_BIN ?? "redis-server"
  const directory = mkdtempSync(join(tmpdir(), "profilesync-redis-"))
  const port = yield* Effect.promise(freePort)
  let child: ChildProcess | undefined
  const start = Effect.tryPromise({
    try: async () => {
      child = await launch(binary, port, directory)
    },
    catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause)))
  })
  const stop = Effect.promise(async () => {
    if (child !== undefined) await kill(child)
    child = undefined
  })
  yield* Effect.acquireRelease(start, () =>
    Effect.zipRight(
      stop,
      Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
    )
  )
  return { port, url: `redis://127.0.0.1:${port}`, stop, start }
})
