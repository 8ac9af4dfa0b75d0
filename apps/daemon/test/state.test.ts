/**
 * @module
 * `status` and `dead-letters list|replay` show and change what the state store holds. The store is filled through
 * `SyncState` in the test process, then read by the CLI as a real process.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, runCli, temporaryDirectory, writeConfig, writeProfiles } from "./support.ts"

const sync = "daemon-test"

// Each test starts the CLI several times; on a loaded machine (load average 19 seen) one start takes seconds.
describe("status and dead-letters", { timeout: 120_000 }, () => {
  const directory = temporaryDirectory()
  let config = ""
  let store = ""
  let partialRunId = ""
  const withStore = <A, E>(effect: Effect.Effect<A, E, SyncState.SyncState>) =>
    Effect.runPromise(effect.pipe(Effect.provide(SyncState.layerSqlite({ filename: store }))))

  beforeAll(async () => {
    writeProfiles(Path.join(directory.path, "profiles.csv"), makeProfiles(3))
    config = writeConfig({
      directory: directory.path,
      ocambaBaseUrl: "http://127.0.0.1:9/v1/hood",
      copernicaBaseUrl: "http://127.0.0.1:9/v3"
    })
    store = Path.join(directory.path, "state", "profilesync.db")
    FileSystem.mkdirSync(Path.dirname(store))
    partialRunId = await withStore(
      Effect.gen(function* () {
        const state = yield* SyncState.SyncState
        const first = yield* state.startRun({ sync, targets: ["ocamba", "copernica"] })
        yield* state.finishRun(first.id, { status: "succeeded", counts: { read: 3, created: 3, unchanged: 0 } })
        const second = yield* state.startRun({ sync, targets: ["ocamba", "copernica"] })
        yield* state.recordFailures(
          sync,
          "ocamba",
          [
            { key: "bad1@example.com", hash: "h1", payload: { email: "bad1@example.com" }, reason: "INVALID_EMAIL" },
            {
              key: "bad2@example.com",
              hash: "h2",
              payload: { email: "bad2@example.com" },
              reason: "MISSING_IDENTIFIER"
            }
          ],
          { maxAttempts: 1 }
        )
        yield* state.recordFailures(
          sync,
          "copernica",
          [{ key: "bad3@example.com", hash: "h3", payload: { Email: "bad3@example.com" }, reason: "refused" }],
          { maxAttempts: 1 }
        )
        yield* state.journalJob({
          sync,
          target: "copernica",
          runId: second.id,
          chunk: 4,
          rows: [{ key: "a@example.com", hash: "x" }]
        })
        yield* state.finishRun(second.id, {
          status: "partial",
          counts: { read: 3, updated: 1, failed: 3, deadLettered: 3 }
        })
        return second.id
      })
    )
  })
  afterAll(() => directory.cleanup())

  it("status shows the runs, the jobs in flight and the dead letters", async () => {
    const result = await runCli(["status", "--config", config])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Sync ${sync} (state: ${store})`)
    expect(result.stdout).toContain(`Last run: partial`)
    expect(result.stdout).toContain(`(run ${partialRunId})`)
    expect(result.stdout).toContain("In flight: 1 vendor job(s)")
    expect(result.stdout).toContain("Dead letters: 3 (ocamba 2, copernica 1)")
    // Not a terminal: the table fits 80 columns and says what it left out.
    expect(result.stdout).toMatch(/STARTED\s+STATUS\s+READ\s+TARGET\s+CREATED\s+UPDATED\s+FAILED/)
    expect(result.stdout).toContain("(left out to fit 80 columns: UNCHANGED, DEAD, TIME, DELETED, REJECTED, RUN;")
    expect(result.stdout).toContain(partialRunId.slice(0, 8))
  })

  it("status --json holds the same", async () => {
    const result = await runCli(["status", "--config", config, "--json", "--limit", "1"])
    expect(result.code).toBe(0)
    const view = JSON.parse(result.stdout)
    expect(view.runs).toHaveLength(1)
    expect(view.runs[0]).toMatchObject({ id: partialRunId, status: "partial", counts: { failed: 3 } })
    expect(view.inFlightJobs).toEqual([
      { target: "copernica", runId: partialRunId, chunk: 4, status: "planned", vendorJobId: null, rows: 1 }
    ])
    expect(view.deadLetters).toEqual({ total: 3, more: false, byTarget: { ocamba: 2, copernica: 1 } })
  })

  it("dead-letters list shows each with its reason", async () => {
    const text = await runCli(["dead-letters", "list", "--config", config])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain("3 dead letter(s) for sync daemon-test")
    expect(text.stdout).toMatch(/ocamba\s+bad1@example.com\s+1\s+.*INVALID_EMAIL/)
    expect(text.stdout).toMatch(/copernica\s+bad3@example.com\s+1\s+.*refused/)

    const json = await runCli(["dead-letters", "list", "--config", config, "--json", "--target", "ocamba"])
    expect(json.code).toBe(0)
    const listed = JSON.parse(json.stdout)
    expect(listed.deadLetters.map((letter: { key: string }) => letter.key).sort()).toEqual([
      "bad1@example.com",
      "bad2@example.com"
    ])
    expect(listed.deadLetters[0].payload).toHaveProperty("email")
  })

  it("dead-letters replay hands back the chosen keys, and the store records it", async () => {
    const result = await runCli(["dead-letters", "replay", "--config", config, "bad1@example.com"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Handed back 1 dead letter(s); the next run sends them again")
    expect(result.stdout).toContain("bad1@example.com")

    const left = await withStore(Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters(sync)))
    expect(left.map((letter) => letter.key).sort()).toEqual(["bad2@example.com", "bad3@example.com"])
    const records = await withStore(
      Effect.flatMap(SyncState.SyncState, (state) => state.lookup(sync, "ocamba", ["bad1@example.com"]))
    )
    expect(records.get("bad1@example.com")).toMatchObject({ attempts: 0, deadLettered: false })

    const all = await runCli(["dead-letters", "list", "--config", config, "--all", "--json"])
    expect(JSON.parse(all.stdout).deadLetters).toHaveLength(3)

    const rest = await runCli(["dead-letters", "replay", "--config", config, "--target", "copernica", "--json"])
    expect(rest.code).toBe(0)
    expect(JSON.parse(rest.stdout).replayed.map((letter: { key: string }) => letter.key)).toEqual(["bad3@example.com"])
    const status = JSON.parse((await runCli(["status", "--config", config, "--json"])).stdout)
    expect(status.deadLetters).toEqual({ total: 1, more: false, byTarget: { ocamba: 1 } })
  })

  it("status and dead-letters do not create a store that does not exist", async () => {
    const empty = temporaryDirectory()
    try {
      writeProfiles(Path.join(empty.path, "profiles.csv"), makeProfiles(1))
      const fresh = writeConfig({ directory: empty.path, copernicaBaseUrl: "http://127.0.0.1:9/v3" })
      const status = await runCli(["status", "--config", fresh])
      expect(status.code).toBe(0)
      expect(status.stdout).toContain("No runs yet.")
      const list = await runCli(["dead-letters", "list", "--config", fresh])
      expect(list.stdout).toContain("No dead letters for sync daemon-test.")
      expect(FileSystem.existsSync(Path.join(empty.path, "state"))).toBe(false)
    } finally {
      empty.cleanup()
    }
  })
})
