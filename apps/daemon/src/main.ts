/**
 * @module
 * The `profilesync` process: parses the command line, runs the command with the right logger, turns SIGTERM and
 * SIGINT into a graceful stop, and exits with a code a scheduler can act on (see `exit-code.ts` and the README).
 *
 * It does not use `NodeRuntime.runMain`, whose signal handler interrupts the program at once: a run must instead be
 * asked to finish its current chunk and save its state, and only a second signal interrupts.
 */
import * as FileSystem from "node:fs"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import { profilesync } from "./cli.ts"
import { defectFailure, toCliFailure, verboseDetail } from "./errors.ts"
import { type CliFailure, ExitCode } from "./exit-code.ts"
import { detectLogFormat, loggerLayer, printError } from "./output.ts"
import { makeController, Shutdown } from "./shutdown.ts"

const packageJson = JSON.parse(FileSystem.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  readonly version: string
}

// `pnpm --filter @profilesync/daemon start -- run --config x.yaml` runs in apps/daemon and passes the `--` on; work
// from the directory pnpm was called in, so relative paths mean what the user typed.
if (process.env.npm_package_name === "@profilesync/daemon" && process.env.INIT_CWD !== undefined) {
  try {
    process.chdir(process.env.INIT_CWD)
  } catch {
    // Stay where we are.
  }
}
const argv = process.argv[2] === "--" ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv
const verbose = argv.includes("--verbose") || argv.includes("-v")

const format = detectLogFormat()
const controller = makeController()

const cli = Command.run(profilesync, { name: "profilesync", version: packageJson.version })

const program = cli(argv).pipe(
  Effect.provideService(Shutdown, controller.service),
  Effect.provide(NodeContext.layer),
  Effect.provide(loggerLayer(format))
)

const failureOf = (exit: Exit.Exit<unknown, unknown>): CliFailure | "usage" | "interrupted" | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const cause = exit.cause
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    // @effect/cli already printed the problem and the usage.
    if (ValidationError.isValidationError(failure.value)) return "usage"
    return toCliFailure(failure.value)
  }
  if (Cause.isInterruptedOnly(cause)) return "interrupted"
  return defectFailure(cause)
}

const fiber = Effect.runFork(program)

const onSignal = (signal: NodeJS.Signals) => {
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

fiber.addObserver((exit) => {
  process.off("SIGTERM", onSignal)
  process.off("SIGINT", onSignal)
  const failure = failureOf(exit)
  let code: number = ExitCode.success
  if (failure === "usage") {
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
