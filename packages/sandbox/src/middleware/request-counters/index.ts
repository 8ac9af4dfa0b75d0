/**
 * @module
 * Counting middleware: records every request of a vendor, by account and status class, for the inspection API.
 */
import type { MiddlewareHandler } from "hono"
import type { RequestCounters } from "../../counters.ts"
import type { Vendor } from "../../faults/fault-injector.ts"

/**
 * Options of {@link requestCounters}.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface RequestCountersOptions {
  readonly vendor: Vendor
  readonly counters: RequestCounters
}

/**
 * Creates the middleware; mount it before authentication so that refused requests are counted too.
 *
 * @category Middleware
 * @since 0.0.0
 */
export const requestCounters = ({ vendor, counters }: RequestCountersOptions): MiddlewareHandler =>
  async function countRequests(context, next) {
    try {
      await next()
    } finally {
      const account = context.get("sandboxAccount")?.id
      counters.record(vendor, account, context.get("sandboxDropped") === true ? "dropped" : context.res.status)
    }
  }
