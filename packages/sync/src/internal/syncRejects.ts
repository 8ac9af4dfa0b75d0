/**
 * The rejects file of a run: one NDJSON line per reason a row was refused (row number, line, key if any, field,
 * column, value, reason, targets), written as rows are read, and a count per kind of reason for the report. A
 * run that writes state also keeps the lines in the state store, per run, for `profilesync dashboard`.
 *
 * @internal
 */
import { mkdir, open, rename } from "node:fs/promises"
import { dirname } from "node:path"
import type * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Source from "../Source.ts"
import { fileFailed, type SyncError } from "./syncError.ts"

/**
 * One line of the rejects file.
 *
 * **Details**
 *
 * `code` groups reasons for machines: `Unreadable` (the record could not be parsed), `InvalidEncoding` (the record
 * holds bytes that are not UTF-8), `ValueTooLarge` (a field over
 * the reader's limit), `InvalidValue` (a field the mapping refused, or a row without key or identifier),
 * `DuplicateKey` (an earlier row had the key), `IdentityCollision` (the vendor would resolve this row and another,
 * with a different key, to one profile), `RowTooLarge` (the row alone exceeds an Ocamba import file).
 * `field` and `column` are `null` when the problem is not one field's.
 *
 * @internal
 */
export interface RejectLine {
  readonly row: number
  readonly line: number
  readonly key?: string
  readonly code:
    | "Unreadable"
    | "InvalidEncoding"
    | "ValueTooLarge"
    | "InvalidValue"
    | "DuplicateKey"
    | "IdentityCollision"
    | "RowTooLarge"
  readonly field: string | null
  readonly column: string | null
  readonly value: string
  readonly reason: string
  readonly targets: ReadonlyArray<Mapping.TargetName>
}

/** @internal */
export interface RejectsWriter {
  /** The file, or `undefined` when nothing is written (see {@link makeUnwritten}). */
  readonly path: string | undefined
  readonly add: (line: RejectLine, summary: string) => void
  /** Writes the lines added so far. */
  readonly flush: Effect.Effect<void, SyncError>
  /** Writes the rest and moves the file into place; later calls do nothing. */
  readonly close: Effect.Effect<void, SyncError>
  /** Lines written or buffered. */
  readonly lines: () => number
  /** How often each kind of reason occurred. */
  readonly reasons: () => Record<string, number>
}

// Buffer about this many characters before writing, so a source full of bad rows costs few writes.
const flushThreshold = 256 * 1024

/**
 * Opens the rejects file for the current scope. The run's lines go to `<path>.partial` and replace `path` when the
 * file is closed (also when the run fails or is interrupted): a crash never leaves a half-written file in its place,
 * and the file always describes one run.
 *
 * @internal
 */
export const make = (
  path: string,
  keep?: (lines: ReadonlyArray<RejectLine>) => Effect.Effect<void, SyncError>
): Effect.Effect<RejectsWriter, SyncError, Scope.Scope> =>
  Effect.gen(function* () {
    const partial = `${path}.partial`
    const failed = fileFailed(path)
    yield* Effect.tryPromise({ try: () => mkdir(dirname(path), { recursive: true }), catch: failed })
    const handle = yield* Effect.tryPromise({ try: () => open(partial, "w"), catch: failed })
    let buffer: Array<string> = []
    let buffered = 0
    // The same lines for `keep` (the state store), handed over with each write of the file.
    let kept: Array<RejectLine> = []
    let count = 0
    let closed = false
    const reasons: Record<string, number> = {}

    const flush = Effect.suspend(() => {
      if (buffer.length === 0) return Effect.void
      const text = buffer.join("")
      const lines = kept
      buffer = []
      buffered = 0
      kept = []
      return Effect.tryPromise({ try: () => handle.write(text), catch: failed }).pipe(
        Effect.zipRight(keep === undefined ? Effect.void : keep(lines)),
        Effect.asVoid
      )
    })
    const close = Effect.suspend(() => {
      if (closed) return Effect.void
      closed = true
      return flush.pipe(
        Effect.ensuring(Effect.promise(() => handle.close().catch(() => undefined))),
        Effect.zipRight(Effect.tryPromise({ try: () => rename(partial, path), catch: failed }))
      )
    })
    // An interrupted or failed run still leaves the rejects of the rows it read.
    yield* Effect.addFinalizer(() => Effect.ignore(close))

    return {
      path,
      add: (line, summary) => {
        const text = `${JSON.stringify(line)}\n`
        buffer.push(text)
        if (keep !== undefined) kept.push(line)
        buffered += text.length
        count++
        reasons[summary] = (reasons[summary] ?? 0) + 1
      },
      flush: Effect.suspend(() => (buffered >= flushThreshold ? flush : Effect.void)),
      close,
      lines: () => count,
      reasons: () => reasons
    } satisfies RejectsWriter
  })

/**
 * A writer that keeps the counts and writes no file: a dry run whose rejects directory does not exist, since a dry
 * run creates nothing.
 *
 * @internal
 */
export const makeUnwritten = (): RejectsWriter => {
  let count = 0
  const reasons: Record<string, number> = {}
  return {
    path: undefined,
    add: (_line, summary) => {
      count++
      reasons[summary] = (reasons[summary] ?? 0) + 1
    },
    flush: Effect.void,
    close: Effect.void,
    lines: () => count,
    reasons: () => reasons
  }
}

/**
 * The short name of a reason kind for the report's `rejectReasons`: the field and the message up to its first `:`
 * (`email is not an email address`), so counts group by kind, not by value.
 *
 * @internal
 */
export const summaryOf = (field: string, message: string): string => {
  const colon = message.indexOf(":")
  return `${field} ${colon === -1 ? message : message.slice(0, colon)}`
}

/** The line and summary for a record the source could not read. @internal */
export const fromSourceRejection = (
  item: Source.SourceRowRejected,
  targets: ReadonlyArray<Mapping.TargetName>,
  fieldOf: (column: string) => string | undefined = () => undefined
): { readonly line: RejectLine; readonly summary: string } => {
  const reason = item.reason
  const base = { row: item.rowNumber, line: item.line, field: null, value: item.raw, targets }
  switch (reason._tag) {
    case "InvalidEncoding":
      return {
        line: {
          ...base,
          code: "InvalidEncoding",
          field: reason.column === undefined ? null : (fieldOf(reason.column) ?? null),
          column: reason.column ?? null,
          reason: Source.describe(reason)
        },
        summary: "invalid UTF-8"
      }
    case "FieldTooLarge":
      return {
        line: {
          ...base,
          code: "ValueTooLarge",
          column: reason.column ?? null,
          // The value itself may be megabytes: the line keeps only the start of the record.
          reason: `the value has ${reason.bytes} bytes, over the limit of ${reason.limit}`
        },
        summary: "value too large"
      }
    case "MalformedRow":
      return {
        line: { ...base, code: "Unreadable", column: reason.column ?? null, reason: reason.detail },
        summary: "unreadable record"
      }
    default:
      return {
        line: { ...base, code: "Unreadable", column: null, reason: Source.describe(reason) },
        summary: "unreadable record"
      }
  }
}
