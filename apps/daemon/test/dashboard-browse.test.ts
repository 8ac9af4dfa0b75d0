/**
 * `profilesync dashboard` in a real browser (Debian's Chromium through playwright-core) as an operator uses it when a
 * token guards it: the login form signs in, `--show-values` shows values in full, and a run's 130 rejects page forward
 * to the last page and back to the first with Previous and Next, every row seen once and in the same order.
 */
// biome-ignore-all lint/performance/useDomNodeTextContent: these are playwright locators (rendered text), not DOM nodes
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import type { BrowserContext } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  launchBrowser,
  makeCustomers,
  type RunningDashboard,
  startDashboard,
  watch,
  writeSource,
  writeSyncConfig
} from "./dashboard-support.ts"
import { runCli, sandboxTokens, temporaryDirectory } from "./support.ts"

const token = "a-browser-token-of-32-characters!"
const rows = 130

describe("dashboard in a browser, behind a token, with --show-values", { timeout: 180_000 }, () => {
  const directory = temporaryDirectory()
  let sandbox: Sandbox
  let dashboard: RunningDashboard
  let context: BrowserContext
  let closeBrowser: (() => Promise<void>) | undefined

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5 })
    const config = writeSyncConfig({
      directory: directory.path,
      name: "browse",
      sandbox,
      state: { kind: "sqlite" },
      ocamba: false
    })
    // Every row's email is not one (and its phone is one): 130 rejects, one per row, more than two pages of 50.
    writeSource(
      `${directory.path}/browse.csv`,
      makeCustomers(rows, 1).map((customer, index) => ({
        ...customer,
        email: `customer${index + 1}-at-example.com`,
        phone: `+31 6 1234 ${5001 + index}`
      }))
    )
    const run = await runCli(["run", "--config", config], { env: sandboxTokens })
    if (run.code !== 0 && run.code !== 3) throw new Error(`profilesync run exited with ${run.code}:\n${run.stderr}`)
    dashboard = await startDashboard(["--config", config, "--show-values"], { PROFILESYNC_DASHBOARD_TOKEN: token })
    const browser = await launchBrowser()
    context = browser.context
    closeBrowser = browser.close
  }, 180_000)

  afterAll(async () => {
    await closeBrowser?.()
    await dashboard?.stop()
    await sandbox?.close()
    directory.cleanup()
  })

  it("signs in through the login form, then pages the rejects forward and back with values in full", async () => {
    const page = await context.newPage()
    // The first visit is refused (401) and shows the form: the only error status this walk may meet.
    const problems = watch(page, [401])
    await page.goto(new URL("/syncs/browse", dashboard.url).toString())
    await page.fill("#token", "not-the-token-not-the-token-at-all")
    await page.getByRole("button", { name: "Sign in" }).click()
    expect(await page.locator("#token").count()).toBe(1)
    await page.fill("#token", token)
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/"),
      page.getByRole("button", { name: "Sign in" }).click()
    ])
    expect(await page.content()).not.toContain(token)

    await page.getByRole("link", { name: "browse", exact: true }).click()
    await Promise.all([page.waitForURL(/\/runs\//), page.locator("tbody tr th a").first().click()])
    const table = page.locator('table[data-table="rejects"] tbody tr')
    const pager = page.getByRole("navigation", { name: "Rejects" })
    const rowsShown = async () => (await table.locator("td:first-child").allInnerTexts()).map(Number)

    const forward: Array<Array<number>> = [await rowsShown()]
    expect(await pager.innerText()).toContain("First page")
    while ((await pager.getByRole("link", { name: "Next page" }).count()) > 0) {
      await Promise.all([page.waitForURL(/after=/), pager.getByRole("link", { name: "Next page" }).click()])
      forward.push(await rowsShown())
    }
    // --show-values: the rejected value in full, not masked.
    expect(await table.first().locator("td").nth(6).innerText()).toMatch(/^customer\d+-at-example\.com$/)

    const backward: Array<Array<number>> = [forward.at(-1)!]
    while ((await pager.getByRole("link", { name: "Previous page" }).count()) > 0) {
      await Promise.all([page.waitForURL(/before=/), pager.getByRole("link", { name: "Previous page" }).click()])
      backward.unshift(await rowsShown())
    }
    expect(forward.map((shown) => shown.length)).toEqual([50, 50, 30])
    expect(forward.flat()).toEqual(Array.from({ length: rows }, (_, index) => index + 1))
    expect(backward).toEqual(forward)
    expect(problems.filter((problem) => !problem.startsWith("console:"))).toEqual([])
    await page.close()
  })
})
