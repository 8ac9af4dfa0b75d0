/**
 * @module
 * The `profilesync` process once `main.ts` has handled `--help`, `--version` and `--log-level`: parses the command
 * line, runs the command with the right logger, turns SIGTERM and SIGINT into a graceful stop, and exits with a code
 * a scheduler can act on (see `exit-code.ts` and the README).
 *
 * It does not use `NodeRuntime.runMain`, whose signal handler interrupts the program at once: a run must instead be
 * asked to finish its current chunk and save its state, and only a second signal interrupts.
 */
import * as FileSystem from "node:fs"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Drivers } from "@profilesync/sync/Drivers"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { treeFor } from "./cli.ts"
import { loaders } from "./drivers.ts"
import { defectFailure, toCliFailure, verboseDetail } from "./errors.ts"
import { type CliFailure, ExitCode } from "./exit-code.ts"
import { watchLauncher } from "./launcher.ts"
import type { LogLevelName } from "./main.ts"
import { colorsEnabled, detectLogFormat, loggerLayer, printError, stripAnsi } from "./output.ts"
import { makeController, Shutdown } from "./shutdown.ts"
import * as Telemetry from "./telemetry.ts"

const packageJson = JSON.parse(FileSystem.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  readonly version: string
}

const effectLogLevels: Record<LogLevelName, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error
}

// @effect/cli prints parse errors itself, through the Console: prefix them like ours, and without colours where
// colours are off.
const withCliConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.consoleWith((base) =>
    Effect.withConsole(effect, {
      ...base,
      error: (...parts: ReadonlyArray<unknown>) => {
        const text = parts.map(String).join(" ").trim()
        return base.error(`profilesync: ${colorsEnabled(process.stderr) ? text : stripAnsi(text)}`)
      }
    })
  )

/**
 * Runs `profilesync <args>` (the arguments after the program, `--log-level` removed) and exits the process with the
 * command's exit code.
 *
 * @since 0.1.0
 * @category entry points
 */
export const main = (args: ReadonlyArray<string>, logLevel: LogLevelName): void => {
  // `pnpm --filter @profilesync/daemon start -- run --config x.yaml` runs in apps/daemon; work from the directory
  // pnpm was called in, so relative paths mean what the user typed.
  if (process.env.npm_package_name === "@profilesync/daemon" && process.env.INIT_CWD !== undefined) {
    try {
      process.chdir(process.env.INIT_CWD)
    } catch {
      // Stay where we are.
    }
  }
  const argv = [process.argv[0]!, process.argv[1]!, ...args]
  const verbose = logLevel === "debug"

  const format = detectLogFormat()
  const controller = makeController()

  const program = Effect.tryPromise({ try: () => treeFor(args[0]), catch: (error) => error }).pipe(
    Effect.flatMap((tree) => Command.run(tree, { name: "profilesync", version: packageJson.version })(argv)),
    withCliConsole,
    Logger.withMinimumLogLevel(effectLogLevels[logLevel]),
    Effect.provideService(Shutdown, controller.service),
    Effect.provideService(Drivers, loaders),
    Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
    // Off unless the OTEL_* variables ask for it (nothing is loaded then); on, it flushes before the process exits.
    Effect.provide(Telemetry.layer(process.env, packageJson.version)),
    Effect.provide(loggerLayer(format))
  )

  const failureOf = (exit: Exit.Exit<unknown, unknown>): CliFailure | "usage" | "interrupted" | undefined => {
    if (Exit.isSuccess(exit)) return undefined
    const cause = exit.cause
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      // @effect/cli already printed the problem.
      if (ValidationError.isValidationError(failure.value)) return "usage"
      return toCliFailure(failure.value)
    }
    if (Cause.isInterruptedOnly(cause)) return "interrupted"
    return defectFailure(cause)
  }

  const fiber = Effect.runFork(program)

  let signalled = false
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = true
    if (controller.onSignal() === "graceful") {
      Effect.runSync(
        Effect.logWarning(
          `${signal} received: stopping once the work in progress is saved (send it again to stop at once)`
        ).pipe(Effect.provide(loggerLayer(format)))
      )
      return
    }
    fiber.unsafeInterruptAsFork(FiberId.none)
  }
  process.on("SIGTERM", onSignal)
  process.on("SIGINT", onSignal)
  // Under npx, npm hands a supervisor's signal to its shell only: npx exiting stands for it (see launcher.ts).
  const stopWatching = watchLauncher(() => {
    if (signalled) return
    Effect.runSync(Effect.logWarning("npx exited: stopping as on SIGTERM").pipe(Effect.provide(loggerLayer(format))))
    onSignal("SIGTERM")
  })

  fiber.addObserver((exit) => {
    process.off("SIGTERM", onSignal)
    process.off("SIGINT", onSignal)
    stopWatching()
    const failure = failureOf(exit)
    let code: number = ExitCode.success
    if (failure === "usage") {
      const command = args[0] !== undefined && !args[0].startsWith("-") ? `${args[0]} ` : ""
      printError(`Run \`profilesync ${command}--help\` for the options.`)
      code = ExitCode.configError
    } else if (failure === "interrupted") {
      printError("stopped")
      code = ExitCode.forcedStop
    } else if (failure !== undefined) {
      if (failure.message !== "") printError(`profilesync: ${failure.message}`)
      const detail = verbose ? verboseDetail(failure) : undefined
      if (detail !== undefined) printError(detail)
      code = failure.exitCode
    }
    // Open handles (a Redis socket that did not close in time) must not keep a finished command alive.
    process.exit(code)
  })
}
