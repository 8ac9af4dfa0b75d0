/**
 * Test support: a real PostgreSQL server on 127.0.0.1 with a free port, in a temporary directory, with one empty
 * database, stopped and removed when the scope closes.
 *
 * **Binaries**
 *
 * `initdb` and `postgres` come from the directory in `PROFILESYNC_PG_BIN` when set, else from the PATH, else from the
 * newest `/usr/lib/postgresql/<version>/bin` (where Debian's `postgresql-<version>` package puts them).
 *
 * **Running as root**
 *
 * `initdb` and `postgres` refuse to run as root, and CI runs as root. Then the server runs as the `postgres` user
 * when it exists (the Debian package creates it), else as a system user `profilesync-pg` created for the purpose.
 * Node's `spawn` switches the user itself (`uid`/`gid`), so neither `su` nor `runuser` is needed, and the temporary
 * directory is handed to that user first.
 *
 * The server trusts every connection on 127.0.0.1 (`initdb --auth=trust`) and runs with `fsync=off`: it holds test
 * data only, and a test must start in about a second.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { freePort } from "@profilesync/test-support"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

/** A running test PostgreSQL server. */
export interface PostgresServer {
  readonly port: number
  /** A connection URL for the test database (`database`). */
  readonly url: string
  readonly database: string
}

const superuser = "profilesync"
const fallbackUser = "profilesync-pg"

const binaryDirectoryCandidates = (): ReadonlyArray<string> => {
  const candidates: Array<string> = []
  const configured = process.env.PROFILESYNC_PG_BIN
  if (configured !== undefined && configured !== "") candidates.push(configured)
  candidates.push(...(process.env.PATH ?? "").split(delimiter).filter((entry) => entry !== ""))
  try {
    // Newest version first: "15" sorts after "9.6" numerically, not as text.
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    candidates.push(...versions.map((version) => join("/usr/lib/postgresql", version, "bin")))
  } catch {
    // No Debian-style installation: PATH and PROFILESYNC_PG_BIN were the only places to look.
  }
  return candidates
}

/** The directory that holds both `initdb` and `postgres`, so the two always come from one installation. */
export const findBinaries = (): { readonly initdb: string; readonly postgres: string } => {
  for (const directory of binaryDirectoryCandidates()) {
    const initdb = join(directory, "initdb")
    const postgres = join(directory, "postgres")
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres }
  }
  throw new Error(
    "PostgreSQL binaries not found: set PROFILESYNC_PG_BIN to the directory holding initdb and postgres, " +
      "put them on the PATH, or install Debian's postgresql package (/usr/lib/postgresql/<version>/bin)"
  )
}

interface RunAs {
  readonly name: string
  readonly uid: number
  readonly gid: number
  readonly home: string
}

const lookupUser = (name: string): RunAs | undefined => {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}:`))
  if (line === undefined) return undefined
  const fields = line.split(":")
  return { name, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? "/" }
}

// PostgreSQL will not run as root, so root hands the server to an unprivileged user.
const unprivilegedUser = (): RunAs | undefined => {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined
  const existing = lookupUser("postgres") ?? lookupUser(fallbackUser)
  if (existing !== undefined) return existing
  execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", fallbackUser], {
    stdio: "ignore"
  })
  const created = lookupUser(fallbackUser)
  if (created === undefined) throw new Error(`could not create the user ${fallbackUser} to run PostgreSQL as`)
  return created
}

const spawnOptions = (runAs: RunAs | undefined) =>
  runAs === undefined
    ? {}
    : { uid: runAs.uid, gid: runAs.gid, env: { ...process.env, HOME: runAs.home, USER: runAs.name } }

const initialise = (initdb: string, dataDirectory: string, runAs: RunAs | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      initdb,
      [
        "--pgdata",
        dataDirectory,
        "--username",
        superuser,
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync"
      ],
      { stdio: ["ignore", "pipe", "pipe"], ...spawnOptions(runAs) }
    )
    let output = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("error", reject)
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`initdb exited with ${code}:\n${output}`))))
  })

const launch = (
  postgres: string,
  dataDirectory: string,
  socketDirectory: string,
  port: number,
  runAs: RunAs | undefined
): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      postgres,
      [
        "-D",
        dataDirectory,
        "-p",
        String(port),
        "-k",
        socketDirectory,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "logging_collector=off"
      ],
      { stdio: ["ignore", "pipe", "pipe"], ...spawnOptions(runAs) }
    )
    let output = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`postgres did not start on port ${port}:\n${output}`))
    }, 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("ready to accept connections")) {
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
      reject(new Error(`postgres exited with ${code}:\n${output}`))
    })
  })

// SIGINT is PostgreSQL's "fast shutdown": it ends sessions and exits cleanly; SIGKILL only if that hangs.
const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGINT")
  })

const toError = (cause: unknown): Error => (cause instanceof Error ? cause : new Error(String(cause)))

/** Starts a server with an empty database for the current scope; it is stopped and its files removed on close. */
export const make: Effect.Effect<PostgresServer, Error, Scope.Scope> = Effect.gen(function* () {
  const binaries = yield* Effect.try({ try: findBinaries, catch: toError })
  const runAs = yield* Effect.try({ try: unprivilegedUser, catch: toError })
  const directory = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "profilesync-pg-"))),
    (path) => Effect.sync(() => rmSync(path, { recursive: true, force: true }))
  )
  if (runAs !== undefined) chownSync(directory, runAs.uid, runAs.gid)
  const dataDirectory = join(directory, "data")
  const port = yield* Effect.promise(freePort)
  yield* Effect.tryPromise({ try: () => initialise(binaries.initdb, dataDirectory, runAs), catch: toError })
  yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: () => launch(binaries.postgres, dataDirectory, directory, port, runAs),
      catch: toError
    }),
    (child) => Effect.promise(() => stop(child))
  )
  const database = "profilesync_test"
  const server = { port, database, url: urlFor(port, database) }
  yield* createDatabase(server, database)
  return server
})

const urlFor = (port: number, database: string): string => `postgres://${superuser}@127.0.0.1:${port}/${database}`

/** Creates another empty database on the server (a name of lowercase letters, digits and `_`); returns its URL. */
export const createDatabase = (server: PostgresServer, database: string): Effect.Effect<string, Error> =>
  Effect.scoped(
    Effect.gen(function* () {
      const sql = yield* PgClient.make({ url: Redacted.make(urlFor(server.port, "postgres")) })
      yield* sql.unsafe(`CREATE DATABASE ${database}`)
      return urlFor(server.port, database)
    })
  ).pipe(Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make), Effect.mapError(toError))

/** Runs one statement (no parameters) on the database at `url`; returns its rows. */
export const execute = (url: string, statement: string): Effect.Effect<ReadonlyArray<unknown>, Error> =>
  Effect.scoped(
    Effect.gen(function* () {
      const sql = yield* PgClient.make({ url: Redacted.make(url) })
      return yield* sql.unsafe(statement)
    })
  ).pipe(Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make), Effect.mapError(toError))
