/**
 * Test support: one OS process of the shared-budget tests, run as built JavaScript on `@profilesync/core`'s `dist`
 * (no TypeScript loader in the child). It connects its Redis-shared throttle, warms up (two calls through the same
 * throttle and HTTP code on another sandbox account and throttle key, so the measured budget is untouched), prints
 * `{"ready":true}`, waits for one line on stdin, `{"startAt":<epoch ms>,"runFor":<ms>}`, then calls the sandbox's
 * Ocamba API as fast as its callers can until `startAt + runFor` and prints what it got as one JSON line. Configured by
 * environment: SANDBOX_URL, REDIS_URL, REPLICAS, CALLERS, WINDOWS (`10/250,60/6000`: limit/milliseconds).
 */
import { createInterface } from "node:readline"
import { OcambaClient, Throttle } from "@profilesync/core"
import * as ThrottleRedis from "@profilesync/core/ThrottleRedis"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

const environment = (name) => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const windows = environment("WINDOWS")
  .split(",")
  .map((window) => {
    const [limit, milliseconds] = window.split("/").map(Number)
    return { limit, window: Duration.millis(milliseconds) }
  })
const callers = Number(environment("CALLERS"))

const nextLine = Effect.async((resume) => {
  const lines = createInterface({ input: process.stdin })
  lines.once("line", (line) => {
    lines.close()
    resume(Effect.succeed(JSON.parse(line)))
  })
})

const program = Effect.gen(function* () {
  const ocamba = yield* OcambaClient.OcambaClient
  const warmup = yield* OcambaClient.make(
    {
      token: "ocamba-sandbox-token-2",
      baseUrl: `${environment("SANDBOX_URL")}/v1/hood`,
      account: "warmup",
      retry: { maxAttempts: 1 }
    },
    Option.some(yield* Throttle.Throttle)
  )
  yield* warmup.listProperties({ page: "1,1" })
  yield* warmup.listProperties({ page: "1,1" })
  // The throttle is connected and warm: tell the test, then start when every process is ready.
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
  const { startAt, runFor } = yield* nextLine
  yield* Effect.sleep(Duration.millis(Math.max(0, startAt - Date.now())))
  const deadline = startAt + runFor
  const admitted = []
  let refused = 0
  const caller = Effect.gen(function* () {
    while (Date.now() < deadline) {
      const outcome = yield* Effect.either(
        ocamba.listProperties({ page: "1,1" }).pipe(Effect.timeout(Duration.millis(deadline - Date.now() + 1000)))
      )
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

const throttle = ThrottleRedis.layer({
  redis: environment("REDIS_URL"),
  replicas: Number(environment("REPLICAS")),
  keys: { ocamba: { windows } },
  // Three processes on two loaded cores: a wider margin absorbs the delay between a slot and the request's arrival.
  safetyMargin: Duration.millis(100)
})

// The client and the throttle under it (the warm-up client uses the same throttle).
const live = Layer.provideMerge(
  OcambaClient.layer({
    token: "ocamba-sandbox-token",
    baseUrl: `${environment("SANDBOX_URL")}/v1/hood`,
    account: "shared",
    retry: { maxAttempts: 1 }
  }),
  throttle
)

Effect.runPromise(Effect.provide(program, live)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`)
    process.exit(0)
  },
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
