/**
 * @module
 * The crash-and-fault soak: the built `profilesync` daemon syncs a source of tens of thousands of rows into a sandbox
 * that answers 5xx, loses answers after doing the work and drops connections, and is SIGKILLed at several points
 * (during an upload, a commit, an import's creation, polling and confirmation), then run again until a run succeeds.
 *
 * Afterwards the vendors hold exactly the source, every row reached each vendor in exactly one import that ran (so
 * no chunk was imported twice, whatever was lost or killed), and every run's report adds up.
 */
import { execFileSync } from "node:child_process"
import * as Path from "node:path"
import { type RequestLogEntry, type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  makeProfiles,
  type Profile,
  packageDirectory,
  repositoryDirectory,
  runCli,
  sandboxTokens,
  spawnCli,
  temporaryDirectory,
  waitUntil,
  writeConfig,
  writeProfiles
} from "./support.ts"

const ocambaAccount = "ocamba-account-1"
const copernicaAccount = "copernica-account-1"
const rows = 20_000

/** The built daemon: `dist/main.js`, never the sources. */
const env = { ...sandboxTokens, PROFILESYNC_FROM_SOURCE: "0" }

/** The operations to kill the daemon in, each after its first answer: the points of a job's life. */
const killPoints: ReadonlyArray<{ readonly operation: string; readonly during: string }> = [
  { operation: "createProfileImport", during: "an Ocamba upload" },
  { operation: "createImport", during: "a Copernica import's creation" },
  { operation: "commitProfileImport", during: "an Ocamba commit" },
  { operation: "getImport", during: "polling" },
  { operation: "getProfileImportReport", during: "confirmation" }
]

interface Report {
  readonly status: string
  readonly read: number
  readonly targets: Record<
    string,
    {
      readonly created: number
      readonly updated: number
      readonly unchanged: number
      readonly failed: number
      readonly rejected: number
      readonly skippedDeadLetters: number
    }
  >
}

const addsUp = (report: Report): ReadonlyArray<string> =>
  Object.entries(report.targets).flatMap(([name, target]) => {
    const counted =
      target.created + target.updated + target.unchanged + target.failed + target.rejected + target.skippedDeadLetters
    return counted === report.read ? [] : [`${name}: ${JSON.stringify(target)} counts ${counted}, read ${report.read}`]
  })

/** How many times each email reached a vendor in an import that ran (Ocamba: committed). */
const deliveries = (sandbox: Sandbox) => {
  const count = (emails: ReadonlyArray<string>) => {
    const counts = new Map<string, number>()
    for (const email of emails) counts.set(email, (counts.get(email) ?? 0) + 1)
    return counts
  }
  const copernicaImports = [...sandbox.state.copernica.account(copernicaAccount).imports.values()]
  const ocambaImports = [...sandbox.state.ocamba.account(ocambaAccount).imports.values()].filter(
    (record) => record.commitTaskId !== undefined
  )
  const names = new Map<string, number>()
  for (const record of copernicaImports) names.set(record.name, (names.get(record.name) ?? 0) + 1)
  return {
    copernica: count(copernicaImports.flatMap((record) => (record.rows ?? []).map((row) => row.Email ?? ""))),
    ocamba: count(
      ocambaImports.flatMap((record) => {
        const column = record.columns.indexOf("email")
        return record.rows.map((cells) => cells[column] ?? "")
      })
    ),
    copernicaNamesTwice: [...names].filter(([, times]) => times > 1)
  }
}

const vendorProfiles = (sandbox: Sandbox) => {
  const byEmail = (list: ReadonlyArray<Profile>) => [...list].sort((a, b) => a.email.localeCompare(b.email))
  const ocamba = [...sandbox.state.ocamba.account(ocambaAccount).profiles.values()].map((profile) => ({
    email: profile.properties.email ?? "",
    name: profile.properties.full_name ?? "",
    tier: profile.properties.loyalty_tier ?? ""
  }))
  const database = sandbox.state.copernica.account(copernicaAccount).databases.get(1)!
  const copernica = [...database.profiles.values()].map((profile) => ({
    email: profile.fields.Email ?? "",
    name: profile.fields.Firstname ?? "",
    tier: profile.fields.Tier ?? ""
  }))
  return { ocamba: byEmail(ocamba), copernica: byEmail(copernica) }
}

describe("soak: faults and SIGKILLs", () => {
  let sandbox: Sandbox
  let directory: { readonly path: string; readonly cleanup: () => void }
  // The daemon to kill, and the operation whose next answer kills it.
  let armed: { readonly operation: string; readonly kill: () => void } | undefined
  const seen: Array<string> = []

  beforeAll(async () => {
    // Once: the daemon and the workspace packages it imports, built to JavaScript.
    // Through pnpm, not turbo: CI runs this file from inside `turbo run test`.
    execFileSync("pnpm", ["--filter", "@profilesync/daemon...", "run", "build"], {
      cwd: repositoryDirectory,
      stdio: "ignore",
      timeout: 400_000
    })
    sandbox = await startSandbox({
      seed: 11,
      ocamba: { processing: { delayMilliseconds: 100 } },
      copernica: { processing: { delayMilliseconds: 100 } },
      faults: {
        errorRate: 0.05,
        responseLossRate: 0.03,
        dropRate: 0.01,
        latencyMilliseconds: { min: 1, max: 10 }
      },
      log: (_line: string, entry: RequestLogEntry) => {
        if (entry.operationId === undefined) return
        seen.push(entry.operationId)
        if (armed !== undefined && entry.operationId === armed.operation) {
          const { kill } = armed
          armed = undefined
          kill()
        }
      }
    })
    directory = temporaryDirectory()
  }, 420_000)

  afterAll(async () => {
    await sandbox?.close()
    directory?.cleanup()
  })

  it("the vendors hold exactly the source, each row imported once at each vendor, every report adds up", async () => {
    const profiles = makeProfiles(rows)
    writeProfiles(Path.join(directory.path, "profiles.csv"), profiles)
    const config = writeConfig({
      directory: directory.path,
      ocambaBaseUrl: sandbox.ocambaBaseUrl,
      copernicaBaseUrl: sandbox.copernicaBaseUrl,
      rowsPerImport: 1000,
      maxFileBytes: 100_000,
      maxAttempts: 50
    })
    const args = ["run", "--config", config, "--json"]
    const reports: Array<Report> = []
    const killed: Array<string> = []

    for (const point of killPoints) {
      const doomed = spawnCli(args, { env, cwd: packageDirectory })
      const before = seen.filter((operation) => operation === point.operation).length
      armed = { operation: point.operation, kill: () => doomed.child.kill("SIGKILL") }
      const ended = await doomed.exited
      if (ended.signal === "SIGKILL") killed.push(point.during)
      else {
        // The run ended before reaching the point (everything of that kind was already done): keep its report.
        armed = undefined
        expect(seen.filter((operation) => operation === point.operation).length, point.during).toBe(before)
        reports.push(JSON.parse(doomed.stdout()) as Report)
      }
    }

    // Most points are reached: the first run is killed early, and each next run resumes what the last one left.
    expect(killed.length, `killed during ${killed.join(", ")}`).toBeGreaterThanOrEqual(3)

    // Run again until a run succeeds: faults may leave rows for the next run, as they would in production.
    let last: Report | undefined
    for (let attempt = 0; attempt < 8 && last?.status !== "succeeded"; attempt++) {
      const rerun = await runCli(args, { env, cwd: packageDirectory, timeoutMilliseconds: 240_000 })
      expect(rerun.signal, rerun.stderr.slice(-2000)).toBeNull()
      last = JSON.parse(rerun.stdout) as Report
      reports.push(last)
    }
    expect(last?.status).toBe("succeeded")
    for (const report of reports) expect(addsUp(report)).toEqual([])

    await waitUntil(
      () =>
        [...sandbox.state.copernica.account(copernicaAccount).imports.values()].every(
          (record) => record.status === "finished"
        ),
      "every Copernica import to finish",
      30_000
    )
    const expected = [...profiles].sort((a, b) => a.email.localeCompare(b.email))
    const held = vendorProfiles(sandbox)
    expect(held.copernica).toEqual(expected)
    expect(held.ocamba).toEqual(expected)
    const delivered = deliveries(sandbox)
    // The faults did happen: answers the sandbox failed or cut off, besides those it lost after the work.
    const counters = sandbox.counters()
    expect(counters.responses["5xx"] + counters.dropped).toBeGreaterThan(3)
    expect(delivered.copernicaNamesTwice, "Copernica import names imported twice").toEqual([])
    for (const vendor of ["copernica", "ocamba"] as const) {
      const counts = delivered[vendor]
      expect(
        [...counts].filter(([, times]) => times > 1),
        `${vendor}: rows in more than one import`
      ).toEqual([])
      expect(counts.size, `${vendor}: rows delivered`).toBe(rows)
    }
  }, 900_000)
})
