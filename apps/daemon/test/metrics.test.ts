/**
 * @module
 * The run metrics: their exposition passes Prometheus' own checker (`promtool check metrics`, Debian's `prometheus`
 * package), `run --metrics-textfile` writes them after each run and keeps counting across processes, and
 * `schedule --metrics-port` serves them on loopback while it runs.
 */
import { spawnSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import type { Sync } from "@profilesync/sync"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RunMetrics } from "../src/run-metrics.ts"
import {
  jsonLines,
  makeProfiles,
  runCli,
  sandboxTokens,
  spawnCli,
  temporaryDirectory,
  waitUntil,
  writeConfig,
  writeProfiles
} from "./support.ts"

/** promtool's verdict on an exposition: its exit code and what it printed. */
const promtool = (text: string) => {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

/** The value of one sample line (`name{labels}`) of an exposition, or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const target = (counts: Partial<Sync.TargetReport>): Sync.TargetReport => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  deadLettered: 0,
  chunks: 0,
  vendorJobs: [],
  propertiesCreated: 0,
  propertiesUpdated: 0,
  fieldsCreated: 0,
  pendingDeletes: 0,
  rejected: 0,
  rejectedOnlyHere: 0,
  rejectReasons: {},
  skippedDeadLetters: 0,
  deadLettersReplayed: 0,
  resumedJobs: 0,
  neutralised: 0,
  deletesRefused: 0,
  errors: [],
  ...counts
})

const report = (overrides: Partial<Sync.RunReport>): Sync.RunReport => ({
  runId: "run-1",
  sync: 'odd "name"\\x',
  status: "succeeded",
  dryRun: false,
  startedAt: "2026-12-05T10:00:00.000Z",
  finishedAt: "2026-12-05T10:00:07.500Z",
  durationMilliseconds: 7500,
  read: 10,
  rejected: 1,
  rejectReasons: {},
  duplicates: 0,
  targets: { copernica: target({ created: 6, updated: 2, unchanged: 1, rejected: 1 }) },
  vendorCalls: { copernica: 4 },
  throttleWaitMilliseconds: { copernica: 0 },
  statePath: "state.db",
  ...overrides
})

describe("RunMetrics", () => {
  it("renders an exposition promtool accepts, and carries counters over from a previous one", () => {
    const sync = 'odd "name"\\x'
    const first = new RunMetrics()
    first.declare(sync, ["copernica"])
    first.recordReport(report({}))
    first.recordReport(report({ status: "partial", finishedAt: "2026-12-05T11:00:00.000Z" }))
    first.setDeadLetters(sync, { copernica: 3 })
    const text = first.render()
    expect(promtool(text)).toEqual({ code: 0, output: "" })
    const labels = 'sync="odd \\"name\\"\\\\x"'
    expect(sample(text, `profilesync_sync_runs_total{${labels},status="succeeded"}`)).toBe(1)
    expect(sample(text, `profilesync_sync_runs_total{${labels},status="failed"}`)).toBe(0)
    expect(sample(text, `profilesync_sync_rows_total{${labels},target="copernica",outcome="created"}`)).toBe(12)
    expect(sample(text, `profilesync_sync_run_duration_seconds_bucket{${labels},le="5"}`)).toBe(0)
    expect(sample(text, `profilesync_sync_run_duration_seconds_bucket{${labels},le="10"}`)).toBe(2)
    expect(sample(text, `profilesync_sync_run_duration_seconds_sum{${labels}}`)).toBe(15)
    // The last success is the succeeded run's end, not the partial run's.
    expect(sample(text, `profilesync_sync_last_success_timestamp_seconds{${labels}}`)).toBe(
      Date.parse("2026-12-05T10:00:07.500Z") / 1000
    )
    expect(sample(text, `profilesync_sync_last_run_timestamp_seconds{${labels}}`)).toBe(
      Date.parse("2026-12-05T11:00:00.000Z") / 1000
    )
    expect(sample(text, `profilesync_sync_dead_letters{${labels},target="copernica"}`)).toBe(3)

    const next = new RunMetrics()
    next.load(text)
    next.declare(sync, ["copernica"])
    next.recordReport(report({ durationMilliseconds: 2000 }))
    const continued = next.render()
    expect(promtool(continued).code).toBe(0)
    expect(sample(continued, `profilesync_sync_runs_total{${labels},status="succeeded"}`)).toBe(2)
    expect(sample(continued, `profilesync_sync_runs_total{${labels},status="partial"}`)).toBe(1)
    expect(sample(continued, `profilesync_sync_rows_total{${labels},target="copernica",outcome="created"}`)).toBe(18)
    expect(sample(continued, `profilesync_sync_run_duration_seconds_bucket{${labels},le="2.5"}`)).toBe(1)
    expect(sample(continued, `profilesync_sync_run_duration_seconds_count{${labels}}`)).toBe(3)
    expect(sample(continued, `profilesync_sync_dead_letters{${labels},target="copernica"}`)).toBe(3)
  })

  it("promtool would notice a broken exposition (the check can fail)", () => {
    expect(promtool("# TYPE profilesync_sync_runs counter\nprofilesync_sync_runs 1\n").code).not.toBe(0)
  })
})

describe("the daemon's metrics", { timeout: 120_000 }, () => {
  let sandbox: Sandbox
  const directory = temporaryDirectory()
  const env = { ...sandboxTokens }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7 })
  })
  afterAll(async () => {
    await sandbox.close()
    directory.cleanup()
  })

  const prepare = (name: string, schedule?: string) => {
    const story = Path.join(directory.path, name)
    FileSystem.mkdirSync(story)
    writeProfiles(Path.join(story, "profiles.csv"), makeProfiles(12))
    return writeConfig({
      directory: story,
      ocambaBaseUrl: sandbox.ocambaBaseUrl,
      copernicaBaseUrl: sandbox.copernicaBaseUrl,
      ...(schedule === undefined ? {} : { schedule })
    })
  }

  it("run --metrics-textfile writes the metrics after each run and keeps counting across processes", async () => {
    const config = prepare("textfile")
    const textfile = Path.join(directory.path, "collector", "profilesync.prom")
    FileSystem.mkdirSync(Path.dirname(textfile))
    // A dry run writes no textfile.
    const dry = await runCli(["run", "--config", config, "--dry-run", "--metrics-textfile", textfile], {
      env,
      timeoutMilliseconds: 60_000
    })
    expect(dry.code).toBe(0)
    expect(FileSystem.existsSync(textfile)).toBe(false)
    const before = Date.now() / 1000

    const first = await runCli(["run", "--config", config, "--metrics-textfile", textfile], {
      env,
      timeoutMilliseconds: 60_000
    })
    expect(first.code).toBe(0)
    const afterFirst = FileSystem.readFileSync(textfile, "utf8")
    expect(promtool(afterFirst)).toEqual({ code: 0, output: "" })
    const sync = 'sync="daemon-test"'
    expect(sample(afterFirst, `profilesync_sync_runs_total{${sync},status="succeeded"}`)).toBe(1)
    for (const name of ["ocamba", "copernica"]) {
      expect(sample(afterFirst, `profilesync_sync_rows_total{${sync},target="${name}",outcome="created"}`)).toBe(12)
      expect(sample(afterFirst, `profilesync_sync_vendor_calls_total{${sync},target="${name}"}`)).toBeGreaterThan(0)
      expect(sample(afterFirst, `profilesync_sync_dead_letters{${sync},target="${name}"}`)).toBe(0)
    }
    const lastSuccess = sample(afterFirst, `profilesync_sync_last_success_timestamp_seconds{${sync}}`)!
    expect(lastSuccess).toBeGreaterThanOrEqual(Math.floor(before))
    expect(lastSuccess).toBeLessThanOrEqual(Date.now() / 1000)
    expect(jsonLines(first.stderr).some((line) => String(line.message).includes("not counted"))).toBe(false)

    const second = await runCli(["run", "--config", config, "--metrics-textfile", textfile], {
      env,
      timeoutMilliseconds: 60_000
    })
    expect(second.code).toBe(0)
    const afterSecond = FileSystem.readFileSync(textfile, "utf8")
    expect(promtool(afterSecond).code).toBe(0)
    expect(sample(afterSecond, `profilesync_sync_runs_total{${sync},status="succeeded"}`)).toBe(2)
    expect(sample(afterSecond, `profilesync_sync_rows_total{${sync},target="copernica",outcome="created"}`)).toBe(12)
    expect(sample(afterSecond, `profilesync_sync_rows_total{${sync},target="copernica",outcome="unchanged"}`)).toBe(12)
    expect(sample(afterSecond, `profilesync_sync_run_duration_seconds_count{${sync}}`)).toBe(2)
    // Only the file itself is left: the temporary file was renamed over it.
    expect(FileSystem.readdirSync(Path.dirname(textfile))).toEqual(["profilesync.prom"])
  })

  it("schedule --metrics-port serves /metrics on loopback while it runs", async () => {
    const config = prepare("schedule", "0 0 1 1 *")
    const daemon = spawnCli(["schedule", "--config", config, "--now", "--metrics-port", "0"], { env })
    try {
      let url = ""
      await waitUntil(
        () => {
          const line = jsonLines(daemon.stderr()).find((entry) =>
            String(entry.message).includes("metrics endpoint listening")
          )
          url = String((line?.annotations as Record<string, unknown> | undefined)?.url ?? "")
          return url !== ""
        },
        "the metrics endpoint",
        60_000
      )
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
      await waitUntil(() => daemon.stderr().includes("run finished"), "the first run", 60_000)
      // The run is counted before the next tick is logged.
      await waitUntil(() => daemon.stderr().includes("next run scheduled"), "the schedule to go on", 60_000)
      const response = await fetch(url)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toContain("version=0.0.4")
      const text = await response.text()
      expect(promtool(text)).toEqual({ code: 0, output: "" })
      expect(sample(text, 'profilesync_sync_runs_total{sync="daemon-test",status="succeeded"}')).toBe(1)
      expect(sample(text, 'profilesync_sync_last_success_timestamp_seconds{sync="daemon-test"}')).toBeGreaterThan(0)
      expect(text).not.toContain("sandbox-token")
      expect((await fetch(url.replace("/metrics", "/"))).status).toBe(404)
    } finally {
      daemon.child.kill("SIGTERM")
      await daemon.exited
    }
  })
})
