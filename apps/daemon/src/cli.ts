/**
 * @module
 * The `profilesync` command tree, loaded one command at a time: a command's module (and what it imports, such as the
 * sync engine) is loaded only when that command runs.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { CliFailure, ExitCode } from "./exit-code.ts"
import { commandNames, unknownCommand } from "./help.ts"
import type { Shutdown } from "./shutdown.ts"

// biome-ignore lint/suspicious/noExplicitAny: commands differ in their names and options; the tree accepts any
type AnyCommand = Command.Command<any, Shutdown, unknown, any>

/**
 * Loads each top-level command's module.
 *
 * @since 0.1.0
 * @category constants
 */
export const loaders: Readonly<Record<string, () => Promise<AnyCommand>>> = {
  run: () => import("./commands/run.ts").then((module) => module.run),
  schedule: () => import("./commands/schedule.ts").then((module) => module.schedule),
  status: () => import("./commands/status.ts").then((module) => module.status),
  history: () => import("./commands/history.ts").then((module) => module.history),
  "dead-letters": () => import("./commands/dead-letters.ts").then((module) => module.deadLetters),
  dashboard: () => import("./commands/dashboard.ts").then((module) => module.dashboard),
  check: () => import("./commands/check.ts").then((module) => module.check),
  "validate-config": () => import("./commands/validate-config.ts").then((module) => module.validateConfig),
  init: () => import("./commands/init.ts").then((module) => module.init),
  "config-schema": () => import("./commands/config-schema.ts").then((module) => module.configSchema)
}

/**
 * `profilesync` with the given commands as its subcommands.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTree = (subcommands: readonly [AnyCommand, ...Array<AnyCommand>]) =>
  Command.make("profilesync", {}, () =>
    Effect.fail(
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `a command is required: ${commandNames.join(", ")} (see profilesync --help)`
      })
    )
  ).pipe(Command.withSubcommands(subcommands))

/**
 * The tree holding only the command `name`, or a usage failure naming the known commands.
 *
 * @since 0.1.0
 * @category constructors
 */
export const treeFor = async (name: string | undefined) => {
  const load = name === undefined ? undefined : loaders[name]
  if (load === undefined) {
    throw new CliFailure({ exitCode: ExitCode.configError, message: unknownCommand(name) })
  }
  return makeTree([await load()])
}

/**
 * Every command, for tests that compare the parser with the help text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadAll = async (): Promise<ReadonlyArray<readonly [string, AnyCommand]>> =>
  Promise.all(Object.entries(loaders).map(async ([name, load]) => [name, await load()] as const))
