/**
 * `profilesync dashboard` in a real browser: Debian's Chromium, driven headless by playwright-core (the system
 * executable; no browser is downloaded), over state stores filled by real runs against the sandbox (rejects, dead
 * letters, two syncs, a run in progress), in SQLite and in PostgreSQL. Every page loads without a console error, the
 * overview lists every sync, the rejects filter and the CSV download work, the charts render, the keyboard reaches
 * everything, and no page or HTML source holds a source email or phone number unmasked, a token or a password.
 * Screenshots of each page go to `.test-results/dashboard/` for a person to look at.
 */
// biome-ignore-all lint/performance/useDomNodeTextContent: these are playwright locators (rendered text), not DOM nodes
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { BrowserContext } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as PostgresServer from "../../../packages/sync/test/support/PostgresServer.ts"
import {
  type FilledState,
  fillState,
  launchBrowser,
  type RunningDashboard,
  type StateKind,
  startDashboard,
  watch
} from "./dashboard-support.ts"
import { repositoryDirectory, sandboxTokens } from "./support.ts"

const screenshots = Path.join(repositoryDirectory, ".test-results", "dashboard")

const secrets = [sandboxTokens.OCAMBA_TOKEN, sandboxTokens.COPERNICA_TOKEN, "password", "postgres://"]

const kinds: ReadonlyArray<{ readonly name: string; readonly state: () => Promise<StateKind> }> = [
  { name: "sqlite", state: async () => ({ kind: "sqlite" }) },
  {
    name: "postgres",
    state: async () => {
      const scope = Effect.runSync(Scope.make())
      scopes.push(scope)
      const server = await Effect.runPromise(Scope.extend(PostgresServer.make, scope))
      const url = await Effect.runPromise(PostgresServer.createDatabase(server, "dashboard_state"))
      return { kind: "postgres", url }
    }
  }
]
const scopes: Array<Scope.CloseableScope> = []

describe.each(kinds)("profilesync dashboard over $name state", { timeout: 240_000 }, ({ name, state }) => {
  let sandbox: Sandbox
  let filled: FilledState
  let dashboard: RunningDashboard
  let context: BrowserContext
  let closeBrowser: (() => Promise<void>) | undefined

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 11,
      ocamba: { processing: { delayMilliseconds: 20 } },
      copernica: { processing: { delayMilliseconds: 20 } }
    })
    filled = await fillState(sandbox, await state())
    dashboard = await startDashboard(
      filled.configs.flatMap((config) => ["--config", config]),
      filled.env
    )
    const browser = await launchBrowser()
    context = browser.context
    closeBrowser = browser.close
    FileSystem.mkdirSync(screenshots, { recursive: true })
  }, 240_000)

  afterAll(async () => {
    await closeBrowser?.()
    await dashboard?.stop()
    filled?.cleanup()
    await sandbox?.close()
    for (const scope of scopes.splice(0)) await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  /** Opens `path`, checks the page and its source, saves a screenshot as `shot`. */
  const visit = async (path: string, shot: string) => {
    const page = await context.newPage()
    const problems = watch(page)
    const response = await page.goto(new URL(path, dashboard.url).toString())
    expect(response?.status(), path).toBe(200)
    const source = (await response?.text()) ?? ""
    const rendered = await page.content()
    for (const value of [...filled.personal, ...secrets]) {
      expect(source.includes(value), `${path} holds ${value}`).toBe(false)
      expect(rendered.includes(value), `${path} shows ${value}`).toBe(false)
    }
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'")
    await page.screenshot({ path: Path.join(screenshots, `${name}-${shot}.png`), fullPage: true })
    return { page, problems }
  }

  it("lists every sync on the overview, with the run in progress, its lock holder and the dead letters", async () => {
    const { page, problems } = await visit("/", "overview")
    const rows = page.locator("tbody tr")
    expect(await rows.count()).toBe(2)
    const crm = rows.filter({ hasText: "crm" })
    expect(await crm.locator("td").nth(6).innerText()).toMatch(/^yes: .+:\d+:\w+, since \d{4}-/)
    expect(Number(await crm.locator("td").nth(5).innerText())).toBeGreaterThan(0)
    expect(await rows.filter({ hasText: "newsletter" }).locator("td").nth(6).innerText()).toBe("no")
    expect(problems).toEqual([])
    await page.close()
  })

  it("shows a sync's runs with charts of outcomes and durations", async () => {
    const { page, problems } = await visit("/syncs/crm", "sync")
    expect(await page.locator("table tbody tr").count()).toBe(4)
    expect(await page.locator("tbody").innerText()).toContain("running")
    const outcomes = page.locator('svg[data-chart="outcomes"]')
    expect(await outcomes.locator("rect").count()).toBeGreaterThan(3)
    const box = await outcomes.boundingBox()
    expect(box?.width).toBeGreaterThan(200)
    expect(await page.locator('svg[data-chart="durations"] circle').count()).toBe(3)
    expect(problems).toEqual([])
    await page.close()
  })

  it("shows a run's report that reconciles, its jobs, and its rejects filtered, paged and as CSV", async () => {
    const sync = await context.newPage()
    await sync.goto(new URL("/syncs/crm", dashboard.url).toString())
    // The oldest run: read 40 rows, rejected the bad emails and phones.
    const runLink = await sync.locator("tbody tr th a").last().getAttribute("href")
    await sync.close()
    const { page, problems } = await visit(runLink!, "run")
    const reconciles = page.locator("#report ~ table tbody tr td:nth-child(10)")
    expect(await reconciles.allInnerTexts()).toEqual(["yes", "yes"])
    expect(await page.locator("#jobs ~ table tbody tr").count()).toBeGreaterThan(0)

    const groups = page.locator("#rejects ~ table").first().locator("tbody tr")
    expect(await groups.count()).toBeGreaterThan(0)
    const firstGroup = groups.first()
    const code = await firstGroup.locator("td").nth(0).innerText()
    const field = await firstGroup.locator("td").nth(1).innerText()
    const total = Number(await firstGroup.locator("td").nth(2).innerText())
    await page.selectOption("#reject-code", code)
    await page.selectOption("#reject-field", field)
    await Promise.all([page.waitForURL(/code=/), page.getByRole("button", { name: "Filter" }).click()])
    const filtered = page.locator('table[data-table="rejects"] tbody tr')
    expect(await filtered.count()).toBe(total)
    for (const row of await filtered.all()) {
      expect(await row.locator("td").nth(3).innerText()).toBe(code)
      expect(await row.locator("td").nth(4).innerText()).toBe(field)
    }
    const masked = await filtered.first().locator("td").nth(6).innerText()
    expect(masked).toContain("*")

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download these rejects as CSV" }).click()
    ])
    const csv = FileSystem.readFileSync((await download.path())!, "utf8")
    const lines = csv.trim().split("\r\n")
    expect(lines[0]).toBe("row,line,key,code,field,column,value,reason,targets")
    expect(lines.length - 1).toBe(total)
    for (const value of filled.personal) expect(csv.includes(value), `the CSV holds ${value}`).toBe(false)
    expect(problems).toEqual([])
    await page.close()
  })

  it("lists the dead letters with the command that replays them, and links a key to its history", async () => {
    const { page, problems } = await visit("/syncs/crm/dead-letters", "dead-letters")
    const command = await page.locator('[data-command="replay"]').innerText()
    expect(command).toBe(`profilesync dead-letters replay --config ${filled.configs[0]} --run`)
    const letters = page.locator("table tbody tr")
    expect(await letters.count()).toBeGreaterThan(0)
    expect(await letters.first().locator("td").first().innerText()).toBe("copernica")
    const historyLink = await letters.first().locator("td").nth(1).locator("a").getAttribute("href")
    const history = await visit(historyLink!, "history")
    const states = history.page.locator("table#key-states tbody tr")
    expect(await states.count()).toBe(2)
    // The row history, newest first: the dead letter is the latest entry at Copernica, after the key was created
    // at both targets in the first run.
    const entries = history.page.locator("table#key-history tbody tr")
    const outcomes = await entries.evaluateAll((rows) =>
      rows.map((row) => `${row.querySelector("th")?.textContent} ${row.querySelectorAll("td")[1]?.textContent}`)
    )
    expect(outcomes.find((entry) => entry.startsWith("copernica"))).toBe("copernica dead-lettered")
    expect(outcomes.filter((entry) => entry.endsWith(" created")).length).toBeGreaterThan(0)
    const times = await entries.evaluateAll((rows) => rows.map((row) => row.querySelector("td")?.textContent ?? ""))
    expect(times).toEqual([...times].sort().reverse())
    expect(await history.page.locator("main").innerText()).toContain("dead-lettered")
    expect(await states.filter({ hasText: "ocamba" }).locator("td").nth(3).innerText()).toMatch(/chunk \d+, /)
    expect([...problems, ...history.problems]).toEqual([])
    await history.page.close()
    await page.close()
  })

  it("can be used with the keyboard alone", async () => {
    const page = await context.newPage()
    const problems = watch(page)
    await page.goto(dashboard.url)
    await page.keyboard.press("Tab")
    expect(await page.evaluate<string | undefined>("document.activeElement?.textContent?.trim()")).toBe(
      "Skip to content"
    )
    await page.keyboard.press("Enter")
    expect(await page.evaluate<string | undefined>("document.activeElement?.id")).toBe("main")
    // From the main content, Tab reaches the first sync's link; Enter opens it.
    for (let step = 0; step < 20; step++) {
      await page.keyboard.press("Tab")
      if ((await page.evaluate<string | undefined>("document.activeElement?.textContent?.trim()")) === "crm") break
    }
    await Promise.all([page.waitForURL(/\/syncs\/crm$/), page.keyboard.press("Enter")])
    // The key history form: type a key and submit with Enter.
    await page.focus("#history-key")
    await page.keyboard.type("customer1@example.com")
    await Promise.all([page.waitForURL(/\/history\?key=/), page.keyboard.press("Enter")])
    expect(await page.locator("h1").innerText()).toBe("History of c***@example.com")
    expect(problems).toEqual([])
    await page.close()
  })
})
