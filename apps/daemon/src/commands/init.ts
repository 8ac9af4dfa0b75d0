/**
 * @module
 * `profilesync init --from FILE`: writes a commented config from a source file's columns (see `init-config.ts`), to
 * stdout or to `--output`. It never overwrites a file unless `--force` is given.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { CliFailure, ExitCode } from "../exit-code.ts"
import { guessFields, readHeader, renderConfig } from "../init-config.ts"
import { printResult } from "../output.ts"

const from = Options.text("from")
const output = Options.text("output").pipe(Options.withAlias("o"), Options.optional)
const name = Options.text("name").pipe(Options.optional)
const force = Options.boolean("force")

const packageVersion = (): string =>
  (
    JSON.parse(FileSystem.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      readonly version: string
    }
  ).version

const usage = (message: string) => new CliFailure({ exitCode: ExitCode.configError, message })

/** A sync name from a file name: `Customers 2026.csv` → `customers-2026`. */
const nameFromFile = (file: string): string => {
  const base = Path.basename(file, Path.extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
  return base === "" ? "profiles" : base.slice(0, 64)
}

/** The path to write in the config: relative to the config's directory, with `./` for a file beside it. */
const relativeTo = (directory: string, file: string): string => {
  const relative = Path.relative(directory, Path.resolve(file)).split(Path.sep).join("/")
  return relative.startsWith(".") || Path.isAbsolute(relative) ? relative : `./${relative}`
}

/**
 * `profilesync init --from FILE [-o FILE] [--name NAME] [--force]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const init = Command.make("init", { from, output, name, force }, (options) =>
  Effect.gen(function* () {
    const header = yield* Effect.try({
      try: () => readHeader(options.from),
      catch: (error) =>
        usage(
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? `--from ${options.from}: no such file`
            : error instanceof Error
              ? error.message
              : String(error)
        )
    })
    const target = Option.getOrUndefined(options.output)
    if (target !== undefined && FileSystem.existsSync(target) && !options.force) {
      return yield* Effect.fail(usage(`${target} exists; give --force to overwrite it`))
    }
    const syncName = Option.getOrElse(options.name, () => nameFromFile(options.from))
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(syncName)) {
      return yield* Effect.fail(usage(`--name ${syncName}: use letters, digits, \`_\`, \`.\` and \`-\` (at most 64)`))
    }
    const text = renderConfig(header, guessFields(header.columns), {
      name: syncName,
      sourcePath: relativeTo(target === undefined ? process.cwd() : Path.dirname(Path.resolve(target)), options.from),
      schemaUrl: `https://unpkg.com/@profilesync/daemon@${packageVersion()}/profilesync.schema.json`
    })
    if (target === undefined) {
      printResult(text)
      return
    }
    yield* Effect.try({
      try: () => FileSystem.writeFileSync(target, text),
      catch: (error) =>
        new CliFailure({ exitCode: ExitCode.failure, message: `${target}: cannot write it (${String(error)})` })
    })
    process.stderr.write(
      `Wrote ${target} (${header.columns.length} columns). Next: profilesync validate-config -c ${target}\n`
    )
  })
)
