/**
 * @module
 * The `profilesync` command tree.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { deadLetters } from "./commands/dead-letters.ts"
import { run } from "./commands/run.ts"
import { schedule } from "./commands/schedule.ts"
import { status } from "./commands/status.ts"
import { validateConfig } from "./commands/validate-config.ts"
import { CliFailure, ExitCode } from "./exit-code.ts"

/**
 * `profilesync` with its subcommands; without one it fails as a usage error (exit 2).
 *
 * @since 0.1.0
 * @category commands
 */
export const profilesync = Command.make("profilesync", {}, () =>
  Effect.fail(
    new CliFailure({
      exitCode: ExitCode.configError,
      message: "a command is required: run, schedule, status, dead-letters or validate-config (see --help)"
    })
  )
).pipe(
  Command.withDescription(
    "Keep Ocamba Hood and Copernica in step with a profile source: diff-based, crash-safe, within the vendors' limits."
  ),
  Command.withSubcommands([run, schedule, status, deadLetters, validateConfig])
)
