/**
 * @module
 * Reads a caller's request body just far enough to validate it against the spec before any budget is spent, and
 * prepares what is sent upstream:
 *
 * - JSON (and, for Copernica, form-encoded) bodies are read whole, up to `MAX_BODY_BYTES`, parsed, and forwarded as the
 *   caller's exact bytes. They can be replayed, so safe operations may be retried.
 * - Uploads (operations with `x-profilesync-max-upload-bytes`, i.e. Ocamba's 50 MB profile import) are multipart:
 *   the proxy reads ahead at most 64 KiB to find the part headers and validate the fields, then streams the rest
 *   straight through, counting bytes. A body that ended within the read-ahead is kept and can be replayed; a longer
 *   one is sent once and never retried (it cannot be read twice).
 */
import { Readable } from "node:stream"
import { parsePhpForm } from "@profilesync/contracts"
import { type ProxyError, ProxyErrorReason, proxyError } from "../errors.ts"
import type { IncomingCall } from "../forward/incoming.ts"
import { boundaryOf, readMultipartFields } from "./multipart.ts"

/** How much of an upload is read before it is streamed: enough for the fields before the file. */
export const uploadReadAhead = 64 * 1024

/** Multipart framing (delimiters, part headers, small fields) allowed on top of an upload's file limit. */
export const multipartAllowance = 64 * 1024

/** What is sent upstream. */
export type OutgoingBody =
  | { readonly kind: "none" }
  | { readonly kind: "bytes"; readonly bytes: Buffer; readonly contentType: string | undefined }
  | {
      readonly kind: "stream"
      readonly contentType: string
      /** The caller's Content-Length, forwarded so the vendor does not get a chunked upload. */
      readonly contentLength: string | undefined
      /** The body, once: the read-ahead then the rest of the caller's stream. */
      readonly open: () => Readable
      /** Whether the stream stopped because the body grew past `limit`. */
      readonly exceeded: () => boolean
      /** Stops reading the caller's body when it will not be sent (refused before sending). */
      readonly cancel: () => void
      readonly limit: number
    }

/** A body read for validation: the value the validators see and what goes upstream. */
export interface BodyReading {
  readonly outgoing: OutgoingBody
  /** The media type to validate as (form bodies validate as JSON), and the parsed body. */
  readonly contentType: string | undefined
  readonly value: unknown
}

/** Options of {@link readRequestBody}. */
export interface ReadRequestBodyOptions {
  readonly request: Pick<IncomingCall, "method" | "header" | "body">
  /** Copernica takes `application/x-www-form-urlencoded` as well as JSON. */
  readonly acceptsFormBodies: boolean
  readonly maxBodyBytes: number
  /** The operation's upload limit (`maxUploadBytes`), when it is an upload. */
  readonly maxUploadBytes: number | undefined
}

/** Thrown into the upstream request when a streamed body passes its limit; `exceeded()` then reports it. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body: larger than the limit of ${limit} bytes`)
  }
}

const mediaTypeOf = (contentType: string | undefined): string => (contentType ?? "").split(";")[0]!.trim().toLowerCase()

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

interface Collected {
  readonly chunks: Array<Uint8Array>
  readonly size: number
  readonly ended: boolean
  readonly reader: ReadableStreamDefaultReader<Uint8Array>
}

/** Reads until the stream ends or `stopAt` bytes are in; fails when more than `limit` bytes arrive. */
const collect = async (
  stream: ReadableStream<Uint8Array>,
  stopAt: number,
  limit: number
): Promise<Collected | "too-large"> => {
  const reader = stream.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  while (size < stopAt) {
    const { done, value } = await reader.read()
    if (done) return { chunks, size, ended: true, reader }
    chunks.push(value)
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return "too-large"
    }
  }
  return { chunks, size, ended: false, reader }
}

const tooLarge = (limit: number): ProxyError => proxyError(ProxyErrorReason.PayloadTooLarge({ limit }))
const invalid = (message: string): ProxyError => proxyError(ProxyErrorReason.InvalidRequest({ message }))

/** Streams the read-ahead, then the rest of the caller's body, failing once more than `limit` bytes went by. */
const continuation = (collected: Collected, limit: number, onExceeded: () => void): Readable =>
  Readable.from(
    (async function* () {
      let size = collected.size
      for (const chunk of collected.chunks) yield chunk
      for (;;) {
        const { done, value } = await collected.reader.read()
        if (done) return
        size += value.byteLength
        if (size > limit) {
          onExceeded()
          await collected.reader.cancel().catch(() => {})
          throw new BodyTooLarge(limit)
        }
        yield value
      }
    })(),
    { objectMode: false }
  )

/**
 * Reads `request`'s body for validation and prepares the upstream body. Fails with `InvalidRequest` (malformed JSON,
 * multipart or form) or `PayloadTooLarge`; spec validation itself is the caller's next step.
 */
export const readRequestBody = async (options: ReadRequestBodyOptions): Promise<BodyReading | ProxyError> => {
  const { request, acceptsFormBodies, maxBodyBytes, maxUploadBytes } = options
  const none: BodyReading = { outgoing: { kind: "none" }, contentType: undefined, value: undefined }
  if (request.method === "GET" || request.method === "HEAD") return none
  const stream = request.body()
  if (stream === null) return none
  const contentType = request.header("content-type")
  const mediaType = mediaTypeOf(contentType)
  const upload = maxUploadBytes !== undefined && mediaType === "multipart/form-data"
  const limit = upload ? maxUploadBytes + multipartAllowance : maxBodyBytes
  const declared = request.header("content-length")
  if (declared !== undefined && Number(declared) > limit) {
    await stream.cancel().catch(() => {})
    return tooLarge(limit)
  }

  if (upload) {
    const boundary = boundaryOf(contentType ?? "")
    if (boundary === undefined) return invalid("header /content-type: multipart/form-data needs a boundary parameter")
    const collected = await collect(stream, uploadReadAhead, limit)
    if (collected === "too-large") return tooLarge(limit)
    const head = Buffer.concat(collected.chunks)
    const parts = readMultipartFields(head, boundary, collected.ended)
    if (typeof parts === "string") {
      if (!collected.ended) await collected.reader.cancel().catch(() => {})
      return invalid(parts)
    }
    if (collected.ended) {
      return { outgoing: { kind: "bytes", bytes: head, contentType }, contentType, value: parts.fields }
    }
    let exceeded = false
    return {
      outgoing: {
        kind: "stream",
        contentType: contentType ?? "multipart/form-data",
        contentLength: declared,
        open: () =>
          continuation(collected, limit, () => {
            exceeded = true
          }),
        exceeded: () => exceeded,
        cancel: () => {
          collected.reader.cancel().catch(() => {})
        },
        limit
      },
      contentType,
      value: parts.fields
    }
  }

  const collected = await collect(stream, Number.POSITIVE_INFINITY, limit)
  if (collected === "too-large") return tooLarge(limit)
  const bytes = Buffer.concat(collected.chunks)
  const text = bytes.toString("utf8")
  if (text.trim() === "") return { outgoing: { kind: "none" }, contentType, value: undefined }
  const outgoing: OutgoingBody = { kind: "bytes", bytes, contentType }
  if (mediaType === "application/x-www-form-urlencoded" && acceptsFormBodies) {
    // The specs model JSON only; the vendor takes the same fields form-encoded, so they are validated as JSON.
    return { outgoing, contentType: "application/json", value: parsePhpForm(text) }
  }
  if (mediaType === "multipart/form-data") {
    // Not an upload operation: the validator refuses the media type and names the accepted one.
    return { outgoing, contentType, value: {} }
  }
  if (mediaType === "" || mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      return { outgoing, contentType, value: JSON.parse(text) as unknown }
    } catch (error) {
      return invalid(`request body: not valid JSON (${describe(error)})`)
    }
  }
  // Any other media type: the validator says which ones the operation takes.
  return { outgoing, contentType, value: text }
}
