/**
 * Three OS processes share one Ocamba budget through a real redis-server, against the sandbox counting the vendor's
 * fixed windows: together they use the whole budget and the sandbox refuses nothing. Windows are scaled down
 * (10 per 250 ms and 60 per 3 s instead of 10 per second and 150 per minute) so the test takes seconds.
 */
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { startSandbox } from "@profilesync/sandbox"
import * as Effect from "effect/Effect"
import * as RedisServer from "./support/RedisServer.ts"

const worker = Path.join(import.meta.dirname, "support/shared-budget-worker.ts")
const packageDirectory = Path.resolve(import.meta.dirname, "..")

interface WorkerResult {
  readonly admitted: ReadonlyArray<number>
  readonly refused: number
}

const runWorker = (environment: Record<string, string>) =>
  Effect.async<WorkerResult, Error>((resume) => {
    const child = execFile(
      process.execPath,
      ["--conditions=@profilesync/source", "--import", "tsx", worker],
      { cwd: packageDirectory, env: { ...process.env, ...environment }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) resume(Effect.fail(new Error(`worker failed: ${error.message}\n${stderr}`)))
        else resume(Effect.succeed(JSON.parse(stdout.trim().split("\n").at(-1)!) as WorkerResult))
      }
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("a budget shared through Redis", () => {
  it.scopedLive(
    "lets three processes use at least 97% of the steady budget with zero 429s from the vendor",
    () =>
      Effect.gen(function* () {
        const redis = yield* RedisServer.make
        const sandbox = yield* Effect.acquireRelease(
          Effect.promise(() =>
            startSandbox({
              ocamba: {
                rateLimits: {
                  windows: [
                    { limit: 10, windowMilliseconds: 250 },
                    { limit: 60, windowMilliseconds: 3_000 }
                  ]
                }
              }
            })
          ),
          (sandbox) => Effect.promise(() => sandbox.close())
        )
        const runMilliseconds = 6_000
        const startAt = Date.now() + 5_000
        const environment = {
          SANDBOX_URL: sandbox.url,
          REDIS_URL: redis.url,
          REPLICAS: "3",
          CALLERS: "4",
          RUN_MILLISECONDS: String(runMilliseconds),
          START_AT: String(startAt),
          WINDOWS: "10/250,60/3000"
        }
        const results = yield* Effect.all([runWorker(environment), runWorker(environment), runWorker(environment)], {
          concurrency: "unbounded"
        })

        const counters = sandbox.counters().vendors.ocamba
        assert.strictEqual(counters.rateLimited, 0, "the vendor refused nothing")
        // Calls that were waiting for a slot when the run ended are admitted later; count the run's span only.
        const admitted = results.flatMap((result) => result.admitted).filter((at) => at < startAt + runMilliseconds)
        // In 6 s the steady window (60 per 3 s) allows two full windows: 120 calls.
        const budget = 2 * 60
        assert.isAtLeast(admitted.length, Math.ceil(0.97 * budget), `admitted ${admitted.length} of ${budget}`)
        assert.isAtMost(admitted.length, budget)
        assert.isTrue(
          results.every((result) => result.admitted.length > 0),
          "every process got a share"
        )
      }),
    60_000
  )
})
