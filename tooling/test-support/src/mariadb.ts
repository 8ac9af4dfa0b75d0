/**
 * A real MariaDB server for tests: Debian's `mariadbd` on 127.0.0.1 with a free port, a scratch data directory made
 * by `mariadb-install-db`, one empty database and one user with a password (so URLs carry a secret to redact), stopped
 * and removed by `close`.
 *
 * **Binaries**
 *
 * `mariadb-install-db` and `mariadbd` come from the directory in `PROFILESYNC_MARIADB_BIN` when set, else from the
 * PATH, else from `/usr/sbin` and `/usr/bin` (where Debian's `mariadb-server` package puts them).
 *
 * **Running as root**
 *
 * CI runs as root, and `mariadbd` refuses root unless told `--user=root` explicitly; the server holds test data only,
 * in its own directory, so it is told that rather than switching users. `--no-defaults` keeps `/etc/mysql` out of it.
 *
 * **Readiness**
 *
 * Resolves once the server logs `ready for connections` (after running the init file that creates the database and
 * the user), never after a fixed delay; the timeouts are generous because the machine may be loaded.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { freePort, killProcess } from "./index.ts"

/** A running test MariaDB server. */
export interface MariaDbServer {
  readonly port: number
  readonly database: string
  readonly user: string
  readonly password: string
  /** `mysql://user:password@127.0.0.1:port/database`. */
  readonly url: string
  /** Stops the server and removes its directory. */
  readonly close: () => Promise<void>
}

const user = "profilesync"
const password = "test-secret-7f3a"
const database = "profilesync_test"

const candidates = (): ReadonlyArray<string> => {
  const directories: Array<string> = []
  const configured = process.env.PROFILESYNC_MARIADB_BIN
  if (configured !== undefined && configured !== "") directories.push(configured)
  directories.push(...(process.env.PATH ?? "").split(delimiter).filter((entry) => entry !== ""))
  directories.push("/usr/sbin", "/usr/bin")
  return directories
}

const find = (name: string): string => {
  for (const directory of candidates()) {
    const path = join(directory, name)
    if (existsSync(path)) return path
  }
  throw new Error(
    `${name} not found: set PROFILESYNC_MARIADB_BIN to its directory, put it on the PATH, or install Debian's ` +
      "mariadb-server package"
  )
}

const asRoot = (): ReadonlyArray<string> =>
  typeof process.getuid === "function" && process.getuid() === 0 ? ["--user=root"] : []

// Small InnoDB files and no durability: a test server must start in seconds and holds nothing worth keeping.
const serverOptions = [
  "--skip-name-resolve",
  "--innodb-log-file-size=32M",
  "--innodb-buffer-pool-size=64M",
  "--innodb-flush-log-at-trx-commit=0",
  "--skip-log-bin",
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_unicode_ci"
]

const run = (command: string, args: ReadonlyArray<string>, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    child.stdout?.on("data", collect)
    child.stderr?.on("data", collect)
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`${command} exited with ${code ?? signal}:\n${output}`))
    })
  })

const launch = (args: ReadonlyArray<string>, port: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(find("mariadbd"), args, { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    let ready = false
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`mariadbd did not become ready on port ${port}:\n${output}`))
    }, 120_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (!ready && output.includes("ready for connections")) {
        ready = true
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`mariadbd exited with ${code}:\n${output}`))
    })
  })

// SIGTERM is a normal shutdown; SIGKILL if it hangs.
const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

/** Starts a test MariaDB server with an empty database `profilesync_test`; call `close` when done. */
export const startMariaDbServer = async (): Promise<MariaDbServer> => {
  const directory = mkdtempSync(join(tmpdir(), "profilesync-mariadb-"))
  const dataDirectory = join(directory, "data")
  const initFile = join(directory, "init.sql")
  let child: ChildProcess | undefined
  const close = async () => {
    if (child !== undefined) await stop(child).catch(() => killProcess(child!))
    child = undefined
    rmSync(directory, { recursive: true, force: true })
  }
  try {
    writeFileSync(
      initFile,
      [
        `CREATE DATABASE IF NOT EXISTS ${database};`,
        `CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';`,
        `GRANT ALL ON *.* TO '${user}'@'127.0.0.1';`
      ].join("\n")
    )
    await run(
      find("mariadb-install-db"),
      [
        "--no-defaults",
        `--datadir=${dataDirectory}`,
        ...asRoot(),
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        ...serverOptions
      ],
      180_000
    )
    const port = await freePort()
    child = await launch(
      [
        "--no-defaults",
        ...asRoot(),
        `--datadir=${dataDirectory}`,
        `--socket=${join(directory, "mariadbd.sock")}`,
        `--pid-file=${join(directory, "mariadbd.pid")}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--init-file=${initFile}`,
        ...serverOptions
      ],
      port
    )
    return {
      port,
      database,
      user,
      password,
      url: `mysql://${user}:${password}@127.0.0.1:${port}/${database}`,
      close
    }
  } catch (error) {
    await close()
    throw error
  }
}
