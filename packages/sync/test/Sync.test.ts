/**
 * The sync engine against the sandbox, on real SQLite files: the bundled 10,000 profiles (a few bad) synced to both
 * vendors, whose state then equals the normalised source; the rejects file; runs with no change and with ten
 * changes; dry runs (no vendor write, no state change) with deletion counts; deletes; the run lock; the stop signal;
 * and failed rows going to the dead letters and coming back through a replay.
 *
 * Everything runs on the live clock against a real HTTP server, with imports that finish after 20 ms.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Sync from "../src/Sync.ts"
import type * as SyncConfig from "../src/SyncConfig.ts"
import * as SyncState from "../src/SyncState.ts"
import { assertReconciles } from "./support/ReportChecks.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const runSync = (config: SyncConfig.SyncConfig, options: Partial<Sync.RunOptions> = {}) =>
  Sync.run({ config, polling: Fixtures.testPolling, ...options }).pipe(Effect.provide(Sync.layer(config)))

/** The confirmed hashes of a target, by key. */
const confirmedHashes = (config: SyncConfig.SyncConfig, target: Sync.TargetName) =>
  Effect.gen(function* () {
    const state = yield* SyncState.SyncState
    const records = yield* Stream.runCollect(state.confirmedHashes(config.name, target))
    return new Map(Chunk.toReadonlyArray(records).map((record) => [record.key, record.hash]))
  }).pipe(Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! })))

/** The first `count` data rows of the example, as a new CSV. */
const firstRows = (directory: string, name: string, count: number, skip: ReadonlySet<number> = new Set()): string => {
  const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
  const kept = [lines[0]!, ...lines.slice(1, count + 1).filter((_, index) => !skip.has(index + 1))]
  return Fixtures.writeSource(directory, name, `${kept.join("\n")}\n`)
}

describe("Sync.run with the bundled 10,000 profiles", () => {
  const scope = Effect.runSync(Scope.make())
  let context: {
    readonly fixture: Fixtures.SyncSandbox
    readonly directory: string
    readonly config: SyncConfig.SyncConfig
    readonly report: Sync.RunReport
    readonly rows: ReadonlyArray<Fixtures.ExpectedRow>
    readonly milliseconds: number
    readonly progress: ReadonlyArray<Sync.Progress>
  }
  const progress: Array<Sync.Progress> = []

  beforeAll(async () => {
    context = await Effect.runPromise(
      Effect.gen(function* () {
        const fixture = yield* Fixtures.sandbox()
        const directory = yield* Fixtures.temporaryDirectory
        const config = yield* Fixtures.configFor({ directory, sandbox: fixture.sandbox })
        const started = performance.now()
        const report = yield* runSync(config, { onProgress: (event) => progress.push(event) })
        const milliseconds = performance.now() - started
        const rows = yield* Fixtures.expectedRows(config, Fixtures.exampleCsv)
        console.log(
          `10,000 rows to both vendors: ${milliseconds.toFixed(0)} ms; vendor calls ${JSON.stringify(report.vendorCalls)}`
        )
        console.log(Sync.formatReport(report))
        return { fixture, directory, config, report, rows, milliseconds, progress }
      }).pipe(Scope.extend(scope))
    )
  }, 60_000)

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it("syncs both vendors, and each then holds every valid row as normalised", () => {
    const { config, fixture, report, rows } = context
    assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
    assert.strictEqual(report.read, 10_000)
    const ocambaRows = Fixtures.targetRows(config, rows, "ocamba")
    const copernicaRows = Fixtures.targetRows(config, rows, "copernica")
    // A few bad rows; rows without an email go to Ocamba only (Copernica matches on Email).
    assert.isAbove(ocambaRows.length, 9_900)
    assert.isAbove(copernicaRows.length, 9_000)
    assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, ocambaRows), [])
    assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, copernicaRows), [])
    // Nothing else reached Copernica: one profile per valid row.
    assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).size, copernicaRows.length)

    const ocamba = report.targets.ocamba!
    const copernica = report.targets.copernica!
    assert.strictEqual(ocamba.created, ocambaRows.length)
    assert.strictEqual(copernica.created, copernicaRows.length)
    assert.strictEqual(ocamba.failed + copernica.failed, 0)
    assert.strictEqual(ocamba.propertiesCreated, 4) // birth_date, vip, lifetime_value, customer_id
    assert.strictEqual(copernica.fieldsCreated, 3) // City, Vip, LifetimeValue
    assert.strictEqual(ocamba.chunks, 1)
    assert.strictEqual(copernica.chunks, Math.ceil(copernicaRows.length / 1000))
    assert.strictEqual(copernica.vendorJobs.length, copernica.chunks)

    // The report's vendor calls are exactly the requests the sandbox answered.
    const answered = (vendor: string) => fixture.requests.filter((entry) => entry.vendor === vendor).length
    assert.strictEqual(report.vendorCalls.ocamba, answered("ocamba"))
    assert.strictEqual(report.vendorCalls.copernica, answered("copernica"))
    // The configured integrations and conversions were resynced once.
    const resyncs = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).resyncs
    assert.deepStrictEqual(
      resyncs.map((resync) => [resync.integration, resync.conversion]),
      [[["1628"], ["1000192"]]]
    )
  })

  it("reports progress through every phase", () => {
    const phases = new Set(context.progress.map((event) => event.phase))
    assert.deepStrictEqual([...phases].sort(), [
      "confirming",
      "done",
      "planning",
      "polling",
      "reading",
      "resyncing",
      "sending"
    ])
    const last = context.progress.at(-1)!
    assert.strictEqual(last.phase, "done")
    assert.strictEqual(last.rowsRead, 10_000)
    assert.strictEqual(last.rowsRejected, context.report.rejected)
    assert.strictEqual(last.chunksDone, last.chunksTotal)
    assert.strictEqual(
      last.chunksDone,
      context.report.targets.ocamba!.chunks + context.report.targets.copernica!.chunks
    )
    const reads = context.progress.filter((event) => event.phase === "reading").map((event) => event.rowsRead)
    assert.deepStrictEqual(
      reads,
      [...reads].sort((a, b) => a - b)
    )
  })

  it("names every bad row and why in the rejects file", () => {
    const { report, rows } = context
    assert.isDefined(report.rejectsFile)
    const lines = Fixtures.readNdjson(report.rejectsFile!)
    const expected = rows
      .filter(({ mapped }) => mapped._tag === "Rejected" || mapped.rejections.length > 0)
      .map(({ rowNumber }) => rowNumber)
    assert.deepStrictEqual(
      [...new Set(lines.map((line) => line.row as number))].sort((a, b) => a - b),
      expected
    )
    for (const line of lines) {
      assert.hasAllKeys(
        line,
        ["row", "line", "code", "field", "column", "value", "reason", "targets", ...("key" in line ? ["key"] : [])],
        JSON.stringify(line)
      )
    }
    const byRow = (row: number) => lines.filter((line) => line.row === row)
    // The generator's four kinds of bad rows, every 500th row.
    assert.include(byRow(500)[0]!.reason as string, "phone")
    assert.strictEqual(byRow(500)[0]!.field, "phone")
    assert.strictEqual(byRow(500)[0]!.value, "+31 6 123")
    assert.strictEqual(byRow(1000)[0]!.field, "email, phone")
    assert.include(byRow(1000)[0]!.reason as string, "has no key")
    assert.strictEqual(byRow(1500)[0]!.field, "birth_date")
    assert.deepStrictEqual(byRow(1500)[0]!.targets, ["ocamba"]) // Copernica does not map birth dates
    assert.strictEqual(byRow(1500)[0]!.line, 1501)
    assert.strictEqual(byRow(2000)[0]!.field, "email")
    assert.include(byRow(2000)[0]!.reason as string, "is not an email address")
    // Rows no target takes are counted as rejected; the birth-date rows still went to Copernica.
    const refusedEverywhere = rows.filter(({ mapped }) => mapped._tag === "Rejected").length
    assert.strictEqual(report.rejected, refusedEverywhere)
    // Only Ocamba maps birth dates: those rows are Ocamba's own rejections, not the run's.
    assert.isUndefined(report.rejectReasons["birth_date is not a date"])
    assert.isAbove(report.targets.ocamba!.rejectReasons["birth_date is not a date"] ?? 0, 0)
  })

  it("keeps the run's rejects in the state store, line for line as in the rejects file", async () => {
    const { report, config } = context
    const lines = Fixtures.readNdjson(report.rejectsFile!)
    const kept = await Effect.runPromise(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{
          readonly source_row: unknown
          readonly field: string | null
          readonly value: string
          readonly targets: string
        }>`SELECT source_row, field, value, targets FROM profilesync_rejects WHERE run_id = ${report.runId}
          ORDER BY position`
      ).pipe(Effect.provide(SqliteClient.layer({ filename: config.state.sqlite!, readonly: true })))
    )
    assert.deepStrictEqual(
      kept.map((row) => [Number(row.source_row), row.field, row.value, JSON.parse(row.targets)]),
      lines.map((line) => [line.row, line.field, line.value, line.targets])
    )
  })

  it("the report adds up, in JSON and on screen: rows rejected for every target, and for one target only", () => {
    const { report } = context
    assertReconciles(report)
    // This source has all three kinds, so the test says something about each.
    assert.isAbove(report.rejected, 0)
    assert.isAbove(report.targets.ocamba!.rejectedOnlyHere, 0)
    assert.isAbove(report.targets.copernica!.rejectedOnlyHere, 0)
    assertReconciles(JSON.parse(JSON.stringify(report)) as Sync.RunReport)
  })

  it("a second run with no change spends no vendor call", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { config, fixture } = context
        const writesBefore = fixture.writes().length
        const requestsBefore = fixture.requests.length
        const report = yield* runSync(config)
        assertReconciles(report)
        assert.strictEqual(report.status, "succeeded")
        assert.strictEqual(report.targets.ocamba!.unchanged, context.report.targets.ocamba!.created)
        assert.strictEqual(report.targets.copernica!.unchanged, context.report.targets.copernica!.created)
        assert.strictEqual(report.targets.ocamba!.created + report.targets.ocamba!.updated, 0)
        assert.strictEqual(fixture.writes().length, writesBefore)
        // Not even a read: properties are planned only when there is something to send.
        assert.strictEqual(fixture.requests.length, requestsBefore)
        assert.deepStrictEqual(report.vendorCalls, { ocamba: 0, copernica: 0 })
      })
    ))

  it("a run with 10 changed rows sends exactly those", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { directory, fixture, rows } = context
        // Ten rows both vendors take, without quotes in their line.
        const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
        const changed = new Set(
          rows
            .filter(
              ({ mapped, rowNumber }) =>
                mapped._tag === "Valid" && mapped.targets.length === 2 && !lines[rowNumber]!.includes('"')
            )
            .slice(100, 110)
            .map(({ rowNumber }) => rowNumber)
        )
        const source = join(directory, "changed.csv")
        Fixtures.withChangedFirstNames(Fixtures.exampleCsv, source, changed)
        const config = yield* Fixtures.configFor({
          directory,
          sandbox: fixture.sandbox,
          source: { type: "csv", path: source }
        })
        const ocambaImports = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports
        const copernicaImports = fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports
        const ocambaBefore = new Set(ocambaImports.keys())
        const copernicaBefore = new Set(copernicaImports.keys())
        const report = yield* runSync(config)
        assertReconciles(report)
        assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
        assert.strictEqual(report.targets.ocamba!.updated, 10)
        assert.strictEqual(report.targets.copernica!.updated, 10)
        assert.strictEqual(report.targets.ocamba!.created + report.targets.copernica!.created, 0)
        const newOcamba = [...ocambaImports.values()].filter((record) => !ocambaBefore.has(record.id))
        const newCopernica = [...copernicaImports.values()].filter((job) => !copernicaBefore.has(job.ID))
        assert.strictEqual(newOcamba.length, 1)
        assert.strictEqual(newOcamba[0]!.rows.length, 10)
        assert.strictEqual(newCopernica.length, 1)
        assert.strictEqual(newCopernica[0]!.rows?.length, 10)
        assert.isTrue(newCopernica[0]!.rows!.every((row) => row.Firstname?.endsWith(" Changed")))
        const updated = yield* Fixtures.expectedRows(config, source)
        assert.deepStrictEqual(
          Fixtures.copernicaDifferences(fixture.sandbox, Fixtures.targetRows(config, updated, "copernica")),
          []
        )
        assert.deepStrictEqual(
          Fixtures.ocambaDifferences(fixture.sandbox, Fixtures.targetRows(config, updated, "ocamba")),
          []
        )
      })
    ))
})

describe("Sync.run dry runs and deletes", () => {
  it.scopedLive("a dry run reports creates, updates and deletes without a vendor write or a state change", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const all = firstRows(directory, "all.csv", 300)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: all },
        rowsPerImport: 100,
        deleteMissing: true
      })

      const preview = yield* runSync(config, { dryRun: true })
      assertReconciles(preview)
      assert.isTrue(preview.dryRun)
      assert.strictEqual(fixture.writes().length, 0)
      const rows = yield* Fixtures.expectedRows(config, all)
      const copernicaRows = Fixtures.targetRows(config, rows, "copernica").length
      assert.strictEqual(preview.targets.copernica!.created, copernicaRows)
      assert.strictEqual(preview.targets.copernica!.chunks, Math.ceil(copernicaRows / 100))
      assert.strictEqual(preview.targets.ocamba!.created, Fixtures.targetRows(config, rows, "ocamba").length)
      assert.strictEqual(preview.targets.ocamba!.propertiesCreated, 4)
      assert.strictEqual(preview.targets.copernica!.fieldsCreated, 3)
      // No run was recorded and nothing was confirmed.
      const runs = yield* Effect.flatMap(SyncState.SyncState, (state) => state.recentRuns()).pipe(
        Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! }))
      )
      assert.strictEqual(runs.length, 0)
      assert.strictEqual((yield* confirmedHashes(config, "copernica")).size, 0)
      assert.isTrue(preview.rejectsFile?.endsWith("rejects.dry-run.ndjson"))

      const synced = yield* runSync(config)
      assertReconciles(synced)
      assert.strictEqual(synced.status, "succeeded", Sync.formatReport(synced))
      const hashes = yield* confirmedHashes(config, "copernica")

      // Drop rows 1 to 5 and change 3 others: the preview says so, and changes nothing.
      const dropped = new Set([1, 2, 3, 4, 5])
      const fewer = firstRows(directory, "fewer.csv", 300, dropped)
      const changedSource = join(directory, "changed.csv")
      const lines = readFileSync(all, "utf8").split("\n")
      const changedRows = new Set(
        rows
          .filter(
            ({ mapped, rowNumber }) =>
              rowNumber > dropped.size &&
              mapped._tag === "Valid" &&
              mapped.targets.length === 2 &&
              !lines[rowNumber]!.includes('"')
          )
          .slice(0, 3)
          .map(({ rowNumber }) => rowNumber - dropped.size)
      )
      Fixtures.withChangedFirstNames(fewer, changedSource, changedRows)
      const changedConfig = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: changedSource },
        rowsPerImport: 100,
        deleteMissing: true
      })
      const droppedForCopernica = rows.filter(
        ({ mapped, rowNumber }) =>
          dropped.has(rowNumber) && mapped._tag === "Valid" && mapped.targets.includes("copernica")
      ).length
      const writes = fixture.writes().length
      const second = yield* runSync(changedConfig, { dryRun: true })
      assertReconciles(second)
      assert.strictEqual(fixture.writes().length, writes)
      assert.strictEqual(second.targets.copernica!.deleted, droppedForCopernica)
      assert.strictEqual(second.targets.copernica!.updated, 3)
      assert.strictEqual(second.targets.copernica!.created, 0)
      const droppedForOcamba = rows.filter(
        ({ mapped, rowNumber }) =>
          dropped.has(rowNumber) && mapped._tag === "Valid" && mapped.targets.includes("ocamba")
      ).length
      // Ocamba has no delete: what left the source is only reported.
      assert.strictEqual(second.targets.ocamba!.pendingDeletes, droppedForOcamba)
      assert.include(Sync.formatReport(second), `would create 0, update 3, delete ${droppedForCopernica}`)
      assert.deepStrictEqual(yield* confirmedHashes(config, "copernica"), hashes)

      // The real run deletes them from Copernica, and only them.
      const profilesBefore = Fixtures.copernicaProfiles(fixture.sandbox).size
      const real = yield* runSync(changedConfig)
      assertReconciles(real)
      assert.strictEqual(real.status, "succeeded", Sync.formatReport(real))
      assert.strictEqual(real.targets.copernica!.deleted, droppedForCopernica)
      assert.strictEqual(real.targets.copernica!.updated, 3)
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).size, profilesBefore - droppedForCopernica)
      const remaining = yield* Fixtures.expectedRows(changedConfig, changedSource)
      assert.deepStrictEqual(
        Fixtures.copernicaDifferences(fixture.sandbox, Fixtures.targetRows(changedConfig, remaining, "copernica")),
        []
      )
      assert.strictEqual((yield* confirmedHashes(config, "copernica")).size, copernicaRows - droppedForCopernica)
    })
  )

  it.scopedLive("sends Copernica imports as CSV when the config says so", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 60)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        targets: ["copernica"],
        copernicaFormat: "csv",
        rowsPerImport: 25
      })
      const report = yield* runSync(config)
      assertReconciles(report)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "copernica")
      assert.strictEqual(report.targets.copernica!.created, rows.length)
      assert.strictEqual(report.targets.copernica!.chunks, Math.ceil(rows.length / 25))
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, rows), [])
    })
  )

  it.scopedLive("deletes nothing without deleteMissing, and reports what left the source", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const all = firstRows(directory, "all.csv", 40)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: all }
      })
      yield* runSync(config)
      const profiles = Fixtures.copernicaProfiles(fixture.sandbox).size
      const fewer = firstRows(directory, "fewer.csv", 30)
      const report = yield* runSync(
        yield* Fixtures.configFor({ directory, sandbox: fixture.sandbox, source: { type: "csv", path: fewer } })
      )
      assertReconciles(report)
      assert.strictEqual(report.targets.copernica!.deleted, 0)
      assert.isAbove(report.targets.copernica!.pendingDeletes, 0)
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).size, profiles)
      assert.strictEqual(fixture.writes().filter((entry) => entry.operationId === "createImport").length, 1)
    })
  )
})

describe("Sync.run coordination", () => {
  it.scopedLive("publishes its progress as a stream: every consumer reads every event, in order, up to done", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: firstRows(directory, "rows.csv", 30) },
        rowsPerImport: 10,
        targets: ["copernica"]
      })
      const streamed: Array<Sync.Progress> = []
      const called: Array<Sync.Progress> = []
      const report = yield* runSync(config, {
        // A slow consumer: the run waits for it to have read every event before it returns.
        progress: (events) =>
          Stream.runForEach(events, (event) =>
            Effect.zipRight(
              Effect.sleep("5 millis"),
              Effect.sync(() => streamed.push(event))
            )
          ),
        onProgress: (event) => called.push(event)
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual(streamed, called)
      assert.strictEqual(streamed.at(-1)?.phase, "done")
      assert.strictEqual(streamed.at(-1)?.chunksDone, report.targets.copernica!.chunks)
      assert.strictEqual(streamed.filter((event) => event.phase === "sending").length, report.targets.copernica!.chunks)
    })
  )

  it.scopedLive("refuses to run while another run of the sync holds the lock", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: firstRows(directory, "rows.csv", 10) }
      })
      const held = yield* Effect.flatMap(SyncState.SyncState, (state) =>
        state.acquireLock("profilesync-sync:customers", { owner: "other-machine:42" })
      ).pipe(Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! })))
      assert.strictEqual(held.owner, "other-machine:42")
      const error = yield* Effect.flip(runSync(config))
      assert.strictEqual(error.reason._tag, "Locked")
      assert.include(error.message, "other-machine:42")
      assert.strictEqual(fixture.requests.length, 0)
    })
  )

  it.scopedLive("stops on the stop signal after the jobs at the vendor, and the next run sends the rest", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox(100)
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 1500)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        rowsPerImport: 100,
        targets: ["copernica"]
      })
      const stop = yield* Deferred.make<void>()
      const first = yield* runSync(config, {
        stopSignal: Deferred.await(stop),
        onProgress: (progress) => {
          if (progress.phase === "polling") Deferred.unsafeDone(stop, Exit.void)
        }
      })
      assertReconciles(first)
      assert.strictEqual(first.status, "interrupted", Sync.formatReport(first))
      const sentFirst = first.targets.copernica!.created
      assert.isAbove(sentFirst, 0)
      assert.isBelow(first.read, 1500)
      // Every job the run started was seen through: none is left in the journal.
      const inFlight = yield* Effect.flatMap(SyncState.SyncState, (state) => state.inFlightJobs("customers")).pipe(
        Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! }))
      )
      assert.strictEqual(inFlight.length, 0)

      const second = yield* runSync(config)
      assertReconciles(second)
      assert.strictEqual(second.status, "succeeded", Sync.formatReport(second))
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "copernica")
      assert.strictEqual(sentFirst + second.targets.copernica!.created, rows.length)
      // No row was sent twice.
      const imported = [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()]
      assert.strictEqual(
        imported.reduce((total, job) => total + (job.rows?.length ?? 0), 0),
        rows.length
      )
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, rows), [])
    })
  )
})

describe("Sync.run failures and dead letters", () => {
  it.scopedLive("retries failed rows on later runs, dead-letters them after maxAttempts, and replays them", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 30)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        maxAttempts: 2,
        targets: ["copernica"]
      })
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "copernica")
      fixture.sandbox.setFaults({ importFailureRate: 1, vendors: ["copernica"] })

      const first = yield* runSync(config)
      assertReconciles(first)
      assert.strictEqual(first.status, "partial")
      assert.strictEqual(first.targets.copernica!.failed, rows.length)
      assert.strictEqual(first.targets.copernica!.deadLettered, 0)
      assert.include(first.targets.copernica!.errors[0]!, "failed")

      const second = yield* runSync(config)
      assertReconciles(second)
      assert.strictEqual(second.targets.copernica!.deadLettered, rows.length)

      const store = SyncState.layerSqlite({ filename: config.state.sqlite! })
      const letters = yield* Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters("customers")).pipe(
        Effect.provide(store)
      )
      assert.strictEqual(letters.length, rows.length)
      assert.include(letters[0]!.reason, "Copernica import")
      assert.deepStrictEqual(Object.keys(letters[0]!.payload as object), Object.keys(rows[0]!.values))

      // A dead letter is not sent again while the row is unchanged.
      const imports = fixture.writes().filter((entry) => entry.operationId === "createImport").length
      const third = yield* runSync(config)
      assertReconciles(third)
      assert.strictEqual(third.targets.copernica!.skippedDeadLetters, rows.length)
      assert.strictEqual(fixture.writes().filter((entry) => entry.operationId === "createImport").length, imports)

      // Replayed once the vendor is well again.
      fixture.sandbox.setFaults({ importFailureRate: 0 })
      const replayed = yield* runSync(config, { replayDeadLetters: true })
      assertReconciles(replayed)
      assert.strictEqual(replayed.status, "succeeded", Sync.formatReport(replayed))
      assert.strictEqual(replayed.targets.copernica!.deadLettersReplayed, rows.length)
      assert.strictEqual(replayed.targets.copernica!.created, rows.length)
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, rows), [])
      const left = yield* Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters("customers")).pipe(
        Effect.provide(store)
      )
      assert.strictEqual(left.length, 0)
    })
  )

  it.scopedLive("matches Ocamba's per-row report to the rows: rows an import did not process go again next run", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox(20, true)
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 80)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        targets: ["ocamba"]
      })
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "ocamba")
      fixture.sandbox.setFaults({ importFailureRate: 1, vendors: ["ocamba"] })
      const first = yield* runSync(config)
      assertReconciles(first)
      const record = [...fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports.values()][0]!
      assert.strictEqual(record.status, "failed")
      const processed = record.report.filter((entry) => entry.code === "SUCCESS").length
      assert.isBelow(processed, rows.length)
      assert.strictEqual(first.status, "partial")
      assert.strictEqual(first.targets.ocamba!.created, processed)
      assert.strictEqual(first.targets.ocamba!.failed, rows.length - processed)
      assert.strictEqual(first.targets.ocamba!.deadLettered, 0)
      assert.include(first.targets.ocamba!.errors[0]!, "not processed")

      // The next run sends exactly the rows the failed import did not process.
      fixture.sandbox.setFaults({ importFailureRate: 0 })
      const second = yield* runSync(config)
      assertReconciles(second)
      assert.strictEqual(second.status, "succeeded", Sync.formatReport(second))
      assert.strictEqual(second.targets.ocamba!.created, rows.length - processed)
      assert.strictEqual(second.targets.ocamba!.unchanged, processed)
      const records = [...fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports.values()]
      assert.strictEqual(records[1]!.rows.length, rows.length - processed)
      assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, rows), [])
    })
  )

  it.scopedLive("works with report rows that carry only the documented fields: what is missing goes again", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 40)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        targets: ["ocamba"]
      })
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "ocamba")
      fixture.sandbox.setFaults({ importFailureRate: 1, vendors: ["ocamba"] })
      const first = yield* runSync(config)
      const record = [...fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports.values()][0]!
      for (const entry of record.report) {
        assert.deepStrictEqual(Object.keys(entry).sort(), [
          "code",
          "event_date",
          "event_time",
          "profile_id",
          "update_time"
        ])
      }
      assert.isBelow(record.report.length, rows.length)
      // A failed import (stopped part way) whose report has no row numbers cannot say which rows it imported: none is
      // confirmed, none dead-lettered (isolation is for finished imports, whose refusals are the rows' own).
      assert.strictEqual(first.targets.ocamba!.created, 0)
      assert.strictEqual(first.targets.ocamba!.deadLettered, 0)

      fixture.sandbox.setFaults({ importFailureRate: 0 })
      const second = yield* runSync(config)
      assert.strictEqual(second.status, "succeeded", Sync.formatReport(second))
      assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, rows), [])
      const third = yield* runSync(config)
      assert.strictEqual(third.targets.ocamba!.unchanged, rows.length)
    })
  )

  it.scopedLive("stops a target whose vendor refuses the credentials, and still syncs the other", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, "rows.csv", 20)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source }
      })
      const token = process.env.OCAMBA_TOKEN
      process.env.OCAMBA_TOKEN = "not-the-sandbox-token"
      const report = yield* runSync(config).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            process.env.OCAMBA_TOKEN = token
          })
        )
      )
      assert.strictEqual(report.status, "partial")
      assert.include(report.targets.ocamba!.errors[0]!, "Unauthorized")
      assert.strictEqual(report.targets.ocamba!.created, 0)
      const rows = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "copernica")
      assert.strictEqual(report.targets.copernica!.created, rows.length)
      assert.include(Sync.formatReport(report), "! Ocamba: preparing the properties failed")
      // The next run, with the right token, sends Ocamba's rows.
      const next = yield* runSync(config)
      assertReconciles(next)
      assert.strictEqual(next.status, "succeeded", Sync.formatReport(next))
      assert.strictEqual(next.targets.copernica!.unchanged, rows.length)
      assert.isAbove(next.targets.ocamba!.created, 0)
    })
  )
})
