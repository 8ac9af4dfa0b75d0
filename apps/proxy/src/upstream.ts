/**
 * @module
 * The upstream hop: one undici `Pool` per vendor origin with keep-alive connections. Measured on this machine, an
 * undici `Pool` costs about 110 µs of CPU per forwarded request against about 400 µs for Node 20's global `fetch`, and
 * Hono's `proxy()` helper (built on `fetch`) forwards at a twentieth of nginx's rate; so the inbound side is Hono and
 * the outbound side is `Pool.request` (see `shared/design.md`, "Measured on this machine").
 *
 * Answers are streamed back as they arrive, except small ones (up to 64 KiB by their Content-Length), which are read
 * at once because bytes cost far less to pass on than a web stream, and 429 and 5xx answers, which may be retried or
 * replaced (a read body cannot hold a connection open).
 *
 * undici is loaded with the first request to forward (`prepare`, before that request takes its slot of the budget),
 * not at start: a proxy that has forwarded nothing yet does not hold it (about 3 MiB resident).
 */
import type { IncomingHttpHeaders } from "node:http"
import type { Readable } from "node:stream"
import type { Pool } from "undici"
import type { OutgoingBody } from "./body/request-body.ts"

/** One request to a vendor. */
export interface UpstreamRequest {
  /** `https://api.ocamba.com`. */
  readonly origin: string
  /** The path and query, already built from the spec. */
  readonly path: string
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: OutgoingBody
  /** Bounds the wait for the answer's body between chunks (undici `bodyTimeout`). */
  readonly bodyTimeoutMillis: number
}

/** The vendor's answer, hop-by-hop headers removed. */
export interface UpstreamAnswer {
  readonly status: number
  readonly headers: Headers
  /** A stream for answers passed through as they come; bytes for 429 and 5xx; `null` when there is no body. */
  readonly body: Readable | Buffer | null
}

/** Why an upstream request did not produce an answer. */
export interface TransportFailure {
  readonly message: string
  /** False when the request certainly never reached the vendor (connection refused, DNS failure). */
  readonly reachedServer: boolean
  readonly code: string | undefined
}

// RFC 9110 §7.6.1: connection-specific fields are not forwarded, nor any field the Connection header names.
const hopByHop: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade"
])

/** Copies `headers` into a `Headers`, without hop-by-hop fields and without the names in `drop`. */
export const responseHeaders = (headers: IncomingHttpHeaders, drop: ReadonlyArray<string>): Headers => {
  const connectionNamed = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== "")
  )
  const result = new Headers()
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || hopByHop.has(lower) || connectionNamed.has(lower) || drop.includes(lower)) continue
    if (Array.isArray(value)) for (const item of value) result.append(lower, item)
    else result.set(lower, value)
  }
  return result
}

const maxErrorBodyBytes = 1024 * 1024

/** Answers up to this size (by their Content-Length) are read whole before they are passed on. */
const smallAnswerBytes = 64 * 1024

const readSmallBody = async (body: Readable, headers: Headers): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength
    if (size > maxErrorBodyBytes) {
      // An error body this large is not one a caller needs whole; what was read is passed on.
      body.destroy()
      headers.delete("content-length")
      break
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

const refusedCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH"
])

/** Describes an undici error; `reachedServer` is false only when the request certainly was not received. */
export const transportFailure = (error: unknown): TransportFailure => {
  const withCode = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown }
  const code = typeof withCode?.code === "string" ? withCode.code : undefined
  const causeCode = typeof withCode?.cause?.code === "string" ? withCode.cause.code : undefined
  const effective = code !== undefined && code !== "UND_ERR_SOCKET" ? code : (causeCode ?? code)
  return {
    message: error instanceof Error ? error.message : String(error),
    reachedServer: !refusedCodes.has(effective ?? "") && !refusedCodes.has(causeCode ?? ""),
    code: effective
  }
}

/** The upstream client: a pool per origin. */
export interface Upstream {
  /**
   * Makes the pool of `origin` (loading undici first) when it does not exist yet: a promise to await before taking a
   * slot of the budget, so the first request does not spend its slot waiting for a module; `undefined` once made.
   */
  readonly prepare: (origin: string) => Promise<unknown> | undefined
  readonly send: (request: UpstreamRequest, signal: AbortSignal, drop: ReadonlyArray<string>) => Promise<UpstreamAnswer>
  readonly close: () => Promise<void>
}

/** Options of {@link makeUpstream}. */
export interface UpstreamOptions {
  /** Connections per origin. Default 128: far above what a rate-limited vendor lets through at once. */
  readonly connections?: number | undefined
}

/** Makes the upstream client. */
export const makeUpstream = ({ connections = 128 }: UpstreamOptions = {}): Upstream => {
  const pools = new Map<string, Pool>()
  let undici: Promise<typeof import("undici")> | undefined
  const newPool = async (origin: string) => {
    undici ??= import("undici")
    const { Pool } = await undici
    // Another request may have made it while the module loaded.
    let pool = pools.get(origin)
    if (pool === undefined) {
      pool = new Pool(origin, { connections, keepAliveTimeout: 10_000, pipelining: 1 })
      pools.set(origin, pool)
    }
    return pool
  }
  return {
    prepare: (origin) => (pools.has(origin) ? undefined : newPool(origin)),
    send: async (request, signal, drop) => {
      const body = request.body
      const headers = { ...request.headers }
      let payload: Buffer | Readable | null = null
      if (body.kind === "bytes") {
        payload = body.bytes
        if (body.contentType !== undefined) headers["content-type"] = body.contentType
      } else if (body.kind === "stream") {
        payload = body.open()
        headers["content-type"] = body.contentType
        if (body.contentLength !== undefined) headers["content-length"] = body.contentLength
      }
      const answer = await (pools.get(request.origin) ?? (await newPool(request.origin))).request({
        path: request.path,
        method: request.method as "GET",
        headers,
        body: payload,
        signal,
        bodyTimeout: request.bodyTimeoutMillis,
        headersTimeout: 0
      })
      const status = answer.statusCode
      const filtered = responseHeaders(answer.headers, drop)
      if (status === 204 || status === 304 || request.method === "HEAD") {
        answer.body.dump().catch(() => {})
        return { status, headers: filtered, body: null }
      }
      if (status === 429 || status >= 500)
        return { status, headers: filtered, body: await readSmallBody(answer.body, filtered) }
      // Small answers (most API answers) are read at once: passing bytes on costs far less than a web stream.
      const length = Number(answer.headers["content-length"] ?? Number.NaN)
      // An answer with neither a length nor a type is an empty one sent chunked (Copernica's 201): read it, so that
      // no body (and no default `text/plain` label) is invented on the way.
      const untyped = answer.headers["content-length"] === undefined && answer.headers["content-type"] === undefined
      if (length <= smallAnswerBytes || untyped)
        return { status, headers: filtered, body: await readSmallBody(answer.body, filtered) }
      return { status, headers: filtered, body: answer.body }
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close().catch(() => {})))
      pools.clear()
    }
  }
}
