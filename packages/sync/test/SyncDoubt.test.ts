/**
 * Copernica imports in doubt, against the sandbox on real SQLite files: an import whose answer was lost, or whose
 * run was stopped during the request, is settled by evidence (its unique name among the import ids, its rows read
 * back with every returned profile checked) and never sent twice; a failing status read is retried and never stops
 * the chunks after it; and every report adds up, also after a resumed run.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Sync from "../src/Sync.ts"
import type * as SyncConfig from "../src/SyncConfig.ts"
import * as SyncState from "../src/SyncState.ts"
import { assertReconciles } from "./support/ReportChecks.ts"
import * as Fixtures from "./support/SyncFixtures.ts"

Fixtures.setSandboxTokens()

type Fetch = (request: Request) => Promise<Response>

/** A run whose Copernica client sends through `fetch` (the vendor's network, as the test bends it). */
const runSync = (config: SyncConfig.SyncConfig, fetch?: Fetch, options: Partial<Sync.RunOptions> = {}) => {
  const run = Sync.run({ config, polling: Fixtures.testPolling, ...options })
  const bent =
    fetch === undefined
      ? run
      : Effect.provide(
          run,
          CopernicaClient.layerTest({
            accessToken: "copernica-sandbox-token",
            baseUrl: config.targets.copernica!.baseUrl,
            fetch,
            // The breaker stops a target whose vendor keeps failing; these tests fail single resources on purpose.
            circuitBreaker: { failureThreshold: 1000 }
          })
        )
  return Effect.provide(bent, Sync.layer(config))
}

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

const isCreate = (request: Request) => request.method === "POST" && new URL(request.url).pathname.endsWith("/imports")
const isImportRead = (request: Request) =>
  request.method === "GET" && /\/import\/\d+$/.test(new URL(request.url).pathname)
const isProfileList = (request: Request) =>
  request.method === "GET" && /\/database\/[^/]+\/profiles$/.test(new URL(request.url).pathname)

const connectionReset = () =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) })

const serverError = () =>
  new Response(JSON.stringify({ error: { message: "Internal server error" } }), {
    status: 500,
    headers: { "content-type": "application/json" }
  })

/** The live API's answer to a condition it cannot apply: the list, unfiltered. */
const withoutFilters = (request: Request): Request => {
  const url = new URL(request.url)
  url.searchParams.delete("fields[]")
  return new Request(url, request)
}

/** The sandbox's Copernica imports: how many rows each name imported, and how many times each name was imported. */
const importsOf = (fixture: Fixtures.SyncSandbox) => {
  const imports = [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()]
  const byName = new Map<string, number>()
  for (const entry of imports) byName.set(entry.name, (byName.get(entry.name) ?? 0) + 1)
  return {
    count: imports.length,
    rows: imports.reduce((total, entry) => total + (entry.rows?.length ?? 0), 0),
    namesImportedTwice: [...byName].filter(([, times]) => times > 1).map(([name]) => name)
  }
}

const setUp = (rows: number, rowsPerImport: number) =>
  Effect.gen(function* () {
    const fixture = yield* Fixtures.sandbox()
    const directory = yield* Fixtures.temporaryDirectory
    const source = firstRows(directory, rows)
    const config = yield* Fixtures.configFor({
      directory,
      sandbox: fixture.sandbox,
      source: { type: "csv", path: source },
      targets: ["copernica"],
      rowsPerImport
    })
    const expected = Fixtures.targetRows(config, yield* Fixtures.expectedRows(config, source), "copernica")
    return { fixture, directory, source, config, expected }
  })

describe("Sync.run with a Copernica import in doubt", () => {
  it.scopedLive("finds an import whose answer was lost by its name: every chunk is imported once", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(60, 10)
      let creates = 0
      const report = yield* runSync(config, async (request) => {
        const response = await fetch(request)
        // Every other import is created at the vendor, and its answer lost on the way back.
        if (isCreate(request) && creates++ % 2 === 0) throw connectionReset()
        return response
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      const chunks = Math.ceil(expected.length / 10)
      const imports = importsOf(fixture)
      assert.strictEqual(imports.count, chunks)
      assert.strictEqual(imports.rows, expected.length, "each row was imported once")
      assert.deepStrictEqual(imports.namesImportedTwice, [])
      assert.strictEqual(report.targets.copernica!.created, expected.length)
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, expected), [])
      assertReconciles(report)
    })
  )

  it.scopedLive("settles the imports a stopped run left in doubt by their names: found ones are not sent again", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(60, 10)
      const reached = yield* Deferred.make<void>()
      let forwarded = 0
      // Imports reach the vendor, but their answers never come back: the run is stopped while it waits for them.
      const stopped = yield* Effect.fork(
        runSync(config, async (request) => {
          const response = await fetch(request)
          if (!isCreate(request)) return response
          if (++forwarded >= 2) Deferred.unsafeDone(reached, Exit.void)
          return new Promise<Response>(() => {})
        })
      )
      yield* Deferred.await(reached)
      yield* Fiber.interrupt(stopped)
      const inDoubt = yield* withState(config, (state) => state.inFlightJobs("customers"))
      assert.isAtLeast(inDoubt.filter((job) => job.status === "started").length, 2)
      assert.isAtLeast(importsOf(fixture).count, 2)

      const report = yield* runSync(config)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      const imports = importsOf(fixture)
      assert.strictEqual(imports.rows, expected.length, "each row was imported once")
      assert.deepStrictEqual(imports.namesImportedTwice, [])
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, expected), [])
      assert.strictEqual(report.targets.copernica!.created, expected.length)
      assertReconciles(report)
      assert.strictEqual((yield* withState(config, (state) => state.inFlightJobs("customers"))).length, 0)
    })
  )

  it.scopedLive("reads rows back when the ids cannot be read: an unfiltered answer does not pass for the rows", () =>
    Effect.gen(function* () {
      const { config, directory, expected, fixture, source } = yield* setUp(20, 100)
      // Known profiles with other first names: an unfiltered lookup returns them all.
      const first = yield* runSync(config)
      assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
      const changed = `${directory}/changed.csv`
      Fixtures.withChangedFirstNames(source, changed, new Set(Array.from({ length: 20 }, (_, index) => index + 1)))
      const changedConfig = { ...config, source: { ...config.source, path: changed } } as SyncConfig.SyncConfig
      const changedRows = Fixtures.targetRows(
        changedConfig,
        yield* Fixtures.expectedRows(changedConfig, changed),
        "copernica"
      )

      // The import fails before the vendor has it, its id cannot be read, and lookups come back unfiltered.
      const doubtful = yield* runSync(changedConfig, async (request) => {
        if (isCreate(request)) return serverError()
        if (isImportRead(request)) return serverError()
        return fetch(isProfileList(request) ? withoutFilters(request) : request)
      })
      assert.strictEqual(doubtful.targets.copernica!.created + doubtful.targets.copernica!.updated, 0)
      assert.strictEqual(doubtful.targets.copernica!.failed, changedRows.length, Sync.formatReport(doubtful))
      assertReconciles(doubtful)
      assert.strictEqual(importsOf(fixture).count, 1, "nothing was sent while in doubt")

      // Readable again: the ids prove that the import never happened, so the rows go, once.
      const settled = yield* runSync(changedConfig)
      assert.strictEqual(settled.status, "succeeded", Sync.formatReport(settled))
      assert.strictEqual(settled.targets.copernica!.updated, changedRows.length)
      assertReconciles(settled)
      assert.strictEqual(importsOf(fixture).count, 2)
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, changedRows), [])
      assert.notDeepEqual(changedRows, expected)
    })
  )

  it.scopedLive("reads rows back when the ids cannot be read: rows that hold the values settle the import", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(20, 100)
      // The import lands but its answer is lost, its id cannot be read, and lookups come back unfiltered.
      const report = yield* runSync(config, async (request) => {
        if (isImportRead(request)) return serverError()
        const response = await fetch(isProfileList(request) ? withoutFilters(request) : request)
        if (isCreate(request)) throw connectionReset()
        return response
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.created, expected.length)
      assertReconciles(report)
      assert.strictEqual(importsOf(fixture).count, 1, "the import was sent once")
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, expected), [])
    })
  )
})

/** A sync of the first rows of the example with `deleteMissing: true`, and what its delete imports did. */
const setUpDeletes = Effect.gen(function* () {
  const fixture = yield* Fixtures.sandbox()
  const directory = yield* Fixtures.temporaryDirectory
  const lines = readFileSync(Fixtures.exampleCsv, "utf8").split("\n")
  const sourceOf = (name: string, count: number) =>
    Fixtures.writeSource(directory, name, `${lines.slice(0, count + 1).join("\n")}\n`)
  const configWith = (path: string) =>
    Fixtures.configFor({
      directory,
      sandbox: fixture.sandbox,
      source: { type: "csv", path },
      targets: ["copernica"],
      deleteMissing: true
    })
  const all = yield* configWith(sourceOf("all.csv", 40))
  const first = yield* runSync(all)
  assert.strictEqual(first.status, "succeeded", Sync.formatReport(first))
  // The last row leaves the source: one profile to delete, under maxDeleteShare.
  const fewerSource = sourceOf("fewer.csv", 39)
  const fewer = yield* configWith(fewerSource)
  const kept = Fixtures.targetRows(fewer, yield* Fixtures.expectedRows(fewer, fewerSource), "copernica")
  assert.strictEqual(first.targets.copernica!.created, kept.length + 1)
  const deleteImports = () =>
    [...fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.values()].filter((entry) =>
      entry.name.includes(" delete #")
    ).length
  return { fixture, fewer, kept, deleteImports }
})

describe("Sync.run with a delete import in doubt", () => {
  it.scopedLive("finds a delete import whose answer was lost by its name: the profile is deleted once", () =>
    Effect.gen(function* () {
      const { deleteImports, fewer, fixture, kept } = yield* setUpDeletes
      let creates = 0
      const report = yield* runSync(fewer, async (request) => {
        const response = await fetch(request)
        // The delete import is created at the vendor, and its answer lost on the way back.
        if (isCreate(request) && creates++ === 0) throw connectionReset()
        return response
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.deleted, 1)
      assert.strictEqual(deleteImports(), 1)
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).size, kept.length)

      const again = yield* runSync(fewer)
      assert.strictEqual(again.status, "succeeded", Sync.formatReport(again))
      assert.strictEqual(again.targets.copernica!.deleted + again.targets.copernica!.pendingDeletes, 0)
      assert.strictEqual(deleteImports(), 1, "the delete import was not sent again")
    })
  )

  it.scopedLive("settles a delete import a stopped run left in doubt by its name: it is not sent again", () =>
    Effect.gen(function* () {
      const { deleteImports, fewer, fixture, kept } = yield* setUpDeletes
      const reached = yield* Deferred.make<void>()
      // The delete import reaches the vendor, but its answer never comes back: the run is stopped while it waits.
      const stopped = yield* Effect.fork(
        runSync(fewer, async (request) => {
          const response = await fetch(request)
          if (!isCreate(request)) return response
          Deferred.unsafeDone(reached, Exit.void)
          return new Promise<Response>(() => {})
        })
      )
      yield* Deferred.await(reached)
      yield* Fiber.interrupt(stopped)
      assert.strictEqual(deleteImports(), 1)
      const inDoubt = yield* withState(fewer, (state) => state.inFlightJobs("customers"))
      assert.deepStrictEqual(
        inDoubt.map((job) => job.status),
        ["started"]
      )

      const report = yield* runSync(fewer)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.strictEqual(report.targets.copernica!.resumedJobs, 1)
      assert.strictEqual(report.targets.copernica!.deleted, 1)
      assert.strictEqual(deleteImports(), 1, "the delete import was not sent again")
      assert.strictEqual(Fixtures.copernicaProfiles(fixture.sandbox).size, kept.length)
      assert.strictEqual((yield* withState(fewer, (state) => state.inFlightJobs("customers"))).length, 0)
    })
  )
})

const connectionRefused = () =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
  })

describe("Sync.run with an open circuit breaker", () => {
  it.scopedLive("waits for the breaker to half-open and goes on with the chunks: the target is not stopped", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(40, 10)
      let refused = 0
      // The vendor cannot be reached for the first creates: the breaker (2 failures) opens, then the vendor is back.
      const flaky: Fetch = async (request) => {
        if (isCreate(request) && refused < 4) {
          refused++
          throw connectionRefused()
        }
        return fetch(request)
      }
      const report = yield* Sync.run({ config, polling: Fixtures.testPolling }).pipe(
        Effect.provide(
          CopernicaClient.layerTest({
            accessToken: "copernica-sandbox-token",
            baseUrl: config.targets.copernica!.baseUrl,
            fetch: flaky,
            circuitBreaker: { failureThreshold: 2, resetAfter: "300 millis" }
          })
        ),
        Effect.provide(Sync.layer(config))
      )
      assert.strictEqual(refused, 4)
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.deepStrictEqual(report.targets.copernica!.errors, [])
      assert.strictEqual(report.targets.copernica!.created, expected.length)
      const imports = importsOf(fixture)
      assert.strictEqual(imports.count, Math.ceil(expected.length / 10))
      assert.deepStrictEqual(imports.namesImportedTwice, [])
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, expected), [])
      assertReconciles(report)
    })
  )
  it.scopedLive("a stop signal ends the wait for the breaker: the run ends at once, and its rows go next run", () =>
    Effect.gen(function* () {
      const { config, fixture } = yield* setUp(40, 10)
      const opened = yield* Deferred.make<void>()
      let refused = 0
      // The vendor cannot be reached at all: the breaker opens and would stay open for a minute.
      const down: Fetch = async (request) => {
        if (isCreate(request)) {
          if (++refused >= 2) Deferred.unsafeDone(opened, Exit.void)
          throw connectionRefused()
        }
        return fetch(request)
      }
      const started = Date.now()
      const report = yield* Sync.run({
        config,
        polling: Fixtures.testPolling,
        stopSignal: Deferred.await(opened)
      }).pipe(
        Effect.provide(
          CopernicaClient.layerTest({
            accessToken: "copernica-sandbox-token",
            baseUrl: config.targets.copernica!.baseUrl,
            fetch: down,
            circuitBreaker: { failureThreshold: 2, resetAfter: "1 minute" }
          })
        ),
        Effect.provide(Sync.layer(config))
      )
      assert.isBelow(Date.now() - started, 60_000, "the run did not wait for the breaker")
      // The source was read before the signal came: the run ends as its targets did, its rows go next run.
      assert.strictEqual(report.targets.copernica!.failed, 40, Sync.formatReport(report))
      assert.strictEqual(importsOf(fixture).count, 0)
      assertReconciles(report)
    })
  )
})

describe("Sync.run with failing status reads", () => {
  it.scopedLive("repeats a status read that answered 500", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(40, 10)
      const failed = new Set<string>()
      const report = yield* runSync(config, async (request) => {
        const path = new URL(request.url).pathname
        if (isImportRead(request) && !failed.has(path)) {
          failed.add(path)
          return serverError()
        }
        return fetch(request)
      })
      assert.strictEqual(report.status, "succeeded", Sync.formatReport(report))
      assert.isAbove(failed.size, 1)
      assert.strictEqual(report.targets.copernica!.created, expected.length)
      assert.strictEqual(importsOf(fixture).count, Math.ceil(expected.length / 10))
      assertReconciles(report)
    })
  )

  it.scopedLive("one import whose status cannot be read does not stop the chunks after it", () =>
    Effect.gen(function* () {
      const { config, expected, fixture } = yield* setUp(40, 10)
      const chunks = Math.ceil(expected.length / 10)
      const report = yield* runSync(config, (request) =>
        // Import 1 is never readable again in this run (ids 1 and up are the run's imports).
        request.method === "GET" && new URL(request.url).pathname.endsWith("/import/1")
          ? Promise.resolve(serverError())
          : fetch(request)
      )
      assert.strictEqual(report.status, "partial", JSON.stringify(report.targets.copernica!.errors))
      const stuck = fixture.sandbox.state.copernica.account(Fixtures.copernicaAccount).imports.get(1)?.rows?.length ?? 0
      assert.isAbove(stuck, 0)
      assert.strictEqual(report.targets.copernica!.failed, stuck)
      assert.strictEqual(report.targets.copernica!.created, expected.length - stuck)
      assert.strictEqual(importsOf(fixture).count, chunks, "every chunk went out")
      assertReconciles(report)

      const resumed = yield* runSync(config)
      assert.strictEqual(resumed.status, "succeeded", Sync.formatReport(resumed))
      assert.strictEqual(resumed.targets.copernica!.resumedJobs, 1)
      assert.strictEqual(resumed.targets.copernica!.created, stuck)
      assert.strictEqual(resumed.targets.copernica!.unchanged, expected.length - stuck)
      assertReconciles(resumed)
      assert.strictEqual(importsOf(fixture).count, chunks, "the import was not sent again")
      assert.deepStrictEqual(Fixtures.copernicaDifferences(fixture.sandbox, expected), [])
    })
  )
})
