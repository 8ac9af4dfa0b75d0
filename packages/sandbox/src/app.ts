/**
 * @module
 * The whole sandbox as one Hono app: Ocamba under `/v1/hood`, Copernica under `/v3`, the inspection API under
 * `/_sandbox`, and the request log around all of them.
 */
import { Hono } from "hono"
import { createCopernicaApp } from "./copernica/app.ts"
import { createInspectionApp } from "./inspection/app.ts"
import { DroppedConnectionError } from "./middleware/faults/index.ts"
import { requestLog } from "./middleware/request-log/index.ts"
import { createOcambaApp } from "./ocamba/app.ts"
import type { SandboxOptions } from "./options.ts"
import { SandboxRuntime } from "./runtime.ts"

/**
 * The sandbox app, with its run-time core for tests that use `app.request` without a server.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export type SandboxApp = Hono & {
  /** State, counters, faults and reset of this app. */
  readonly runtime: SandboxRuntime
}

/**
 * Creates the sandbox app without a server.
 *
 * **Gotchas**: under `app.request`, an injected dropped connection rejects the returned promise with a
 * `DroppedConnectionError` (there is no socket to destroy), much as `fetch` rejects on a reset connection.
 *
 * @example
 * const app = createSandboxApp({ seed: 7 })
 * const response = await app.request("/v1/hood/profile-properties", {
 *   headers: { Authorization: "Bearer ocamba-sandbox-token" }
 * })
 * @category Sandbox
 * @since 0.0.0
 */
export const createSandboxApp = (options: SandboxOptions = {}): SandboxApp => {
  const runtime = new SandboxRuntime(options)
  const app = new Hono()
  const log = runtime.options.log
  if (log !== undefined) {
    app.use(requestLog({ write: log }))
  }
  app.route("/v1/hood", createOcambaApp(runtime))
  app.route("/v3", createCopernicaApp(runtime))
  app.route("/_sandbox", createInspectionApp(runtime))
  app.notFound((context) =>
    context.json({ error: `Not found: the sandbox serves /v1/hood/..., /v3/... and /_sandbox/...` }, 404)
  )
  app.onError((error, context) => {
    if (error instanceof DroppedConnectionError) {
      throw error
    }
    runtime.counters.recordInvalidResponse(
      `unhandled error on ${context.req.method} ${context.req.path}: ${String(error)}`
    )
    return context.json({ error: "Sandbox internal error" }, 500)
  })
  return Object.assign(app, { runtime })
}
