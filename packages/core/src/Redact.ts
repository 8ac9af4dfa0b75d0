/**
 * One redactor for the process: every component that holds a secret (a vendor token, a token file's content, the
 * password of a Redis or database URL, a proxy key) registers it here, and everything that leaves the process (answers
 * to callers, logs, reports, the state store, metrics, error messages) passes through it. Secrets are found by value,
 * in every form an echo gives them (verbatim, percent-encoded, form-encoded, JSON-escaped), on top of the contracts'
 * patterns (`access_token=…`, `Bearer …`), so a vendor that echoes a token back cannot make us hand it on.
 *
 * The redactor is shared by every copy of this module loaded in the process. With nothing registered it costs one
 * pattern pass over text and nothing over bytes.
 *
 * @example
 * ```ts
 * import { Redact } from "@profilesync/core"
 *
 * Redact.register(process.env.OCAMBA_TOKEN)
 * process.stderr.write(Redact.text(`vendor said: invalid token ${process.env.OCAMBA_TOKEN}`)) // "... invalid token REDACTED"
 * ```
 *
 * @since 0.1.0
 */
import * as internal from "./internal/redact.ts"

/**
 * Keeps bytes of a stream back while a secret may continue in the next chunk, so a secret split across chunks is
 * still replaced.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChunkScanner {
  /** Returns what can be passed on of `chunk` (possibly empty); keeps the tail where a secret may begin. */
  readonly push: (chunk: Uint8Array) => Buffer
  /** Returns the held-back tail at the end of the stream. */
  readonly flush: () => Buffer
}

/**
 * Secrets shorter than this many characters are ignored by {@link register}.
 *
 * @since 0.1.0
 */
export const minimumSecretLength: number = internal.minimumSecretLength

const registryKey = Symbol.for("@profilesync/core/Redact")
const shared = globalThis as Record<symbol, internal.RedactorState | undefined>
const registry: internal.RedactorState = shared[registryKey] ?? internal.make()
shared[registryKey] = registry

/**
 * Registers a secret by value (`undefined` and values shorter than {@link minimumSecretLength} are ignored).
 *
 * @since 0.1.0
 */
export const register = (secret: string | undefined): void => registry.add(secret)

/**
 * Registers the password of a URL (`redis://:password@host`, `postgres://user:password@host/db`), if it has one.
 *
 * @since 0.1.0
 */
export const registerUrlPassword = (url: string | undefined): void => {
  if (url === undefined) return
  try {
    const password = new URL(url).password
    if (password !== "") {
      register(password)
      register(decodeURIComponent(password))
    }
  } catch {
    // Not a URL: nothing to take from it (the caller reports the bad value without echoing it).
  }
}

/**
 * How many secrets are registered.
 *
 * @since 0.1.0
 */
export const size = (): number => registry.size()

/**
 * Replaces every registered secret (in each of its forms), every credential query parameter and every `Bearer`
 * token in `text` with `REDACTED`.
 *
 * @since 0.1.0
 */
export const text = (input: string): string => registry.text(input)

/**
 * Replaces every registered secret in `bytes` (UTF-8). Returns `bytes` itself when none is found.
 *
 * @since 0.1.0
 */
export const bytes = (input: Uint8Array): Uint8Array => registry.bytes(input)

/**
 * A scanner for one stream of bytes: pass each chunk through `push` and the end through `flush`.
 *
 * @since 0.1.0
 */
export const scanner = (): ChunkScanner => registry.scanner()

/**
 * A copy of a JSON-like `value` with every secret replaced in its strings (keys included). Nesting deeper than
 * 64 levels is replaced by a marker rather than walked.
 *
 * @since 0.1.0
 */
export const value = <A>(input: A): A => walk(input, 0) as A

/**
 * The JSON text of `value`, redacted: for documents written where secrets must not go (reports, state rows).
 *
 * @since 0.1.0
 */
export const json = (input: unknown): string => JSON.stringify(value(input)) ?? "null"

const maximumDepth = 64

const walk = (input: unknown, depth: number): unknown => {
  if (typeof input === "string") return text(input)
  if (input === null || typeof input !== "object") return input
  if (depth >= maximumDepth) return "[nested too deep]"
  if (input instanceof Date) return input
  if (Array.isArray(input)) return input.map((item) => walk(item, depth + 1))
  const source =
    typeof (input as { toJSON?: unknown }).toJSON === "function" ? (input as { toJSON: () => unknown }).toJSON() : input
  if (source !== input) return walk(source, depth + 1)
  return Object.fromEntries(Object.entries(input).map(([key, item]) => [text(key), walk(item, depth + 1)]))
}
