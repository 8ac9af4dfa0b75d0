/**
 * The redactor behind `Redact.ts`: secrets registered by value, each searched in the forms it takes when it is echoed
 * (verbatim, percent-encoded, form-encoded, JSON-escaped as JavaScript and PHP write it), in text, in bytes and in a
 * stream of chunks where a secret may be split between two chunks.
 *
 * Bytes are searched with `Buffer.indexOf` (a native substring search), and an answer without any secret is passed
 * on as the same buffer, so the common case costs one search per form and no copy.
 *
 * @internal
 */
import { redacted, redactUrl } from "@profilesync/contracts"
import type * as Redact from "../Redact.ts"

/** Secrets shorter than this are not registered: replacing them would mangle ordinary text and hide little. */
export const minimumSecretLength = 6

const replacement = Buffer.from(redacted)

/** The forms a secret takes when a vendor or a library echoes it. */
export const formsOf = (secret: string): ReadonlyArray<string> => {
  const percent = encodeURIComponent(secret)
  const json = JSON.stringify(secret).slice(1, -1)
  const forms = [
    secret,
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    percent.replaceAll("%20", "+"),
    json,
    // PHP's json_encode escapes slashes and writes every non-ASCII character as \uXXXX.
    json.replaceAll("/", "\\/"),
    json
      .replaceAll("/", "\\/")
      .replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
  ]
  return [...new Set(forms)]
}

/** See `Redact.ChunkScanner`. */
export type ChunkScanner = Redact.ChunkScanner

/** A set of registered secrets. */
export interface RedactorState {
  readonly add: (secret: string | undefined) => void
  readonly size: () => number
  readonly text: (text: string) => string
  readonly bytes: (bytes: Uint8Array) => Uint8Array
  readonly scanner: () => ChunkScanner
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Makes an empty set of secrets. */
export const make = (): RedactorState => {
  const secrets = new Set<string>()
  // Longest first, so that a form containing another is replaced whole.
  let textForms: Array<string> = []
  let byteForms: Array<Buffer> = []
  let longest = 0

  const add = (secret: string | undefined) => {
    if (secret === undefined) return
    const value = secret.trim()
    if (value.length < minimumSecretLength || secrets.has(value)) return
    secrets.add(value)
    const all = new Set(textForms)
    for (const form of formsOf(value)) all.add(form)
    textForms = [...all].sort((left, right) => right.length - left.length)
    byteForms = textForms.map((form) => Buffer.from(form))
    longest = byteForms.reduce((max, form) => Math.max(max, form.byteLength), 0)
  }

  const text = (input: string): string => {
    let result = redactUrl(input)
    for (const form of textForms) if (result.includes(form)) result = result.split(form).join(redacted)
    return result
  }

  // The earliest occurrence of any form at or after `from`, preferring the longest form at one position.
  const nextMatch = (buffer: Buffer, from: number): { index: number; length: number } | undefined => {
    let best: { index: number; length: number } | undefined
    for (const form of byteForms) {
      const index = buffer.indexOf(form, from)
      if (index !== -1 && (best === undefined || index < best.index)) best = { index, length: form.byteLength }
    }
    return best
  }

  // Replaces every form in `buffer` up to `end` (matches must start before `end`); returns the pieces and where the
  // unreplaced rest begins.
  const replaceUntil = (buffer: Buffer, end: number): { pieces: Array<Buffer>; rest: number } => {
    const pieces: Array<Buffer> = []
    let position = 0
    for (let match = nextMatch(buffer, 0); match !== undefined && match.index < end; ) {
      pieces.push(buffer.subarray(position, match.index), replacement)
      position = match.index + match.length
      match = nextMatch(buffer, position)
    }
    return { pieces, rest: position }
  }

  const bytes = (input: Uint8Array): Uint8Array => {
    if (byteForms.length === 0) return input
    const buffer = asBuffer(input)
    const { pieces, rest } = replaceUntil(buffer, buffer.byteLength)
    if (pieces.length === 0) return input
    pieces.push(buffer.subarray(rest))
    return Buffer.concat(pieces)
  }

  const scanner = (): ChunkScanner => {
    let held: Buffer = Buffer.alloc(0)
    return {
      push: (chunk) => {
        if (byteForms.length === 0) return asBuffer(chunk)
        const buffer = held.byteLength === 0 ? asBuffer(chunk) : Buffer.concat([held, asBuffer(chunk)])
        // A match that starts before `safe` lies wholly inside `buffer`; one starting later may continue in the next
        // chunk, so those bytes are held back.
        const safe = Math.max(0, buffer.byteLength - (longest - 1))
        const { pieces, rest } = replaceUntil(buffer, safe)
        const keepFrom = Math.max(rest, safe)
        pieces.push(buffer.subarray(rest, keepFrom))
        held = Buffer.from(buffer.subarray(keepFrom))
        return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)
      },
      flush: () => {
        const rest = held
        held = Buffer.alloc(0)
        return asBuffer(bytes(rest))
      }
    }
  }

  return { add, size: () => secrets.size, text, bytes, scanner }
}
