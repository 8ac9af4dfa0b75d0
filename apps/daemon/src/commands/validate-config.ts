/**
 * @module
 * `profilesync validate-config`: checks a config file without touching the state store or a vendor, checks every
 * file it names (inputs readable, outputs writable), and summarises what it describes. Exit 0 when valid (warnings,
 * such as a credential variable not set in this shell or a source file that does not exist yet, do not fail it), 2
 * when not, with one `file:line:column: yaml.path: problem` (or `file: key: path problem`) line per problem.
 */
import * as FileSystem from "node:fs"
import * as Command from "@effect/cli/Command"
import { redactUrl } from "@profilesync/contracts"
import type { SyncConfig } from "@profilesync/sync"
import * as Cron from "effect/Cron"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { configuredTargets, loadConfig } from "../config.ts"
import { CliFailure, ExitCode } from "../exit-code.ts"
import * as CommonOptions from "../options.ts"
import { printResult } from "../output.ts"
import { checkPaths, formatProblem } from "../path-checks.ts"
import { describeStore } from "../state-store.ts"

// The vendors' production URLs, the defaults when a target gives no `baseUrl`.
const defaultBaseUrls = { ocamba: "https://api.ocamba.com/v1/hood", copernica: "https://api.copernica.com/v3" }

const credentialState = (
  credentials: SyncConfig.Credentials | undefined,
  environment: NodeJS.ProcessEnv
): { readonly text: string; readonly warning?: string } => {
  if (credentials === undefined) return { text: "no token: the proxy sidecar holds it" }
  if ("tokenEnv" in credentials && credentials.tokenEnv !== undefined) {
    const set = (environment[credentials.tokenEnv] ?? "").trim() !== ""
    return set
      ? { text: `token from $${credentials.tokenEnv} (set)` }
      : {
          text: `token from $${credentials.tokenEnv} (not set here)`,
          warning: `$${credentials.tokenEnv} is not set in this environment; runs need it`
        }
  }
  const file = "tokenFile" in credentials ? credentials.tokenFile : undefined
  if (file === undefined) return { text: "credentials" }
  // Whether the file is there and readable is one of the path checks.
  return { text: `token from ${file}${FileSystem.existsSync(file) ? "" : " (missing)"}` }
}

/**
 * The summary `validate-config` prints, also its `--json` form.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigSummary {
  readonly valid: true
  readonly file: string
  readonly sync: string
  readonly source: string
  readonly fields: number
  readonly key: ReadonlyArray<string>
  readonly targets: Readonly<Record<string, { readonly baseUrl: string; readonly credentials: string }>>
  readonly schedule: { readonly cron: string; readonly timeZone: string; readonly nextRun: string } | null
  readonly state: string
  /** Where alerts go (the variable or file the URL comes from, never the URL) and on what; `null` without alerts. */
  readonly alerts: { readonly webhook: string; readonly on: ReadonlyArray<string> } | null
  readonly warnings: ReadonlyArray<string>
}

/**
 * Summarises a valid config.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarise = (
  config: SyncConfig.SyncConfig,
  file: string,
  environment: NodeJS.ProcessEnv = process.env,
  now: Date = new Date()
): ConfigSummary => {
  const warnings: Array<string> = []
  const source = config.source
  let sourceText: string
  if (source.type === "postgres" || source.type === "mysql") {
    sourceText = `${source.type} query (URL from ${"urlEnv" in source && source.urlEnv !== undefined ? `$${source.urlEnv}` : source.urlFile})`
  } else {
    sourceText = `${source.type} ${source.path}`
  }
  const targets: Record<string, { baseUrl: string; credentials: string }> = {}
  for (const name of configuredTargets(config)) {
    const target = config.targets[name]!
    const credentials = credentialState(target.credentials, environment)
    if (credentials.warning !== undefined) warnings.push(`targets.${name}: ${credentials.warning}`)
    targets[name] = { baseUrl: redactUrl(target.baseUrl ?? defaultBaseUrls[name]), credentials: credentials.text }
  }
  for (const problem of checkPaths(config, "validate")) warnings.push(formatProblem(problem))
  let schedule: ConfigSummary["schedule"] = null
  if (config.schedule !== undefined) {
    const timeZone = config.timeZone ?? "UTC"
    const cron = Cron.parse(config.schedule, timeZone)
    if (Either.isRight(cron)) {
      schedule = { cron: config.schedule, timeZone, nextRun: Cron.next(cron.right, now).toISOString() }
    } else {
      warnings.push(`schedule: ${cron.left.message}`)
    }
  }
  let alerts: ConfigSummary["alerts"] = null
  if (config.alerts !== undefined) {
    const { webhook } = config.alerts
    if (webhook.urlEnv !== undefined) {
      const set = (environment[webhook.urlEnv] ?? "").trim() !== ""
      if (!set) warnings.push(`alerts.webhook: $${webhook.urlEnv} is not set in this environment; runs need it`)
      alerts = { webhook: `URL from $${webhook.urlEnv}${set ? " (set)" : " (not set here)"}`, on: config.alerts.on }
    } else {
      alerts = { webhook: `URL from ${webhook.urlFile}`, on: config.alerts.on }
    }
    for (const [name, reference] of Object.entries(webhook.headers ?? {})) {
      const state = credentialState(reference, environment)
      if (state.warning !== undefined) warnings.push(`alerts.webhook.headers.${name}: ${state.warning}`)
    }
  }
  return {
    valid: true,
    file,
    sync: config.name,
    source: sourceText,
    fields: Object.keys(config.fields).length,
    key: config.key,
    targets,
    schedule,
    state: describeStore(config),
    alerts,
    warnings
  }
}

/**
 * The text form of a {@link ConfigSummary}.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatSummary = (summary: ConfigSummary): string => {
  const targetLines = Object.entries(summary.targets).map(
    ([name, target], index) =>
      `${index === 0 ? "  targets   " : "            "}${name} → ${target.baseUrl} (${target.credentials})`
  )
  return [
    `${summary.file} is valid.`,
    `  sync      ${summary.sync}`,
    `  source    ${summary.source}`,
    `  fields    ${summary.fields}, key: ${summary.key.join(", ")}`,
    ...targetLines,
    summary.schedule === null
      ? "  schedule  none (profilesync run only)"
      : `  schedule  ${summary.schedule.cron} (${summary.schedule.timeZone}); next run ${summary.schedule.nextRun}`,
    `  state     ${summary.state}`,
    ...(summary.alerts === null ? [] : [`  alerts    ${summary.alerts.on.join(", ")} → ${summary.alerts.webhook}`]),
    ...summary.warnings.map((warning) => `warning: ${warning}`)
  ].join("\n")
}

/**
 * `profilesync validate-config [--config F] [--json]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const validateConfig = Command.make(
  "validate-config",
  { config: CommonOptions.config, json: CommonOptions.json },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config).pipe(
        Effect.tapError((error) =>
          options.json
            ? Effect.sync(() => {
                const reason = error.reason
                const issues =
                  reason._tag === "InvalidConfig" || reason._tag === "InvalidYaml"
                    ? reason.issues.map(({ line, column, path, message }) => ({ line, column, path, message }))
                    : [{ line: 0, column: 0, path: "", message: error.message }]
                printResult(JSON.stringify({ valid: false, file: options.config, issues }))
              })
            : Effect.void
        )
      )
      // A path that cannot work (a directory where a file goes, an output that cannot be written) makes it invalid.
      const errors = checkPaths(config, "validate").filter((problem) => problem.severity === "error")
      if (errors.length > 0) {
        if (options.json) {
          const issues = errors.map((problem) => ({
            line: 0,
            column: 0,
            path: problem.key,
            message: formatProblem(problem)
          }))
          printResult(JSON.stringify({ valid: false, file: options.config, issues }))
        }
        return yield* new CliFailure({
          exitCode: ExitCode.configError,
          message: errors.map((problem) => `${options.config}: ${formatProblem(problem)}`).join("\n")
        })
      }
      const summary = summarise(config, options.config)
      printResult(options.json ? JSON.stringify(summary) : formatSummary(summary))
    })
).pipe(
  Command.withDescription(
    "Check a config file (YAML, schema, cross-references, no credentials in it) without contacting anything. " +
      "Exit 0 valid, 2 invalid."
  )
)
