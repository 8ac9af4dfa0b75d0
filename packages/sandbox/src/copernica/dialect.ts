/**
 * @module
 * Copernica's conventions: the `access_token` query parameter, and errors that are (almost) always HTTP 400 with
 * `{"error":{"message":"..."}}`, an invalid token included ("Invalid access token"); unknown routes answer
 * "Invalid method". Both behaviours were observed against the live API by rmuit/copernica-api.
 */
import { Copernica } from "@profilesync/contracts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { VendorResponse } from "../vendor/vendor-response.ts"

const error = (status: number, message: string): VendorResponse => ({ status, body: { error: { message } } })

/**
 * Reads the `access_token` query parameter.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const readAccessToken = (request: Request): string | undefined =>
  new URL(request.url).searchParams.get("access_token") ?? undefined

/**
 * The Copernica dialect.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const copernicaDialect = (): VendorDialect => ({
  vendor: "copernica",
  basePath: "/v3",
  contract: Copernica,
  sendsRateLimitHeaders: false,
  readToken: readAccessToken,
  unauthorized: () => error(400, "Invalid access token"),
  unknownRoute: () => error(400, "Invalid method"),
  // The live API answers a method it does not serve on a known path like an unknown path (rmuit/copernica-api
  // `tests/ApiBehaviorTest.php`: GET database/ID/field/1 is 400 "Invalid method"); the Allow header is ours.
  methodNotAllowed: (_method, _path, allowed) => ({
    ...error(400, "Invalid method"),
    headers: { Allow: allowed.join(", ") }
  }),
  invalidRequest: (message) => error(400, `Invalid data provided: ${message}`),
  badRequest: (message) => error(400, message),
  notFound: (message) => error(400, message),
  tooManyRequests: () => error(429, "Too many requests"),
  serverError: (status) => error(status, status === 503 ? "Service unavailable" : "Internal server error")
})
