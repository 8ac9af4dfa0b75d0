/**
 * @module
 * `profilesync schedule`: runs the sync on the config's cron `schedule`, in its `timeZone`, until SIGTERM.
 *
 * **Details**
 *
 * - Runs never overlap: in this process they run one after the other, and across processes and machines the run
 *   lock in the state store refuses a second one (that tick is skipped with a warning).
 * - A run that outlasts the interval skips the ticks it missed rather than catching up in a burst: the next run is
 *   the next cron time after the previous run ended.
 * - A failed run is logged and the schedule goes on; the next tick retries (rows are confirmed per chunk, so nothing
 *   done is redone).
 * - SIGTERM while waiting: exit 0 at once. SIGTERM during a run: the run finishes its current chunk, saves state,
 *   reports "interrupted", and the process exits 0.
 * - The config is read once at start: restart the service to apply changes.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Sync, type SyncConfig } from "@profilesync/sync"
import * as Cron from "effect/Cron"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { configuredTargets, loadConfig, selectTargets } from "../config.ts"
import { toCliFailure } from "../errors.ts"
import { CliFailure, ExitCode } from "../exit-code.ts"
import * as Metrics from "../metrics-output.ts"
import * as CommonOptions from "../options.ts"
import { detectLogFormat } from "../output.ts"
import { requireUsablePaths } from "../path-checks.ts"
import { problemSummary, runAndReport } from "../run-sync.ts"
import { Shutdown } from "../shutdown.ts"
import { ensureStoreDirectory } from "../state-store.ts"
import { layerOptions } from "./run.ts"

const now = Options.boolean("now").pipe(Options.withDescription("Also run once right away, before the first tick."))

/**
 * The config's cron, parsed in its time zone (UTC when absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const cronOf = (config: SyncConfig.SyncConfig, configPath: string): Either.Either<Cron.Cron, CliFailure> => {
  if (config.schedule === undefined) {
    return Either.left(
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `${configPath}: no \`schedule\` is set; add one (e.g. schedule: "*/15 * * * *") or use \`profilesync run\``
      })
    )
  }
  return Either.mapLeft(
    Cron.parse(config.schedule, config.timeZone ?? "UTC"),
    (error) =>
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `${configPath}: schedule: \`${config.schedule}\` cannot be used: ${error.message}`
      })
  )
}

// Effect treats a sleep longer than a JavaScript timer holds (2^31 - 1 ms, about 24.8 days) as endless and sets no
// timer, so nothing kept the process alive: a monthly or yearly schedule exited at once, with 0, without a run. Sleep
// at most a day at a time instead.
const longestSleep = 24 * 60 * 60 * 1000

const sleepFor = (milliseconds: number): Effect.Effect<void> => {
  const until = Date.now() + milliseconds
  const step: Effect.Effect<void> = Effect.suspend(() => {
    const remaining = until - Date.now()
    return remaining <= 0
      ? Effect.void
      : Effect.sleep(Duration.millis(Math.min(remaining, longestSleep))).pipe(Effect.zipRight(step))
  })
  return step
}

/**
 * `profilesync schedule [--config F] [--now] [--target T] [--json] [--redis-url U]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const schedule = Command.make(
  "schedule",
  {
    config: CommonOptions.config,
    now,
    dryRun: CommonOptions.dryRun,
    targets: CommonOptions.targets,
    json: CommonOptions.json,
    redisUrl: CommonOptions.redisUrl,
    metricsTextfile: Metrics.textfileOption,
    metricsPort: Metrics.portOption,
    metricsHost: Metrics.hostOption
  },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      const cron = yield* cronOf(config, options.config)
      const targets = yield* selectTargets(config, options.config, options.targets)
      yield* requireUsablePaths(config, options.config, options.dryRun)
      if (!options.dryRun) yield* ensureStoreDirectory(config)
      const shutdown = yield* Shutdown
      const format = detectLogFormat()
      const zone = config.timeZone ?? "UTC"
      const metrics = yield* Metrics.make(config.name, targets ?? configuredTargets(config), {
        // A dry run writes no file but its rejects preview, and counts nothing.
        textfile: options.dryRun ? Option.none() : options.metricsTextfile,
        port: options.metricsPort,
        host: options.metricsHost
      })

      const waitForTick = Effect.gen(function* () {
        const next = Cron.next(cron, new Date())
        yield* Effect.logInfo("next run scheduled").pipe(
          Effect.annotateLogs({ sync: config.name, at: next.toISOString(), schedule: config.schedule, timeZone: zone })
        )
        const wait = Math.max(0, next.getTime() - Date.now())
        // `true` when a stop was requested before the tick.
        return yield* Effect.raceFirst(Effect.as(sleepFor(wait), false), Effect.as(shutdown.requested, true))
      })

      const oneRun = runAndReport(
        { config, targets, dryRun: options.dryRun, replayDeadLetters: false, format },
        options.json
      ).pipe(
        metrics.observe,
        Effect.flatMap((report) => {
          const problem = problemSummary(report)
          if (problem === undefined) return Effect.void
          const log = report.status === "failed" ? Effect.logError : Effect.logWarning
          return log(problem).pipe(Effect.annotateLogs({ sync: config.name, status: report.status }))
        }),
        Effect.catchAll((error) => {
          const failure = toCliFailure(error)
          return failure.exitCode === ExitCode.locked
            ? Effect.logWarning("tick skipped: another run holds the lock").pipe(
                Effect.annotateLogs({ sync: config.name, detail: failure.message })
              )
            : Effect.logError("run failed").pipe(Effect.annotateLogs({ sync: config.name, detail: failure.message }))
        })
      )

      const loop = Effect.gen(function* () {
        yield* Effect.logInfo("schedule started").pipe(
          Effect.annotateLogs({ sync: config.name, schedule: config.schedule, timeZone: zone })
        )
        if (options.now) yield* oneRun
        while (!(yield* shutdown.isRequested)) {
          const stopped = yield* waitForTick
          if (stopped) break
          yield* oneRun
        }
        yield* Effect.logInfo("schedule stopped").pipe(Effect.annotateLogs({ sync: config.name }))
      })

      yield* shutdown.graceful(
        loop.pipe(Effect.provide(Sync.layer(config, layerOptions(options.redisUrl, options.dryRun))))
      )
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run the sync on the config's cron `schedule` (in its `timeZone`) until SIGTERM; runs never overlap. " +
      "Exit codes: 0 stopped by a signal, 1 could not start, 2 config error."
  )
)
