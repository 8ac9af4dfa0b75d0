/**
 * @module
 * The vendor's answer, with every secret the proxy holds taken out before it reaches the caller. A vendor may echo
 * the request's credentials (in an error body, a header, a redirect); in inject mode that would hand the proxy's
 * token to any caller. Headers and bodies go through core's redactor: bytes read whole are searched once and passed on
 * untouched when clean; streamed bodies are searched chunk by chunk, a secret split between two chunks included.
 *
 * A compressed answer cannot be searched, so in inject mode the vendor is asked for an uncompressed one, and one that
 * comes compressed anyway (gzip, deflate, br) is decompressed on the way; any other encoding is refused.
 */
import { Readable, Transform } from "node:stream"
import * as Zlib from "node:zlib"
import * as Redact from "@profilesync/core/Redact"
import type { UpstreamAnswer } from "../upstream.ts"

/** The answer, redacted, or the encoding that made it impossible to inspect. */
export type RedactedAnswer = UpstreamAnswer | { readonly undecodable: string }

const decoders: Readonly<Record<string, () => Transform>> = {
  gzip: () => Zlib.createGunzip(),
  "x-gzip": () => Zlib.createGunzip(),
  deflate: () => Zlib.createInflate(),
  br: () => Zlib.createBrotliDecompress()
}

/** A transform that redacts a stream of bytes. */
export const redactingStream = (): Transform => {
  const scanner = Redact.scanner()
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = scanner.push(chunk)
      done(null, out.byteLength === 0 ? undefined : out)
    },
    flush(done) {
      const out = scanner.flush()
      done(null, out.byteLength === 0 ? undefined : out)
    }
  })
}

const redactHeaders = (headers: Headers): void => {
  for (const [name, value] of headers) {
    const cleaned = Redact.text(value)
    if (cleaned !== value) headers.set(name, cleaned)
  }
}

/** Redacts the answer's headers and body. With no secret registered the answer is returned as it is. */
export const redactAnswer = (answer: UpstreamAnswer): RedactedAnswer => {
  if (Redact.size() === 0) return answer
  const headers = answer.headers
  redactHeaders(headers)
  if (answer.body === null) return answer
  const encoding = (headers.get("content-encoding") ?? "identity").trim().toLowerCase()
  if (encoding !== "identity") {
    const decoder = decoders[encoding]
    if (decoder === undefined) {
      if (!Buffer.isBuffer(answer.body)) answer.body.destroy()
      return { undecodable: encoding }
    }
    headers.delete("content-encoding")
    headers.delete("content-length")
    const source = Buffer.isBuffer(answer.body) ? Readable.from([answer.body]) : answer.body
    const decoded = source.pipe(decoder())
    source.on("error", (error) => decoded.destroy(error))
    return { ...answer, body: pipeRedacting(decoded) }
  }
  if (Buffer.isBuffer(answer.body)) {
    const redacted = Redact.bytes(answer.body)
    if (redacted === answer.body) return answer
    headers.set("content-length", String(redacted.byteLength))
    return { ...answer, body: Buffer.from(redacted.buffer, redacted.byteOffset, redacted.byteLength) }
  }
  headers.delete("content-length")
  return { ...answer, body: pipeRedacting(answer.body) }
}

const pipeRedacting = (source: Readable): Readable => {
  const redacting = redactingStream()
  source.on("error", (error) => redacting.destroy(error))
  redacting.on("close", () => {
    if (!source.destroyed) source.destroy()
  })
  return source.pipe(redacting)
}
