/**
 * @module
 * The exit codes of `profilesync`, the one error type a command fails with, and how every other failure (config,
 * state store, engine, usage) maps onto a code and one printable line.
 *
 * A scheduler (systemd, cron, Kubernetes) reads the code, so each code means one thing a human or a retry policy
 * can act on:
 *
 * | Code | Meaning                                                                                     | What to do          |
 * | ---- | ------------------------------------------------------------------------------------------- | ------------------- |
 * | 0    | success; also a run stopped by SIGTERM/SIGINT after its current chunk (state saved)         | nothing             |
 * | 1    | total failure: the run failed, the state store or a vendor was unreachable, a bug           | retry later, alert  |
 * | 2    | config or usage error: bad YAML, unknown flag, missing credential, unknown target           | fix the config      |
 * | 3    | partial failure: the run finished, but some rows failed or were dead-lettered               | look at the report  |
 * | 4    | another run of the same sync holds the lock                                                 | retry later         |
 * | 130  | stopped at once by a second SIGTERM/SIGINT (the journal makes the next run resume)          | run again           |
 */
import * as Data from "effect/Data"

/**
 * The exit codes, by name.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  success: 0,
  failure: 1,
  configError: 2,
  partialFailure: 3,
  locked: 4,
  forcedStop: 130
} as const

/**
 * One of {@link ExitCode}.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The failure of a command: the code to exit with and the line to print (empty when the command already printed
 * what the user needs, e.g. a report with failed rows).
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: ExitCode
  readonly message: string
  /** What caused it, printed with `--log-level debug`. */
  readonly cause?: unknown
}> {}

/**
 * The exit code of a finished run's status.
 *
 * @since 0.1.0
 * @category conversions
 */
export const exitCodeOfStatus = (status: "succeeded" | "partial" | "failed" | "interrupted"): ExitCode => {
  switch (status) {
    case "succeeded":
    case "interrupted":
      return ExitCode.success
    case "partial":
      return ExitCode.partialFailure
    case "failed":
      return ExitCode.failure
  }
}
