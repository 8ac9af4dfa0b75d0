/**
 * Test support: one OS process of the shared-budget test. It calls the sandbox's Ocamba API as fast as its callers
 * can for a fixed time, spending the account's budget through a Redis-shared throttle, and prints what it got as one
 * JSON line. Configured by environment: SANDBOX_URL, REDIS_URL, REPLICAS, CALLERS, RUN_MILLISECONDS, WINDOWS
 * (`10/250,60/3000`: limit/milliseconds), START_AT (epoch milliseconds).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as OcambaClient from "../../src/OcambaClient.ts"
import * as Throttle from "../../src/Throttle.ts"

const environment = (name: string) => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const windows = environment("WINDOWS")
  .split(",")
  .map((window) => {
    const [limit, milliseconds] = window.split("/").map(Number)
    return { limit: limit!, window: Duration.millis(milliseconds!) }
  })
const runFor = Number(environment("RUN_MILLISECONDS"))
const callers = Number(environment("CALLERS"))

const startAt = Number(environment("START_AT"))

const program = Effect.gen(function* () {
  const ocamba = yield* OcambaClient.OcambaClient
  // Every process starts at the same moment, whenever it finished loading.
  yield* Effect.sleep(Duration.millis(Math.max(0, startAt - Date.now())))
  const deadline = startAt + runFor
  const admitted: Array<number> = []
  let refused = 0
  const caller = Effect.gen(function* () {
    while (Date.now() < deadline) {
      const outcome = yield* Effect.either(ocamba.listProperties({ page: "1,1" }))
      if (outcome._tag === "Right") admitted.push(Date.now())
      else refused++
    }
  })
  yield* Effect.all(
    Array.from({ length: callers }, () => caller),
    { concurrency: "unbounded" }
  )
  return { admitted, refused }
})

const live = OcambaClient.layer({
  token: "ocamba-sandbox-token",
  baseUrl: `${environment("SANDBOX_URL")}/v1/hood`,
  account: "shared",
  // A slot further away than the run's end is not worth waiting for.
  throttleDeadline: Duration.millis(runFor),
  retry: { maxAttempts: 1 }
}).pipe(
  Layer.provide(
    Throttle.layerRedis({
      redis: environment("REDIS_URL"),
      replicas: Number(environment("REPLICAS")),
      keys: { ocamba: { windows } },
      // Three processes on two loaded cores: a wider margin absorbs the delay between a slot and the request's arrival.
      safetyMargin: Duration.millis(100)
    })
  )
)

Effect.runPromise(Effect.provide(program, live)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`)
    process.exit(0)
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
