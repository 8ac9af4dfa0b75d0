/**
 * @module
 * The checks of `profilesync check` that stay on this side of the vendors: the files the config names, the source
 * (opened and its first record read, its header holding every column the config reads), the state store (opened, its
 * last run read, a lock of its own taken and released, which proves it writable without touching the sync's data),
 * and Redis (a `PING`).
 */
import * as FileSystem from "node:fs"
import { Mapping } from "@profilesync/core"
import { Source, SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { checkPaths, formatProblem } from "../path-checks.ts"
import { describeStore, layerFromConfig } from "../state-store.ts"
import { type Finding, finding } from "./report.ts"

/**
 * The files a run needs, as `run` checks them before its first vendor call: the source and token files readable, the
 * state store and the rejects file writable or creatable. Nothing is created.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkFiles = (config: SyncConfig.SyncConfig): Finding => {
  const errors = checkPaths(config, "run").filter((problem) => problem.severity === "error")
  return errors.length === 0
    ? finding("files", "ok", "the source and token files are readable; the state store and rejects file writable")
    : finding("files", "fix", `${errors.length} path(s) a run cannot use`, errors.map(formatProblem))
}

/** The source's reader, or the finding that says why the config's options cannot be read (as the engine refuses). */
const openSource = (
  config: SyncConfig.SyncConfig
): Effect.Effect<Either.Either<{ readonly source: Source.Source; readonly hasHeader: boolean }, Finding>> => {
  const source = config.source
  switch (source.type) {
    case "csv":
      return Effect.succeed(
        source.quote === '"'
          ? Either.right({
              source: Source.csv({ path: source.path, delimiter: source.delimiter, encoding: source.encoding }),
              hasHeader: true
            })
          : Either.left(finding("source", "fix", `source.quote: only \`"\` is supported, not \`${source.quote}\``))
      )
    case "ndjson":
    case "json": {
      if (source.encoding !== "utf-8") {
        return Effect.succeed(
          Either.left(finding("source", "fix", `source.encoding: ${source.type} files are read as UTF-8`))
        )
      }
      const reader =
        source.type === "ndjson" ? Source.ndjson({ path: source.path }) : Source.json({ path: source.path })
      return Effect.succeed(Either.right({ source: reader, hasHeader: false }))
    }
    case "parquet":
      return Effect.succeed(Either.right({ source: Source.parquet({ path: source.path }), hasHeader: true }))
    case "postgres":
    case "mysql": {
      const reference = source.urlEnv !== undefined ? { urlEnv: source.urlEnv } : { urlFile: source.urlFile ?? "" }
      const read = source.type === "postgres" ? Source.postgres : Source.mysql
      return SyncConfig.resolveCredential(reference).pipe(
        Effect.map((url) => Either.right({ source: read({ url, query: source.query }), hasHeader: true })),
        Effect.catchAll((error) => Effect.succeed(Either.left(finding("source", "fix", error.message))))
      )
    }
  }
}

// A source that the engine cannot read for a reason a retry may clear: the file or database is not there right now.
const transientSourceReasons: ReadonlySet<string> = new Set(["NotFound", "ReadFailed", "QueryFailed"])

/**
 * Reads the source's first record: the file opens and decodes (or the query runs), and with a header (CSV, a query)
 * every column the config reads is in it. Only the first record is read.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkSource = (config: SyncConfig.SyncConfig): Effect.Effect<Finding> =>
  Effect.gen(function* () {
    const opened = yield* openSource(config)
    if (Either.isLeft(opened)) return opened.left
    const { source, hasHeader } = opened.right
    const first = yield* source.rows.pipe(Stream.take(1), Stream.runHead, Effect.either)
    if (Either.isLeft(first)) {
      const reason = first.left.reason
      return finding(
        "source",
        transientSourceReasons.has(reason._tag) ? "unavailable" : "fix",
        `${source.name}: ${Source.describe(reason)}`
      )
    }
    const item = Option.getOrUndefined(first.right)
    if (item === undefined) return finding("source", "warning", `${source.name} is readable but holds no rows`)
    if (item._tag === "SourceRowRejected") {
      return finding("source", "warning", `${source.name}: the first record cannot be read`, [
        Source.describe(item.reason)
      ])
    }
    if (hasHeader) {
      const missing = Mapping.makeMapper(config).missingColumns(Object.keys(item.values))
      if (missing.length > 0) {
        return finding(
          "source",
          "fix",
          `${source.name} lacks ${missing.length} column(s) the config reads`,
          missing.map(({ field, column }) => `fields.${field}.column: no column \`${column}\``)
        )
      }
    }
    return finding(
      "source",
      "ok",
      `${source.name} is readable` +
        (hasHeader ? `; it has every column the config reads (${Object.keys(item.values).length} columns)` : "")
    )
  })

/**
 * Opens the state store the way a run does, reads its last run, and takes and releases a lock of its own
 * (`profilesync-check:<name>`), which writes to the store without touching the sync's data or its run lock. A SQLite
 * file that does not exist yet is not created: whether it can be is a path check.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkState = (config: SyncConfig.SyncConfig): Effect.Effect<Finding> => {
  const store = describeStore(config)
  const sqlite = config.state.sqlite
  if (sqlite !== undefined && sqlite !== ":memory:" && !FileSystem.existsSync(sqlite)) {
    const problems = checkPaths(config, "run").filter(
      (problem) => problem.key === "state.sqlite" && problem.severity === "error"
    )
    return Effect.succeed(
      problems.length === 0
        ? finding("state", "ok", `${store} does not exist yet; the first run creates it`)
        : finding("state", "fix", problems.map(formatProblem).join("; "))
    )
  }
  return Effect.gen(function* () {
    const state = yield* SyncState.SyncState
    const runs = yield* state.recentRuns({ sync: config.name, limit: 1 })
    yield* Effect.scoped(state.acquireLock(`profilesync-check:${config.name}`, { ttl: "30 seconds" }))
    const last = runs[0]
    return finding(
      "state",
      "ok",
      `${store} is reachable and writable; ` +
        (last === undefined
          ? "no runs yet"
          : `last run ${last.status}${last.dryRun ? " (dry run)" : ""}, started ${last.startedAt.toISOString()}`)
    )
  }).pipe(
    Effect.provide(layerFromConfig(config)),
    Effect.catchAll((error) =>
      Effect.succeed(
        error._tag === "SyncConfigError"
          ? finding("state", "fix", error.message)
          : finding("state", "unavailable", `${store}: ${error.message}`)
      )
    ),
    Effect.catchAllDefect((defect) =>
      Effect.succeed(finding("state", "unavailable", `${store}: ${defect instanceof Error ? defect.message : defect}`))
    )
  )
}

/**
 * Sends Redis a `PING`. ioredis is loaded only here, for the configs that share their budget through Redis.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkRedis = (url: string): Effect.Effect<Finding> =>
  Effect.tryPromise({
    try: async () => {
      const { Redis } = await import("ioredis")
      const client = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 3000,
        commandTimeout: 3000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null
      })
      // The socket's own error (`connect ECONNREFUSED …`) says more than the rejection ("Connection is closed"), and
      // without a listener ioredis would also print it on stderr.
      let socketError: unknown
      client.on("error", (error) => {
        socketError ??= error
      })
      try {
        await client.connect()
        return await client.ping()
      } catch (error) {
        throw socketError ?? error
      } finally {
        client.disconnect()
      }
    },
    catch: (error) => error
  }).pipe(
    Effect.map((answer) =>
      finding("redis", "ok", `${redactedUrl(url)} answered ${answer}; the budget is shared through it`)
    ),
    Effect.catchAll((error) =>
      Effect.succeed(
        finding(
          "redis",
          "unavailable",
          `${redactedUrl(url)} did not answer: ${error instanceof Error ? error.message : String(error)}`
        )
      )
    )
  )

/** A Redis URL without its password. */
const redactedUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "REDACTED"
    return parsed.toString()
  } catch {
    return "the Redis URL"
  }
}
