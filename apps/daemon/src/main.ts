/**
 * @module
 * The `profilesync` entry point. It answers `--help` and `--version` itself, importing nothing heavier than the help
 * text, and reads `--log-level` wherever it stands; only then does it load the program (`program.ts`), and that
 * loads only the command asked for.
 */
import * as FileSystem from "node:fs"
import { commandHelp, commandNames, commandPath, overview, unknownCommand } from "./help.ts"

const logLevels = ["debug", "info", "warning", "error"] as const

/**
 * The log levels `--log-level` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type LogLevelName = (typeof logLevels)[number]

const version = (): string => {
  const packageJson = JSON.parse(FileSystem.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    readonly version: string
  }
  return packageJson.version
}

const usageError = (message: string): never => {
  process.stderr.write(`profilesync: ${message}\n`)
  process.exit(2)
}

// `pnpm --filter @profilesync/daemon start -- run --config x.yaml` passes the `--` on.
const given = process.argv[2] === "--" ? process.argv.slice(3) : process.argv.slice(2)
// Everything after a lone `--` is an argument, never an option.
const end = given.indexOf("--")
const options = end === -1 ? given : given.slice(0, end)

let logLevel: LogLevelName = "info"
const args: Array<string> = []
for (let index = 0; index < given.length; index++) {
  const arg = given[index]!
  if (index < options.length && (arg === "--log-level" || arg.startsWith("--log-level="))) {
    const value = arg === "--log-level" ? given[++index] : arg.slice("--log-level=".length)
    if (value === undefined || !(logLevels as ReadonlyArray<string>).includes(value)) {
      usageError(`--log-level takes one of ${logLevels.join(", ")}${value === undefined ? "" : `, not \`${value}\``}`)
    }
    logLevel = value as LogLevelName
    continue
  }
  args.push(arg)
}

const before = end === -1 ? args : args.slice(0, args.indexOf("--"))
// @effect/cli's own extras, which profilesync does not offer.
const unsupported = before.find((arg) => ["--wizard", "--completions"].includes(arg.split("=")[0]!))
if (unsupported !== undefined) {
  usageError(`unknown option ${unsupported.split("=")[0]} (see profilesync --help)`)
} else if (before.includes("--version")) {
  process.stdout.write(`${version()}\n`)
} else if (before.length === 0) {
  // No command: the overview, as a usage error (a scheduler running a bare `profilesync` is misconfigured).
  process.stderr.write(overview(version()))
  process.exit(2)
} else if (before.includes("--help") || before.includes("-h") || before[0] === "help") {
  const path = commandPath(before[0] === "help" ? before.slice(1) : before)
  process.stdout.write(path.length === 0 ? overview(version()) : (commandHelp(path) ?? overview(version())))
} else if (!commandNames.includes(before[0]!)) {
  usageError(unknownCommand(before[0]))
} else {
  const { main } = await import("./program.ts")
  main(args, logLevel)
}
