/**
 * @module
 * Requires callers to present one of the accepted proxy keys in `X-Proxy-Key` (when any are configured). Keys are
 * compared through their SHA-256 digests with `timingSafeEqual`, so neither the length nor the content of an accepted
 * key leaks through timing. A refusal is answered in the vendor's error shape with 401, before anything else happens.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import type { MiddlewareHandler } from "hono"
import { errorResponse, ProxyErrorReason, proxyError } from "../../errors.ts"
import type { VendorEdge } from "../../vendors.ts"

/** Options of {@link proxyKey}. */
export interface ProxyKeyOptions {
  /** Accepted keys. Default none: every caller is accepted. */
  readonly keys?: ReadonlyArray<string> | undefined
  /** The header carrying the key. Default `X-Proxy-Key`. */
  readonly headerName?: string | undefined
  /** The vendor whose error shape answers a refusal. */
  readonly vendor?: VendorEdge | undefined
}

const digest = (text: string) => createHash("sha256").update(text).digest()

/**
 * Whether a presented key (the header's value, `undefined` when absent) is accepted; every key is accepted when none
 * is configured. The direct route of `node:http` checks with it too.
 */
export const keyCheck = (keys: ReadonlyArray<string>): ((presented: string | undefined) => boolean) => {
  const accepted = keys.map(digest)
  if (accepted.length === 0) return () => true
  return (presented) => {
    const candidate = digest(presented ?? "")
    // Every accepted key is compared, so the time does not depend on which one matched.
    let ok = false
    for (const key of accepted) ok = timingSafeEqual(key, candidate) || ok
    return presented !== undefined && ok
  }
}

/** Creates the middleware. */
export const proxyKey = ({
  keys = [],
  headerName = "X-Proxy-Key",
  vendor
}: ProxyKeyOptions = {}): MiddlewareHandler => {
  const accepts = keyCheck(keys)
  return async function proxyKey(context, next) {
    if (keys.length === 0 || accepts(context.req.header(headerName))) return next()
    context.set("vendor", vendor?.name)
    return errorResponse(vendor, proxyError(ProxyErrorReason.ProxyKeyRequired()), context.get("requestId") ?? "")
  }
}
