/**
 * `npx @profilesync/proxy` as the proxy's README offers it, from the packed tarballs: `npx --yes <the proxy's tarball>`
 * with our other packages (contracts, core) resolved from their tarballs through a loopback registry for the
 * `@profilesync` scope, so nothing of ours comes from the public registry. The proxy npx starts becomes ready, forwards
 * a request to the sandbox, and on SIGTERM to the npx process (what a supervisor that started `npx …` sends) drains
 * the requests still waiting for budget and exits: npm hands the signal to its shell only, and the proxy takes npx's
 * exit as the stop, so no server is left running, adopted by init, as it was under `pnpm start`.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { type ScopedRegistry, startScopedRegistry } from "./scoped-registry.ts"
import { get, jsonLines, startProcess, waitUntil, waitUntilAsync } from "./support.ts"

const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-npx-"))
// npx installs a package into <cache>/_npx/<hash>; the test removes the directories it added.
const npxDirectory = Path.join(execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(), "_npx")
const listNpx = (): ReadonlyArray<string> =>
  FileSystem.existsSync(npxDirectory) ? FileSystem.readdirSync(npxDirectory) : []
const npxBefore = new Set(listNpx())

/** The processes running something from the directories npx installed into during this test (Linux's /proc). */
const proxyProcesses = (): ReadonlyArray<string> => {
  const installed = listNpx()
    .filter((entry) => !npxBefore.has(entry))
    .map((entry) => Path.join(npxDirectory, entry))
  return FileSystem.readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const commandLine = FileSystem.readFileSync(`/proc/${pid}/cmdline`, "utf8")
        return installed.some((directory) => commandLine.includes(directory))
      } catch {
        return false
      }
    })
}

let sandbox: Sandbox
let registry: ScopedRegistry
let proxyTarball: string

beforeAll(async () => {
  const tarballs = inject("tarballs")
  // The tarballs npx is given and may resolve: the proxy's, and the @profilesync packages it depends on.
  for (const entry of FileSystem.readdirSync(tarballs)) {
    if (/^profilesync-(contracts|core|proxy)-.*\.tgz$/.test(entry)) {
      FileSystem.copyFileSync(Path.join(tarballs, entry), Path.join(scratch, entry))
    }
  }
  proxyTarball = Path.join(scratch, FileSystem.readdirSync(scratch).find((entry) => entry.includes("-proxy-"))!)
  registry = await startScopedRegistry(scratch)
  sandbox = await startSandbox({ seed: 14 })
})

afterAll(async () => {
  await sandbox?.close()
  await registry?.close()
  for (const entry of listNpx()) {
    if (!npxBefore.has(entry)) FileSystem.rmSync(Path.join(npxDirectory, entry), { recursive: true, force: true })
  }
  FileSystem.rmSync(scratch, { recursive: true, force: true })
})

describe("npx with the proxy's tarball", () => {
  it("starts the proxy, which forwards to the sandbox, and SIGTERM to npx drains it and leaves nothing running", async () => {
    // `npx <file>` would run the file itself: a tarball is named with --package, and the bin after it.
    const npx = startProcess("npx", ["--yes", "--package", proxyTarball, "profilesync-proxy"], {
      cwd: scratch,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? scratch,
        ...registry.env,
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
        npm_config_audit: "false",
        HOST: "127.0.0.1",
        PORT: "0",
        OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
        OCAMBA_ACCOUNT: "ocamba-account-1",
        COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
        COPERNICA_ACCOUNT: "copernica-account-1",
        OCAMBA_TOKEN: "ocamba-sandbox-token",
        COPERNICA_TOKEN: "copernica-sandbox-token"
      }
    })
    try {
      // npm installs the tarball and its dependencies first: allow for a cold cache.
      await waitUntil(
        () => jsonLines(npx.output()).some((line) => line.msg === "listening") || npx.child.exitCode !== null,
        "the proxy to listen",
        300_000
      )
      const listening = jsonLines(npx.output()).find((line) => line.msg === "listening")
      expect(listening, npx.output()).toBeDefined()
      const url = String(listening!.url)
      await waitUntilAsync(
        async () => (await get(`${url}/readyz`).catch(() => ({ status: 0 }))).status === 200,
        "/readyz"
      )

      // npm resolved contracts and core through the scoped registry (from the packed tarballs), and nothing else of
      // ours: the proxy itself came from its tarball.
      expect([...new Set(registry.asked())].sort()).toEqual(["@profilesync/contracts", "@profilesync/core"])

      const properties = `${url}/ocamba/v1/hood/profile-properties?page=1,10`
      const first = await get(properties)
      expect(first.status).toBe(200)
      expect(JSON.parse(first.body)).toHaveProperty("items")
      // It reached the sandbox, with the token the proxy holds.
      expect(sandbox.counters().vendors.ocamba.accounts["ocamba-account-1"]?.requests).toBe(1)

      // Ocamba admits 10 a second: of 15 requests sent at once, some wait in the proxy for the next window. The
      // signal goes to npx once the proxy holds every one of them (its in-flight gauge, less the /metrics request).
      let answered = 0
      const requests = Array.from({ length: 15 }, () =>
        get(properties).then(({ status }) => {
          answered += 1
          return status
        })
      )
      await waitUntilAsync(async () => {
        const gauge = /^profilesync_proxy_in_flight_requests (\d+)/m.exec((await get(`${url}/metrics`)).body)
        return Number(gauge?.[1] ?? 0) - 1 + answered >= 15
      }, "the proxy to hold all 15 requests")
      // One node process runs the proxy from npx's install (npm and its shell name only the bin).
      expect(proxyProcesses()).toHaveLength(1)
      const answeredAtSignal = answered
      npx.child.kill("SIGTERM")
      const statuses = await Promise.all(requests)
      const exit = await npx.exited

      expect(answeredAtSignal).toBeLessThan(15)
      expect(statuses).toEqual(Array.from({ length: 15 }, () => 200))
      // npm passes the signal to the shell it runs the bin with, which dies of it; npm then ends by the same signal
      // (143 to a supervisor), and the proxy, seeing npx gone, stops as on SIGTERM: drained, and no process left.
      expect(exit, npx.output()).toEqual({ code: null, signal: "SIGTERM" })
      const lines = jsonLines(npx.output())
      expect(lines.some((line) => line.msg === "npx exited: stopping as on SIGTERM")).toBe(true)
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ drained: true, abandoned: 0 })
      await waitUntil(() => proxyProcesses().length === 0, "the proxy's process to exit")
      await expect(get(`${url}/healthz`)).rejects.toThrow()
    } finally {
      npx.child.kill("SIGKILL")
    }
  }, 420_000)

  it("with --script-shell=bash, the shell becomes the proxy: SIGTERM reaches it directly, and npx exits 0", async () => {
    // bash runs a lone command in place of itself (dash, Debian's sh, forks it), so the node process is npm's child
    // and gets the signal npm forwards; npm then exits with the proxy's own status.
    const npx = startProcess("npx", ["--yes", "--script-shell=bash", "--package", proxyTarball, "profilesync-proxy"], {
      cwd: scratch,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? scratch,
        ...registry.env,
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
        npm_config_audit: "false",
        HOST: "127.0.0.1",
        PORT: "0",
        OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
        OCAMBA_ACCOUNT: "ocamba-account-1",
        COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
        COPERNICA_ACCOUNT: "copernica-account-1",
        OCAMBA_TOKEN: "ocamba-sandbox-token",
        COPERNICA_TOKEN: "copernica-sandbox-token"
      }
    })
    try {
      await waitUntil(
        () => jsonLines(npx.output()).some((line) => line.msg === "listening") || npx.child.exitCode !== null,
        "the proxy to listen",
        300_000
      )
      const listening = jsonLines(npx.output()).find((line) => line.msg === "listening")
      expect(listening, npx.output()).toBeDefined()
      const url = String(listening!.url)
      expect((await get(`${url}/ocamba/v1/hood/profile-properties?page=1,10`)).status).toBe(200)

      npx.child.kill("SIGTERM")
      const exit = await npx.exited
      expect(exit, npx.output()).toEqual({ code: 0, signal: null })
      const lines = jsonLines(npx.output())
      expect(lines.find((line) => line.msg === "signal received")).toMatchObject({ signal: "SIGTERM" })
      expect(lines.some((line) => line.msg === "npx exited: stopping as on SIGTERM")).toBe(false)
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ drained: true })
      await waitUntil(() => proxyProcesses().length === 0, "the proxy's process to exit")
    } finally {
      npx.child.kill("SIGKILL")
    }
  }, 420_000)
})
