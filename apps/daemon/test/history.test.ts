/**
 * `profilesync history KEY` over a state store holding a row's history: newest first, per target with `--target`,
 * limited, as JSON and as a table, with hashes and reasons but no value of the row; and an empty answer for a key or
 * a store that has none.
 */
import * as Path from "node:path"
import { SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli, temporaryDirectory, writeConfig } from "./support.ts"

let directory: ReturnType<typeof temporaryDirectory>
let config: string

beforeEach(() => {
  directory = temporaryDirectory()
  config = writeConfig({
    directory: directory.path,
    ocambaBaseUrl: "http://127.0.0.1:9",
    copernicaBaseUrl: "http://127.0.0.1:9"
  })
})
afterEach(() => directory.cleanup())

/** Two runs of `daemon-test`: a@example.com created at both targets, then updated at Ocamba and rejected at Copernica. */
const fillStore = () =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const state = yield* SyncState.SyncState
        const first = yield* state.startRun({ sync: "daemon-test", targets: ["ocamba", "copernica"] })
        for (const target of ["ocamba", "copernica"]) {
          const job = yield* state.journalJob({
            sync: "daemon-test",
            target,
            runId: first.id,
            chunk: 1,
            rows: [{ key: "a@example.com", hash: "1111aaaa2222bbbb" }]
          })
          yield* state.markJobStarted(job.id)
          yield* state.markJobSubmitted(job.id, `${target}-job-1`)
          yield* state.completeJob(job.id, {
            confirmed: [{ key: "a@example.com", hash: "1111aaaa2222bbbb" }],
            failed: [],
            maxAttempts: 3
          })
        }
        yield* state.finishRun(first.id, { status: "succeeded" })
        const second = yield* state.startRun({ sync: "daemon-test", targets: ["ocamba", "copernica"] })
        yield* state.confirm("daemon-test", "ocamba", [{ key: "a@example.com", hash: "3333cccc4444dddd" }], {
          runId: second.id
        })
        yield* state.recordRejects("daemon-test", second.id, [
          {
            row: 1,
            line: 2,
            key: "a@example.com",
            code: "invalid",
            field: "tier",
            column: "tier",
            value: "Customer 1 secret tier",
            reason: "tier is not one of gold, silver, bronze",
            targets: ["copernica"]
          }
        ])
        yield* state.finishRun(second.id, { status: "succeeded" })
        return { first: first.id, second: second.id }
      })
    ).pipe(Effect.provide(SyncState.layerSqlite({ filename: Path.join(directory.path, "state", "profilesync.db") })))
  )

describe("profilesync history", () => {
  it("lists a key's history newest first, per target and limited, as JSON and as a table, without values", async () => {
    const { mkdirSync } = await import("node:fs")
    mkdirSync(Path.join(directory.path, "state"))
    const runs = await fillStore()

    const all = await runCli(["history", "-c", config, "--json", "a@example.com"])
    expect(all.code, all.stderr).toBe(0)
    const parsed = JSON.parse(all.stdout) as {
      sync: string
      key: string
      history: ReadonlyArray<Record<string, unknown>>
    }
    expect(parsed.sync).toBe("daemon-test")
    expect(
      parsed.history.map((entry) => [entry.target, entry.outcome, entry.runId, entry.vendorJobId, entry.hash])
    ).toEqual([
      ["copernica", "rejected", runs.second, null, null],
      ["ocamba", "updated", runs.second, null, "3333cccc4444dddd"],
      ["copernica", "created", runs.first, "copernica-job-1", "1111aaaa2222bbbb"],
      ["ocamba", "created", runs.first, "ocamba-job-1", "1111aaaa2222bbbb"]
    ])
    expect(parsed.history[0]!.reason).toBe("tier is not one of gold, silver, bronze")
    expect(all.stdout).not.toContain("secret tier")

    const copernica = await runCli(["history", "-c", config, "-t", "copernica", "-n", "1", "--json", "a@example.com"])
    expect(copernica.code, copernica.stderr).toBe(0)
    expect((JSON.parse(copernica.stdout) as typeof parsed).history.map((entry) => entry.outcome)).toEqual(["rejected"])

    const table = await runCli(["history", "-c", config, "a@example.com"], { env: { NO_COLOR: "1" } })
    expect(table.code, table.stderr).toBe(0)
    const lines = table.stdout.split("\n")
    const header = lines.findIndex((line) => line.startsWith("AT"))
    expect(lines[header]).toMatch(/AT +TARGET +OUTCOME +RUN +VENDOR JOB +HASH +REASON/)
    expect(lines[header + 1]).toMatch(/copernica +rejected +/)
    expect(lines[header + 4]).toMatch(/ocamba +created +\S{8} +ocamba-job-1 +1111aaaa2222$/)
    expect(table.stdout).toContain("values are not kept")
    expect(table.stdout).not.toContain("secret tier")

    const unknown = await runCli(["history", "-c", config, "nobody@example.com"], { env: { NO_COLOR: "1" } })
    expect(unknown.code, unknown.stderr).toBe(0)
    expect(unknown.stdout).toContain("No history for key nobody@example.com in sync daemon-test.")
  })

  it("answers with no history, and creates nothing, where the store does not exist yet", async () => {
    const result = await runCli(["history", "-c", config, "--json", "a@example.com"])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ sync: "daemon-test", key: "a@example.com", history: [] })
    const { existsSync } = await import("node:fs")
    expect(existsSync(Path.join(directory.path, "state", "profilesync.db"))).toBe(false)
  })
})
