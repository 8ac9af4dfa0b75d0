/**
 * Many syncs on many machines: three `profilesync schedule --configs DIR` processes over one PostgreSQL state store
 * and one Redis serve six syncs, all into one Ocamba account, each on a cron that ticks every 10 seconds. Every tick
 * of every sync runs on exactly one replica (the others skip it), the work spreads over the replicas, and the account's
 * budget (10 per second and 150 per minute, the sandbox's real limits) is never overrun: not one 429.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { type RedisServer, startRedisServer } from "@profilesync/test-support"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as PostgresServer from "../../../packages/sync/test/support/PostgresServer.ts"
import {
  type CliProcess,
  jsonLines,
  runCli,
  sandboxTokens,
  spawnCli,
  temporaryDirectory,
  waitUntil
} from "./support.ts"

const syncNames = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
const replicaCount = 3
const ticksWanted = 3

const configText = (name: string, sandbox: Sandbox) =>
  [
    "version: 1",
    `name: ${name}`,
    'schedule: "*/10 * * * * *"',
    "timeZone: UTC",
    `source: { type: csv, path: ./${name}.csv }`,
    "fields:",
    "  email: { column: email, type: email, required: true }",
    "  name: { column: name, type: text }",
    "key: [email]",
    "targets:",
    "  ocamba:",
    `    baseUrl: ${sandbox.ocambaBaseUrl}`,
    "    account: shared-account",
    "    credentials: { tokenEnv: OCAMBA_TOKEN }",
    "    properties:",
    "      email: { property: email, system: true }",
    "      name: { property: full_name, system: true }",
    "state: { postgres: { urlEnv: REPLICAS_STATE_URL } }",
    `rejects: { path: ./${name}-rejects.ndjson }`,
    ""
  ].join("\n")

const writeSource = (file: string, name: string, version: number) =>
  FileSystem.writeFileSync(
    file,
    `email,name\n${Array.from({ length: 40 }, (_, index) => `${name}${index}@example.com,${name} ${index} v${version}`).join("\n")}\n`
  )

describe("schedule --configs on three replicas over one PostgreSQL and one Redis", { timeout: 240_000 }, () => {
  const directory = temporaryDirectory()
  const scope = Effect.runSync(Scope.make())
  let sandbox: Sandbox
  let redis: RedisServer
  let stateUrl: string
  const replicas: Array<CliProcess> = []

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, ocamba: { processing: { delayMilliseconds: 20 } } })
    redis = await startRedisServer()
    const postgres = await Effect.runPromise(Scope.extend(PostgresServer.make, scope))
    stateUrl = await Effect.runPromise(PostgresServer.createDatabase(postgres, "replicas_state"))
    for (const name of syncNames) {
      FileSystem.writeFileSync(Path.join(directory.path, `${name}.yaml`), configText(name, sandbox))
      writeSource(Path.join(directory.path, `${name}.csv`), name, 1)
    }
  }, 120_000)

  afterAll(async () => {
    for (const replica of replicas) replica.child.kill("SIGKILL")
    await sandbox?.close()
    await redis?.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    directory.cleanup()
  })

  it("runs every tick of every sync once, spread over the replicas, without overrunning the account", async () => {
    const env = { ...sandboxTokens, REPLICAS_STATE_URL: stateUrl }
    for (let index = 0; index < replicaCount; index++) {
      replicas.push(
        spawnCli(["schedule", "--configs", directory.path, "--redis-url", redis.url], { env, cwd: directory.path })
      )
    }
    // Only the lines this test reads are parsed (the progress lines are most of the log).
    const logs = () =>
      replicas.flatMap((replica, index) =>
        jsonLines(
          replica
            .stderr()
            .split("\n")
            .filter((line) => line.includes('"run finished"') || line.includes('"tick skipped'))
            .join("\n")
        ).map((line): Record<string, unknown> => ({ ...line, replica: index }))
      )
    const annotation = (line: Record<string, unknown>, name: string) =>
      String((line.annotations as Record<string, unknown> | undefined)?.[name] ?? "")
    const finished = () => logs().filter((line) => line.message === "run finished")

    // Every sync's source changes before each tick, so every tick has rows to send.
    let version = 1
    await waitUntil(
      () => {
        const runs = finished()
        const ticksOf = (name: string) =>
          new Set(runs.filter((line) => annotation(line, "sync") === name).map((line) => annotation(line, "tick")))
        const done = Math.min(...syncNames.map((name) => ticksOf(name).size))
        if (done >= version && version < ticksWanted) {
          version++
          for (const name of syncNames) writeSource(Path.join(directory.path, `${name}.csv`), name, version)
        }
        return done >= ticksWanted
      },
      `${ticksWanted} ticks of every sync`,
      200_000,
      250
    ).catch((error) => {
      throw new Error(`${error}\n${replicas.map((replica) => replica.stderr().slice(-6000)).join("\n---\n")}`)
    })
    for (const replica of replicas) replica.child.kill("SIGTERM")
    const exits = await Promise.all(replicas.map((replica) => replica.exited))
    expect(exits.map((exit) => exit.code)).toEqual(replicas.map(() => 0))

    const runs = finished()
    for (const name of syncNames) {
      const ofSync = runs.filter((line) => annotation(line, "sync") === name)
      const perTick = new Map<string, number>()
      for (const line of ofSync) perTick.set(annotation(line, "tick"), (perTick.get(annotation(line, "tick")) ?? 0) + 1)
      // Exactly one run per tick, whichever replica ran it; and every run succeeded.
      expect(
        [...perTick.values()].every((count) => count === 1),
        `${name}: ${JSON.stringify([...perTick])}`
      ).toBe(true)
      expect(ofSync.map((line) => annotation(line, "status")).every((status) => status === "succeeded")).toBe(true)
    }
    // The others saw each tick and stood aside.
    expect(logs().some((line) => line.message === "tick skipped: another replica runs it")).toBe(true)
    // The work spread: more than one replica ran syncs.
    expect(new Set(runs.map((line) => line.replica)).size).toBeGreaterThan(1)
    // One budget for the account across six syncs and three processes: the vendor never had to refuse.
    const counters = sandbox.counters()
    expect(counters.vendors.ocamba.requests).toBeGreaterThan(0)
    expect(counters.rateLimited).toBe(0)
  })

  it("refuses a directory whose syncs would write one rejects file", async () => {
    const shared = temporaryDirectory()
    try {
      for (const name of ["one", "two"]) {
        const text = configText(name, sandbox).replace(`rejects: { path: ./${name}-rejects.ndjson }`, "")
        FileSystem.writeFileSync(Path.join(shared.path, `${name}.yaml`), text)
        writeSource(Path.join(shared.path, `${name}.csv`), name, 1)
      }
      const result = await runCli(["schedule", "--configs", shared.path], {
        env: { ...sandboxTokens, REPLICAS_STATE_URL: stateUrl }
      })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`${Path.join(shared.path, "two.yaml")}: rejects.path`)
      expect(result.stderr).toContain(`is also the rejects file of ${Path.join(shared.path, "one.yaml")}`)
    } finally {
      shared.cleanup()
    }
  })
})
