/**
 * How fast `profilesync dashboard` renders on a long history: a SQLite state store with 10,000 runs, 1,000,000
 * records (two targets of 500,000) and 200,000 rejects (all in the newest run, the worst case for its page), served
 * by the built daemon as a user runs it, and each page fetched over loopback: the time is the whole answer (queries,
 * rendering, HTTP). The goal is under 200 ms for the overview and a run page.
 *
 *   pnpm --filter @profilesync/daemon build && pnpm --filter @profilesync/bench dashboard [--json results/dashboard.json]
 *   [--requests N]   fetches per page (default 20)
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as OS from "node:os"
import * as Path from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { emit, flag, log, machine, percentile, round, table } from "./support/report.ts"

const runs = 10_000
const recordsPerTarget = 500_000
const rejects = 200_000
const requests = Number(flag("requests") ?? 20)
const sync = "bench"
const daemonBin = Path.resolve(import.meta.dirname, "../apps/daemon/bin/profilesync.js")

const startedAt = machine()
const directory = FileSystem.mkdtempSync(Path.join(OS.tmpdir(), "profilesync-dashboard-bench-"))
const database = Path.join(directory, "state.db")

const report = (index: number) => ({
  runId: `run-${index}`,
  sync,
  status: "succeeded",
  dryRun: false,
  read: 1000,
  rejected: 20,
  rejectReasons: { "email is not an email address": 20 },
  duplicates: 0,
  targets: Object.fromEntries(
    ["ocamba", "copernica"].map((target) => [
      target,
      {
        created: 10,
        updated: 70,
        unchanged: 900,
        deleted: 0,
        failed: 0,
        deadLettered: 0,
        chunks: 1,
        vendorJobs: [`${target}-job-${index}`],
        propertiesCreated: 0,
        propertiesUpdated: 0,
        fieldsCreated: 0,
        pendingDeletes: 0,
        rejected: 20,
        rejectedOnlyHere: 0,
        rejectReasons: {},
        skippedDeadLetters: 0,
        deadLettersReplayed: 0,
        resumedJobs: 0,
        neutralised: 0,
        errors: []
      }
    ])
  ),
  vendorCalls: { ocamba: 4, copernica: 3 },
  throttleWaitMilliseconds: { ocamba: 1200, copernica: 0 },
  statePath: database
})

// Built with the store's own migrations, then filled with plain inserts (500 rows a statement, one transaction).
const fill = Effect.gen(function* () {
  yield* Effect.scoped(Layer.build(SyncState.layerSqlite({ filename: database })))
  const sql = yield* SqlClient.SqlClient
  yield* sql`PRAGMA synchronous = OFF`
  const insert = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
    Effect.forEach(
      Array.from({ length: Math.ceil(rows.length / 500) }, (_, index) => rows.slice(index * 500, index * 500 + 500)),
      (batch) => sql`INSERT INTO ${sql(table)} ${sql.insert(batch as Array<Record<string, never>>)}`,
      { discard: true }
    )
  const start = Date.UTC(2025, 0, 1)
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* insert(
        "profilesync_runs",
        Array.from({ length: runs }, (_, index) => ({
          id: `run-${index}`,
          sync_name: sync,
          targets: '["ocamba","copernica"]',
          dry_run: 0,
          status: "succeeded",
          started_at: start + index * 3_600_000,
          finished_at: start + index * 3_600_000 + 40_000 + (index % 17) * 1000,
          counts: JSON.stringify({
            read: 1000,
            rejected: 20,
            "ocamba.created": 10,
            "ocamba.updated": 70,
            "ocamba.unchanged": 900,
            "ocamba.vendorCalls": 4,
            "copernica.created": 10,
            "copernica.updated": 70,
            "copernica.unchanged": 900,
            "copernica.vendorCalls": 3
          }),
          report: JSON.stringify(report(index))
        }))
      )
      yield* insert(
        "profilesync_jobs",
        Array.from({ length: runs * 2 }, (_, index) => ({
          id: `job-${index}`,
          sync_name: sync,
          target: index % 2 === 0 ? "ocamba" : "copernica",
          run_id: `run-${Math.floor(index / 2)}`,
          chunk: 0,
          status: "finished",
          vendor_job_id: `vendor-${index}`,
          chunk_rows: JSON.stringify(
            Array.from({ length: 80 }, (_, row) => ({ key: `customer${row}@example.com`, hash: "0123456789abcdef" }))
          ),
          result: null,
          error: null,
          created_at: start + index * 1_800_000,
          updated_at: start + index * 1_800_000 + 20_000
        }))
      )
    })
  )
  for (const target of ["ocamba", "copernica"]) {
    for (let offset = 0; offset < recordsPerTarget; offset += 50_000) {
      yield* sql.withTransaction(
        insert(
          "profilesync_records",
          Array.from({ length: 50_000 }, (_, index) => ({
            sync_name: sync,
            target,
            record_key: `customer${offset + index}@example.com`,
            content_hash: "0123456789abcdef0123456789abcdef",
            vendor_id: null,
            confirmed_at: start,
            last_seen_run: `run-${runs - 1}`,
            attempts: 0,
            failed_hash: null,
            last_error: null,
            dead_lettered: 0
          }))
        )
      )
    }
  }
  for (let offset = 0; offset < rejects; offset += 50_000) {
    yield* sql.withTransaction(
      insert(
        "profilesync_rejects",
        Array.from({ length: 50_000 }, (_, index) => {
          const position = offset + index
          return {
            run_id: `run-${runs - 1}`,
            position,
            sync_name: sync,
            source_row: position + 1,
            source_line: position + 2,
            record_key: position % 3 === 0 ? null : `customer${position}@example.com`,
            code: position % 3 === 0 ? "Unreadable" : "InvalidValue",
            field: position % 3 === 0 ? null : position % 3 === 1 ? "email" : "phone",
            source_column: null,
            value: `bad value ${position}`,
            reason: "email is not an email address",
            targets: '["ocamba","copernica"]'
          }
        })
      )
    )
  }
}).pipe(Effect.provide(SqliteClient.layer({ filename: database })))

const startDashboard = async (config: string): Promise<{ readonly url: string; readonly child: ChildProcess }> => {
  const child = spawn(process.execPath, [daemonBin, "dashboard", "--config", config, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  let output = ""
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk
      const found = /at (http:\S+)/.exec(output)
      if (found !== null) resolve(found[1]!)
    })
    child.once("exit", (code) => reject(new Error(`the dashboard exited with ${code}: ${output}`)))
  })
  return { url, child }
}

const time = async (url: string): Promise<ReadonlyArray<number>> => {
  const durations: Array<number> = []
  for (let index = 0; index < requests + 2; index++) {
    const started = performance.now()
    const response = await fetch(url)
    await response.text()
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
    // The first two warm the connection and SQLite's page cache.
    if (index >= 2) durations.push(performance.now() - started)
  }
  return durations.sort((a, b) => a - b)
}

const filling = performance.now()
log(`filling ${database}: ${runs} runs, ${recordsPerTarget * 2} records, ${rejects} rejects`)
await Effect.runPromise(fill)
const fillSeconds = (performance.now() - filling) / 1000
log(`filled in ${round(fillSeconds, 1)} s (${round(FileSystem.statSync(database).size / 1024 / 1024)} MiB)`)

const config = Path.join(directory, "bench.yaml")
FileSystem.writeFileSync(
  config,
  [
    "version: 1",
    `name: ${sync}`,
    "source: { type: csv, path: ./profiles.csv }",
    "fields:",
    "  email: { column: email, type: email }",
    "key: [email]",
    "targets:",
    "  ocamba:",
    "    account: bench",
    "    credentials: { tokenEnv: OCAMBA_TOKEN }",
    "    properties:",
    "      email: { property: email, system: true }",
    "  copernica:",
    "    credentials: { tokenEnv: COPERNICA_TOKEN }",
    "    database: 1",
    "    keyFields: [Email]",
    "    fields:",
    "      email: { field: Email }",
    `state: { sqlite: ${database} }`,
    ""
  ].join("\n")
)
const dashboard = await startDashboard(config)
const newest = `run-${runs - 1}`
const pages: ReadonlyArray<readonly [string, string]> = [
  ["overview", "/"],
  ["run page (200,000 rejects)", `/syncs/${sync}/runs/${newest}`],
  ["run page, rejects filtered, deep page", `/syncs/${sync}/runs/${newest}?code=InvalidValue&field=email&after=150000`],
  ["sync page (first of 200)", `/syncs/${sync}`],
  ["sync page (last of 200)", `/syncs/${sync}?page=199`],
  ["key history", `/syncs/${sync}/history?key=customer4242%40example.com`]
]
const results: Array<{ readonly page: string; readonly medianMilliseconds: number; readonly p95Milliseconds: number }> =
  []
try {
  for (const [page, path] of pages) {
    const durations = await time(new URL(path, dashboard.url).toString())
    results.push({
      page,
      medianMilliseconds: round(percentile(durations, 50)),
      p95Milliseconds: round(percentile(durations, 95))
    })
  }
} finally {
  dashboard.child.kill("SIGTERM")
  FileSystem.rmSync(directory, { recursive: true, force: true })
}

log(
  table(
    ["page", "median ms", "p95 ms"],
    results.map((result) => [result.page, result.medianMilliseconds, result.p95Milliseconds])
  )
)
emit({
  benchmark: "dashboard",
  machine: { ...startedAt, loadAverageAtEnd: machine().loadAverageAtEnd },
  store: { kind: "sqlite", runs, records: recordsPerTarget * 2, rejects, fillSeconds: round(fillSeconds, 1) },
  requestsPerPage: requests,
  goalMilliseconds: 200,
  results
})
