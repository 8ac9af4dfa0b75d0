/**
 * @module
 * `--verbose`: debug-level logs for the command.
 */
import type * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

/**
 * Lowers the minimum log level to debug when `verbose` is set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withVerbosity =
  (verbose: boolean) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    verbose ? Logger.withMinimumLogLevel(effect, LogLevel.Debug) : effect
