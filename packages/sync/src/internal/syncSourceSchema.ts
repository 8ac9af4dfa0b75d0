/**
 * The source's schema, checked before a run takes its lock or sends anything: the columns the source has now (a
 * PostgreSQL or MySQL query's result columns or a Parquet file's columns, with their types; a CSV file's header; the
 * keys of an NDJSON/JSON file's records), compared with the columns the config maps and with those of the last
 * successful run (kept in that run's report). A mapped column that is missing, or whose type changed, stops the run; a
 * column the last run did not have is reported.
 *
 * @internal
 */
import type * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Source from "../Source.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import type * as SyncState from "../SyncState.ts"
import { type SyncError, SyncErrorReason, stateFailed, syncError } from "./syncError.ts"
import type { OpenedSource } from "./syncSource.ts"

/** What the check found: the columns to remember, and those the last successful run did not have. @internal */
export interface Schema {
  readonly columns: ReadonlyArray<Source.SourceColumn>
  /** `undefined` when there is no earlier run to compare with (the first run, or one from before this check). */
  readonly newColumns: ReadonlyArray<string> | undefined
}

/**
 * The columns the source has now, or `undefined` when it cannot tell: no row, a source that cannot be read (the
 * read itself then fails, with a run record and a report, or finds nothing to send), or one that can be read only once
 * (a named pipe: the run's own read then checks its header). CSV: the header, as the first row that could be read carries every column of it. JSON:
 * every key of every record, as a record may leave out a value it does not have (one more pass over the file).
 */
const columnsOf = (opened: OpenedSource): Effect.Effect<ReadonlyArray<Source.SourceColumn> | undefined> => {
  const source = opened.source
  if (source.columns !== undefined) return Effect.orElseSucceed(source.columns, () => undefined)
  if (!opened.rereadable) return Effect.succeed(undefined)
  const rows = Stream.filterMap(source.rows, (item) =>
    item._tag === "SourceRow" ? Option.some(Object.keys(item.values)) : Option.none()
  )
  if (opened.hasHeader) {
    return Stream.runHead(rows).pipe(
      Effect.map(Option.match({ onNone: () => undefined, onSome: (names) => names.map((name) => ({ name })) })),
      Effect.orElseSucceed(() => undefined)
    )
  }
  return Stream.runFold(rows, new Set<string>(), (names, keys) => {
    for (const key of keys) names.add(key)
    return names
  }).pipe(
    Effect.map((names) => (names.size === 0 ? undefined : [...names].map((name) => ({ name })))),
    Effect.orElseSucceed(() => undefined)
  )
}

/**
 * The YAML path of the setting that names a field's columns: `fields.NAME.column`, `fields.NAME.template`, or the
 * field itself.
 *
 * @internal
 */
export const columnPath = (config: SyncConfig.SyncConfig, field: string): string =>
  config.fields[field]?.template !== undefined
    ? `fields.${field}.template`
    : config.fields[field]?.column === undefined
      ? `fields.${field}`
      : `fields.${field}.column`

const isColumns = (value: unknown): value is ReadonlyArray<Source.SourceColumn> =>
  Array.isArray(value) &&
  value.every(
    (column) =>
      typeof column === "object" &&
      column !== null &&
      typeof (column as Source.SourceColumn).name === "string" &&
      ["string", "undefined"].includes(typeof (column as Source.SourceColumn).type)
  )

/** The source columns of the sync's last successful (or partial: its source was read) run that recorded them. */
const previousColumns = (
  state: SyncState.SyncStateService,
  sync: string
): Effect.Effect<ReadonlyArray<Source.SourceColumn> | undefined, SyncError> =>
  Effect.map(Effect.mapError(state.recentRuns({ sync, limit: 50 }), stateFailed), (runs) => {
    for (const run of runs) {
      if (run.dryRun || (run.status !== "succeeded" && run.status !== "partial")) continue
      const report = Option.getOrUndefined(run.report)
      const columns =
        typeof report === "object" && report !== null
          ? (report as { sourceColumns?: unknown }).sourceColumns
          : undefined
      if (isColumns(columns)) return columns
    }
    return undefined
  })

/** Checks the source's columns against the config and the last successful run. @internal */
export const check = (options: {
  readonly config: SyncConfig.SyncConfig
  readonly mapper: Mapping.Mapper
  readonly opened: OpenedSource
  readonly state: SyncState.SyncStateService
  /** Type changes are logged and the run goes on (`acceptSchemaChanges`); the new types become the reference. */
  readonly acceptTypeChanges: boolean
}): Effect.Effect<Schema | undefined, SyncError> =>
  Effect.gen(function* () {
    const { config, mapper, opened } = options
    const columns = yield* columnsOf(opened)
    if (columns === undefined) return undefined
    const source = opened.source.name
    const missing = mapper.missingColumns(columns.map((column) => column.name))
    if (missing.length > 0) {
      return yield* Effect.fail(
        syncError(
          SyncErrorReason.MissingColumns({
            source,
            columns: missing.map((column) => ({ ...column, path: columnPath(config, column.field) }))
          })
        )
      )
    }
    const previous = yield* previousColumns(options.state, config.name)
    if (previous === undefined) return { columns, newColumns: undefined }
    const before = new Map(previous.map((column) => [column.name, column.type]))
    // Every column a field reads, a template's too (a constant reads none); the first field that reads it names it.
    const mapped = new Map<string, string>()
    for (const { field, column } of mapper.sourceColumns) if (!mapped.has(column)) mapped.set(column, field)
    const changed = columns.flatMap((column) => {
      const field = mapped.get(column.name)
      const type = before.get(column.name)
      if (field === undefined || type === undefined || column.type === undefined || type === column.type) return []
      return [{ field, column: column.name, path: columnPath(config, field), previous: type, current: column.type }]
    })
    if (changed.length > 0) {
      if (!options.acceptTypeChanges) {
        return yield* Effect.fail(syncError(SyncErrorReason.ColumnTypeChanged({ source, columns: changed })))
      }
      yield* Effect.logWarning("mapped source columns changed type since the last successful run (accepted)").pipe(
        Effect.annotateLogs({
          source,
          columns: changed.map((column) => `${column.column}: ${column.previous} → ${column.current}`).join(", ")
        })
      )
    }
    return { columns, newColumns: columns.map((column) => column.name).filter((name) => !before.has(name)) }
  })
