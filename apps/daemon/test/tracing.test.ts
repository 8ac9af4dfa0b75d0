/**
 * @module
 * OpenTelemetry from the built `profilesync run`: with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at an in-process OTLP
 * receiver, one run against the sandbox exports its spans (the run, each chunk beneath it, each vendor job and vendor
 * call beneath a chunk, in one trace; no secret in any attribute) and its run metrics; without the variables, nothing
 * is exported.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "@profilesync/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, runCli, sandboxTokens, temporaryDirectory, writeConfig, writeProfiles } from "./support.ts"

const exporterSecret = "otel-collector-secret"

describe("OpenTelemetry", { timeout: 120_000 }, () => {
  let sandbox: Sandbox
  let receiver: OtlpReceiver
  const directory = temporaryDirectory()

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7 })
    receiver = await startOtlpReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
    await sandbox?.close()
    directory.cleanup()
  })

  const prepare = (name: string) => {
    const story = Path.join(directory.path, name)
    FileSystem.mkdirSync(story)
    writeProfiles(Path.join(story, "profiles.csv"), makeProfiles(25))
    return writeConfig({
      directory: story,
      ocambaBaseUrl: sandbox.ocambaBaseUrl,
      copernicaBaseUrl: sandbox.copernicaBaseUrl,
      rowsPerImport: 10
    })
  }

  it("exports a run's spans (run → chunk → vendor job and vendor calls) and its metrics over OTLP", async () => {
    const config = prepare("traced")
    const result = await runCli(["run", "--config", config, "--json"], {
      env: {
        ...sandboxTokens,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${exporterSecret}`,
        OTEL_SERVICE_NAME: "daemon-under-test"
      },
      timeoutMilliseconds: 90_000
    })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { runId: string; status: string }
    expect(report.status).toBe("succeeded")
    // The command flushes before it exits: everything is in the receiver now.
    expect(receiver.problems).toEqual([])
    const spans = receiver.spans.filter((span) => span.resource["service.name"] === "daemon-under-test")
    const byId = new Map(spans.map((span) => [span.spanId, span]))
    const named = (name: string) => spans.filter((span) => span.name === name)

    const runs = named("profilesync.sync.run")
    expect(runs).toHaveLength(1)
    const run = runs[0]!
    expect(run.parentSpanId).toBe("")
    expect(run.attributes).toMatchObject({
      "profilesync.sync": "daemon-test",
      "profilesync.run": report.runId,
      "profilesync.status": "succeeded",
      "profilesync.rows_read": 25,
      "profilesync.copernica.created": 25,
      "profilesync.ocamba.created": 25
    })

    // 25 rows, 10 per Copernica import: three Copernica chunks; Ocamba's file chunks by size. All under the run.
    const chunks = named("profilesync.sync.chunk")
    expect(chunks.filter((chunk) => chunk.attributes["profilesync.target"] === "copernica")).toHaveLength(3)
    expect(chunks.some((chunk) => chunk.attributes["profilesync.target"] === "ocamba")).toBe(true)
    for (const chunk of chunks) {
      expect(chunk.traceId).toBe(run.traceId)
      expect(chunk.parentSpanId).toBe(run.spanId)
    }
    const chunkIds = new Set(chunks.map((chunk) => chunk.spanId))

    // Each vendor job is beneath its chunk.
    const jobs = named("profilesync.sync.vendor_job")
    expect(jobs.length).toBe(chunks.length)
    for (const job of jobs) expect(chunkIds.has(job.parentSpanId)).toBe(true)

    // Vendor calls: client spans; the one creating each chunk's import is the chunk's child, its polls the job's.
    const calls = spans.filter((span) => span.kind === 3)
    const ancestorChunk = (span: ReceivedSpan): ReceivedSpan | undefined => {
      for (let current = byId.get(span.parentSpanId); current !== undefined; current = byId.get(current.parentSpanId)) {
        if (chunkIds.has(current.spanId)) return current
      }
      return undefined
    }
    const creates = calls.filter((call) => call.name === "copernica.createImport")
    expect(creates).toHaveLength(3)
    for (const create of creates) {
      expect(create.traceId).toBe(run.traceId)
      expect(chunkIds.has(create.parentSpanId)).toBe(true)
      expect(create.attributes).toMatchObject({
        "profilesync.vendor": "copernica",
        "profilesync.operation": "createImport",
        "profilesync.outcome": "ok",
        "profilesync.retries": 0
      })
      expect(create.attributes["profilesync.account"]).toMatch(/^copernica:/)
      expect(create.attributes["profilesync.throttle_wait_seconds"]).toBeGreaterThanOrEqual(0)
      expect(typeof create.attributes["http.response.status_code"]).toBe("number")
    }
    const uploads = calls.filter((call) => call.name === "ocamba.createProfileImport")
    expect(uploads.length).toBeGreaterThan(0)
    for (const upload of uploads) expect(ancestorChunk(upload)).toBeDefined()
    const polls = calls.filter((call) => call.name === "copernica.getImport")
    expect(polls.length).toBeGreaterThan(0)
    const copernicaJobs = jobs.filter((job) => job.attributes["profilesync.target"] === "copernica")
    expect(copernicaJobs).toHaveLength(3)
    for (const job of copernicaJobs) expect(polls.some((poll) => poll.parentSpanId === job.spanId)).toBe(true)

    // No secret anywhere: neither vendor token nor the exporter's header is in any attribute.
    for (const span of spans) {
      const text = JSON.stringify({ attributes: span.attributes, resource: span.resource })
      expect(text, span.name).not.toContain(sandboxTokens.OCAMBA_TOKEN)
      expect(text, span.name).not.toContain(sandboxTokens.COPERNICA_TOKEN)
      expect(text, span.name).not.toContain(exporterSecret)
    }
    expect(receiver.requests.every((request) => request.headers.authorization === `Bearer ${exporterSecret}`)).toBe(
      true
    )

    // The run metrics went the same way, flushed at exit.
    const metricNames = new Set(
      receiver.metrics.filter((metric) => metric.service === "daemon-under-test").map((metric) => metric.name)
    )
    for (const name of [
      "profilesync_sync_runs_total",
      "profilesync_sync_rows_total",
      "profilesync_sync_vendor_calls_total",
      "profilesync_sync_run_duration_seconds"
    ]) {
      expect(metricNames.has(name), name).toBe(true)
    }
    const rows = receiver.metrics.find((metric) => metric.name === "profilesync_sync_rows_total")!
    expect(JSON.stringify(rows.body)).toContain('"stringValue":"created"')
  })

  it("exports nothing without the OTEL_* variables", async () => {
    const config = prepare("untraced")
    const before = receiver.requests.length
    const result = await runCli(["run", "--config", config], {
      env: { ...sandboxTokens, OTEL_SERVICE_NAME: "daemon-untraced" },
      timeoutMilliseconds: 90_000
    })
    expect(result.code, result.stderr).toBe(0)
    expect(receiver.requests.length).toBe(before)
  })
})
