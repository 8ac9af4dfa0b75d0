/**
 * @module
 * Fault middleware: adds latency, destroys connections without an answer (before handling, or after it so that the
 * caller cannot know whether its write happened), and answers 500/502/503 instead of handling, as the seeded {@link FaultInjector} decides for each request in arrival order.
 *
 * It runs after the rate limiter, so faulty requests used up quota like real ones that reached a failing backend,
 * and a slow request holds its in-flight slot for its whole latency.
 */
import type { HttpBindings } from "@hono/node-server"
import type { Context, MiddlewareHandler } from "hono"
import type { FaultDecision } from "../../faults/fault-injector.ts"
import { sleep } from "../../time.ts"
import type { VendorResponse } from "../../vendor/vendor-response.ts"
import { toResponse } from "../../vendor/vendor-response.ts"

declare module "hono" {
  interface ContextVariableMap {
    sandboxDropped: boolean | undefined
  }
}

/**
 * Thrown, under `app.request` (no socket to destroy), where a connection would be dropped; the sandbox app rethrows
 * it so that the caller's promise rejects the way `fetch` does on a reset connection.
 *
 * @category Faults
 * @since 0.0.0
 */
export class DroppedConnectionError extends Error {
  override readonly name = "DroppedConnectionError"
  constructor() {
    super("The sandbox dropped the connection (fault injection)")
  }
}

/**
 * Options of {@link faults}.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface FaultsOptions {
  /** Decides the faults of one request; called once per request, in arrival order. */
  readonly decide: () => FaultDecision
  /** The vendor's answer for an injected server failure. */
  readonly serverError: (status: number) => VendorResponse
}

/**
 * Creates the middleware.
 *
 * @example
 * app.use(faults({ decide: () => injector.decide("ocamba"), serverError: (status) => ocambaError(status) }))
 * @category Middleware
 * @since 0.0.0
 */
export const faults = ({ decide, serverError }: FaultsOptions): MiddlewareHandler =>
  async function injectFaults(context, next) {
    const decision = decide()
    await sleep(decision.latencyMilliseconds)
    if (decision.dropConnection) {
      return dropConnection(context)
    }
    if (decision.errorStatus !== undefined) {
      return toResponse(serverError(decision.errorStatus))
    }
    await next()
    if (decision.loseResponse) {
      // The request was handled (its writes happened); only the answer is lost, as on a connection that breaks late.
      context.res = dropConnection(context)
    }
  }

const dropConnection = (context: Context): Response => {
  context.set("sandboxDropped", true)
  const incoming = (context.env as Partial<HttpBindings> | undefined)?.incoming
  if (incoming === undefined) {
    throw new DroppedConnectionError()
  }
  // Destroying the socket makes the client see a reset connection and no status at all.
  incoming.socket.destroy()
  return new Response(null, { status: 500 })
}
