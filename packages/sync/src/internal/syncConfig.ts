/**
 * Implementation of `SyncConfig.ts`: reading and parsing the YAML, decoding it with the schema, locating every
 * problem in the text, resolving relative paths, reading lookup tables, and reading credentials from the environment
 * or files.
 *
 * @internal
 */
import * as FileSystem from "node:fs/promises"
import * as Path from "node:path"
import * as Redact from "@profilesync/core/Redact"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as YAML from "yaml"
import type * as SyncConfigModule from "../SyncConfig.ts"
import {
  findCredentialLiterals,
  issuesOfParseIssue,
  locate,
  type PathIssue,
  yamlErrorIssue
} from "./syncConfigIssues.ts"
import { loadLookupTables } from "./syncConfigLookups.ts"
import * as schema from "./syncConfigSchema.ts"

/** @internal */
export const SyncConfigErrorReason: Data.TaggedEnum.Constructor<SyncConfigModule.SyncConfigErrorReason> =
  Data.taggedEnum<SyncConfigModule.SyncConfigErrorReason>()

const issueLines = (file: string, issues: ReadonlyArray<SyncConfigModule.ConfigIssue>) =>
  issues.map(
    (issue) => `${file}:${issue.line}:${issue.column}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`
  )

/**
 * The failure of {@link load}, {@link parse} and {@link resolveCredential}.
 *
 * **Details**
 *
 * `message` is ready to print: one `file:line:column: path: message` line per problem, like a compiler's.
 *
 * @since 0.1.0
 * @category errors
 */
export class SyncConfigError extends Data.TaggedError("SyncConfigError")<{
  readonly reason: SyncConfigModule.SyncConfigErrorReason
}> {
  override get message(): string {
    const reason = this.reason
    if (reason._tag === "ReadFailed") return `cannot read the config file ${reason.file}: ${reason.detail}`
    if (reason._tag === "CredentialUnavailable")
      return `the credential from ${reason.source} is not available: ${reason.detail}`
    const lines = issueLines(reason.file, reason.issues)
    if (lines.length === 1) return lines[0]!
    const heading = `${reason.file}: ${lines.length} problems${reason._tag === "InvalidYaml" ? " in the YAML" : ""}`
    return [heading, ...lines.map((line) => `  ${line}`)].join("\n")
  }
}

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

const decodeConfig = Schema.decodeUnknownEither(schema.SyncConfig, decodeOptions)

const resolveFrom = (baseDirectory: string) => (path: string) => Path.resolve(baseDirectory, path)

/** Every path of the config made absolute against the config file's directory. */
const resolvePaths = (config: SyncConfigModule.SyncConfig, baseDirectory: string): SyncConfigModule.SyncConfig => {
  const resolve = resolveFrom(baseDirectory)
  const withCredentials = <T extends { readonly credentials?: SyncConfigModule.Credentials | undefined }>(
    target: T
  ): T =>
    target.credentials?.tokenFile === undefined
      ? target
      : { ...target, credentials: { tokenFile: resolve(target.credentials.tokenFile) } }
  const source: SyncConfigModule.Source =
    config.source.type === "postgres" || config.source.type === "mysql"
      ? config.source.urlFile === undefined
        ? config.source
        : { ...config.source, urlFile: resolve(config.source.urlFile) }
      : { ...config.source, path: resolve(config.source.path) }
  const { ocamba, copernica } = config.targets
  const targets: SyncConfigModule.Targets = {
    ...(ocamba === undefined ? {} : { ocamba: withCredentials(ocamba) }),
    ...(copernica === undefined ? {} : { copernica: withCredentials(copernica) })
  }
  const state: SyncConfigModule.State =
    config.state.sqlite !== undefined
      ? { sqlite: config.state.sqlite === ":memory:" ? ":memory:" : resolve(config.state.sqlite) }
      : config.state.postgres?.urlFile !== undefined
        ? { postgres: { urlFile: resolve(config.state.postgres.urlFile) } }
        : config.state
  const alerts = config.alerts === undefined ? {} : { alerts: resolveAlertPaths(config.alerts, resolve) }
  return { ...config, source, targets, state, rejects: { path: resolve(config.rejects.path) }, ...alerts }
}

/** The alert webhook's URL file and header files, made absolute. */
const resolveAlertPaths = (
  alerts: SyncConfigModule.Alerts,
  resolve: (path: string) => string
): SyncConfigModule.Alerts => {
  const { webhook } = alerts
  const headers =
    webhook.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(webhook.headers).map(([name, value]) => [
              name,
              value.tokenFile === undefined ? value : { tokenFile: resolve(value.tokenFile) }
            ])
          )
        }
  const url = webhook.urlFile === undefined ? { urlEnv: webhook.urlEnv } : { urlFile: resolve(webhook.urlFile) }
  return { ...alerts, webhook: { ...url, ...headers } }
}

/** One syntax error per line: a single mistake (an unquoted `*`) can make the parser report it several times. */
const firstPerLine = (issues: ReadonlyArray<SyncConfigModule.ConfigIssue>) =>
  issues.filter((issue, index) => issues.findIndex((other) => other.line === issue.line) === index)

/** @internal */
export const parse = (
  text: string,
  fileName: string,
  options?: SyncConfigModule.ParseOptions
): Effect.Effect<SyncConfigModule.SyncConfig, SyncConfigError> =>
  Effect.suspend(() => {
    const lineCounter = new YAML.LineCounter()
    const document = YAML.parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true })
    if (document.errors.length > 0) {
      return Effect.fail(
        new SyncConfigError({
          reason: SyncConfigErrorReason.InvalidYaml({
            file: fileName,
            issues: firstPerLine(document.errors.map(yamlErrorIssue))
          })
        })
      )
    }
    let data: unknown
    try {
      // A small alias budget: a config has no business expanding into a "billion laughs".
      data = document.toJS({ maxAliasCount: 100 })
    } catch (error) {
      return Effect.fail(
        new SyncConfigError({
          reason: SyncConfigErrorReason.InvalidYaml({
            file: fileName,
            issues: [{ path: "", segments: [], line: 1, column: 1, message: String((error as Error).message) }]
          })
        })
      )
    }
    const credentialIssues = findCredentialLiterals(document)
    const decoded = decodeConfig(data)
    const schemaIssues: ReadonlyArray<PathIssue> = Either.isLeft(decoded) ? issuesOfParseIssue(decoded.left.issue) : []
    // Problems under a credential's key would only restate it (and might quote the secret): the credential wins.
    const covered = (issue: PathIssue) =>
      credentialIssues.some(
        (credential) =>
          credential.path.length <= issue.path.length &&
          credential.path.every((segment, index) => String(segment) === String(issue.path[index]))
      )
    const issues = [...credentialIssues, ...schemaIssues.filter((issue) => !covered(issue))]
    if (issues.length === 0 && Either.isLeft(decoded))
      issues.push({ path: [], atKey: false, message: ParseResult.TreeFormatter.formatErrorSync(decoded.left) })
    if (issues.length > 0 || Either.isLeft(decoded)) {
      return Effect.fail(
        new SyncConfigError({
          reason: SyncConfigErrorReason.InvalidConfig({ file: fileName, issues: locate(document, lineCounter, issues) })
        })
      )
    }
    const baseDirectory = options?.baseDirectory ?? Path.dirname(Path.resolve(fileName))
    // Lookup tables are read here, so a missing or malformed table is a config error at its place in the YAML.
    return loadLookupTables(resolvePaths(decoded.right, baseDirectory), baseDirectory).pipe(
      Effect.mapError(
        (lookupIssues) =>
          new SyncConfigError({
            reason: SyncConfigErrorReason.InvalidConfig({
              file: fileName,
              issues: locate(document, lineCounter, lookupIssues)
            })
          })
      )
    )
  })

/** @internal */
export const load = (path: string): Effect.Effect<SyncConfigModule.SyncConfig, SyncConfigError> =>
  Effect.tryPromise({
    try: () => FileSystem.readFile(path, "utf8"),
    catch: (error) =>
      new SyncConfigError({
        reason: SyncConfigErrorReason.ReadFailed({ file: path, detail: describeFileError(error) })
      })
  }).pipe(Effect.flatMap((text) => parse(text, path)))

const describeFileError = (error: unknown): string => {
  const code = (error as { code?: unknown }).code
  switch (code) {
    case "ENOENT":
      return "the file does not exist"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return typeof code === "string" ? code : "it could not be read"
  }
}

/** @internal */
export const resolveCredential = (
  reference: SyncConfigModule.CredentialReference
): Effect.Effect<Redacted.Redacted<string>, SyncConfigError> =>
  // Whatever was read is a secret from now on: the redactor hides it (and a URL's password) wherever it is echoed.
  Effect.tap(readCredential(reference), (secret) =>
    Effect.sync(() => {
      Redact.register(Redacted.value(secret))
      Redact.registerUrlPassword(Redacted.value(secret))
    })
  )

const readCredential = (
  reference: SyncConfigModule.CredentialReference
): Effect.Effect<Redacted.Redacted<string>, SyncConfigError> => {
  const variable = "tokenEnv" in reference ? reference.tokenEnv : "urlEnv" in reference ? reference.urlEnv : undefined
  const file = "tokenFile" in reference ? reference.tokenFile : "urlFile" in reference ? reference.urlFile : undefined
  const unavailable = (source: string, detail: string) =>
    new SyncConfigError({ reason: SyncConfigErrorReason.CredentialUnavailable({ source, detail }) })
  if (variable !== undefined) {
    const source = `environment variable ${variable}`
    // Through `Config`, so the daemon and tests can supply another `ConfigProvider` than the process environment.
    return Config.string(variable).pipe(
      Effect.mapError(() => unavailable(source, "it is not set")),
      Effect.flatMap((value) =>
        value.trim() === ""
          ? Effect.fail(unavailable(source, "it is empty"))
          : Effect.succeed(Redacted.make(value.trim()))
      )
    )
  }
  if (file !== undefined) {
    const source = `file ${file}`
    return Effect.tryPromise({
      try: () => FileSystem.readFile(file, "utf8"),
      catch: (error) => unavailable(source, describeFileError(error))
    }).pipe(
      // Secret files usually end with a newline (`echo token > file`); it is not part of the secret.
      Effect.flatMap((text) =>
        text.trim() === ""
          ? Effect.fail(unavailable(source, "the file is empty"))
          : Effect.succeed(Redacted.make(text.trim()))
      )
    )
  }
  return Effect.fail(unavailable("the config", "give tokenEnv or tokenFile (urlEnv or urlFile for a database)"))
}
