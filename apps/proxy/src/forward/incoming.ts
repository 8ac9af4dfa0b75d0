/**
 * @module
 * The caller's request as the forwarding steps read it, whichever server received it: Hono (`fromContext`: under
 * `app.request`, and for the requests the direct route leaves to Hono) or `node:http` itself (`fromNode`, the direct
 * route of `direct-route.ts`), so that the usual request never becomes a Web `Request` only to be read back.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Context } from "hono"
import { setTraceHeaders } from "../telemetry.ts"

/** One caller's request. */
export interface IncomingCall {
  readonly method: string
  /** The caller's URL as received (its origin from the Host header). */
  readonly url: URL
  /** A request header, by its lower-case name. */
  readonly header: (name: string) => string | undefined
  /** Every request header, for the spec's header parameters. */
  readonly headers: Headers | Readonly<Record<string, string | undefined>>
  /** The body, read at most once; `null` when the request has none. */
  readonly body: () => ReadableStream<Uint8Array> | null
  /** Aborted when the caller goes away before its answer is written; made when first asked for. */
  readonly signal: () => AbortSignal
  /** Whether the caller went away before its answer was written. */
  readonly callerGone: () => boolean
  /** Adds the trace context the request upstream carries (see `telemetry.ts`). */
  readonly traceHeaders: (headers: Record<string, string>) => void
}

/** The request of a Hono context. */
export const fromContext = (context: Context): IncomingCall => {
  const request = context.req.raw
  const header = (name: string) => request.headers.get(name) ?? undefined
  return {
    method: request.method,
    url: new URL(request.url),
    header,
    headers: request.headers,
    body: () => request.body,
    signal: () => request.signal,
    callerGone: () => request.signal.aborted,
    traceHeaders: (headers) => setTraceHeaders(context.get("upstreamTrace"), header, headers)
  }
}

// Node keeps only the first of these when a request repeats them (`IncomingMessage.headers`); a Web `Request` joins
// them, and so does this route, so a repeated Authorization is read the same through either server.
const keptOnceByNode: ReadonlySet<string> = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent"
])

/**
 * A request `node:http` received, without a body (the direct route serves only those). `url` is built by the route,
 * which checked the target first. The caller is gone when the answer's socket closes before the answer was written
 * (as Hono's Node adapter tells it); `onClose` must be called from the answer's `close` event.
 */
export const fromNode = (
  incoming: IncomingMessage,
  response: ServerResponse,
  url: URL
): IncomingCall & { readonly onClose: () => void } => {
  const header = (name: string): string | undefined => {
    if (!keptOnceByNode.has(name)) {
      const value = incoming.headers[name]
      return Array.isArray(value) ? value.join(", ") : value
    }
    const raw = incoming.rawHeaders
    let joined: string | undefined
    for (let index = 0; index < raw.length; index += 2) {
      const rawName = raw[index]!
      if (rawName.length !== name.length || rawName.toLowerCase() !== name) continue
      joined = joined === undefined ? raw[index + 1]! : `${joined}, ${raw[index + 1]!}`
    }
    return joined
  }
  let gone = false
  let controller: AbortController | undefined
  let all: Record<string, string | undefined> | undefined
  return {
    method: incoming.method ?? "GET",
    url,
    header,
    // Built only if the operation declares header parameters.
    get headers() {
      if (all === undefined) {
        all = {}
        for (const name of Object.keys(incoming.headers)) all[name] = header(name)
      }
      return all
    },
    body: () => null,
    signal: () => {
      controller ??= new AbortController()
      if (gone) controller.abort()
      return controller.signal
    },
    callerGone: () => gone,
    traceHeaders: (upstream) => setTraceHeaders(undefined, header, upstream),
    onClose: () => {
      if (response.writableFinished) return
      gone = true
      controller?.abort()
    }
  }
}
