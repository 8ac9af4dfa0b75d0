/**
 * @module
 * `profilesync run`: one run of the sync, then exit with a code a scheduler can act on.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Sync } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as AlertDelivery from "../alert-delivery.ts"
import { alertsOfExit } from "../alerts.ts"
import { configuredTargets, loadConfig, selectTargets } from "../config.ts"
import * as Metrics from "../metrics-output.ts"
import * as CommonOptions from "../options.ts"
import { detectLogFormat } from "../output.ts"
import { requireUsablePaths } from "../path-checks.ts"
import { failOnStatus, runAndReport } from "../run-sync.ts"
import { Shutdown } from "../shutdown.ts"
import { ensureStoreDirectory } from "../state-store.ts"

const once = Options.boolean("once").pipe(
  Options.withDescription("Run once and exit (what `run` always does; `schedule` is the loop). Kept for clarity.")
)

/**
 * The engine's layer options from the command line.
 *
 * @since 0.1.0
 * @category constructors
 */
export const layerOptions = (redisUrl: Option.Option<string>, dryRun = false): Sync.LayerOptions => ({
  ...Option.match(redisUrl, { onNone: () => ({}), onSome: (url) => ({ redisUrl: url }) }),
  ...(dryRun ? { readOnly: true } : {})
})

/**
 * `profilesync run [--config F] [--once] [--dry-run] [--allow-mass-delete] [--accept-schema-changes] [--target ocamba|copernica] [--json]
 * [--redis-url U]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = Command.make(
  "run",
  {
    config: CommonOptions.config,
    once,
    dryRun: CommonOptions.dryRun,
    allowMassDelete: CommonOptions.allowMassDelete,
    acceptSchemaChanges: CommonOptions.acceptSchemaChanges,
    targets: CommonOptions.targets,
    json: CommonOptions.json,
    redisUrl: CommonOptions.redisUrl,
    metricsTextfile: Metrics.textfileOption
  },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      const targets = yield* selectTargets(config, options.config, options.targets)
      yield* requireUsablePaths(config, options.config, options.dryRun)
      // A dry run writes nothing: no store directory, and the store (if there is one) is only read.
      if (!options.dryRun) yield* ensureStoreDirectory(config)
      // A dry run changes nothing and alerts on nothing, so it does not need the webhook's secrets either.
      const alerts = options.dryRun ? Option.none() : yield* AlertDelivery.make(config)
      const shutdown = yield* Shutdown
      const metrics = yield* Metrics.make([{ name: config.name, targets: targets ?? configuredTargets(config) }], {
        // A dry run writes no file but its rejects preview, and counts nothing.
        textfile: options.dryRun ? Option.none() : options.metricsTextfile
      })
      const report = yield* shutdown.graceful(
        runAndReport(
          {
            config,
            targets,
            dryRun: options.dryRun,
            replayDeadLetters: false,
            allowMassDelete: options.allowMassDelete,
            acceptSchemaChanges: options.acceptSchemaChanges,
            format: detectLogFormat()
          },
          options.json
        ).pipe(
          metrics.observe(config.name),
          Effect.provide(Sync.layer(config, layerOptions(options.redisUrl, options.dryRun))),
          Effect.onExit((exit) =>
            Option.match(alerts, {
              onNone: () => Effect.void,
              onSome: (sender) => sender.send(alertsOfExit(config.name, exit, sender.settings))
            })
          )
        )
      )
      yield* failOnStatus(report)
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run the sync once: read the source, send what changed to each target, wait for the vendors to confirm, and " +
      "print the report. Exit codes: 0 done (or stopped by SIGTERM), 1 failed, 2 config error, 3 partial, 4 locked."
  )
)
