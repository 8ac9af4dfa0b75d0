/**
 * @module
 * `profilesync dead-letters list|replay`: the rows a target refused `deadLetters.maxAttempts` runs in a row.
 *
 * - `list` shows them (oldest failure first) with the vendor's reason; `--json` includes the payload that was sent.
 * - `replay` hands them back: their attempts are reset and they leave the list, so the next run sends them again.
 *   With `--run` that run starts right away (under the run lock, like `profilesync run`).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Sync, type SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { loadConfig, selectTargets, type TargetName } from "../config.ts"
import { CliFailure, ExitCode } from "../exit-code.ts"
import * as CommonOptions from "../options.ts"
import { detectLogFormat, printResult } from "../output.ts"
import { requireUsablePaths } from "../path-checks.ts"
import { failOnStatus, runAndReport } from "../run-sync.ts"
import { Shutdown } from "../shutdown.ts"
import { ensureStoreDirectory, layerFromConfig, storeExists } from "../state-store.ts"
import { count, formatTime, renderTable, truncate } from "../table.ts"
import { layerOptions } from "./run.ts"

const target = Options.choice("target", ["ocamba", "copernica"]).pipe(
  Options.withAlias("t"),
  Options.withDescription("Only this target's dead letters."),
  Options.optional
)

const includeReplayed = Options.boolean("all").pipe(Options.withDescription("Also show dead letters already replayed."))

const limit = Options.integer("limit").pipe(
  Options.withAlias("n"),
  Options.withDescription("Show at most this many (default 100)."),
  Options.withDefault(100)
)

const keys = Args.text({ name: "key" }).pipe(
  Args.withDescription("Only these row keys (as `list` shows them). Default: all of them."),
  Args.repeated
)

const runNow = Options.boolean("run").pipe(
  Options.withDescription("Start a run right away to send them (otherwise the next run or tick does).")
)

const toJson = (letter: SyncState.DeadLetter) => ({
  target: letter.target,
  key: letter.key,
  hash: letter.hash,
  reason: letter.reason,
  attempts: letter.attempts,
  firstFailedAt: letter.firstFailedAt.toISOString(),
  lastFailedAt: letter.lastFailedAt.toISOString(),
  replayedAt: Option.getOrNull(Option.map(letter.replayedAt, (date) => date.toISOString())),
  payload: letter.payload
})

/**
 * The text table of dead letters.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDeadLetters = (letters: ReadonlyArray<SyncState.DeadLetter>): string =>
  renderTable(
    ["TARGET", "KEY", "ATTEMPTS", "FIRST FAILED", "LAST FAILED", "REASON"],
    letters.map((letter) => [
      letter.target,
      letter.key,
      letter.attempts,
      formatTime(letter.firstFailedAt),
      formatTime(letter.lastFailedAt),
      truncate(letter.reason, 100)
    ])
  )

const targetFilter = (selected: Option.Option<TargetName>) =>
  Option.match(selected, { onNone: () => ({}), onSome: (name) => ({ target: name }) })

const listDeadLetters = (
  config: SyncConfig.SyncConfig,
  filter: Parameters<SyncState.SyncStateService["deadLetters"]>[1]
) =>
  storeExists(config)
    ? Effect.flatMap(SyncState.SyncState, (state) => state.deadLetters(config.name, filter)).pipe(
        Effect.provide(layerFromConfig(config))
      )
    : Effect.succeed<ReadonlyArray<SyncState.DeadLetter>>([])

/**
 * `profilesync dead-letters list [--config F] [--target T] [--all] [--limit N] [--json]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const list = Command.make(
  "list",
  {
    config: CommonOptions.config,
    target,
    all: includeReplayed,
    limit,
    json: CommonOptions.json
  },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      yield* selectTargets(config, options.config, Option.toArray(options.target))
      const letters = yield* listDeadLetters(config, {
        ...targetFilter(options.target),
        includeReplayed: options.all,
        limit: Math.max(1, options.limit)
      })
      if (options.json) {
        printResult(JSON.stringify({ sync: config.name, deadLetters: letters.map(toJson) }))
      } else if (letters.length === 0) {
        printResult(`No dead letters for sync ${config.name}.`)
      } else {
        const more = letters.length >= options.limit ? ` (the first ${count(options.limit)}; --limit shows more)` : ""
        printResult(
          `${count(letters.length)} dead letter(s) for sync ${config.name}${more}:\n\n${formatDeadLetters(letters)}`
        )
      }
    })
).pipe(Command.withDescription("List the rows a target refused too many times, with the vendor's reason."))

/**
 * `profilesync dead-letters replay [--config F] [--target T] [--run] [--json] [KEY...]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const replay = Command.make(
  "replay",
  {
    config: CommonOptions.config,
    target,
    keys,
    run: runNow,
    json: CommonOptions.json,
    redisUrl: CommonOptions.redisUrl
  },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      const selected = yield* selectTargets(config, options.config, Option.toArray(options.target))
      const replayOptions = {
        ...targetFilter(options.target),
        ...(options.keys.length === 0 ? {} : { keys: options.keys })
      }
      const handBack = Effect.flatMap(SyncState.SyncState, (state) =>
        state.replayDeadLetters(config.name, replayOptions)
      )
      const describe = (letters: ReadonlyArray<SyncState.DeadLetter>) => {
        if (letters.length === 0) return `No dead letters to replay for sync ${config.name}.`
        return `Handed back ${count(letters.length)} dead letter(s); the next run sends them again:\n\n${formatDeadLetters(letters)}`
      }

      if (!options.run) {
        const letters = storeExists(config)
          ? yield* handBack.pipe(Effect.provide(layerFromConfig(config)))
          : ([] as ReadonlyArray<SyncState.DeadLetter>)
        printResult(
          options.json ? JSON.stringify({ sync: config.name, replayed: letters.map(toJson) }) : describe(letters)
        )
        return
      }

      yield* requireUsablePaths(config, options.config, false)
      yield* ensureStoreDirectory(config)
      const shutdown = yield* Shutdown
      const report = yield* shutdown.graceful(
        Effect.gen(function* () {
          // Without a filter the engine hands the dead letters back itself, under the run lock; a filter is applied
          // here first, and the run then sends what was handed back like any changed row.
          const filtered = options.keys.length > 0 || Option.isSome(options.target)
          if (filtered) {
            const letters = yield* handBack
            yield* Effect.logInfo("dead letters handed back").pipe(
              Effect.annotateLogs({ sync: config.name, count: letters.length })
            )
          }
          return yield* runAndReport(
            { config, targets: selected, dryRun: false, replayDeadLetters: !filtered, format: detectLogFormat() },
            options.json
          )
        }).pipe(Effect.provide(Sync.layer(config, layerOptions(options.redisUrl))))
      )
      yield* failOnStatus(report)
    })
).pipe(
  Command.withDescription(
    "Hand dead letters back so they are sent again (by the next run, or now with --run); optionally only some keys."
  )
)

/**
 * `profilesync dead-letters list|replay`.
 *
 * @since 0.1.0
 * @category commands
 */
export const deadLetters = Command.make("dead-letters", {}, () =>
  Effect.fail(
    new CliFailure({
      exitCode: ExitCode.configError,
      message: "dead-letters needs a subcommand: list or replay (see dead-letters --help)"
    })
  )
).pipe(
  Command.withDescription("Inspect and replay rows a target refused too many times."),
  Command.withSubcommands([list, replay])
)
