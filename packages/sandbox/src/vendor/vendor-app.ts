/**
 * @module
 * Assembles one vendor's Hono app: count, authenticate, rate-limit, inject faults, then dispatch to the operation
 * handlers. The order is deliberate: refused credentials are counted but never use quota; faults hit only admitted
 * requests, so an injected 5xx still used quota as a real backend failure would.
 */
import { Hono } from "hono"
import { accountAuth } from "../middleware/account-auth/index.ts"
import { faults } from "../middleware/faults/index.ts"
import { rateLimit } from "../middleware/rate-limit/index.ts"
import { requestCounters } from "../middleware/request-counters/index.ts"
import type { AccountOptions } from "../options.ts"
import type { SandboxRuntime } from "../runtime.ts"
import type { VendorDialect } from "./dialect.ts"
import { type OperationHandler, operationDispatch } from "./operation-dispatch.ts"

/**
 * Options of {@link createVendorApp}.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface VendorAppOptions {
  readonly runtime: SandboxRuntime
  readonly dialect: VendorDialect
  readonly accounts: ReadonlyArray<AccountOptions>
  readonly handlers: Readonly<Record<string, OperationHandler>>
}

/**
 * Creates the app of one vendor, to be mounted at `dialect.basePath`.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export const createVendorApp = ({ runtime, dialect, accounts, handlers }: VendorAppOptions): Hono => {
  const accountsByToken = new Map<string, string>()
  for (const account of accounts) {
    for (const token of account.tokens) {
      accountsByToken.set(token, account.id)
    }
  }
  const vendor = dialect.vendor
  const app = new Hono()
  app.use(requestCounters({ vendor, counters: runtime.counters }))
  app.use(accountAuth({ vendor, accountsByToken, readToken: dialect.readToken, refuse: dialect.unauthorized }))
  app.use(
    rateLimit({
      limiter: runtime.limiters[vendor],
      sendRateLimitHeaders: dialect.sendsRateLimitHeaders,
      stormRetryAfterSeconds: () => runtime.faults.stormRetryAfterSeconds(vendor),
      refuse: dialect.tooManyRequests
    })
  )
  app.use(faults({ decide: () => runtime.faults.decide(vendor), serverError: dialect.serverError }))
  app.all(
    "*",
    operationDispatch({
      dialect,
      handlers,
      validateResponses: runtime.options.validateResponses,
      reportSandboxBug: (message) => runtime.counters.recordInvalidResponse(message)
    })
  )
  return app
}
