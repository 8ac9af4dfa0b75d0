/**
 * @module
 * Loading the config for a command, and checking `--target` against it.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { SyncConfig } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { CliFailure, ExitCode } from "./exit-code.ts"

/**
 * A target name.
 *
 * @since 0.1.0
 * @category models
 */
export type TargetName = "ocamba" | "copernica"

/**
 * Loads and validates the config file; fails with `SyncConfigError` (exit code 2), whose message names
 * `file:line:column` and the YAML path of every problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadConfig = (path: string): Effect.Effect<SyncConfig.SyncConfig, SyncConfig.SyncConfigError> =>
  SyncConfig.load(path)

/**
 * The configured targets, in a stable order.
 *
 * @since 0.1.0
 * @category getters
 */
export const configuredTargets = (config: SyncConfig.SyncConfig): ReadonlyArray<TargetName> =>
  (["ocamba", "copernica"] as const).filter((target) => config.targets[target] !== undefined)

/**
 * The targets to run: `undefined` (every configured target) when `--target` was not given, else the ones asked for,
 * each of which must be configured.
 *
 * @since 0.1.0
 * @category constructors
 */
export const selectTargets = (
  config: SyncConfig.SyncConfig,
  configPath: string,
  requested: ReadonlyArray<TargetName>
): Effect.Effect<ReadonlyArray<TargetName> | undefined, CliFailure> => {
  if (requested.length === 0) return Effect.succeed(undefined)
  const configured = configuredTargets(config)
  const missing = requested.filter((target) => !configured.includes(target))
  if (missing.length > 0) {
    return Effect.fail(
      new CliFailure({
        exitCode: ExitCode.configError,
        message:
          `--target ${missing.join(", ")}: ${configPath} configures no targets.${missing[0]} ` +
          `(configured: ${configured.join(", ")})`
      })
    )
  }
  return Effect.succeed(Array.from(new Set(requested)))
}

/**
 * The config files of a directory (every `.yaml` and `.yml` file), in name order, or a failure that names the
 * directory (`--configs`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const configsIn = (directory: string) =>
  Effect.try({
    try: () =>
      FileSystem.readdirSync(directory, { withFileTypes: true })
        .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
        .map((entry) => Path.join(directory, entry.name))
        .sort(),
    catch: (cause) =>
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `--configs ${directory}: cannot read the directory (${cause instanceof Error ? cause.message : String(cause)})`
      })
  }).pipe(
    Effect.filterOrFail(
      (paths) => paths.length > 0,
      () =>
        new CliFailure({
          exitCode: ExitCode.configError,
          message: `--configs ${directory}: holds no .yaml or .yml file`
        })
    )
  )
