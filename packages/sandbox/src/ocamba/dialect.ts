/**
 * @module
 * Ocamba's conventions: Bearer API keys, and the error body `{code, title, message?, trace_id}` with the vendor's
 * titles ("Bad request.", "Unauthorized.", "Internal server error."). 500 bodies carry no `message`, as in every
 * Hood page's example; 404 and 429 bodies are inferred (no Hood page documents them).
 */
import { Ocamba } from "@profilesync/contracts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { VendorResponse } from "../vendor/vendor-response.ts"

const titles: Readonly<Record<number, string>> = {
  400: "Bad request.",
  401: "Unauthorized.",
  404: "Not found.",
  429: "Too many requests.",
  500: "Internal server error.",
  502: "Bad gateway.",
  503: "Service unavailable."
}

/**
 * Reads the key of an `Authorization: Bearer <key>` header.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const readBearerToken = (request: Request): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")
  return match?.[1]
}

/**
 * Builds the Ocamba dialect; `traceId` supplies the seeded `trace_id` of each error.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const ocambaDialect = (traceId: () => string): VendorDialect => {
  const error = (status: number, message: string | undefined): VendorResponse => ({
    status,
    body: {
      code: status,
      title: titles[status] ?? "Error.",
      ...(message === undefined ? {} : { message }),
      trace_id: traceId()
    }
  })
  return {
    vendor: "ocamba",
    basePath: "/v1/hood",
    contract: Ocamba,
    sendsRateLimitHeaders: true,
    readToken: readBearerToken,
    unauthorized: () => error(401, "Unauthorized."),
    unknownRoute: (method, path) => error(404, `No route ${method} ${path}.`),
    // RFC 9110 §15.5.6: a path that exists answers an unserved method with 405 and the methods it serves.
    methodNotAllowed: (method, path, allowed) => ({
      ...error(405, `Method ${method} is not allowed on ${path}.`),
      headers: { Allow: allowed.join(", ") }
    }),
    invalidRequest: (message) => error(400, message),
    badRequest: (message) => error(400, message),
    notFound: (message) => error(404, message),
    tooManyRequests: (_retryAfterSeconds, message) => error(429, message),
    serverError: (status) => error(status, undefined)
  }
}
