/**
 * @module
 * Limits that keep slow or greedy callers from holding the proxy's connections (slowloris):
 *
 * - `HEADERS_TIMEOUT_MS`: a request's headers must arrive within this time (Node's `headersTimeout`, checked every
 *   second rather than Node's default 30 s);
 * - `BODY_TIMEOUT_MS`: a connection on which the caller sends nothing for this long while the proxy is reading from it
 *   (a request's headers or its body) is closed. A connection whose request is complete, or whose body the proxy is
 *   not reading yet (an upload waiting for budget), is left alone: then the silence is the proxy's, not the caller's;
 * - `BODY_MIN_RATE`: a body the proxy is reading must keep arriving at this many bytes per second on average, after
 *   a first `BODY_TIMEOUT_MS` of grace (Apache's `mod_reqtimeout` rule). A caller that sends one byte every few
 *   seconds is never silent long enough for the idle rule, so without this it could hold a connection for minutes;
 * - `MAX_CONNECTIONS_PER_IP`: connections from one address beyond this are closed as soon as they are accepted.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import type { ProxyConfig } from "./config.ts"

/** The options of `http.createServer` that bound how long a request may take to arrive. */
export const serverOptions = (config: ProxyConfig): ServerOptions => ({
  headersTimeout: config.headersTimeoutMillis,
  // Node's default (5 minutes) bounds the whole request; it must not be shorter than the headers' timeout.
  requestTimeout: Math.max(300_000, config.headersTimeoutMillis),
  connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMillis)
})

/** Applies the idle and per-address limits to `server`; returns how many connections each address holds. */
export const limitConnections = (server: Server, config: ProxyConfig): ReadonlyMap<string, number> => {
  const perAddress = new Map<string, number>()
  // The exchange under way on each connection.
  const current = new WeakMap<Socket, { readonly request: IncomingMessage; readonly response: ServerResponse }>()

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown"
    const count = (perAddress.get(address) ?? 0) + 1
    if (count > config.maxConnectionsPerIp) {
      socket.destroy()
      return
    }
    perAddress.set(address, count)
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1
      if (left <= 0) perAddress.delete(address)
      else perAddress.set(address, left)
    })
  })

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    current.set(request.socket, { request, response })
  })
  if (config.bodyMinimumRate > 0) enforceBodyRate(server, config)

  // Idle sockets emit `timeout`; with a listener, Node leaves the decision to close them here.
  server.setTimeout(config.bodyTimeoutMillis)
  server.on("timeout", (socket: Socket) => {
    const exchange = current.get(socket)
    // No request yet, or the last one answered: the caller is (slowly) sending the next request's headers.
    const awaitingHeaders = exchange === undefined || (exchange.request.complete && exchange.response.writableFinished)
    const { request } = exchange ?? {}
    const stalledBody =
      request !== undefined && !request.complete && request.readableFlowing === true && request.readableLength === 0
    if (awaitingHeaders || stalledBody) socket.destroy()
  })
  return perAddress
}

/** How often the body rate is checked: the rule is a floor over seconds, so a one-second tick is exact enough. */
const rateTick = 1000

/**
 * Closes connections whose body arrives slower than `bodyMinimumRate` while the proxy reads it. Only the time the
 * proxy spends reading counts: an upload paused while it waits for budget or for the vendor is not the caller's fault.
 */
const enforceBodyRate = (server: Server, config: ProxyConfig): void => {
  const reading = new Map<IncomingMessage, { readingMillis: number; readonly bytesBefore: number }>()
  server.on("request", (request: IncomingMessage) => {
    if (request.complete) return
    reading.set(request, { readingMillis: 0, bytesBefore: request.socket.bytesRead })
    request.once("close", () => reading.delete(request))
  })
  const timer = setInterval(() => {
    for (const [request, progress] of reading) {
      if (request.complete || request.socket.destroyed) {
        reading.delete(request)
        continue
      }
      if (request.readableFlowing !== true) continue
      progress.readingMillis += rateTick
      const received = request.socket.bytesRead - progress.bytesBefore
      const earned = config.bodyTimeoutMillis + (received * 1000) / config.bodyMinimumRate
      if (progress.readingMillis > earned) {
        reading.delete(request)
        request.socket.destroy()
      }
    }
  }, rateTick)
  timer.unref()
  server.once("close", () => clearInterval(timer))
}
