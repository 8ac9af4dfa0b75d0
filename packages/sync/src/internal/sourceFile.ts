/**
 * What every file source shares: reading a file in 64 KiB chunks (opened lazily, so a missing file fails the stream
 * and not the constructor), the size limits and their defaults, line counting as an editor counts lines, and the
 * stream over an async generator of batches that turns a thrown `Fatal` into a `SourceError`.
 *
 * @internal
 */
import { open } from "node:fs/promises"
import * as Stream from "effect/Stream"
import type * as Source from "../Source.ts"
import { Fatal, SourceError, SourceErrorReason } from "./sourceError.ts"

export const mebibyte = 1024 * 1024
export const chunkBytes = 64 * 1024
export const excerptLength = 1024
export const defaultMaxFieldBytes = mebibyte
export const defaultMaxRecordBytes = 16 * mebibyte

export const excerpt = (text: string): string =>
  text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text

// Line breaks as an editor counts them: CRLF, LF and a lone CR each end one line.
export const countLineBreaks = (text: string, from = 0, to = text.length): number => {
  let count = 0
  if (text.indexOf("\r", from) === -1 || text.indexOf("\r", from) >= to) {
    let index = text.indexOf("\n", from)
    while (index !== -1 && index < to) {
      count++
      index = text.indexOf("\n", index + 1)
    }
    return count
  }
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index)
    if (code === 10) count++
    else if (code === 13) {
      count++
      if (text.charCodeAt(index + 1) === 10) index++
    }
  }
  return count
}

export const trimEndLineBreaks = (text: string): string => {
  let end = text.length
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--
  return end === text.length ? text : text.slice(0, end)
}

export const leadingLineBreakLength = (text: string): number => {
  let index = 0
  while (index < text.length) {
    const code = text.charCodeAt(index)
    if (code !== 10 && code !== 13) break
    index++
  }
  return index
}

export const firstLine = (text: string): string => {
  const end = text.search(/[\r\n]/)
  return end === -1 ? text : text.slice(0, end)
}

export const byteLength = (value: string): number => Buffer.byteLength(value, "utf8")

// Cheap for the common case: a UTF-8 character has at least one byte per UTF-16 unit and at most three.
export const exceedsBytes = (value: string, limit: number): boolean =>
  value.length > limit || (value.length * 3 > limit && byteLength(value) > limit)

export const isNodeError = (cause: unknown): cause is NodeJS.ErrnoException =>
  cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === "string"

export const readFailure = (source: string, path: string, cause: unknown): Fatal =>
  isNodeError(cause) && cause.code === "ENOENT"
    ? new Fatal(SourceErrorReason.NotFound({ source, path }))
    : new Fatal(
        SourceErrorReason.ReadFailed({
          source,
          path,
          detail: cause instanceof Error ? cause.message : String(cause),
          cause
        })
      )

export const toSourceError =
  (source: string, path: string) =>
  (cause: unknown): SourceError =>
    cause instanceof Fatal
      ? new SourceError({ reason: cause.reason })
      : new SourceError({ reason: readFailure(source, path, cause).reason })

// The file's chunks, opened lazily so that a missing file fails the stream, not the constructor.
export async function* fileChunks(source: string, path: string): AsyncGenerator<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, "r")
  } catch (cause) {
    throw readFailure(source, path, cause)
  }
  try {
    const stream = handle.createReadStream({ highWaterMark: chunkBytes, autoClose: false })
    try {
      for await (const chunk of stream) yield chunk as Buffer
    } catch (cause) {
      throw readFailure(source, path, cause)
    }
  } finally {
    await handle.close()
  }
}

// A stream over an async generator of batches, run afresh each time the stream runs.
export const fromBatches = (
  source: string,
  path: string,
  batches: () => AsyncGenerator<ReadonlyArray<Source.SourceItem>>
): Stream.Stream<Source.SourceItem, SourceError> =>
  Stream.fromAsyncIterable({ [Symbol.asyncIterator]: batches }, toSourceError(source, path)).pipe(
    Stream.mapConcat((batch) => batch)
  )

export const setValue = (values: Record<string, Source.SourceValue>, name: string, value: Source.SourceValue): void => {
  // `values.__proto__ = x` would set the prototype instead of a column.
  if (name === "__proto__") Object.defineProperty(values, name, { value, enumerable: true, writable: true })
  else values[name] = value
}

export const invalidOptions = (source: string, detail: string): Stream.Stream<never, SourceError> =>
  Stream.fail(new SourceError({ reason: SourceErrorReason.InvalidOptions({ source, detail }) }))

export const checkLimit = (name: string, value: number | undefined): string | undefined =>
  value === undefined || (Number.isInteger(value) && value > 0) ? undefined : `${name} must be a positive integer`

// Both limits with their defaults: a record limit below the default field limit lowers the field limit with it.
export const resolveLimits = (options: {
  readonly maxFieldBytes?: number | undefined
  readonly maxRecordBytes?: number | undefined
}): { readonly maxFieldBytes: number; readonly maxRecordBytes: number } | string => {
  const problem =
    checkLimit("maxFieldBytes", options.maxFieldBytes) ?? checkLimit("maxRecordBytes", options.maxRecordBytes)
  if (problem !== undefined) return problem
  const maxRecordBytes = options.maxRecordBytes ?? Math.max(defaultMaxRecordBytes, options.maxFieldBytes ?? 0)
  const maxFieldBytes = options.maxFieldBytes ?? Math.min(defaultMaxFieldBytes, maxRecordBytes)
  return maxRecordBytes < maxFieldBytes
    ? "maxRecordBytes must be at least maxFieldBytes"
    : { maxFieldBytes, maxRecordBytes }
}
