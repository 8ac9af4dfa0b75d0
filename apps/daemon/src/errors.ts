/**
 * @module
 * Turns whatever a command failed with into a {@link CliFailure}: its exit code and one clear line, with secrets and
 * URL credentials redacted. Branches on `_tag` and `reason._tag`, never on message text.
 */
import { Redact } from "@profilesync/core"
import * as Cause from "effect/Cause"
import * as Predicate from "effect/Predicate"
import { CliFailure, ExitCode } from "./exit-code.ts"

const tagOf = (value: unknown): string | undefined =>
  Predicate.hasProperty(value, "_tag") && typeof value._tag === "string" ? value._tag : undefined

const reasonTagOf = (value: unknown): string | undefined =>
  Predicate.hasProperty(value, "reason") ? tagOf(value.reason) : undefined

const messageOf = (value: unknown): string =>
  value instanceof Error || (Predicate.hasProperty(value, "message") && typeof value.message === "string")
    ? String((value as { message: string }).message)
    : String(value)

// Reasons of the engine's and the store's errors that a user fixes in the config or the environment: an option the
// engine cannot honour, a source without the columns the config reads (or whose mapped column changed type), a token variable or file that is missing.
const configReasons = new Set([
  "InvalidConfig",
  "InvalidYaml",
  "ReadFailed",
  "CredentialUnavailable",
  "InvalidOptions",
  "MissingColumns",
  "ColumnTypeChanged"
])
// Reasons that mean "someone else is running this sync".
const lockedReasons = new Set(["Locked"])

/**
 * The exit code and message of a failure.
 *
 * **Details**
 *
 * - `SyncConfigError` (any reason) → 2.
 * - A `reason._tag` of `Locked` (from the engine or the store) → 4.
 * - An engine error whose reason is `InvalidOptions`, `MissingColumns`, `ColumnTypeChanged` or
 *   `CredentialUnavailable` → 2.
 * - Everything else → 1.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toCliFailure = (error: unknown): CliFailure => {
  if (error instanceof CliFailure) return error
  const tag = tagOf(error)
  const reason = reasonTagOf(error)
  const message = Redact.text(messageOf(error))
  if (tag === "SyncConfigError") return new CliFailure({ exitCode: ExitCode.configError, message, cause: error })
  if (reason !== undefined && lockedReasons.has(reason)) {
    return new CliFailure({ exitCode: ExitCode.locked, message, cause: error })
  }
  if (reason !== undefined && configReasons.has(reason)) {
    return new CliFailure({ exitCode: ExitCode.configError, message, cause: error })
  }
  return new CliFailure({ exitCode: ExitCode.failure, message, cause: error })
}

/**
 * The failure of an unexpected defect (a bug): exit code 1 and the defect's message; `--log-level debug` prints the cause.
 *
 * @since 0.1.0
 * @category conversions
 */
export const defectFailure = (cause: Cause.Cause<unknown>): CliFailure => {
  const defect = Cause.squash(cause)
  return new CliFailure({
    exitCode: ExitCode.failure,
    message: `unexpected error: ${Redact.text(messageOf(defect))}`,
    cause
  })
}

/**
 * The text `--log-level debug` prints under the one-line message: the pretty cause with stack traces, redacted.
 *
 * @since 0.1.0
 * @category conversions
 */
export const verboseDetail = (failure: CliFailure): string | undefined => {
  const cause = failure.cause
  if (cause === undefined) return undefined
  if (Cause.isCause(cause)) return Redact.text(Cause.pretty(cause))
  if (cause instanceof Error && cause.stack !== undefined) return Redact.text(cause.stack)
  return undefined
}
