/**
 * The published packages as a user gets them: the tarballs installed globally into a scratch prefix with the
 * Dockerfile's own install command, then the bins run from that prefix against the sandbox. The proxy starts from its
 * bin with the image's command, answers the image's HEALTHCHECK, forwards a request, and on SIGTERM to its own process
 * drains the requests still waiting for budget and exits 0. The daemon's bin validates and checks a config, does a
 * dry run, a real run (SQLite state: the native module works) and shows the status; then runs with PostgreSQL state
 * and a PostgreSQL source. The database drivers are optional peers of `@profilesync/sync`, which npm installs beside
 * the daemon without them: the daemon hands sync its own drivers.
 */
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import * as PostgresServer from "../../../packages/sync/test/support/PostgresServer.ts"
import { type NativeMirror, startNativeMirror } from "./native-mirror.ts"
import { execForm, get, jsonLines, runProcess, stage, startProcess, waitUntil, waitUntilAsync } from "./support.ts"

const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-install-"))
const prefix = Path.join(scratch, "prefix")
const bin = Path.join(prefix, "bin")
const baseEnv: NodeJS.ProcessEnv = {
  PATH: `${bin}:${process.env.PATH ?? ""}`,
  HOME: process.env.HOME ?? scratch
}
const sandboxTokens = { OCAMBA_TOKEN: "ocamba-sandbox-token", COPERNICA_TOKEN: "copernica-sandbox-token" }

let sandbox: Sandbox
let mirror: NativeMirror
const postgresScope = Effect.runSync(Scope.make())

beforeAll(async () => {
  const tarballs = inject("tarballs")
  // The install stage's RUN line, with the scratch prefix for the image's /opt/profilesync and the packed tarballs
  // for /tarballs.
  const install = stage("install").find(
    (instruction) => instruction.keyword === "RUN" && instruction.arguments.includes("npm install --global")
  )
  expect(install, "the Dockerfile's install stage runs npm install --global").toBeDefined()
  const prefixEnv = stage("install").find((instruction) => instruction.keyword === "ENV")?.arguments
  expect(prefixEnv).toBe("NPM_CONFIG_PREFIX=/opt/profilesync")
  mirror = await startNativeMirror()
  const installed = await runProcess("sh", ["-c", install!.arguments.replaceAll("/tarballs/", `${tarballs}/`)], {
    env: { ...process.env, ...mirror.env, NPM_CONFIG_PREFIX: prefix, npm_config_update_notifier: "false" },
    cwd: scratch,
    timeoutMilliseconds: 840_000
  })
  expect(installed.code, installed.output).toBe(0)
  sandbox = await startSandbox({ seed: 12 })
}, 900_000)

// Stopping PostgreSQL and removing the global install take a while on a loaded machine.
afterAll(async () => {
  await Effect.runPromise(Scope.close(postgresScope, Exit.void))
  await sandbox?.close()
  await mirror?.close()
  FileSystem.rmSync(scratch, { recursive: true, force: true })
}, 180_000)

describe("the tarballs installed globally with npm", () => {
  it("put the bins on the prefix's PATH, compiled JavaScript only, at the released version", async () => {
    for (const name of ["profilesync", "profilesync-proxy", "profilesync-sandbox"]) {
      expect(FileSystem.existsSync(Path.join(bin, name)), name).toBe(true)
    }
    const packages = Path.join(prefix, "lib/node_modules/@profilesync")
    const typescriptSources = FileSystem.readdirSync(packages, { recursive: true, encoding: "utf8" }).filter(
      (file) => !file.includes("node_modules") && /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)
    )
    expect(typescriptSources).toEqual([])
    const tsx = FileSystem.readdirSync(packages, { recursive: true, encoding: "utf8" }).filter((file) =>
      file.endsWith("node_modules/tsx")
    )
    expect(tsx).toEqual([])

    const version = await runProcess(Path.join(bin, "profilesync"), ["--version"], { env: baseEnv })
    const released = JSON.parse(FileSystem.readFileSync(Path.join(packages, "daemon/package.json"), "utf8")).version
    expect(version.code).toBe(0)
    expect(version.output).toContain(released)
  })

  it("runs the proxy with the image's command: healthcheck, a request through it, SIGTERM drains and exits 0", async () => {
    const proxyStage = stage("proxy")
    const command = execForm(proxyStage.find((instruction) => instruction.keyword === "CMD")!.arguments)
    expect(command).toEqual(["profilesync-proxy"])
    const healthcheck = execForm(proxyStage.find((instruction) => instruction.keyword === "HEALTHCHECK")!.arguments)

    const proxy = startProcess(Path.join(bin, command[0]!), command.slice(1), {
      env: {
        ...baseEnv,
        // The image listens on 0.0.0.0:8787; the test stays on loopback and lets the system pick the port.
        HOST: "127.0.0.1",
        PORT: "0",
        OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
        OCAMBA_ACCOUNT: "ocamba-account-1",
        COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
        COPERNICA_ACCOUNT: "copernica-account-1",
        ...sandboxTokens
      }
    })
    try {
      await waitUntil(() => jsonLines(proxy.output()).some((line) => line.msg === "listening"), "the proxy to listen")
      const url = String(jsonLines(proxy.output()).find((line) => line.msg === "listening")!.url)
      const port = new URL(url).port

      const healthy = await runProcess(healthcheck[0]!, healthcheck.slice(1), { env: { ...baseEnv, PORT: port } })
      expect(healthy.code, healthy.output).toBe(0)

      const properties = `${url}/ocamba/v1/hood/profile-properties?page=1,10`
      expect((await get(properties)).status).toBe(200)

      // Ocamba admits 10 a second: of 15 requests sent at once, some wait in the proxy for the next window. The
      // signal goes once the proxy holds every one of them (its in-flight gauge, less the /metrics request itself).
      let answered = 0
      const requests = Array.from({ length: 15 }, () =>
        get(properties).then(({ status }) => {
          answered += 1
          return status
        })
      )
      const held = async () => {
        const gauge = /^profilesync_proxy_in_flight_requests (\d+)/m.exec((await get(`${url}/metrics`)).body)
        return Number(gauge?.[1] ?? 0) - 1
      }
      let inProxy = 0
      await waitUntilAsync(async () => {
        inProxy = await held()
        return inProxy + answered >= 15
      }, "the proxy to hold all 15 requests")
      const answeredAtSignal = answered
      proxy.child.kill("SIGTERM")
      const statuses = await Promise.all(requests)
      const exit = await proxy.exited

      expect(answeredAtSignal).toBeLessThan(15)
      expect(statuses).toEqual(Array.from({ length: 15 }, () => 200))
      expect(exit).toEqual({ code: 0, signal: null })
      const lines = jsonLines(proxy.output())
      expect(lines.find((line) => line.msg === "signal received")).toMatchObject({ signal: "SIGTERM" })
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ drained: true, abandoned: 0 })

      const afterwards = await runProcess(healthcheck[0]!, healthcheck.slice(1), { env: { ...baseEnv, PORT: port } })
      expect(afterwards.code).not.toBe(0)
    } finally {
      proxy.child.kill("SIGKILL")
    }
  }, 120_000)

  it("runs the daemon: validate-config, check, run --dry-run, run and status against the sandbox", async () => {
    const directory = Path.join(scratch, "sync")
    FileSystem.mkdirSync(directory)
    FileSystem.writeFileSync(
      Path.join(directory, "profiles.csv"),
      "email,name\nada@example.com,Ada\ngrace@example.com,Grace\nlinus@example.com,Linus\n"
    )
    const config = Path.join(directory, "customers.yaml")
    FileSystem.writeFileSync(
      config,
      [
        "version: 1",
        "name: installed",
        "source: { type: csv, path: ./profiles.csv }",
        "fields:",
        "  email: { column: email, type: email, required: true }",
        "  name: { column: name, type: text }",
        "key: [email]",
        "targets:",
        "  ocamba:",
        `    baseUrl: ${sandbox.ocambaBaseUrl}`,
        "    account: installed",
        "    credentials: { tokenEnv: OCAMBA_TOKEN }",
        "    properties:",
        "      email: { property: email, system: true }",
        "      name: { property: full_name, system: true }",
        "  copernica:",
        `    baseUrl: ${sandbox.copernicaBaseUrl}`,
        "    credentials: { tokenEnv: COPERNICA_TOKEN }",
        "    database: 1",
        "    keyFields: [Email]",
        "    fields:",
        "      email: { field: Email }",
        "      name: { field: Firstname, type: text }",
        "state: { sqlite: ./state/profilesync.db }",
        "rejects: { path: ./state/rejects.ndjson }",
        ""
      ].join("\n")
    )
    const env = { ...baseEnv, ...sandboxTokens, PROFILESYNC_LOG_FORMAT: "json" }
    const profilesync = (...args: ReadonlyArray<string>) =>
      runProcess(Path.join(bin, "profilesync"), args, { env, cwd: directory, timeoutMilliseconds: 90_000 })

    const valid = await profilesync("validate-config", "--config", config)
    expect(valid.code, valid.output).toBe(0)

    // The installed check reaches the sandbox with the tokens, sees the store can be created, and prints no token.
    const checked = await profilesync("check", "--config", config, "--json")
    expect(checked.code, checked.output).toBe(0)
    const report = jsonLines(checked.output).find((line) => line.sync === "installed")
    expect(report).toMatchObject({ status: "ok", exitCode: 0 })
    expect(checked.output).not.toContain("ocamba-sandbox-token")
    expect(checked.output).not.toContain("copernica-sandbox-token")

    const dryRun = await profilesync("run", "--config", config, "--dry-run", "--json")
    expect(dryRun.code, dryRun.output).toBe(0)
    expect(jsonLines(dryRun.output).find((line) => line.dryRun === true)).toMatchObject({ read: 3 })

    const run = await profilesync("run", "--config", config, "--json")
    expect(run.code, run.output).toBe(0)
    expect(jsonLines(run.output).find((line) => line.sync === "installed")).toMatchObject({
      status: "succeeded",
      read: 3
    })
    expect(FileSystem.existsSync(Path.join(directory, "state/profilesync.db"))).toBe(true)

    const status = await profilesync("status", "--config", config)
    expect(status.code, status.output).toBe(0)
    expect(status.output).not.toContain("ocamba-sandbox-token")
  }, 300_000)

  it("runs the daemon with PostgreSQL state and a PostgreSQL source, on the drivers installed with the daemon", async () => {
    // npm left sync's optional peers out: only the daemon's own drivers exist, and they work only if the daemon
    // hands them to sync.
    const packages = Path.join(prefix, "lib/node_modules/@profilesync")
    for (const driver of ["@effect/sql-pg", "@effect/sql-sqlite-node", "pg", "better-sqlite3"]) {
      expect(FileSystem.existsSync(Path.join(packages, "sync/node_modules", driver)), `sync's ${driver}`).toBe(false)
      expect(FileSystem.existsSync(Path.join(packages, "daemon/node_modules", driver)), `the daemon's ${driver}`).toBe(
        true
      )
    }

    const server = await Effect.runPromise(Scope.extend(PostgresServer.make, postgresScope))
    const stateUrl = await Effect.runPromise(PostgresServer.createDatabase(server, "installed_state"))
    const sourceUrl = await Effect.runPromise(PostgresServer.createDatabase(server, "installed_crm"))
    await Effect.runPromise(
      Effect.zipRight(
        PostgresServer.execute(sourceUrl, "CREATE TABLE customers (email text, name text)"),
        PostgresServer.execute(
          sourceUrl,
          "INSERT INTO customers VALUES ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace')"
        )
      )
    )

    const directory = Path.join(scratch, "postgres")
    FileSystem.mkdirSync(directory)
    const config = Path.join(directory, "customers.yaml")
    FileSystem.writeFileSync(
      config,
      [
        "version: 1",
        "name: installed-postgres",
        'source: { type: postgres, urlEnv: SOURCE_DATABASE_URL, query: "SELECT email, name FROM customers" }',
        "fields:",
        "  email: { column: email, type: email, required: true }",
        "  name: { column: name, type: text }",
        "key: [email]",
        "targets:",
        "  copernica:",
        `    baseUrl: ${sandbox.copernicaBaseUrl}`,
        "    credentials: { tokenEnv: COPERNICA_TOKEN }",
        "    database: 1",
        "    keyFields: [Email]",
        "    fields:",
        "      email: { field: Email }",
        "      name: { field: Firstname, type: text }",
        "state: { postgres: { urlEnv: PROFILESYNC_STATE_URL } }",
        "rejects: { path: ./rejects.ndjson }",
        ""
      ].join("\n")
    )
    const env = {
      ...baseEnv,
      ...sandboxTokens,
      PROFILESYNC_LOG_FORMAT: "json",
      PROFILESYNC_STATE_URL: stateUrl,
      SOURCE_DATABASE_URL: sourceUrl
    }
    const profilesync = (...args: ReadonlyArray<string>) =>
      runProcess(Path.join(bin, "profilesync"), args, { env, cwd: directory, timeoutMilliseconds: 90_000 })

    const checked = await profilesync("check", "--config", config, "--json")
    expect(checked.code, checked.output).toBe(0)
    expect(jsonLines(checked.output).find((line) => line.sync === "installed-postgres")).toMatchObject({
      status: "ok"
    })

    const run = await profilesync("run", "--config", config, "--json")
    expect(run.code, run.output).toBe(0)
    expect(jsonLines(run.output).find((line) => line.sync === "installed-postgres")).toMatchObject({
      status: "succeeded",
      read: 2
    })
    // The run is in PostgreSQL, not in a SQLite file.
    const runs = await Effect.runPromise(
      PostgresServer.execute(stateUrl, "SELECT status FROM profilesync_runs ORDER BY started_at")
    )
    expect(runs).toEqual([{ status: "succeeded" }])
    expect(FileSystem.readdirSync(directory).filter((file) => file.endsWith(".db"))).toEqual([])

    const status = await profilesync("status", "--config", config)
    expect(status.code, status.output).toBe(0)
    expect(status.output).toContain("succeeded")
  }, 300_000)
})
