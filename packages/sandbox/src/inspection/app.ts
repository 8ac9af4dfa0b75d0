/**
 * @module
 * The inspection API under `/_sandbox`: what each vendor would hold, request counters and window usage, run-time
 * fault changes and reset. It is outside both vendors, so it needs no token and is never rate-limited or faulted.
 */
import { Hono } from "hono"
import type { FaultOptions } from "../faults/fault-injector.ts"
import type { SandboxRuntime } from "../runtime.ts"

const faultKeys = new Set([
  "errorRate",
  "errorStatuses",
  "latencyMilliseconds",
  "dropRate",
  "responseLossRate",
  "rateLimitStorm",
  "importFailureRate",
  "vendors"
])

/**
 * Creates the inspection app, to be mounted at `/_sandbox`.
 *
 * @category Inspection
 * @since 0.0.0
 */
export const createInspectionApp = (runtime: SandboxRuntime): Hono => {
  const app = new Hono()
  app.get("/", (context) =>
    context.json({
      endpoints: [
        "GET /_sandbox/state",
        "GET /_sandbox/state/{vendor}",
        "GET /_sandbox/state/{vendor}/{accountId}",
        "GET /_sandbox/counters",
        "GET /_sandbox/faults",
        "POST /_sandbox/faults",
        "POST /_sandbox/reset"
      ]
    })
  )
  app.get("/state", (context) => context.json(JSON.parse(JSON.stringify(runtime.state)) as object))
  app.get("/state/:vendor", (context) => {
    const vendor = context.req.param("vendor")
    if (vendor !== "ocamba" && vendor !== "copernica") {
      return context.json({ error: `Unknown vendor ${vendor}: use ocamba or copernica` }, 404)
    }
    return context.json(JSON.parse(JSON.stringify(runtime.state[vendor])) as object)
  })
  app.get("/state/:vendor/:accountId", (context) => {
    const vendor = context.req.param("vendor")
    const accountId = context.req.param("accountId")
    const account =
      vendor === "ocamba"
        ? runtime.state.ocamba.accounts.get(accountId)
        : vendor === "copernica"
          ? runtime.state.copernica.accounts.get(accountId)
          : undefined
    if (account === undefined) {
      return context.json({ error: `No ${vendor} account ${accountId}` }, 404)
    }
    return context.json(JSON.parse(JSON.stringify(account)) as object)
  })
  app.get("/counters", (context) => context.json(runtime.countersSnapshot()))
  app.get("/faults", (context) => context.json(runtime.faults.options))
  app.post("/faults", async (context) => {
    let body: unknown
    try {
      body = await context.req.json()
    } catch {
      return context.json({ error: "The body must be a JSON object of fault options" }, 400)
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return context.json({ error: "The body must be a JSON object of fault options" }, 400)
    }
    const unknown = Object.keys(body).filter((key) => !faultKeys.has(key))
    if (unknown.length > 0) {
      return context.json({ error: `Unknown fault options: ${unknown.join(", ")}` }, 400)
    }
    try {
      return context.json(runtime.setFaults(body as FaultOptions))
    } catch (error) {
      return context.json({ error: error instanceof Error ? error.message : String(error) }, 400)
    }
  })
  app.post("/reset", (context) => {
    runtime.reset()
    return context.json({ reset: true })
  })
  return app
}
