/**
 * @module
 * `profilesync check` and `profilesync run` as real processes with a Parquet file (written by DuckDB) and a MariaDB
 * query (a real server on loopback) as the source: the check reads the first record and names a column the config
 * reads that the source lacks (exit 2), the run sends the profiles, and the database password is never printed.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { type MariaDbServer, startMariaDbServer } from "@profilesync/test-support"
import * as Mysql from "mysql2/promise"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, runCli, sandboxTokens, temporaryDirectory, writeConfig } from "./support.ts"

interface Finding {
  readonly subject: string
  readonly status: string
  readonly summary: string
  readonly details: ReadonlyArray<string>
}

const sourceFinding = (stdout: string): Finding => {
  const report = JSON.parse(stdout) as { readonly findings: ReadonlyArray<Finding> }
  const found = report.findings.find((item) => item.subject === "source")
  if (found === undefined) throw new Error(`no source finding: ${stdout}`)
  return found
}

const directories: Array<{ readonly cleanup: () => void }> = []

/** A config of the daemon tests (email, name, tier to Ocamba) with `source` instead of its CSV file. */
const prepare = (sandbox: Sandbox, source: string): string => {
  const directory = temporaryDirectory()
  directories.push(directory)
  const config = writeConfig({ directory: directory.path, ocambaBaseUrl: sandbox.ocambaBaseUrl })
  const text = FileSystem.readFileSync(config, "utf8")
  const csvSource = "source: { type: csv, path: ./profiles.csv }"
  expect(text).toContain(csvSource)
  FileSystem.writeFileSync(config, text.replace(csvSource, `source: ${source}`))
  return config
}

const writeParquet = async (path: string, select: string): Promise<void> => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`)
  connection.closeSync()
  instance.closeSync()
}

const profilesSelect = (columns: string) =>
  `SELECT ${columns} FROM (VALUES ${makeProfiles(3)
    .map((profile) => `('${profile.email}', '${profile.name}', '${profile.tier}')`)
    .join(", ")}) AS t(email, name, tier)`

const check = (config: string, env: Record<string, string | undefined>) =>
  runCli(["check", "--config", config, "--json"], { env, timeoutMilliseconds: 60_000 })

describe("profilesync check and run with a Parquet or MySQL source", { timeout: 180_000 }, () => {
  let sandbox: Sandbox
  let mariadb: MariaDbServer

  beforeAll(async () => {
    ;[sandbox, mariadb] = await Promise.all([startSandbox({ seed: 31 }), startMariaDbServer()])
    const connection = await Mysql.createConnection({ uri: mariadb.url })
    await connection.query("CREATE TABLE customers (email VARCHAR(200), name VARCHAR(200), tier VARCHAR(20))")
    for (const profile of makeProfiles(3)) await connection.query("INSERT INTO customers SET ?", [profile])
    await connection.end()
  }, 180_000)
  afterEach(() => {
    sandbox.reset()
    for (const directory of directories.splice(0)) directory.cleanup()
  })
  afterAll(async () => {
    await Promise.all([sandbox?.close(), mariadb?.close()])
  })

  it("Parquet: the check reads the first record; a column the config reads missing exits 2; a run sends the rows", async () => {
    const config = prepare(sandbox, "{ type: parquet, path: ./profiles.parquet }")
    const file = Path.join(Path.dirname(config), "profiles.parquet")
    await writeParquet(file, profilesSelect("email, name, tier"))
    const ready = await check(config, sandboxTokens)
    expect(ready.code, ready.stdout + ready.stderr).toBe(0)
    expect(sourceFinding(ready.stdout)).toMatchObject({ status: "ok" })
    expect(sourceFinding(ready.stdout).summary).toContain("every column the config reads")

    const run = await runCli(["run", "--config", config], { env: sandboxTokens, timeoutMilliseconds: 90_000 })
    expect(run.code, run.stderr).toBe(0)
    expect(sandbox.state.ocamba.account("ocamba-account-1").profiles.size).toBe(3)

    await writeParquet(file, profilesSelect("email, name"))
    const lacking = await check(config, sandboxTokens)
    expect(lacking.code, lacking.stdout + lacking.stderr).toBe(2)
    expect(sourceFinding(lacking.stdout)).toMatchObject({
      status: "fix",
      details: ["fields.tier.column: no column `tier`"]
    })
  })

  it("MySQL: the same through a query, with the URL's password never printed", async () => {
    const env = { ...sandboxTokens, CRM_URL: mariadb.url }
    const config = prepare(
      sandbox,
      '{ type: mysql, query: "SELECT email, name, tier FROM customers", urlEnv: CRM_URL }'
    )
    const ready = await check(config, env)
    expect(ready.code, ready.stdout + ready.stderr).toBe(0)
    expect(sourceFinding(ready.stdout)).toMatchObject({ status: "ok" })

    const run = await runCli(["run", "--config", config], { env, timeoutMilliseconds: 90_000 })
    expect(run.code, run.stderr).toBe(0)
    expect(sandbox.state.ocamba.account("ocamba-account-1").profiles.size).toBe(3)
    for (const output of [ready.stdout, ready.stderr, run.stdout, run.stderr])
      expect(output).not.toContain(mariadb.password)

    FileSystem.writeFileSync(
      config,
      FileSystem.readFileSync(config, "utf8").replace("SELECT email, name, tier FROM", "SELECT email, name FROM")
    )
    const lacking = await check(config, env)
    expect(lacking.code, lacking.stdout + lacking.stderr).toBe(2)
    expect(sourceFinding(lacking.stdout)).toMatchObject({
      status: "fix",
      details: ["fields.tier.column: no column `tier`"]
    })
    // A refused connection names the server without the password.
    const refused = await check(config, {
      ...sandboxTokens,
      CRM_URL: mariadb.url.replace(mariadb.password, "wrong-password")
    })
    expect(refused.code).not.toBe(0)
    expect(refused.stdout + refused.stderr).not.toContain("wrong-password")
    expect(refused.stdout + refused.stderr).toContain("Access denied")
  })
})
