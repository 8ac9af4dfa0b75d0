/**
 * @module
 * `profilesync run` as a real process against a sandbox started by the test: a clean run, a run killed with SIGKILL
 * and run again, a run stopped with SIGTERM (exit 0, "interrupted", state saved) and finished by the next one, and
 * a second run refused while the first holds the lock (exit 4).
 *
 * After each story the vendors must hold exactly the source, and no chunk may have reached a vendor twice: every
 * source row appears in exactly one Copernica import and in exactly one committed Ocamba import.
 */
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  jsonLines,
  makeProfiles,
  type Profile,
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

interface Story {
  readonly directory: string
  readonly config: string
  readonly store: string
  readonly cleanup: () => void
}

const prepare = (
  sandbox: Sandbox,
  profiles: ReadonlyArray<Profile>,
  options: {
    readonly rowsPerImport?: number
    readonly maxFileBytes?: number
    readonly maxAttempts?: number
    readonly schedule?: string
    readonly copernicaOnly?: boolean
    readonly deleteMissing?: boolean
  } = {}
): Story => {
  const directory = temporaryDirectory()
  writeProfiles(Path.join(directory.path, "profiles.csv"), profiles)
  const config = writeConfig({
    directory: directory.path,
    ocambaBaseUrl: options.copernicaOnly === true ? undefined : sandbox.ocambaBaseUrl,
    copernicaBaseUrl: sandbox.copernicaBaseUrl,
    rowsPerImport: options.rowsPerImport ?? 10,
    maxFileBytes: options.maxFileBytes ?? 1024,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.deleteMissing === undefined ? {} : { deleteMissing: options.deleteMissing })
  })
  return {
    directory: directory.path,
    config,
    store: Path.join(directory.path, "state", "profilesync.db"),
    cleanup: directory.cleanup
  }
}

const importsStarted = (sandbox: Sandbox): number =>
  sandbox.state.copernica.account(copernicaAccount).imports.size +
  sandbox.state.ocamba.account(ocambaAccount).imports.size

/** What the vendors hold, per email, in the source's terms. */
const vendorProfiles = (sandbox: Sandbox) => {
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
  const byEmail = (rows: ReadonlyArray<Profile>) => [...rows].sort((a, b) => a.email.localeCompare(b.email))
  return { ocamba: byEmail(ocamba), copernica: byEmail(copernica) }
}

/** How many times each email reached a vendor in an import that ran. */
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
  return {
    copernica: count(copernicaImports.flatMap((record) => (record.rows ?? []).map((row) => row.Email ?? ""))),
    ocamba: count(
      ocambaImports.flatMap((record) => {
        const column = record.columns.indexOf("email")
        return record.rows.map((cells) => cells[column] ?? "")
      })
    ),
    copernicaImports: copernicaImports.length,
    ocambaCommits: ocambaImports.length
  }
}

const expectExactlyOnce = (counts: ReadonlyMap<string, number>, profiles: ReadonlyArray<Profile>) => {
  const twice = [...counts].filter(([, times]) => times > 1)
  expect(twice, "rows sent in more than one import").toEqual([])
  expect([...counts.keys()].sort()).toEqual(profiles.map((profile) => profile.email).sort())
}

const expectVendorsEqualSource = (sandbox: Sandbox, profiles: ReadonlyArray<Profile>) => {
  const expected = [...profiles].sort((a, b) => a.email.localeCompare(b.email))
  const held = vendorProfiles(sandbox)
  expect(held.copernica).toEqual(expected)
  expect(held.ocamba).toEqual(expected)
}

const recentRuns = (store: string) =>
  Effect.runPromise(
    Effect.flatMap(SyncState.SyncState, (state) => state.recentRuns({ sync: "daemon-test" })).pipe(
      Effect.provide(SyncState.layerSqlite({ filename: store }))
    )
  )

const env = { ...sandboxTokens }

// Each test starts the CLI several times; on a loaded machine (load average 19 seen) one start takes seconds.
describe("run", { timeout: 120_000 }, () => {
  let sandbox: Sandbox
  const stories: Array<Story> = []

  beforeAll(async () => {
    // Imports wait 1 s before their rows are processed, so a test can stop the daemon while one is in flight.
    sandbox = await startSandbox({
      seed: 5,
      ocamba: { processing: { delayMilliseconds: 1000 } },
      copernica: { processing: { delayMilliseconds: 1000 } }
    })
  })
  afterEach(() => {
    sandbox.reset()
    for (const story of stories.splice(0)) story.cleanup()
  })
  afterAll(() => sandbox.close())

  it("syncs the source, prints the report, and has nothing to do the second time", async () => {
    const profiles = makeProfiles(12)
    const story = prepare(sandbox, profiles)
    stories.push(story)

    const first = await runCli(["run", "--config", story.config, "--json"], { env, timeoutMilliseconds: 40_000 })
    expect(first.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"))).toEqual([])
    expect(first.code).toBe(0)
    const report = JSON.parse(first.stdout)
    expect(report).toMatchObject({ sync: "daemon-test", status: "succeeded", dryRun: false, read: 12, rejected: 0 })
    expect(report.targets.copernica.created + report.targets.copernica.updated).toBe(12)
    expect(report.targets.ocamba.created + report.targets.ocamba.updated).toBe(12)
    const logs = jsonLines(first.stderr)
    expect(logs.some((line) => String(line.message).includes("run finished"))).toBe(true)
    expect(first.stderr).not.toContain("copernica-sandbox-token")
    expect(first.stderr).not.toContain("ocamba-sandbox-token")
    expectVendorsEqualSource(sandbox, profiles)

    const second = await runCli(["run", "--config", story.config], { env, timeoutMilliseconds: 40_000 })
    expect(second.code).toBe(0)
    expect(second.stdout.length).toBeGreaterThan(0)
    const again = deliveries(sandbox)
    expectExactlyOnce(again.copernica, profiles)
    expectExactlyOnce(again.ocamba, profiles)
  })

  it("killed with SIGKILL mid-run, then run again: the vendors hold the source and no import was sent twice", async () => {
    const profiles = makeProfiles(40)
    const story = prepare(sandbox, profiles)
    stories.push(story)

    const doomed = spawnCli(["run", "--config", story.config], { env })
    await waitUntil(() => importsStarted(sandbox) > 0, "the first import to reach the sandbox", 30_000)
    doomed.child.kill("SIGKILL")
    const killed = await doomed.exited
    expect(killed.signal).toBe("SIGKILL")
    const before = deliveries(sandbox)
    expect(before.copernicaImports + before.ocambaCommits).toBeLessThan(4 + 3)

    const rerun = await runCli(["run", "--config", story.config, "--json"], { env, timeoutMilliseconds: 60_000 })
    expect(rerun.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"))).toEqual([])
    expect(rerun.code).toBe(0)
    expect(JSON.parse(rerun.stdout)).toMatchObject({ status: "succeeded" })
    // The killed daemon's lock was taken over at once rather than waited out.
    expect(jsonLines(rerun.stderr).some((line) => String(line.message).includes("took over the run lock"))).toBe(true)
    // Let imports that were still processing finish before reading the vendors.
    await waitUntil(
      () =>
        [...sandbox.state.copernica.account(copernicaAccount).imports.values()].every(
          (record) => record.status === "finished"
        ),
      "every Copernica import to finish",
      10_000
    )
    expectVendorsEqualSource(sandbox, profiles)
    const after = deliveries(sandbox)
    expectExactlyOnce(after.copernica, profiles)
    expectExactlyOnce(after.ocamba, profiles)

    const runs = await recentRuns(story.store)
    expect(runs[0]?.status).toBe("succeeded")
    expect(runs.slice(1).map((run) => run.status)).toContain("interrupted")
  })

  it("stopped with SIGTERM: refuses a second run meanwhile, exits 0 with an interrupted report, and the next run finishes", async () => {
    // 20 Copernica imports (4 at a time) and 3 Ocamba files (2 at a time). The sandbox holds their processing, as a
    // stalled vendor queue would, so the run is still in progress whatever the machine's load when the second
    // process starts and when the first is stopped; processing resumes once the first has seen the signal.
    const profiles = makeProfiles(200)
    const story = prepare(sandbox, profiles, { rowsPerImport: 10, maxFileBytes: 4096 })
    stories.push(story)
    const release = sandbox.holdProcessing()

    const first = spawnCli(["run", "--config", story.config, "--json"], { env })
    await waitUntil(() => importsStarted(sandbox) > 0, "the first import to reach the sandbox", 60_000)

    const second = await runCli(["run", "--config", story.config], { env })
    expect(second.code).toBe(4)
    expect(second.stderr).toMatch(/held by/)

    first.child.kill("SIGTERM")
    await waitUntil(
      () => jsonLines(first.stderr()).some((line) => String(line.message).includes("SIGTERM received: stopping")),
      "the first run to see SIGTERM",
      60_000
    )
    release()
    const stopped = await first.exited
    expect(stopped).toEqual({ code: 0, signal: null })
    const report = JSON.parse(first.stdout())
    expect(report.status).toBe("interrupted")
    const runs = await recentRuns(story.store)
    expect(runs[0]).toMatchObject({ id: report.runId, status: "interrupted" })

    const next = await runCli(["run", "--config", story.config, "--json"], { env, timeoutMilliseconds: 60_000 })
    expect(next.code).toBe(0)
    expect(JSON.parse(next.stdout).status).toBe("succeeded")
    expectVendorsEqualSource(sandbox, profiles)
    const sent = deliveries(sandbox)
    expectExactlyOnce(sent.copernica, profiles)
    expectExactlyOnce(sent.ocamba, profiles)
  })

  it("rows a vendor refuses: exit 3 (partial), listed as dead letters, and sent again by replay --run", async () => {
    const profiles = makeProfiles(6)
    const story = prepare(sandbox, profiles, { copernicaOnly: true, maxAttempts: 1 })
    stories.push(story)
    sandbox.setFaults({ importFailureRate: 1, vendors: ["copernica"] })

    const failing = await runCli(["run", "--config", story.config, "--json"], { env })
    expect(failing.code).toBe(3)
    const report = JSON.parse(failing.stdout)
    expect(report.status).toBe("partial")
    expect(report.targets.copernica.deadLettered).toBeGreaterThan(0)
    expect(failing.stderr).toContain("finished partially")

    const listed = await runCli(["dead-letters", "list", "--config", story.config, "--json"])
    const letters = JSON.parse(listed.stdout).deadLetters as ReadonlyArray<{ key: string; target: string }>
    expect(letters.length).toBe(report.targets.copernica.deadLettered)
    expect(new Set(letters.map((letter) => letter.target))).toEqual(new Set(["copernica"]))

    sandbox.setFaults({ importFailureRate: 0 })
    const replayed = await runCli(["dead-letters", "replay", "--config", story.config, "--run", "--json"], { env })
    expect(replayed.code).toBe(0)
    expect(JSON.parse(replayed.stdout)).toMatchObject({ status: "succeeded" })
    expect(vendorProfiles(sandbox).copernica).toEqual([...profiles].sort((a, b) => a.email.localeCompare(b.email)))
    const after = await runCli(["dead-letters", "list", "--config", story.config, "--json"])
    expect(JSON.parse(after.stdout).deadLetters).toEqual([])
  })

  it("schedule runs on the cron and stops cleanly on SIGTERM", async () => {
    const profiles = makeProfiles(3)
    const story = prepare(sandbox, profiles, { copernicaOnly: true, schedule: "*/2 * * * * *" })
    stories.push(story)
    const daemon = spawnCli(["schedule", "--config", story.config, "--json"], { env })
    await waitUntil(
      () =>
        daemon
          .stdout()
          .split("\n")
          .filter((line) => line !== "").length >= 2,
      "two scheduled runs",
      20_000
    )
    daemon.child.kill("SIGTERM")
    expect(await daemon.exited).toEqual({ code: 0, signal: null })
    const reports = daemon
      .stdout()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line))
    expect(reports[0]).toMatchObject({ status: "succeeded", targets: { copernica: { created: 3 } } })
    expect(reports[1]).toMatchObject({ status: "succeeded", targets: { copernica: { unchanged: 3 } } })
    const logs = jsonLines(daemon.stderr())
    expect(logs.filter((line) => line.message === "next run scheduled").length).toBeGreaterThanOrEqual(2)
    expect(logs.at(-1)?.message).toBe("schedule stopped")
  })

  it("a dry run changes nothing at the vendors", async () => {
    const profiles = makeProfiles(5)
    const story = prepare(sandbox, profiles)
    stories.push(story)
    const result = await runCli(["run", "--config", story.config, "--dry-run", "--json"], { env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ dryRun: true, read: 5 })
    expect(importsStarted(sandbox)).toBe(0)
    expect(vendorProfiles(sandbox).copernica).toEqual([])
  })

  it("deleteMissing: over maxDeleteShare, deletes wait for --allow-mass-delete (exit 3 until then)", async () => {
    const profiles = makeProfiles(10)
    const story = prepare(sandbox, profiles, { copernicaOnly: true, deleteMissing: true })
    stories.push(story)
    expect((await runCli(["run", "--config", story.config, "--json"], { env, timeoutMilliseconds: 40_000 })).code).toBe(
      0
    )
    // Two of ten left the source: 20%, over the default 5%.
    writeProfiles(Path.join(story.directory, "profiles.csv"), profiles.slice(2))
    const refused = await runCli(["run", "--config", story.config, "--json"], { env, timeoutMilliseconds: 40_000 })
    expect(refused.code).toBe(3)
    expect(JSON.parse(refused.stdout)).toMatchObject({
      status: "partial",
      targets: { copernica: { deleted: 0, pendingDeletes: 2 } }
    })
    expect(vendorProfiles(sandbox).copernica.length).toBe(10)
    const allowed = await runCli(["run", "--config", story.config, "--allow-mass-delete", "--json"], {
      env,
      timeoutMilliseconds: 40_000
    })
    expect(allowed.code).toBe(0)
    expect(JSON.parse(allowed.stdout)).toMatchObject({ status: "succeeded", targets: { copernica: { deleted: 2 } } })
    expect(vendorProfiles(sandbox).copernica.map((profile) => profile.email)).toEqual(
      profiles.slice(2).map((profile) => profile.email)
    )
  })

  it("a missing token is a config error (exit 2) that names the variable", async () => {
    const story = prepare(sandbox, makeProfiles(2))
    stories.push(story)
    const result = await runCli(["run", "--config", story.config], {
      env: { OCAMBA_TOKEN: undefined, COPERNICA_TOKEN: "x" }
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("OCAMBA_TOKEN")
  })
})
