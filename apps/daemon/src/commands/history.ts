/**
 * @module
 * `profilesync history KEY`: a row's history from the state store, newest first: what happened to it at each target
 * (created, updated, deleted, rejected, failed, dead-lettered), when, in which run and vendor job, with the content
 * hash of the version sent and the reason. The store keeps hashes, never values, so there is nothing to mask.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { type SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { loadConfig, selectTargets } from "../config.ts"
import * as CommonOptions from "../options.ts"
import { printResult } from "../output.ts"
import { layerFromConfig, storeExists } from "../state-store.ts"
import { count, formatTime, renderTable, truncate } from "../table.ts"

const key = Args.text({ name: "key" }).pipe(Args.withDescription("The row's key, as `dead-letters list` shows it."))

const target = Options.choice("target", ["ocamba", "copernica"]).pipe(
  Options.withAlias("t"),
  Options.withDescription("Only this target's history."),
  Options.optional
)

const limit = Options.integer("limit").pipe(
  Options.withAlias("n"),
  Options.withDescription("Show at most this many entries (default 50)."),
  Options.withDefault(50)
)

const orNull = <A>(option: Option.Option<A>): A | null => Option.getOrNull(option)

const toJson = (entry: SyncState.HistoryEntry) => ({
  at: entry.at.toISOString(),
  target: entry.target,
  outcome: entry.outcome,
  runId: orNull(entry.runId),
  jobId: orNull(entry.jobId),
  vendorJobId: orNull(entry.vendorJobId),
  hash: orNull(entry.hash),
  reason: orNull(entry.reason)
})

/**
 * The text table of a row's history.
 *
 * @since 0.3.0
 * @category formatting
 */
export const formatHistory = (entries: ReadonlyArray<SyncState.HistoryEntry>): string =>
  renderTable(
    ["AT", "TARGET", "OUTCOME", "RUN", "VENDOR JOB", "HASH", "REASON"],
    entries.map((entry) => [
      formatTime(entry.at),
      entry.target,
      entry.outcome,
      Option.getOrElse(
        Option.map(entry.runId, (id) => id.slice(0, 8)),
        () => "-"
      ),
      Option.getOrElse(entry.vendorJobId, () => "-"),
      Option.getOrElse(
        Option.map(entry.hash, (hash) => hash.slice(0, 12)),
        () => "-"
      ),
      truncate(
        Option.getOrElse(entry.reason, () => ""),
        80
      )
    ])
  )

const readHistory = (config: SyncConfig.SyncConfig, recordKey: string, options: { target?: string; limit: number }) =>
  storeExists(config)
    ? Effect.flatMap(SyncState.SyncState, (state) => state.rowHistory(config.name, recordKey, options)).pipe(
        Effect.provide(layerFromConfig(config))
      )
    : Effect.succeed<ReadonlyArray<SyncState.HistoryEntry>>([])

/**
 * `profilesync history KEY [--config F] [--target T] [--limit N] [--json]`.
 *
 * @since 0.3.0
 * @category commands
 */
export const history = Command.make(
  "history",
  { config: CommonOptions.config, target, limit, json: CommonOptions.json, key },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      yield* selectTargets(config, options.config, Option.toArray(options.target))
      const shown = Math.max(1, options.limit)
      const entries = yield* readHistory(config, options.key, {
        ...Option.match(options.target, { onNone: () => ({}), onSome: (name) => ({ target: name }) }),
        limit: shown
      })
      if (options.json) {
        printResult(JSON.stringify({ sync: config.name, key: options.key, history: entries.map(toJson) }))
      } else if (entries.length === 0) {
        printResult(`No history for key ${options.key} in sync ${config.name}.`)
      } else {
        const more = entries.length >= shown ? ` (the latest ${count(shown)}; --limit shows more)` : ""
        printResult(
          `${count(entries.length)} history entr${entries.length === 1 ? "y" : "ies"} for key ${options.key} in ` +
            `sync ${config.name}${more}, newest first (hashes of what was sent; values are not kept):\n\n` +
            formatHistory(entries)
        )
      }
    })
).pipe(Command.withDescription("Show what was sent for one row, to which target, when, in which run and job."))
