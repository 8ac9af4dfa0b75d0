/**
 * The Ocamba client against the sandbox: the whole import cycle, typed errors, retries that recover safe calls, and
 * unsafe calls that are never repeated blindly (the sandbox's state proves it).
 */
import { assert, describe, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as Tracer from "effect/Tracer"
import { afterEach } from "vitest"
import * as OcambaClient from "../src/OcambaClient.ts"
import * as Throttle from "../src/Throttle.ts"

const token = "ocamba-sandbox-token"
const sandboxes: Array<Sandbox> = []
/** Builds the client's layer in the test's scope, so its throttle lives as long as the test. */
const serviceOf = <E>(layer: Layer.Layer<OcambaClient.OcambaClient, E>) =>
  Layer.build(layer).pipe(Effect.map((context) => Context.get(context, OcambaClient.OcambaClient)))
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()))
})

const withSandbox = (options: Parameters<typeof startSandbox>[0] = {}) =>
  Effect.promise(async () => {
    const sandbox = await startSandbox({ ocamba: { processing: { delayMilliseconds: 20 } }, ...options })
    sandboxes.push(sandbox)
    return sandbox
  })

const client = (sandbox: Sandbox, options: Partial<OcambaClient.Options> = {}) =>
  serviceOf(OcambaClient.layerTest({ token, baseUrl: sandbox.ocambaBaseUrl, ...options }))

const waitForImport = (ocamba: OcambaClient.OcambaClientService, importId: string) =>
  ocamba.getImport(importId).pipe(
    Effect.repeat({ until: (record) => record.status === "finished" || record.status === "failed", times: 100 }),
    Effect.tap(() => Effect.sleep(Duration.millis(10)))
  )

const csv = [
  "email,phone,name,region",
  "ada@example.com,+31612345678,Ada Lovelace,north",
  "grace@example.com,,Grace Hopper,south",
  ",,Nobody,east",
  '"dan@example.com",,"Quote ""Q"" Person, Jr.",west'
].join("\n")

describe("OcambaClient", () => {
  it.scopedLive("runs the import cycle: property, upload, commit, poll, report", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      const ocamba = yield* client(sandbox)

      const property = yield* ocamba.createProperty({ label: "region", data_type: "text", example: "north" })
      assert.strictEqual(property.label, "region")
      yield* ocamba.updateProperty(property.id, { description: "Where the customer lives" })
      const listed = yield* ocamba.listProperties({ label: "region" })
      assert.strictEqual(listed.items.find((item) => item.label === "region")?.description, "Where the customer lives")

      const upload = yield* ocamba.uploadImport({ contents: csv, fileName: "profiles.csv" })
      const uploaded = yield* ocamba.getImport(upload.id)
      assert.includeMembers(uploaded.columns ?? [], ["email", "phone", "name", "region"])

      yield* ocamba.commitImport(upload.id, [
        { label: "email", property: { label: "email", data_type: "text", system: 1 } },
        { label: "phone", property: { label: "mobile_phone_number", data_type: "text", system: 1 } },
        { label: "name", property: { label: "full_name", data_type: "text", system: 1 } },
        { label: "region", property: { label: "region", data_type: "text", system: 0 } }
      ])
      const finished = yield* waitForImport(ocamba, upload.id)
      assert.strictEqual(finished.status, "finished")
      assert.strictEqual(finished.imported_records, 3)
      assert.strictEqual(finished.failed_records, 1)

      const report = yield* ocamba.importReport(upload.id)
      // The vendor documents successful rows only: the failed row is known by its absence.
      assert.strictEqual(report.length, 3)
      assert.isTrue(report.every((row) => row.code === "SUCCESS" && row.row === undefined))
    })
  )

  it.scopedLive("answers vendor refusals as typed reasons with the vendor's message", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      const ocamba = yield* client(sandbox)
      const systemPatch = yield* ocamba.listProperties({ label: "email" }).pipe(
        Effect.flatMap((list) => ocamba.updateProperty(list.items[0]!.id!, { description: "no" })),
        Effect.either
      )
      assert.isTrue(Either.isLeft(systemPatch))
      if (Either.isLeft(systemPatch)) {
        assert.strictEqual(systemPatch.left._tag, "OcambaError")
        assert.strictEqual(systemPatch.left.reason._tag, "BadRequest")
        assert.strictEqual(systemPatch.left.attempts, 1)
      }

      const wrongToken = yield* serviceOf(
        OcambaClient.layerTest({ token: "not-a-token", baseUrl: sandbox.ocambaBaseUrl })
      )
      const refused = yield* Effect.either(wrongToken.listProperties())
      assert.isTrue(Either.isLeft(refused) && refused.left.reason._tag === "Unauthorized")
      if (Either.isLeft(refused)) assert.notInclude(refused.left.message, "not-a-token")
    })
  )

  it.scopedLive("recovers every safe call through injected 5xx answers and dropped connections", () =>
    Effect.gen(function* () {
      // 502 and 503 are transient; a 500 is the vendor's own failure and is not repeated (see the next test).
      const sandbox = yield* withSandbox({
        seed: 7,
        faults: { errorRate: 0.3, errorStatuses: [502, 503], dropRate: 0.1 }
      })
      const ocamba = yield* client(sandbox, { retry: { maxAttempts: 8, baseDelay: "5 millis", maxDelay: "50 millis" } })
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, index) => index),
        () => ocamba.listProperties(),
        {
          concurrency: 4
        }
      )
      assert.strictEqual(results.length, 20)
      const counters = sandbox.counters()
      assert.isAbove(
        counters.vendors.ocamba.responses["5xx"] + counters.vendors.ocamba.dropped,
        0,
        "faults were injected"
      )
    })
  )

  it.scopedLive("repeats a read after a 500 (a read is safe), up to its attempts", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox({ faults: { errorRate: 1, errorStatuses: [500] } })
      const ocamba = yield* client(sandbox, { retry: { maxAttempts: 3 } })
      const outcome = yield* Effect.either(ocamba.listProperties())
      assert.isTrue(Either.isLeft(outcome))
      if (Either.isLeft(outcome)) {
        assert.strictEqual(outcome.left.reason._tag, "ServerError")
        assert.strictEqual(outcome.left.attempts, 3)
        assert.match(
          outcome.left.message,
          /^Ocamba listProfileProperties failed \(ServerError: Internal server error\.\) after 3 attempt/
        )
      }
    })
  )

  it.scopedLive("never creates a property twice when answers are lost after the write", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox({ seed: 3, faults: { responseLossRate: 0.5 } })
      const ocamba = yield* client(sandbox, { retry: { maxAttempts: 8, baseDelay: "5 millis", maxDelay: "50 millis" } })
      const labels = Array.from({ length: 8 }, (_, index) => `custom_${index}`)
      for (const label of labels) {
        const property = yield* ocamba.createProperty({ label, data_type: "text" })
        assert.strictEqual(property.label, label)
      }
      const state = sandbox.state.ocamba.accounts.get("ocamba-account-1")!
      for (const label of labels) {
        const copies = [...state.properties.values()].filter((property) => property.label === label)
        assert.strictEqual(copies.length, 1, label)
      }
      assert.isAbove(sandbox.counters().vendors.ocamba.dropped, 0, "some answers were lost")
    })
  )

  it.scopedLive("pauses every caller of the account on a 429 storm and resumes after Retry-After", () =>
    Effect.gen(function* () {
      const arrivals: Array<{ readonly at: number; readonly status: number | "dropped" }> = []
      const sandbox = yield* withSandbox({
        faults: { rateLimitStorm: { durationMilliseconds: 1_200, retryAfterSeconds: 1 } },
        log: (_line, entry) => arrivals.push({ at: Date.parse(entry.time), status: entry.status })
      })
      const ocamba = yield* client(sandbox)
      const results = yield* Effect.forEach(
        Array.from({ length: 6 }, (_, index) => index),
        () => ocamba.listProperties(),
        {
          concurrency: 6
        }
      )
      assert.strictEqual(results.length, 6)
      const first429 = arrivals.find((arrival) => arrival.status === 429)!.at
      // After the first refusal the whole account waits out Retry-After (1 s): nobody sends again in the meantime.
      // Only the six first attempts may arrive before the pause ends (on a loaded host they reach the vendor spread
      // over a few hundred milliseconds, each already on its way when the first refusal came back).
      const beforePauseEnds = arrivals.filter((arrival) => arrival.at < first429 + 950)
      assert.isAtMost(beforePauseEnds.length, 6, JSON.stringify(arrivals))
      assert.isAtMost(
        arrivals.filter((arrival) => arrival.status === 429).length,
        12,
        "a paused account does not keep hammering the vendor"
      )
    })
  )

  it.scopedLive("reads the import's state after a commit whose answer was lost, and does not commit again", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      // The first commit reaches the sandbox and is carried out, but its answer never comes back.
      let commitsSent = 0
      const losingFetch = async (request: Request) => {
        const response = await fetch(request)
        if (request.url.endsWith("/commit") && ++commitsSent === 1) {
          throw new TypeError("fetch failed", {
            cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
          })
        }
        return response
      }
      const ocamba = yield* client(sandbox, { fetch: losingFetch })
      const upload = yield* ocamba.uploadImport({ contents: csv, fileName: "profiles.csv" })
      const committed = yield* ocamba.commitImport(upload.id, [
        { label: "email", property: { label: "email", data_type: "text", system: 1 } }
      ])
      assert.strictEqual(committed.id, upload.id)
      assert.strictEqual(commitsSent, 1, "the commit was sent once")
      const finished = yield* waitForImport(ocamba, upload.id)
      assert.strictEqual(finished.imported_records, 3)
    })
  )

  it.scopedLive("talks through the proxy sidecar with the proxy key and no token of its own", () =>
    Effect.gen(function* () {
      const seen: Array<Request> = []
      const proxyFetch = async (request: Request) => {
        seen.push(request)
        return Response.json({ total: 0, items: [] })
      }
      const ocamba = yield* serviceOf(
        OcambaClient.layerProxy({ proxyUrl: "http://127.0.0.1:8787/", proxyKey: "caller-key", fetch: proxyFetch })
      )
      const list = yield* ocamba.listProperties({ q: "region" })
      assert.deepStrictEqual(list, { total: 0, items: [] })
      assert.strictEqual(seen[0]!.url, "http://127.0.0.1:8787/ocamba/v1/hood/profile-properties?q=region")
      assert.strictEqual(seen[0]!.headers.get("X-Proxy-Key"), "caller-key")
      assert.isNull(seen[0]!.headers.get("Authorization"))
    })
  )

  it.scopedLive("counts the time calls waited for the throttle, under the caller's metric tags", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      // One call per 300 ms.
      const throttle = Throttle.layerMemory({ keys: { ocamba: { windows: [{ limit: 1, window: "300 millis" }] } } })
      const ocamba = yield* serviceOf(
        Layer.provide(OcambaClient.layer({ token, baseUrl: sandbox.ocambaBaseUrl }), throttle)
      )
      const waited = (sync: string) =>
        Effect.map(Metric.snapshot, (pairs) =>
          pairs
            .filter(
              (pair) =>
                pair.metricKey.name === "profilesync_vendor_throttle_wait_seconds_total" &&
                pair.metricKey.tags.some((tag) => tag.key === "sync" && tag.value === sync) &&
                pair.metricKey.tags.some((tag) => tag.key === "vendor" && tag.value === "ocamba")
            )
            .reduce(
              (sum, pair) => sum + (MetricState.isCounterState(pair.metricState) ? Number(pair.metricState.count) : 0),
              0
            )
        )
      yield* ocamba.listProperties({}).pipe(Effect.tagMetrics("sync", "throttle-wait-first"))
      assert.isBelow(yield* waited("throttle-wait-first"), 0.25)
      yield* Effect.all([ocamba.listProperties({}), ocamba.listProperties({})], { concurrency: 2 }).pipe(
        Effect.tagMetrics("sync", "throttle-wait-next")
      )
      // Asked together, they are admitted at least a window apart, so one waited 300 ms longer than the other: however
      // long the first call took, the waits add up to at least that (a loaded machine makes them longer, never shorter).
      assert.isAtLeast(yield* waited("throttle-wait-next"), 0.29)
    })
  )
  it.scopedLive("gives each call a span with its operation, account, throttle wait, retries and outcome", () =>
    Effect.gen(function* () {
      // 503 on every answer: a read is repeated up to its attempts, and its span says so.
      const sandbox = yield* withSandbox({ faults: { errorRate: 1, errorStatuses: [503] } })
      const spans: Array<Tracer.Span> = []
      const base = yield* Effect.tracer
      const recording = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          spans.push(span)
          return span
        },
        context: base.context
      })
      const throttle = Throttle.layerMemory({ keys: { ocamba: { windows: [{ limit: 1, window: "200 millis" }] } } })
      const ocamba = yield* serviceOf(
        Layer.provide(
          OcambaClient.layer({
            token,
            baseUrl: sandbox.ocambaBaseUrl,
            account: "ocamba-account-1",
            retry: { maxAttempts: 2, baseDelay: "1 millis", maxDelay: "5 millis" }
          }),
          throttle
        )
      )
      const failed = yield* Effect.either(ocamba.listProperties().pipe(Effect.withTracer(recording)))
      assert.isTrue(Either.isLeft(failed))
      const span = spans.find((candidate) => candidate.name === "ocamba.listProfileProperties")
      assert.isDefined(span)
      const attributes = span!.attributes
      assert.strictEqual(span!.kind, "client")
      assert.strictEqual(attributes.get("profilesync.vendor"), "ocamba")
      assert.strictEqual(attributes.get("profilesync.operation"), "listProfileProperties")
      assert.strictEqual(attributes.get("profilesync.account"), "ocamba:ocamba-account-1")
      assert.strictEqual(attributes.get("profilesync.outcome"), "ServerError")
      assert.strictEqual(attributes.get("http.response.status_code"), 503)
      assert.strictEqual(attributes.get("profilesync.retries"), 1)
      // One slot per 200 ms: the second attempt waited for the throttle.
      assert.isAtLeast(attributes.get("profilesync.throttle_wait_seconds") as number, 0.1)
      assert.strictEqual(span!.status._tag, "Ended")
      for (const [name, value] of attributes) assert.notInclude(String(value), token, `attribute ${name}`)
    })
  )
})
