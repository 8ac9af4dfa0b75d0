/**
 * Tests for the `alerts` section of a sync config: defaults, paths made absolute, every problem named by its YAML
 * path (the webhook's URL and header values never written in the file), and the section in the JSON Schema.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as SyncConfig from "../src/SyncConfig.ts"

const base = `version: 1
name: customers
source: { type: csv, path: ./profiles.csv }
fields:
  email: { column: Email, type: email }
key: [email]
targets:
  copernica:
    credentials: { tokenEnv: COPERNICA_TOKEN }
    database: 1
    keyFields: [Email]
    fields:
      email: { field: Email }
`

const parse = (alerts: string) =>
  SyncConfig.parse(`${base}${alerts}`, "customers.yaml", { baseDirectory: "/etc/profilesync" })

const issues = (alerts: string) =>
  parse(alerts).pipe(
    Effect.flip,
    Effect.map((error) => {
      const reason = error.reason
      assert.strictEqual(reason._tag, "InvalidConfig", error.message)
      return reason._tag === "InvalidConfig" ? reason.issues : []
    })
  )

describe("SyncConfig alerts", () => {
  it.effect("fills in the defaults and resolves the URL and header files against the config's directory", () =>
    Effect.gen(function* () {
      const config = yield* parse(`alerts:
  webhook:
    urlFile: ./secrets/alert-url
    headers: { X-Api-Key: { tokenFile: ./secrets/alert-key }, X-Other: { tokenEnv: OTHER } }
`)
      assert.deepStrictEqual(config.alerts, {
        webhook: {
          urlFile: "/etc/profilesync/secrets/alert-url",
          headers: {
            "X-Api-Key": { tokenFile: "/etc/profilesync/secrets/alert-key" },
            "X-Other": { tokenEnv: "OTHER" }
          }
        },
        on: ["failed", "partial", "rejections", "deadLetters", "deleteRefused", "missedRun"],
        maxRejectedShare: 0.05,
        attempts: 4,
        timeoutSeconds: 10
      })
    })
  )

  it.effect("leaves a config without alerts without them", () =>
    Effect.gen(function* () {
      const config = yield* parse("")
      assert.isUndefined(config.alerts)
    })
  )

  it.effect("names each problem by its YAML path and line", () =>
    Effect.gen(function* () {
      const found = yield* issues(`alerts:
  webhook: { urlEnv: ALERT_URL, urlFile: ./url }
  on: [failed, sometimes]
  maxRejectedShare: 2
  attempts: 0
`)
      const byPath = new Map(found.map((issue) => [issue.path, issue]))
      assert.include(byPath.get("alerts.webhook")?.message, "give only one of `urlEnv` or `urlFile`")
      assert.include(byPath.get("alerts.on[1]")?.message, '"failed"')
      assert.strictEqual(byPath.get("alerts.on[1]")?.line, 16)
      assert.include(byPath.get("alerts.maxRejectedShare")?.message, "a share from 0 to 1")
      assert.include(byPath.get("alerts.attempts")?.message, "from 1 to 10")
    })
  )

  it.effect("refuses a header value or a URL with a password written into the file, without repeating it", () =>
    Effect.gen(function* () {
      const found = yield* issues(`alerts:
  webhook:
    urlEnv: ALERT_URL
    headers: { Authorization: "Bearer very-secret-header" }
  on: [failed]
fallbackUrl: https://user:very-secret-password@example.com/hook
`)
      const header = found.find((issue) => issue.path === "alerts.webhook.headers.Authorization")
      assert.isDefined(header)
      assert.include(header!.message, "credential")
      for (const issue of found) {
        assert.notInclude(issue.message, "very-secret-header")
        assert.notInclude(issue.message, "very-secret-password")
      }
    })
  )

  it.effect("refuses a header profilesync sets itself", () =>
    Effect.gen(function* () {
      const found = yield* issues(`alerts:
  webhook: { urlEnv: ALERT_URL, headers: { Content-Type: { tokenEnv: TYPE } } }
`)
      const issue = found.find((issue) => issue.path.startsWith("alerts.webhook.headers"))
      assert.strictEqual(issue?.path, "alerts.webhook.headers.Content-Type")
      assert.include(issue?.message, "set by profilesync itself")
    })
  )

  it("is in the JSON Schema, with its kinds", () => {
    const schema = SyncConfig.jsonSchema() as { properties: Record<string, unknown> }
    const text = JSON.stringify(schema.properties.alerts ?? schema)
    assert.include(text, "maxRejectedShare")
    for (const kind of SyncConfig.alertKinds) assert.include(text, `"${kind}"`)
  })
})
