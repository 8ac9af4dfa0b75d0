/**
 * Who may read `profilesync dashboard`, against the built CLI: a non-loopback address without a token refuses to
 * start with a clear error; with `PROFILESYNC_DASHBOARD_TOKEN` every page answers 401 without it and 200 with it (as a
 * bearer token or through the login form's HttpOnly, SameSite=Strict cookie); every response carries the strict
 * Content-Security-Policy; nothing but GET, HEAD and the login form's POST is served.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningDashboard, startDashboard } from "./dashboard-support.ts"
import { runCli, temporaryDirectory } from "./support.ts"

const token = "a-dashboard-token-of-32-characters"

describe("dashboard access", { timeout: 120_000 }, () => {
  const directory = temporaryDirectory()
  const config = Path.join(directory.path, "access.yaml")
  let dashboard: RunningDashboard

  beforeAll(async () => {
    FileSystem.writeFileSync(
      config,
      [
        "version: 1",
        "name: access",
        "source: { type: csv, path: ./profiles.csv }",
        "fields:",
        "  email: { column: email, type: email }",
        "key: [email]",
        "targets:",
        "  copernica:",
        "    credentials: { tokenEnv: COPERNICA_TOKEN }",
        "    database: 1",
        "    keyFields: [Email]",
        "    fields:",
        "      email: { field: Email }",
        "state: { sqlite: ./state.db }",
        ""
      ].join("\n")
    )
    dashboard = await startDashboard(["--config", config], { PROFILESYNC_DASHBOARD_TOKEN: token })
  })
  afterAll(async () => {
    await dashboard?.stop()
    directory.cleanup()
  })

  it("refuses to start on a non-loopback address without a token, saying why", async () => {
    const result = await runCli(["dashboard", "--config", config, "--host", "0.0.0.0", "--port", "0"], {
      env: { PROFILESYNC_DASHBOARD_TOKEN: undefined }
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--host 0.0.0.0 is not a loopback address")
    expect(result.stderr).toContain("PROFILESYNC_DASHBOARD_TOKEN")
  })

  it("refuses a token too short to protect anything", async () => {
    const result = await runCli(["dashboard", "--config", config, "--port", "0"], {
      env: { PROFILESYNC_DASHBOARD_TOKEN: "short" }
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("PROFILESYNC_DASHBOARD_TOKEN is 5 characters long")
    expect(result.stderr).not.toContain("short\n")
  })

  it("answers 401 without the token and 200 with it as a bearer token", async () => {
    const denied = await fetch(new URL("/syncs/access", dashboard.url))
    expect(denied.status).toBe(401)
    expect(denied.headers.get("content-security-policy")).toContain("default-src 'none'")
    expect(await denied.text()).not.toContain(token)
    expect(
      (await fetch(new URL("/", dashboard.url), { headers: { authorization: "Bearer wrong-token-wrong-token" } }))
        .status
    ).toBe(401)
    const allowed = await fetch(new URL("/syncs/access", dashboard.url), {
      headers: { authorization: `Bearer ${token}` }
    })
    expect(allowed.status).toBe(200)
    const page = await allowed.text()
    expect(page).toContain("No runs yet.")
    expect(page).not.toContain(token)
  })

  it("lets the login form set an HttpOnly, SameSite=Strict cookie that opens the pages", async () => {
    const wrong = await fetch(new URL("/login", dashboard.url), {
      method: "POST",
      body: new URLSearchParams({ token: "not-the-token-not-the-token" }),
      redirect: "manual"
    })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get("set-cookie")).toBeNull()
    const login = await fetch(new URL("/login", dashboard.url), {
      method: "POST",
      body: new URLSearchParams({ token }),
      redirect: "manual"
    })
    expect(login.status).toBe(303)
    const cookie = login.headers.get("set-cookie")!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    expect(cookie).not.toContain(token)
    const page = await fetch(new URL("/", dashboard.url), { headers: { cookie: cookie.split(";")[0]! } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain("access")
  })

  it("serves every config of a --configs directory, and refuses a directory without one", async () => {
    const syncs = Path.join(directory.path, "syncs")
    FileSystem.mkdirSync(syncs)
    const text = FileSystem.readFileSync(config, "utf8").replace(
      "state: { sqlite: ./state.db }",
      "state: { sqlite: ../state.db }"
    )
    FileSystem.writeFileSync(Path.join(syncs, "a.yaml"), text.replace("name: access", "name: customers"))
    FileSystem.writeFileSync(Path.join(syncs, "b.yml"), text.replace("name: access", "name: newsletter"))
    FileSystem.writeFileSync(Path.join(syncs, "notes.txt"), "not a config")
    const both = await startDashboard(["--configs", syncs], { PROFILESYNC_DASHBOARD_TOKEN: token })
    try {
      const page = await fetch(new URL("/", both.url), { headers: { authorization: `Bearer ${token}` } })
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain("/syncs/customers")
      expect(html).toContain("/syncs/newsletter")
    } finally {
      await both.stop()
    }
    const empty = Path.join(directory.path, "empty")
    FileSystem.mkdirSync(empty)
    const result = await runCli(["dashboard", "--configs", empty, "--port", "0"], {
      env: { PROFILESYNC_DASHBOARD_TOKEN: token }
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`--configs ${empty}: holds no .yaml or .yml file`)
  })

  it("writes nothing: other methods are refused", async () => {
    const response = await fetch(new URL("/syncs/access", dashboard.url), {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` }
    })
    expect(response.status).toBe(405)
    expect(FileSystem.existsSync(Path.join(directory.path, "state.db"))).toBe(false)
  })
})
