/**
 * The Copernica client against the sandbox: imports with `X-Created`, polling, fields, filtered profile lookups, the
 * token kept out of errors, imports that are never sent twice, and status reads repeated after a 500.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { afterEach } from "vitest"
import * as CopernicaClient from "../src/CopernicaClient.ts"

const accessToken = "copernica-sandbox-token"
const sandboxes: Array<Sandbox> = []
/** Builds the client's layer in the test's scope, so its throttle lives as long as the test. */
const serviceOf = <E>(layer: Layer.Layer<CopernicaClient.CopernicaClient, E>) =>
  Layer.build(layer).pipe(Effect.map((context) => Context.get(context, CopernicaClient.CopernicaClient)))
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()))
})

const withSandbox = (options: Parameters<typeof startSandbox>[0] = {}) =>
  Effect.promise(async () => {
    const sandbox = await startSandbox({ copernica: { processing: { delayMilliseconds: 20 } }, ...options })
    sandboxes.push(sandbox)
    return sandbox
  })

const client = (sandbox: Sandbox, options: Partial<CopernicaClient.Options> = {}) =>
  serviceOf(CopernicaClient.layerTest({ accessToken, baseUrl: sandbox.copernicaBaseUrl, ...options }))

/** A fetch that carries every request out but loses the first answer to a path ending in `suffix`. */
const loseFirstAnswer = (suffix: string) => {
  let sent = 0
  return {
    sent: () => sent,
    fetch: async (request: Request) => {
      const response = await fetch(request)
      if (new URL(request.url).pathname.endsWith(suffix) && ++sent === 1) {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
        })
      }
      return response
    }
  }
}

const waitForImport = (copernica: CopernicaClient.CopernicaClientService, importId: string) =>
  copernica.getImport(importId).pipe(
    Effect.tap(() => Effect.sleep(Duration.millis(10))),
    Effect.repeat({
      until: (record) => record.lastrun !== false || record.lasterror !== false,
      times: 200
    })
  )

const profilesByEmail = (copernica: CopernicaClient.CopernicaClientService, email: string) =>
  copernica.listProfiles(1, { "fields[]": [`Email==${email}`] }).pipe(Effect.map((page) => page.data))

describe("CopernicaClient", () => {
  it.scopedLive("creates an update-or-add import twice and leaves one profile per key", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      const copernica = yield* client(sandbox)
      const body = {
        database: 1,
        name: "customers",
        action: "update or add" as const,
        keyFields: ["Email"],
        source: [
          { Email: "ada@example.com", Firstname: "Ada" },
          { Email: "grace@example.com", Firstname: "Grace" }
        ]
      }
      for (let run = 0; run < 2; run++) {
        const created = yield* copernica.createImport(body)
        assert.isTrue(Option.isSome(created.importId))
        const record = yield* waitForImport(copernica, Option.getOrThrow(created.importId))
        assert.strictEqual(record.lasterror, false)
      }
      const ada = yield* profilesByEmail(copernica, "ada@example.com")
      assert.strictEqual(ada.length, 1)
      assert.strictEqual(ada[0]!.fields.Firstname, "Ada")
    })
  )

  it.scopedLive("reads fields, adds a missing one, and finds it by name", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      const copernica = yield* client(sandbox)
      const before = yield* copernica.allFields(1)
      assert.isTrue(before.some((field) => field.name === "Email"))
      const created = yield* copernica.createField(1, { name: "LoyaltyTier", type: "text" })
      assert.isTrue(Option.isSome(created.fieldId))
      const after = yield* copernica.allFields(1)
      assert.strictEqual(after.filter((field) => field.name === "LoyaltyTier").length, 1)
    })
  )

  it.scopedLive("maps Copernica's 400 messages to typed reasons and never shows the token", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      const wrong = yield* serviceOf(
        CopernicaClient.layerTest({ accessToken: "wrong-secret-token", baseUrl: sandbox.copernicaBaseUrl })
      )
      const refused = yield* Effect.either(wrong.listDatabases())
      assert.isTrue(Either.isLeft(refused))
      if (Either.isLeft(refused)) {
        assert.strictEqual(refused.left.reason._tag, "Unauthorized")
        assert.notInclude(`${refused.left.message} ${JSON.stringify(refused.left)}`, "wrong-secret-token")
      }
      const copernica = yield* client(sandbox)
      const missing = yield* Effect.either(copernica.getImport("999999"))
      assert.isTrue(Either.isLeft(missing) && missing.left.reason._tag === "NotFound")
    })
  )

  for (const action of ["add", "update or add"] as const) {
    it.scopedLive(`never sends an "${action}" import twice when its answer is lost`, () =>
      Effect.gen(function* () {
        const sandbox = yield* withSandbox()
        const losing = loseFirstAnswer("/imports")
        const copernica = yield* client(sandbox, { fetch: losing.fetch })
        const outcome = yield* Effect.either(
          copernica.createImport({
            database: 1,
            action,
            keyFields: ["Email"],
            source: [{ Email: "once@example.com", Firstname: "Once" }]
          })
        )
        // The outcome is unknown, so the client says so rather than creating a second import job.
        assert.isTrue(Either.isLeft(outcome) && outcome.left.reason._tag === "Transport")
        assert.strictEqual(losing.sent(), 1, "the import was sent once")
        assert.strictEqual(sandbox.state.copernica.account("copernica-account-1").imports.size, 1)
        const imported = yield* profilesByEmail(copernica, "once@example.com").pipe(
          Effect.repeat({ until: (profiles) => profiles.length > 0, times: 50 }),
          Effect.tap(() => Effect.sleep(Duration.millis(10)))
        )
        assert.strictEqual(imported.length, 1)
      })
    )
  }

  it.scopedLive("repeats a status read after a 500: reads are safe", () =>
    Effect.gen(function* () {
      const sandbox = yield* withSandbox()
      let failures = 0
      const copernica = yield* client(sandbox, {
        fetch: async (request: Request) => {
          if (/\/import\/\d+$/.test(new URL(request.url).pathname) && failures++ === 0) {
            return new Response(JSON.stringify({ error: { message: "Internal error" } }), {
              status: 500,
              headers: { "content-type": "application/json" }
            })
          }
          return fetch(request)
        }
      })
      const created = yield* copernica.createImport({
        database: 1,
        action: "update or add",
        keyFields: ["Email"],
        source: [{ Email: "read@example.com" }]
      })
      const record = yield* copernica.getImport(Option.getOrThrow(created.importId))
      assert.strictEqual(failures, 2, "the first read failed, the second answered")
      assert.strictEqual(String(record.ID), Option.getOrThrow(created.importId))
    })
  )
})
