/**
 * @module
 * Checks every file a config names before anything is sent: the source and the credential files must be readable
 * files, and the state store and rejects file must be writable files (or creatable ones). `validate-config` prints
 * what it finds; `run`, `schedule` and `dead-letters replay --run` refuse to start on an error, so that an output that
 * cannot be written is found before the first vendor call, not after the data was sent.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import type { SyncConfig } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import { CliFailure, ExitCode } from "./exit-code.ts"

/**
 * One problem with a path: the config key that names it, the path, and what is wrong. A `warning` does not stop a
 * run (a source file that does not exist yet when only the config is checked); an `error` does.
 *
 * @since 0.1.0
 * @category models
 */
export interface PathProblem {
  readonly severity: "error" | "warning"
  readonly key: string
  readonly path: string
  readonly problem: string
}

/**
 * What the checks are for: `run` (a missing input is an error), `dryRun` (outputs are not written, so only inputs
 * are checked), or `validate` (a missing input is a warning: it may appear before the first run).
 *
 * @since 0.1.0
 * @category models
 */
export type CheckMode = "run" | "dryRun" | "validate"

const statOf = (path: string): FileSystem.Stats | undefined => {
  try {
    return FileSystem.statSync(path)
  } catch {
    return undefined
  }
}

const allowed = (path: string, mode: number): boolean => {
  try {
    FileSystem.accessSync(path, mode)
    return true
  } catch {
    return false
  }
}

const input = (key: string, path: string, mode: CheckMode): PathProblem | undefined => {
  const stat = statOf(path)
  if (stat === undefined) {
    return mode === "validate"
      ? { severity: "warning", key, path, problem: "does not exist (yet); runs need it" }
      : { severity: "error", key, path, problem: "does not exist" }
  }
  if (stat.isDirectory()) return { severity: "error", key, path, problem: "is a directory, not a file" }
  if (!allowed(path, FileSystem.constants.R_OK)) return { severity: "error", key, path, problem: "is not readable" }
  return undefined
}

// The first ancestor that exists: a file is created there, with the directories below it.
const existingAncestor = (path: string): string => {
  let current = Path.resolve(path)
  while (statOf(current) === undefined) {
    const parent = Path.dirname(current)
    if (parent === current) return current
    current = parent
  }
  return current
}

const output = (key: string, path: string, mode: CheckMode): PathProblem | undefined => {
  const stat = statOf(path)
  if (stat?.isDirectory() === true) return { severity: "error", key, path, problem: "is a directory, not a file" }
  // A dry run writes no output: it only reads a store that exists.
  if (mode === "dryRun") {
    return stat !== undefined && !allowed(path, FileSystem.constants.R_OK)
      ? { severity: "error", key, path, problem: "is not readable" }
      : undefined
  }
  if (stat !== undefined) {
    return allowed(path, FileSystem.constants.R_OK | FileSystem.constants.W_OK)
      ? undefined
      : { severity: "error", key, path, problem: "is not writable" }
  }
  const ancestor = existingAncestor(path)
  if (!(statOf(ancestor)?.isDirectory() ?? false)) {
    return { severity: "error", key, path, problem: `cannot be created: ${ancestor} is not a directory` }
  }
  if (!allowed(ancestor, FileSystem.constants.W_OK | FileSystem.constants.X_OK)) {
    return { severity: "error", key, path, problem: `cannot be created: ${ancestor} is not writable` }
  }
  return undefined
}

const credentialFile = (
  credentials: SyncConfig.Credentials | SyncConfig.State["postgres"] | undefined
): string | undefined => {
  if (credentials === undefined) return undefined
  if ("tokenFile" in credentials && credentials.tokenFile !== undefined) return credentials.tokenFile
  if ("urlFile" in credentials && credentials.urlFile !== undefined) return credentials.urlFile
  return undefined
}

/**
 * Every problem with the paths a config names, errors first.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkPaths = (config: SyncConfig.SyncConfig, mode: CheckMode): ReadonlyArray<PathProblem> => {
  const problems: Array<PathProblem | undefined> = []
  const source = config.source
  if (source.type === "postgres" || source.type === "mysql") {
    const file = credentialFile(source)
    if (file !== undefined) problems.push(input("source.urlFile", file, mode))
  } else {
    problems.push(input("source.path", source.path, mode))
  }
  for (const name of ["ocamba", "copernica"] as const) {
    const file = credentialFile(config.targets[name]?.credentials)
    if (file !== undefined) problems.push(input(`targets.${name}.credentials.tokenFile`, file, mode))
  }
  const state = config.state
  if (state.sqlite !== undefined && state.sqlite !== ":memory:") {
    problems.push(output("state.sqlite", state.sqlite, mode))
  }
  const stateUrlFile = credentialFile(state.postgres)
  if (stateUrlFile !== undefined) problems.push(input("state.postgres.urlFile", stateUrlFile, mode))
  problems.push(output("rejects.path", config.rejects.path, mode))
  const found = problems.filter((problem) => problem !== undefined)
  return [...found.filter((problem) => problem.severity === "error"), ...found.filter((p) => p.severity !== "error")]
}

/**
 * A problem as one line: `rejects.path: ./out is a directory, not a file`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatProblem = (problem: PathProblem): string => `${problem.key}: ${problem.path} ${problem.problem}`

/**
 * Fails with a config error (exit 2) naming every path that would stop the run; call it before anything is sent.
 *
 * @since 0.1.0
 * @category checks
 */
export const requireUsablePaths = (
  config: SyncConfig.SyncConfig,
  configPath: string,
  dryRun: boolean
): Effect.Effect<void, CliFailure> => {
  const errors = checkPaths(config, dryRun ? "dryRun" : "run").filter((problem) => problem.severity === "error")
  if (errors.length === 0) return Effect.void
  return Effect.fail(
    new CliFailure({
      exitCode: ExitCode.configError,
      message: `${configPath}: ${errors.map(formatProblem).join("; ")}`
    })
  )
}
