/**
 * @module
 * The vendor routes served by `node:http` itself, for the usual request: a `GET` or `HEAD` without a body, whose
 * target is a plain path under `/ocamba/v1/hood/` or `/copernica/v3/` and whose `Host` is a plain name. Such a request
 * goes through the same steps as in the Hono app (request id, in-flight count, request target, proxy key, forwarding,
 * access log and metrics) without becoming a Web `Request`, a Hono context and a `Response` that Hono's Node adapter
 * turns back into a Node answer: a prebuilt table picks the vendor by prefix, the answer's status and headers are
 * written by one `writeHead` and a body read whole by one `end`. Every other request (bodies, unusual targets or
 * hosts, the operational endpoints, tracing on) is left to the Hono app, which answers it as before.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { requestIdOf, unexpectedError } from "./app.ts"
import type { ProxyConfig } from "./config.ts"
import { errorAnswer, ProxyErrorReason, proxyError } from "./errors.ts"
import type { ForwardAnswer, ForwardDependencies } from "./forward/exchange.ts"
import { makeVendorRoute, type VendorRoute } from "./forward/exchange.ts"
import { forwardCall, newExchange } from "./forward/handler.ts"
import { fromNode } from "./forward/incoming.ts"
import type { Logger } from "./log.ts"
import { defaultQuietPaths, recordRequest } from "./middleware/access-log/index.ts"
import { enter, type InFlightState } from "./middleware/in-flight/index.ts"
import { keyCheck } from "./middleware/proxy-key/index.ts"
import { checkTarget } from "./middleware/request-target/index.ts"
import type { VendorEdge, VendorName } from "./vendors.ts"

/** What the direct route needs: the Hono app's dependencies. */
export interface DirectRouteOptions extends ForwardDependencies {
  readonly vendors: Readonly<Record<VendorName, VendorEdge>>
  readonly config: ProxyConfig
  readonly logger: Logger
  readonly inFlight: InFlightState
}

// The targets and hosts Hono's Node adapter takes as they are (its `reValidRequestUrl`, `reDotSegment` and
// `reValidHost`), so the URL built here is the one Hono would build; anything else is left to Hono.
const plainTarget = /^\/[!#$&-;=?-[\]_a-z~]*$/
const dotSegment = /\/\.\.?(?:[/?#]|$)/
const plainHost = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/

// Hono's Node adapter labels a body without a type so; the direct route answers alike.
const defaultContentType = "text/plain; charset=UTF-8"

/** One vendor's entry in the route table. */
interface TableEntry {
  /** `/ocamba/v1/hood/`: the prefix with its slash, as the target must start. */
  readonly prefix: string
  readonly route: VendorRoute
}

/**
 * Makes the direct route: a request listener that answers the requests it serves and returns `true`, or returns
 * `false` (having done nothing) for the Hono app to answer.
 */
export const directRoute = (
  options: DirectRouteOptions
): ((incoming: IncomingMessage, response: ServerResponse) => boolean) => {
  const { config, logger, inFlight } = options
  const table: ReadonlyArray<TableEntry> = Object.values(options.vendors).map((vendor) => ({
    prefix: `${vendor.prefix}/`,
    route: makeVendorRoute(vendor, options)
  }))
  const acceptsKey = keyCheck(config.proxyKeys)

  const serve = async (incoming: IncomingMessage, response: ServerResponse, entry: TableEntry, url: URL) => {
    const started = performance.now()
    // The log shows the target as received: forwarding drops the undeclared query parameters from `url`.
    const { pathname, search } = url
    const vendor = entry.route.vendor
    const call = fromNode(incoming, response, url)
    const requestId = requestIdOf(call.header("x-request-id"))
    // In flight until the answer is written or the caller went away (the Hono app's `in-flight` middleware).
    const leave = enter(inFlight)
    response.once("close", () => {
      call.onClose()
      leave()
    })
    const exchange = newExchange(requestId)
    let forwarded = false
    let answer: ForwardAnswer
    if (!acceptsKey(call.header("x-proxy-key"))) {
      answer = errorAnswer(vendor, proxyError(ProxyErrorReason.ProxyKeyRequired()), requestId)
    } else {
      forwarded = true
      try {
        answer = await forwardCall(entry.route, exchange, call)
      } catch (error) {
        answer = unexpectedError(logger, vendor, requestId, pathname, error)
      }
    }
    recordRequest(logger, defaultQuietPaths, {
      requestId,
      method: call.method,
      pathname,
      search,
      status: answer.status,
      durationMillis: performance.now() - started,
      vendor: vendor.name,
      operation: exchange.operationId,
      forward: forwarded ? exchange.record : undefined
    })
    await writeAnswer(response, answer, requestId, inFlight.draining)
  }

  return (incoming, response) => {
    const target = directTarget(incoming, table)
    if (target === undefined) return false
    serve(incoming, response, target.entry, target.url).catch(() => {
      if (!response.destroyed) response.destroy()
    })
    return true
  }
}

/**
 * The vendor route and URL of a request the direct route serves, or `undefined` for the Hono app: only a `GET` or
 * `HEAD` without a body, a plain target under a vendor's prefix that passes the request-target checks, a plain host.
 */
export const directTarget = <Entry extends { readonly prefix: string }>(
  incoming: Pick<IncomingMessage, "method" | "url" | "headers">,
  table: ReadonlyArray<Entry>
): { readonly entry: Entry; readonly url: URL } | undefined => {
  const method = incoming.method
  if (method !== "GET" && method !== "HEAD") return undefined
  // A request with a body is left to Hono, which reads (or drains) it.
  const headers = incoming.headers
  if (headers["transfer-encoding"] !== undefined) return undefined
  if (headers["content-length"] !== undefined && headers["content-length"] !== "0") return undefined
  const target = incoming.url ?? ""
  const host = headers.host
  if (host === undefined || !plainHost.test(host) || !plainTarget.test(target) || dotSegment.test(target)) {
    return undefined
  }
  if (checkTarget(target) !== undefined) return undefined
  const entry = table.find((candidate) => target.startsWith(candidate.prefix))
  if (entry === undefined) return undefined
  return { entry, url: new URL(`http://${host}${target}`) }
}

/** Writes `answer`: status and headers in one `writeHead`, a body read whole in one `end`, a stream piped. */
const writeAnswer = async (
  response: ServerResponse,
  answer: ForwardAnswer,
  requestId: string,
  draining: boolean
): Promise<void> => {
  const headers: OutgoingHttpHeaders = {}
  for (const [name, value] of answer.headers) {
    const existing = headers[name]
    if (existing === undefined) headers[name] = value
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [String(existing), value]
  }
  headers["x-request-id"] = requestId
  if (draining) headers.connection = "close"
  const body = answer.body
  if (body === null) {
    response.writeHead(answer.status, headers).end()
    return
  }
  headers["content-type"] ??= defaultContentType
  if (body instanceof Readable) {
    response.writeHead(answer.status, headers)
    // A failed stream (or a caller gone) destroys both ends: the caller sees a cut answer, never a wrong one.
    await pipeline(body, response).catch(() => {})
    return
  }
  headers["content-length"] ??= String(Buffer.byteLength(body))
  response.writeHead(answer.status, headers).end(body)
}
