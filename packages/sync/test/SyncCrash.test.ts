/**
 * Crash safety of the sync engine, against the sandbox on real SQLite files: a run interrupted while its jobs run at
 * the vendor leaves them in the journal, and the next run resumes them (polls them, commits an Ocamba upload that
 * waited for its commit) instead of sending them again; jobs that never got a vendor id are not resent from the
 * journal, their rows go out through the diff (a Copernica import in doubt only once no import of its name exists).
 * The sandbox's imports prove that no job was sent twice.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Mapping from "@profilesync/core/Mapping"
import * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { uploadFileName } from "../src/internal/target/ocamba/import.ts"
import * as Sync from "../src/Sync.ts"
import type * as SyncConfig from "../src/SyncConfig.ts"
import * as SyncState from "../src/SyncState.ts"
import { assertReconciles } from "./support/ReportChecks.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

const runSync = (config: SyncConfig.SyncConfig, options: Partial<Sync.RunOptions> = {}) =>
  Sync.run({ config, polling: Fixtures.testPolling, ...options }).pipe(Effect.provide(Sync.layer(config)))

const withState = <A, E>(
  config: SyncConfig.SyncConfig,
  use: (state: SyncState.SyncStateService) => Effect.Effect<A, E>
) =>
  Effect.flatMap(SyncState.SyncState, use).pipe(
    Effect.provide(SyncState.layerSqlite({ filename: config.state.sqlite! }))
  )

const firstRows = (directory: string, count: number): string => {
  const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
  return Fixtures.writeSource(directory, "rows.csv", `${lines.slice(0, count + 1).join("\n")}\n`)
}

/** A sandbox and an Ocamba-only sync of 50 rows, with the rows valid for Ocamba. */
const ocambaOnly = Effect.gen(function* () {
  const fixture = yield* Fixtures.sandbox()
  const directory = yield* Fixtures.temporaryDirectory
  const source = firstRows(directory, 50)
  const config = yield* Fixtures.configFor({
    directory,
    sandbox: fixture.sandbox,
    source: { type: "csv", path: source },
    targets: ["ocamba"]
  })
  const mapper = Mapping.makeMapper(config)
  const valid = (yield* Fixtures.expectedRows(config, source)).flatMap(({ mapped }) =>
    mapped._tag === "Valid" && mapped.targets.includes("ocamba") ? [mapped] : []
  )
  return { fixture, source, config, mapper, valid }
})

/** An Ocamba client of the sandbox, as a crashed run had it. */
const ocambaClient = (fixture: Effect.Effect.Success<typeof ocambaOnly>["fixture"]) =>
  Layer.build(OcambaClient.layerTest({ token: "ocamba-sandbox-token", baseUrl: fixture.sandbox.ocambaBaseUrl })).pipe(
    Effect.map((context) => Context.get(context, OcambaClient.OcambaClient))
  )

/** The Ocamba import file of the rows, as a crashed run wrote it. */
const importFile = (mapper: Mapping.Mapper, valid: ReadonlyArray<Mapping.ValidRow>): string => {
  const file = Mapping.makeOcambaImportFile(mapper)
  let contents = ""
  for (const row of valid) {
    const appended = file.append(row.profile)
    if (appended._tag === "Appended") contents += appended.text
  }
  return contents
}

describe("Sync.run after a crash", () => {
  it.scopedLive("resumes the jobs an interrupted run left at the vendor: polled, never sent again", () =>
    Effect.gen(function* () {
      // Imports take 1.5 seconds, so the run is interrupted while every job runs at the vendor.
      const fixture = yield* Fixtures.sandbox(1500)
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, 600)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        rowsPerImport: 150
      })
      const rows = yield* Fixtures.expectedRows(config, source)
      const ocambaRows = Fixtures.targetRows(config, rows, "ocamba")
      const copernicaRows = Fixtures.targetRows(config, rows, "copernica")
      const copernicaChunks = Math.ceil(copernicaRows.length / 150)
      assert.isAbove(copernicaChunks, 1)

      const submitted = yield* Deferred.make<void>()
      const polling = { ocamba: 0, copernica: 0 }
      const interrupted = yield* Effect.fork(
        runSync(config, {
          onProgress: (progress) => {
            if (progress.phase !== "polling" || progress.target === undefined) return
            polling[progress.target]++
            if (polling.ocamba >= 1 && polling.copernica >= copernicaChunks) Deferred.unsafeDone(submitted, Exit.void)
          }
        })
      )
      yield* Deferred.await(submitted)
      yield* Fiber.interrupt(interrupted)

      const ocambaImports = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports
      const copernicaImports = fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports
      assert.strictEqual(ocambaImports.size, 1)
      assert.strictEqual(copernicaImports.size, copernicaChunks)
      const journal = yield* withState(config, (state) => state.inFlightJobs("customers"))
      assert.strictEqual(journal.length, 1 + copernicaChunks)
      assert.isTrue(journal.every((job) => job.status === "submitted"))
      const runs = yield* withState(config, (state) => state.recentRuns({ sync: "customers" }))
      assert.strictEqual(runs[0]!.status, "interrupted")

      const report = yield* runSync(config)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.ocamba!.resumedJobs, 1)
      assert.strictEqual(report.targets.copernica!.resumedJobs, copernicaChunks)
      // The resumed jobs confirmed every row: nothing new went out.
      assert.strictEqual(report.targets.ocamba!.chunks + report.targets.copernica!.chunks, 0)
      assert.strictEqual(report.targets.ocamba!.created, ocambaRows.length)
      assert.strictEqual(report.targets.copernica!.created, copernicaRows.length)
      // Each row counted once: by the resumed job's outcome, not again by the diff.
      assertReconciles(report)
      assert.strictEqual(ocambaImports.size, 1)
      assert.strictEqual(copernicaImports.size, copernicaChunks)
      assert.strictEqual(
        fixture.writes().filter((entry) => entry.operationId === "commitProfileImport").length,
        1,
        "the Ocamba import was committed once"
      )
      assert.deepStrictEqual(Fixtures.ocambaDifferences(fixture.sandbox, ocambaRows), [])
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, copernicaRows), [])
      assert.strictEqual((yield* withState(config, (state) => state.inFlightJobs("customers"))).length, 0)

      const again = yield* runSync(config)
      assert.strictEqual(again.targets.copernica!.unchanged, copernicaRows.length)
      assert.deepStrictEqual(again.vendorCalls, { ocamba: 0, copernica: 0 })
    })
  )

  it.scopedLive("commits an Ocamba import that was uploaded but not committed before the crash", () =>
    Effect.gen(function* () {
      const { fixture, source, config, mapper, valid } = yield* ocambaOnly

      // What the crashed run did: created the properties, wrote and uploaded the file, journaled the job.
      const ocamba = yield* ocambaClient(fixture)
      const plan = Mapping.planOcambaProperties(config.targets.ocamba!, yield* ocamba.allProperties)
      for (const body of plan.create) yield* ocamba.createProperty(body)
      const contents = importFile(mapper, valid)
      const upload = yield* ocamba.uploadImport({ contents, fileName: "crashed.csv" })
      yield* withState(config, (state) =>
        Effect.gen(function* () {
          const crashed = yield* state.startRun({ sync: "customers", targets: ["ocamba"] })
          const job = yield* state.journalJob({
            sync: "customers",
            target: "ocamba",
            runId: crashed.id,
            chunk: 1,
            rows: valid.map((row) => ({ key: row.key, hash: mapper.contentHash(row.profile, "ocamba") }))
          })
          yield* state.markJobStarted(job.id)
          yield* state.markJobSubmitted(job.id, upload.id)
        })
      )
      const imports = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports
      assert.strictEqual(imports.get(upload.id)?.status, "uploaded")

      const report = yield* runSync(config)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.ocamba!.resumedJobs, 1)
      assert.strictEqual(report.targets.ocamba!.created, valid.length)
      assert.deepStrictEqual(report.targets.ocamba!.vendorJobs, [upload.id])
      assert.strictEqual(imports.size, 1, "nothing was uploaded again")
      assert.strictEqual(imports.get(upload.id)?.status, "finished")
      assert.deepStrictEqual(
        Fixtures.ocambaDifferences(
          fixture.sandbox,
          Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "ocamba")
        ),
        []
      )
    })
  )

  it.scopedLive("names an Ocamba upload whose id was never journaled, so a person can find it; its rows go once", () =>
    Effect.gen(function* () {
      const { fixture, config, mapper, valid } = yield* ocambaOnly
      // What the killed run did: journaled the job as started, uploaded its file and died before Ocamba's answer
      // (the import id) reached the journal.
      const job = yield* withState(config, (state) =>
        Effect.gen(function* () {
          const crashed = yield* state.startRun({ sync: "customers", targets: ["ocamba"] })
          const journaled = yield* state.journalJob({
            sync: "customers",
            target: "ocamba",
            runId: crashed.id,
            chunk: 1,
            rows: valid.map((row) => ({ key: row.key, hash: mapper.contentHash(row.profile, "ocamba") }))
          })
          yield* state.markJobStarted(journaled.id)
          return journaled
        })
      )
      const ocamba = yield* ocambaClient(fixture)
      const contents = importFile(mapper, valid)
      const fileName = uploadFileName("customers", job.runId, 1)
      const orphan = yield* ocamba.uploadImport({ contents, fileName })

      const report = yield* runSync(config)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.ocamba!.created, valid.length)
      assertReconciles(report)
      const ended = yield* withState(config, (state) => state.job(job.id))
      assert.strictEqual(ended.status, "failed")
      const why = Option.getOrElse(ended.error, () => "")
      assert.include(why, fileName)
      const imports = fixture.sandbox.state.ocamba.account(Fixtures.ocambaAccount).imports
      assert.strictEqual(imports.get(orphan.id)?.file.name, fileName, "the name in the journal is the one Ocamba shows")
      assert.strictEqual(imports.get(orphan.id)?.status, "uploaded", "the orphan was never committed")
      const committed = [...imports.values()].filter((record) => record.status === "finished")
      assert.strictEqual(committed.length, 1, "the rows went once, through the diff")
      assert.notStrictEqual(committed[0]!.file.name, fileName, "the new run's upload has a name of its own")
    })
  )

  it.scopedLive("does not resend planned or in-doubt jobs from the journal: the diff sends their rows once", () =>
    Effect.gen(function* () {
      const fixture = yield* Fixtures.sandbox()
      const directory = yield* Fixtures.temporaryDirectory
      const source = firstRows(directory, 60)
      const config = yield* Fixtures.configFor({
        directory,
        sandbox: fixture.sandbox,
        source: { type: "csv", path: source },
        targets: ["copernica"]
      })
      const mapper = Mapping.makeMapper(config)
      const valid = (yield* Fixtures.expectedRows(config, source)).flatMap(({ mapped }) =>
        mapped._tag === "Valid" && mapped.targets.includes("copernica") ? [mapped] : []
      )
      const jobRows = valid.map((row) => ({ key: row.key, hash: mapper.contentHash(row.profile, "copernica") }))
      const half = Math.floor(jobRows.length / 2)
      const [planned, started] = yield* withState(config, (state) =>
        Effect.gen(function* () {
          const crashed = yield* state.startRun({ sync: "customers", targets: ["copernica"] })
          const first = yield* state.journalJob({
            sync: "customers",
            target: "copernica",
            runId: crashed.id,
            chunk: 1,
            rows: jobRows.slice(0, half)
          })
          const second = yield* state.journalJob({
            sync: "customers",
            target: "copernica",
            runId: crashed.id,
            chunk: 2,
            rows: jobRows.slice(half)
          })
          yield* state.markJobStarted(second.id)
          return [first, second] as const
        })
      )

      const report = yield* runSync(config)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.resumedJobs, 2)
      assert.strictEqual(report.targets.copernica!.created, valid.length)
      assertReconciles(report)
      const ended = yield* withState(config, (state) => Effect.all([state.job(planned.id), state.job(started.id)]))
      assert.deepStrictEqual(
        ended.map((job) => job.status),
        ["failed", "failed"]
      )
      // One import with every row: each row sent once.
      const imported = [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()]
      assert.strictEqual(imported.length, 1)
      assert.strictEqual(imported[0]!.rows?.length, valid.length)
    })
  )
})
