/**
 * @module
 * One run of a sync, as `run`, `schedule` and `dead-letters replay --run` do it: progress on stderr, SIGTERM turned
 * into the engine's stop signal (finish the current chunk, save state, report "interrupted"), and the report printed
 * on stdout as text or JSON.
 */
import { Sync, type SyncConfig } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import type { TargetName } from "./config.ts"
import { CliFailure, ExitCode, exitCodeOfStatus } from "./exit-code.ts"
import { type LogFormat, printResult } from "./output.ts"
import { makeProgressDisplay } from "./progress.ts"
import { Shutdown } from "./shutdown.ts"

/**
 * What to run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunSettings {
  readonly config: SyncConfig.SyncConfig
  readonly targets: ReadonlyArray<TargetName> | undefined
  readonly dryRun: boolean
  readonly replayDeadLetters: boolean
  readonly allowMassDelete?: boolean | undefined
  readonly acceptSchemaChanges?: boolean | undefined
  readonly format: LogFormat
}

/**
 * Runs the sync once and returns its report. Needs the engine's services (`Sync.layer`) and {@link Shutdown}.
 *
 * @since 0.1.0
 * @category runs
 */
export const runOnce = (settings: RunSettings) =>
  Effect.gen(function* () {
    const shutdown = yield* Shutdown
    const display = yield* makeProgressDisplay(settings.config.name, settings.format)
    yield* Effect.logInfo("run starting").pipe(
      Effect.annotateLogs({
        sync: settings.config.name,
        dryRun: settings.dryRun,
        ...(settings.targets === undefined ? {} : { targets: settings.targets.join(",") })
      })
    )
    const start = Sync.run({
      config: settings.config,
      dryRun: settings.dryRun,
      ...(settings.targets === undefined ? {} : { targets: settings.targets }),
      onProgress: display.onProgress,
      stopSignal: shutdown.requested,
      replayDeadLetters: settings.replayDeadLetters,
      allowMassDelete: settings.allowMassDelete === true,
      acceptSchemaChanges: settings.acceptSchemaChanges === true
    })
    // A daemon killed on this machine left its lock behind: a SQLite store takes it over by itself.
    const report = yield* start.pipe(Effect.ensuring(Effect.sync(display.stop)))
    yield* Effect.logInfo("run finished").pipe(
      Effect.annotateLogs({
        sync: report.sync,
        runId: report.runId,
        status: report.status,
        dryRun: report.dryRun,
        read: report.read,
        rejected: report.rejected,
        durationMilliseconds: report.durationMilliseconds
      })
    )
    return report
  })

/**
 * {@link runOnce}, then prints the report on stdout; a run that failed after it started still has a report (on its
 * `SyncError`), which is printed before the error goes on.
 *
 * @since 0.1.0
 * @category runs
 */
export const runAndReport = (settings: RunSettings, json: boolean) =>
  runOnce(settings).pipe(
    Effect.tapError((error) => (error.report === undefined ? Effect.void : printReport(error.report, json))),
    Effect.tap((report) => printReport(report, json))
  )

/**
 * Prints a report: `Sync.formatReport` text, or one line of JSON.
 *
 * @since 0.1.0
 * @category output
 */
export const printReport = (report: Sync.RunReport, json: boolean): Effect.Effect<void> =>
  Effect.sync(() => printResult(json ? JSON.stringify(report) : Sync.formatReport(report)))

const sum = (report: Sync.RunReport, field: "failed" | "deadLettered"): number =>
  Object.values(report.targets).reduce((total, target) => total + (target?.[field] ?? 0), 0)

// What went wrong, per target, in the engine's words (the first two of each).
const targetErrors = (report: Sync.RunReport): string =>
  Object.entries(report.targets)
    .flatMap(([name, target]) => (target?.errors ?? []).slice(0, 2).map((error) => `${name}: ${error}`))
    .join("; ")

/**
 * The one-line summary of a run that did not succeed, or `undefined` when it did (or was interrupted).
 *
 * @since 0.1.0
 * @category formatting
 */
export const problemSummary = (report: Sync.RunReport): string | undefined => {
  if (exitCodeOfStatus(report.status) === ExitCode.success) return undefined
  const errors = targetErrors(report)
  const detail = errors === "" ? "" : ` (${errors})`
  return report.status === "partial"
    ? `run ${report.runId} finished partially: ${sum(report, "failed")} row(s) failed, ` +
        `${sum(report, "deadLettered")} dead-lettered${detail}; see \`profilesync dead-letters list\``
    : `run ${report.runId} failed${detail}`
}

/**
 * Fails with the report's exit code when it is not 0 (partial: 3, failed: 1), with a one-line summary for stderr.
 *
 * @since 0.1.0
 * @category conversions
 */
export const failOnStatus = (report: Sync.RunReport): Effect.Effect<void, CliFailure> => {
  const message = problemSummary(report)
  return message === undefined
    ? Effect.void
    : Effect.fail(new CliFailure({ exitCode: exitCodeOfStatus(report.status), message }))
}
