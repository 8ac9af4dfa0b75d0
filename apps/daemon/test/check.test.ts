/**
 * @module
 * `profilesync check` as a real process: against a sandbox started by the test (straight and through the built
 * proxy), with a token the vendor refuses, a token that is not set, a vendor that was stopped, a proxy that was
 * stopped, a source without a column the config reads, and a real Redis that answers and then does not. It must name
 * what is wrong, exit 0/1/2 by who has to act, write nothing to the vendors, and never print a token.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { freePort, killProcess, type RedisServer, startRedisServer } from "@profilesync/test-support"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type CliResult,
  makeProfiles,
  repositoryDirectory,
  runCli,
  sandboxTokens,
  temporaryDirectory,
  writeConfig,
  writeProfiles
} from "./support.ts"

interface Finding {
  readonly subject: string
  readonly status: "ok" | "warning" | "fix" | "unavailable"
  readonly summary: string
  readonly details: ReadonlyArray<string>
}

interface Report {
  readonly status: "ok" | "fix" | "unavailable"
  readonly exitCode: number
  readonly findings: ReadonlyArray<Finding>
}

const reportOf = (result: CliResult): Report => JSON.parse(result.stdout) as Report

const findingOf = (report: Report, subject: string): Finding => {
  const found = report.findings.find((item) => item.subject === subject)
  if (found === undefined) throw new Error(`no finding for ${subject}: ${JSON.stringify(report.findings)}`)
  return found
}

const expectNoSecrets = (result: CliResult, ...secrets: ReadonlyArray<string>) => {
  for (const secret of [...Object.values(sandboxTokens), ...secrets]) {
    expect(result.stdout).not.toContain(secret)
    expect(result.stderr).not.toContain(secret)
  }
}

const directories: Array<{ readonly cleanup: () => void }> = []

/** A sync of three profiles in a fresh directory, to the given base URLs. */
const prepare = (ocambaBaseUrl: string | undefined, copernicaBaseUrl: string | undefined): string => {
  const directory = temporaryDirectory()
  directories.push(directory)
  writeProfiles(Path.join(directory.path, "profiles.csv"), makeProfiles(3))
  return writeConfig({ directory: directory.path, ocambaBaseUrl, copernicaBaseUrl })
}

const check = (config: string, env: Record<string, string | undefined> = sandboxTokens, ...args: Array<string>) =>
  runCli(["check", "--config", config, "--json", ...args], { env, timeoutMilliseconds: 60_000 })

describe("profilesync check", { timeout: 90_000 }, () => {
  let sandbox: Sandbox

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 21 })
  })
  afterEach(() => {
    sandbox.reset()
    for (const directory of directories.splice(0)) directory.cleanup()
  })
  afterAll(() => sandbox.close())

  it("reports a config ready to run: credentials, properties and fields to create, budget, store, source", async () => {
    const config = prepare(sandbox.ocambaBaseUrl, sandbox.copernicaBaseUrl)
    const ocambaProperties = sandbox.state.ocamba.account("ocamba-account-1").properties.size
    const copernicaFields = sandbox.state.copernica.account("copernica-account-1").databases.get(1)!.fields.length

    const result = await check(config)
    expect(result.code, result.stderr).toBe(0)
    const report = reportOf(result)
    expect(report).toMatchObject({ status: "ok", exitCode: 0 })
    expect(findingOf(report, "files").status).toBe("ok")
    expect(findingOf(report, "source")).toMatchObject({ status: "ok" })
    expect(findingOf(report, "source").summary).toContain("every column the config reads")
    // A store that does not exist is not created by a check.
    expect(findingOf(report, "state").summary).toContain("does not exist yet")
    expect(FileSystem.existsSync(Path.join(Path.dirname(config), "state", "profilesync.db"))).toBe(false)
    expect(findingOf(report, "ocamba credentials")).toMatchObject({ status: "ok" })
    // loyalty_tier is a custom property the sandbox does not have yet; Tier a field database 1 lacks.
    expect(findingOf(report, "ocamba properties")).toMatchObject({ status: "warning" })
    expect(findingOf(report, "ocamba properties").summary).toContain("would be created (loyalty_tier)")
    expect(findingOf(report, "copernica credentials")).toMatchObject({ status: "ok" })
    expect(findingOf(report, "copernica fields").summary).toContain("would be created (Tier)")
    // Ocamba documents 10 a second and 150 a minute: the check spent one of each.
    expect(findingOf(report, "ocamba budget").summary).toMatch(/9 of 10 per 1s left.*149 of 150 per 60s left/)
    expect(findingOf(report, "ocamba budget").summary).toContain("in memory")
    expectNoSecrets(result)

    // Only reads: nothing was created at either vendor.
    expect(sandbox.state.ocamba.account("ocamba-account-1").properties.size).toBe(ocambaProperties)
    expect(sandbox.state.copernica.account("copernica-account-1").databases.get(1)!.fields.length).toBe(copernicaFields)

    // After a run the store exists: it is opened, written (a lock of its own) and its last run shown.
    const run = await runCli(["run", "--config", config], { env: sandboxTokens, timeoutMilliseconds: 60_000 })
    expect(run.code, run.stderr).toBe(0)
    const after = reportOf(await check(config))
    expect(findingOf(after, "state")).toMatchObject({ status: "ok" })
    expect(findingOf(after, "state").summary).toMatch(/reachable and writable; last run succeeded/)
    expect(findingOf(after, "ocamba properties")).toMatchObject({ status: "ok", summary: "3 exist" })
    expect(findingOf(after, "copernica fields")).toMatchObject({ status: "ok", summary: "3 exist" })
  })

  it("prints text for people, with the same exit code", async () => {
    const config = prepare(sandbox.ocambaBaseUrl, undefined)
    const result = await runCli(["check", "--config", config], { env: sandboxTokens })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(
      /^ {2}ok {11}ocamba credentials {2}token accepted at http:\/\/127\.0\.0\.1:\d+\/v1\/hood/m
    )
    expect(result.stdout).toMatch(/^ {2}warning {6}ocamba properties {3}2 exist; 1 would be created \(loyalty_tier\)$/m)
    expect(result.stdout).toContain("Everything a run needs is in place (1 warning).")
    expect(result.stdout).not.toContain("copernica")
    expectNoSecrets(result)
  })

  it("exits 2 when a vendor refuses the token or the token is not set, and never prints it", async () => {
    const config = prepare(sandbox.ocambaBaseUrl, sandbox.copernicaBaseUrl)
    const wrong = "wrong-ocamba-token-4711"
    const refused = await check(config, { OCAMBA_TOKEN: wrong, COPERNICA_TOKEN: sandboxTokens.COPERNICA_TOKEN })
    expect(refused.code, refused.stderr).toBe(2)
    const report = reportOf(refused)
    expect(report).toMatchObject({ status: "fix", exitCode: 2 })
    expect(findingOf(report, "ocamba credentials")).toMatchObject({ status: "fix" })
    expect(findingOf(report, "ocamba credentials").summary).toContain("token refused (HTTP 401)")
    // The other target is still checked.
    expect(findingOf(report, "copernica credentials")).toMatchObject({ status: "ok" })
    expect(refused.stderr).toContain("profilesync: check: 1 problem(s) to fix")
    expectNoSecrets(refused, wrong)

    const unset = await check(config, { OCAMBA_TOKEN: sandboxTokens.OCAMBA_TOKEN, COPERNICA_TOKEN: undefined })
    expect(unset.code, unset.stderr).toBe(2)
    expect(findingOf(reportOf(unset), "copernica credentials")).toMatchObject({ status: "fix" })
    expect(findingOf(reportOf(unset), "copernica credentials").summary).toContain("COPERNICA_TOKEN")
    expectNoSecrets(unset)
  })

  it("exits 1 when a vendor was stopped, naming the refused connection", async () => {
    const stopped = await startSandbox({ seed: 22 })
    const copernicaBaseUrl = stopped.copernicaBaseUrl
    await stopped.close()
    const config = prepare(sandbox.ocambaBaseUrl, copernicaBaseUrl)
    const result = await check(config)
    expect(result.code, result.stderr).toBe(1)
    const report = reportOf(result)
    expect(report).toMatchObject({ status: "unavailable", exitCode: 1 })
    expect(findingOf(report, "copernica credentials")).toMatchObject({ status: "unavailable" })
    expect(findingOf(report, "copernica credentials").summary).toContain("ECONNREFUSED")
    expect(findingOf(report, "ocamba credentials")).toMatchObject({ status: "ok" })
    expectNoSecrets(result)
  })

  it("exits 2 when the source lacks a column the config reads, naming it", async () => {
    const config = prepare(sandbox.ocambaBaseUrl, undefined)
    FileSystem.writeFileSync(Path.join(Path.dirname(config), "profiles.csv"), "email,name\nada@example.com,Ada\n")
    const result = await check(config)
    expect(result.code, result.stderr).toBe(2)
    const source = findingOf(reportOf(result), "source")
    expect(source.status).toBe("fix")
    expect(source.details).toEqual(["fields.tier.column: no column `tier`"])
  })

  describe("through the proxy sidecar", () => {
    let proxy: ChildProcess | undefined
    let proxyUrl = ""

    beforeAll(async () => {
      const port = await freePort()
      proxyUrl = `http://127.0.0.1:${port}`
      proxy = spawn(process.execPath, [Path.join(repositoryDirectory, "apps/proxy/bin/profilesync-proxy.js")], {
        env: {
          PATH: process.env.PATH ?? "",
          HOST: "127.0.0.1",
          PORT: String(port),
          OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
          COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
          ...sandboxTokens,
          LOG_LEVEL: "warn"
        },
        stdio: ["ignore", "ignore", "inherit"]
      })
      const deadline = Date.now() + 60_000
      for (;;) {
        const ready = await fetch(`${proxyUrl}/readyz`).then(
          (response) => response.ok,
          () => false
        )
        if (ready) break
        if (Date.now() > deadline || proxy.exitCode !== null) throw new Error("the proxy did not become ready")
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })
    afterAll(async () => {
      if (proxy !== undefined) await killProcess(proxy)
    })

    const proxyConfig = (url: string) => {
      const config = prepare(`${url}/ocamba/v1/hood`, `${url}/copernica/v3`)
      FileSystem.writeFileSync(config, FileSystem.readFileSync(config, "utf8").replace(/^ +credentials:.*\n/gm, ""))
      return config
    }

    it("checks the proxy's readiness and shows the budget from its RateLimit header", async () => {
      const result = await check(proxyConfig(proxyUrl), {})
      expect(result.code, result.stdout).toBe(0)
      const report = reportOf(result)
      expect(findingOf(report, "ocamba proxy")).toMatchObject({ status: "ok", summary: `${proxyUrl}/readyz is ready` })
      expect(findingOf(report, "ocamba credentials").summary).toContain("the proxy's token accepted")
      expect(findingOf(report, "ocamba budget")).toMatchObject({ status: "ok" })
      expect(findingOf(report, "ocamba budget").summary).toMatch(
        /burst: \d+ of 10 per 1s left .*steady: \d+ of 150 per 60s left .*the proxy's budget/
      )
      expect(findingOf(report, "copernica proxy")).toMatchObject({ status: "ok" })
      expect(findingOf(report, "copernica budget").summary).toContain("RateLimit:")
      expectNoSecrets(result)
    })

    it("exits 1 when the proxy does not answer", async () => {
      const port = await freePort()
      const result = await check(proxyConfig(`http://127.0.0.1:${port}`), {}, "--target", "ocamba")
      expect(result.code, result.stdout).toBe(1)
      const report = reportOf(result)
      expect(findingOf(report, "ocamba proxy")).toMatchObject({ status: "unavailable" })
      expect(report.findings.some((item) => item.subject.startsWith("copernica"))).toBe(false)
    })
  })

  describe("with the budget shared through Redis", () => {
    let redis: RedisServer

    beforeAll(async () => {
      redis = await startRedisServer()
    })
    afterAll(() => redis.close())

    it("pings Redis and shows the shared budget; exits 1 once Redis is gone", async () => {
      const config = prepare(sandbox.ocambaBaseUrl, undefined)
      const shared = await check(config, sandboxTokens, "--redis-url", redis.url)
      expect(shared.code, shared.stdout).toBe(0)
      const report = reportOf(shared)
      expect(findingOf(report, "redis")).toMatchObject({ status: "ok" })
      expect(findingOf(report, "ocamba budget").summary).toContain("shared through Redis")

      await redis.stop()
      const gone = await check(config, { ...sandboxTokens, REDIS_URL: redis.url })
      expect(gone.code, gone.stdout).toBe(1)
      const without = reportOf(gone)
      expect(findingOf(without, "redis")).toMatchObject({ status: "unavailable" })
      expect(findingOf(without, "redis").summary).toContain("ECONNREFUSED")
      // The vendors are still checked, on a budget of this process's own.
      expect(findingOf(without, "ocamba credentials")).toMatchObject({ status: "ok" })
      expect(findingOf(without, "ocamba budget").summary).toContain("in memory")
    })
  })
})
