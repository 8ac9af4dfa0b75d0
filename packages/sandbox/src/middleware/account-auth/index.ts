/**
 * @module
 * Account authentication middleware: maps the request's credential to a vendor account, or answers the vendor's own
 * refusal (Ocamba 401, Copernica 400 "Invalid access token"). Limits and counters are kept per account, so every
 * later stage reads the account this middleware sets.
 */
import type { MiddlewareHandler } from "hono"
import type { Vendor } from "../../faults/fault-injector.ts"
import type { VendorResponse } from "../../vendor/vendor-response.ts"
import { toResponse } from "../../vendor/vendor-response.ts"

/**
 * The authenticated account of a request.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface SandboxAccount {
  readonly vendor: Vendor
  readonly id: string
}

declare module "hono" {
  interface ContextVariableMap {
    sandboxAccount: SandboxAccount | undefined
  }
}

/**
 * Options of {@link accountAuth}.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface AccountAuthOptions {
  readonly vendor: Vendor
  /** Token to account id. */
  readonly accountsByToken: ReadonlyMap<string, string>
  /** Reads the credential from the request (header or query parameter). */
  readonly readToken: (request: Request) => string | undefined
  /** The vendor's refusal. */
  readonly refuse: () => VendorResponse
}

/**
 * Creates the middleware.
 *
 * @param options.accountsByToken - which account each token belongs to
 * @example
 * app.use(accountAuth({ vendor: "ocamba", accountsByToken, readToken: readBearer, refuse: () => unauthorized }))
 * @category Middleware
 * @since 0.0.0
 */
export const accountAuth = ({ vendor, accountsByToken, readToken, refuse }: AccountAuthOptions): MiddlewareHandler =>
  async function accountAuthentication(context, next) {
    const token = readToken(context.req.raw)
    const accountId = token === undefined ? undefined : accountsByToken.get(token)
    if (accountId === undefined) {
      context.set("sandboxAccount", undefined)
      return toResponse(refuse())
    }
    context.set("sandboxAccount", { vendor, id: accountId })
    await next()
  }
