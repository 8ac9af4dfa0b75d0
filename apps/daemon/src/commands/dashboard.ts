/**
 * @module
 * `profilesync dashboard`: serves the read-only web dashboard over the state stores of one or more sync configs
 * until SIGTERM or SIGINT. See `dashboard/` for the pages, the access check and the reads.
 */
import * as Path from "node:path"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Redact } from "@profilesync/core"
import type { SyncConfig } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { configsIn, configuredTargets, loadConfig } from "../config.ts"
import { startProblem, tokenVariable } from "../dashboard/access.ts"
import { makeMasker } from "../dashboard/mask.ts"
import type { SyncInfo } from "../dashboard/pages/context.ts"
import { makeReferences } from "../dashboard/reference.ts"
import { listen } from "../dashboard/server.tsx"
import { openReaders } from "../dashboard/store.ts"
import { CliFailure, ExitCode } from "../exit-code.ts"
import { printError, printResult } from "../output.ts"
import { Shutdown } from "../shutdown.ts"
import { describeStore } from "../state-store.ts"

// Repeatable: one dashboard serves the syncs of several configs (their stores may differ).
const configs = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDescription(
    "A sync's config file; repeat for several syncs (default $PROFILESYNC_CONFIG, else ./profilesync.yaml)."
  ),
  Options.repeated
)

const configDirectory = Options.directory("configs").pipe(
  Options.withDescription(
    "A directory of sync configs (every .yaml and .yml file in it); with or instead of --config."
  ),
  Options.optional
)

const host = Options.text("host").pipe(
  Options.withDescription("The address to listen on (default 127.0.0.1)."),
  Options.withDefault("127.0.0.1")
)

const port = Options.integer("port").pipe(
  Options.withDescription("The port (default 8790; 0 picks a free one)."),
  Options.withDefault(8790)
)

const showValues = Options.boolean("show-values").pipe(
  Options.withDescription("Show customer values in full instead of masked.")
)

/**
 * A config to serve, with the path it was loaded from.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServedConfig {
  readonly path: string
  readonly config: SyncConfig.SyncConfig
}

/**
 * Serves the dashboard over `configs` until the process is asked to stop.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serveDashboard = (
  configs: ReadonlyArray<ServedConfig>,
  options: { readonly host: string; readonly port: number; readonly showValues: boolean }
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const tokenText = process.env[tokenVariable]
      const token = tokenText === undefined || tokenText === "" ? undefined : tokenText
      const problem = startProblem(options.host, token)
      if (problem !== undefined) {
        return yield* Effect.fail(new CliFailure({ exitCode: ExitCode.configError, message: problem }))
      }
      if (token !== undefined) Redact.register(token)
      const names = configs.map((served) => served.config.name)
      const repeated = names.find((name, index) => names.indexOf(name) !== index)
      if (repeated !== undefined) {
        return yield* Effect.fail(
          new CliFailure({ exitCode: ExitCode.configError, message: `two configs name the same sync: ${repeated}` })
        )
      }
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
        return yield* Effect.fail(
          new CliFailure({ exitCode: ExitCode.configError, message: `--port ${options.port}: use 0 to 65535` })
        )
      }
      const syncs: ReadonlyArray<SyncInfo> = configs.map(({ path, config }) => ({
        name: config.name,
        configPath: Path.resolve(path),
        targets: configuredTargets(config),
        schedule: config.schedule,
        timeZone: config.timeZone,
        store: describeStore(config)
      }))
      const scope = yield* Effect.scope
      const readers = yield* openReaders(
        configs.map((served) => served.config),
        scope
      )
      const { url } = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            listen({
              host: options.host,
              port: options.port,
              token,
              masker: makeMasker(options.showValues),
              references: makeReferences(),
              syncs,
              readers,
              logError: printError
            }),
          catch: (cause) =>
            new CliFailure({
              exitCode: ExitCode.failure,
              message: `cannot listen on ${options.host}:${options.port}: ${cause instanceof Error ? cause.message : String(cause)}`
            })
        }),
        ({ server }) =>
          Effect.promise(
            () =>
              new Promise<void>((resolve) => {
                server.close(() => resolve())
                server.closeAllConnections()
              })
          )
      )
      printResult(
        `profilesync dashboard: serving ${syncs.length} sync(s) at ${url} ` +
          `(${options.showValues ? "values shown in full" : "values masked"}${token === undefined ? "" : ", token required"})`
      )
      // SIGTERM or SIGINT ends the wait and the scope closes the server: a normal stop, exit code 0.
      const shutdown = yield* Shutdown
      yield* shutdown.graceful(shutdown.requested)
    })
  )

/**
 * `profilesync dashboard [--config F]... [--configs DIR] [--host ADDRESS] [--port N] [--show-values]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const dashboard = Command.make("dashboard", { configs, configDirectory, host, port, showValues }, (options) =>
  Effect.gen(function* () {
    const fromDirectory = options.configDirectory._tag === "Some" ? yield* configsIn(options.configDirectory.value) : []
    const named = [...options.configs, ...fromDirectory]
    const paths = named.length > 0 ? named : [process.env.PROFILESYNC_CONFIG || "./profilesync.yaml"]
    const served = yield* Effect.forEach(paths, (path) => Effect.map(loadConfig(path), (config) => ({ path, config })))
    yield* serveDashboard(served, options)
  })
).pipe(
  Command.withDescription("Serve a read-only web dashboard of the syncs' runs, rejects, dead letters and key history.")
)
