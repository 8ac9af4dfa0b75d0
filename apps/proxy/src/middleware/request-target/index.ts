/**
 * @module
 * Refuses request targets that try to reach something other than what they name, before routing, on the raw target
 * as it came off the wire (URL parsing would already have resolved `..` and hidden the trick):
 *
 * - absolute-form (`POST http://host/path HTTP/1.1`, RFC 9112 §3.2.2) is read as its path: servers must accept it,
 *   and the authority in it never chooses the upstream (that comes from the configuration only);
 * - asterisk-form and other targets that are not a path: 400;
 * - dot segments, plain or percent-encoded (`/..`, `/%2e%2e`, `/.%2E`): 404, no operation has them;
 * - encoded slashes and backslashes (`%2F`, `%5C`) and raw backslashes: 404;
 * - NUL and other control characters, encoded or not: 400.
 *
 * The contracts' router refuses encoded slashes and dot segments in path parameters too; this guard also covers the
 * literal parts of a path and keeps such requests out of the logs' "unknown operation" noise.
 */
import type { HttpBindings } from "@hono/node-server"
import type { MiddlewareHandler } from "hono"
import { errorResponse, ProxyErrorReason, proxyError } from "../../errors.ts"
import type { VendorEdge } from "../../vendors.ts"

/** Options of {@link requestTarget}. */
export interface RequestTargetOptions {
  /** The vendor whose error shape answers a refused path, from the path; `undefined` outside vendor routes. */
  readonly vendorOf?: ((path: string) => VendorEdge | undefined) | undefined
}

/** The raw request target: from Node's `IncomingMessage` when served by Node, else from the request URL. */
export const rawTarget = (request: Request, env: unknown): string => {
  const incoming = (env as Partial<HttpBindings> | undefined)?.incoming
  if (incoming?.url !== undefined) return incoming.url
  const url = new URL(request.url)
  return `${url.pathname}${url.search}`
}

/** The path and query of an absolute-form target (`http://host/path?q`), or the target itself. */
export const originForm = (target: string): string => {
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target)
  if (absolute === null) return target
  const rest = target.slice(absolute[0].length)
  return rest.startsWith("/") ? rest : `/${rest}`
}

/** Why a raw target is refused, or `undefined` when it is fine. */
export const checkTarget = (raw: string): "bad" | "unknown" | undefined => {
  const target = originForm(raw)
  if (!target.startsWith("/")) return "bad"
  const path = target.split("?")[0]!
  for (let index = 0; index < target.length; index++) {
    const code = target.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return "bad"
  }
  if (/%(?:[01][0-9a-f]|7f)/i.test(path)) return "bad"
  if (/%2f|%5c|\\/i.test(path)) return "unknown"
  for (const segment of path.split("/")) {
    const decoded = segment.replace(/%2e/gi, ".")
    if (decoded === "." || decoded === "..") return "unknown"
  }
  return undefined
}

/** Creates the middleware. */
export const requestTarget = ({ vendorOf = () => undefined }: RequestTargetOptions = {}): MiddlewareHandler =>
  async function requestTarget(context, next) {
    const target = rawTarget(context.req.raw, context.env)
    const problem = checkTarget(target)
    if (problem === undefined) return next()
    const path = originForm(target).split("?")[0]!
    const vendor = vendorOf(path)
    context.set("vendor", vendor?.name)
    const error =
      problem === "bad"
        ? proxyError(
            ProxyErrorReason.BadTarget({ message: "The request target must be a path without control characters." })
          )
        : proxyError(ProxyErrorReason.UnknownOperation({ method: context.req.method, path }))
    return errorResponse(vendor, error, context.get("requestId") ?? "")
  }
