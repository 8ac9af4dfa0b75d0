/**
 * The store over one `SqlClient`: what every operation shares (the dialect, write transactions, the database's
 * clock), the schema check or migration on opening, the run history, and the service assembled from the parts in
 * `syncStateRecords.ts`, `syncStateJobs.ts` and `syncStateLocks.ts`.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import type * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import * as Redact from "@profilesync/core/Redact"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import type { SyncStateService } from "../SyncState.ts"
import { fail, type SyncStateError, SyncStateErrorReason, storeFailed } from "./syncStateError.ts"
import { makeHistory } from "./syncStateHistory.ts"
import { makeJobs } from "./syncStateJobs.ts"
import { makeLock } from "./syncStateLocks.ts"
import { makeRecords } from "./syncStateRecords.ts"
import { decodeAll, decodeRun, type RunRow, toNumber } from "./syncStateRows.ts"
import { appliedVersion, checkSchema, type Dialect, migrate } from "./syncStateSchema.ts"

/** What every operation of one store shares. @internal */
export interface StoreContext {
  readonly sql: SqlClient.SqlClient
  readonly dialect: Dialect
  /** A write transaction (`BEGIN IMMEDIATE` on SQLite) whose database failures become `StoreFailed(operation)`. */
  readonly transaction: <A, E, R>(
    operation: string,
    effect: Effect.Effect<A, E | SqlError, R>
  ) => Effect.Effect<A, Exclude<E, SqlError> | SyncStateError, R>
  /** Database failures of `effect` as `StoreFailed(operation)`. */
  readonly orStoreFailed: (
    operation: string
  ) => <A, E, R>(
    effect: Effect.Effect<A, E | SqlError, R>
  ) => Effect.Effect<A, Exclude<E, SqlError> | SyncStateError, R>
  /** The database's clock, in epoch milliseconds. */
  readonly now: Effect.Effect<number, SqlError>
}

// By tag, not `instanceof`: the client may come from an application's copy of `@effect/sql` (its driver, handed over
// through `Drivers`), whose error classes are not this package's.
const isSqlError = (value: unknown): value is SqlError => Predicate.isTagged(value, "SqlError")
const isMigrationError = (value: unknown): value is Migrator.MigrationError =>
  Predicate.isTagged(value, "MigrationError")

const makeContext = (sql: SqlClient.SqlClient, dialect: Dialect): StoreContext => {
  // Write transactions start with BEGIN IMMEDIATE on SQLite: the write lock is taken (or waited for) up front, so a
  // transaction that reads before it writes cannot fail halfway with SQLITE_BUSY.
  const beginStatement = dialect === "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN"
  const withTransaction = SqlClient.makeWithTransaction({
    transactionTag: SqlClient.TransactionConnection,
    spanAttributes: [],
    acquireConnection: Effect.flatMap(Scope.make(), (scope) =>
      Effect.map(Scope.extend(sql.reserve, scope), (connection) => [scope, connection] as const)
    ),
    begin: (connection: SqlConnection.Connection) => connection.executeUnprepared(beginStatement, [], undefined),
    savepoint: (connection, id) => connection.executeUnprepared(`SAVEPOINT profilesync_${id}`, [], undefined),
    commit: (connection) => connection.executeUnprepared("COMMIT", [], undefined),
    rollback: (connection) => connection.executeUnprepared("ROLLBACK", [], undefined),
    rollbackSavepoint: (connection, id) =>
      connection.executeUnprepared(`ROLLBACK TO SAVEPOINT profilesync_${id}`, [], undefined)
  })

  // `makeWithTransaction` turns a failed COMMIT into a defect; it is a store failure like any other here.
  const transaction = <A, E, R>(operation: string, effect: Effect.Effect<A, E | SqlError, R>) =>
    withTransaction(effect).pipe(
      Effect.catchSomeDefect((defect) => (isSqlError(defect) ? Option.some(Effect.fail(defect)) : Option.none())),
      Effect.mapError((error) => (isSqlError(error) ? storeFailed(operation)(error) : error))
    ) as Effect.Effect<A, Exclude<E, SqlError> | SyncStateError, R>

  const orStoreFailed =
    (operation: string) =>
    <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
      Effect.mapError(effect, (error) => (isSqlError(error) ? storeFailed(operation)(error) : error)) as Effect.Effect<
        A,
        Exclude<E, SqlError> | SyncStateError,
        R
      >

  const nowQuery =
    dialect === "sqlite"
      ? sql<{ readonly now: unknown }>`SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now`
      : sql<{ readonly now: unknown }>`SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now`
  const now: Effect.Effect<number, SqlError> = Effect.map(nowQuery, (rows) => toNumber(rows[0]?.now))

  return { sql, dialect, transaction, orStoreFailed, now }
}

/**
 * Builds the store over `sql`: migrates it (or, read-only, checks that its schema is current, writing nothing).
 *
 * @internal
 */
export const make = (
  sql: SqlClient.SqlClient,
  options: { readonly readOnly: boolean }
): Effect.Effect<SyncStateService, SyncStateError> =>
  Effect.gen(function* () {
    const dialect = sql.onDialectOrElse({
      sqlite: () => "sqlite" as const,
      pg: () => "pg" as const,
      orElse: () => undefined
    })
    if (dialect === undefined) {
      return yield* fail(
        SyncStateErrorReason.UnsupportedDialect({ dialect: sql.onDialectOrElse({ orElse: () => "this database" }) })
      )
    }
    const context = makeContext(sql, dialect)
    const { transaction, orStoreFailed, now } = context

    if (dialect === "sqlite" && !options.readOnly) {
      // The client already sets journal_mode = WAL. FULL syncs the WAL on every commit: a confirmed row survives a
      // power cut, at the cost of one fsync per transaction (a chunk, not a row).
      yield* orStoreFailed("open")(sql`PRAGMA synchronous = FULL`)
      yield* orStoreFailed("open")(sql`PRAGMA busy_timeout = 5000`)
      // A confirmed chunk dirties pages all over the records' and history's indexes (keys arrive in no order). The
      // default checkpoint every 1,000 pages (4 MiB) copied them back into the database after nearly every commit;
      // every 16,384 pages (64 MiB of WAL) a page rewritten by many chunks is copied once. The limit truncates the
      // WAL file back to that size after a checkpoint.
      yield* orStoreFailed("open")(sql`PRAGMA wal_autocheckpoint = 16384`)
      yield* orStoreFailed("open")(sql`PRAGMA journal_size_limit = 67108864`)
    }
    yield* options.readOnly
      ? orStoreFailed("open read-only")(checkSchema(sql, dialect, "open read-only"))
      : transaction("migrate", migrate(sql, dialect)).pipe(
          // The `Migrator` reports a failed migration as a defect; here it is a store failure like any other.
          Effect.catchSomeDefect((defect) =>
            isMigrationError(defect) ? Option.some(Effect.fail(defect)) : Option.none()
          ),
          Effect.mapError((error) => (isMigrationError(error) ? storeFailed("migrate")(error) : error))
        )

    const runById = (operation: string, id: string) =>
      Effect.flatMap(orStoreFailed(operation)(sql<RunRow>`SELECT * FROM profilesync_runs WHERE id = ${id}`), (rows) =>
        rows[0] === undefined
          ? fail(SyncStateErrorReason.NotFound({ entity: "run", id }))
          : Effect.map(decodeAll(decodeRun)([rows[0]]), (runs) => runs[0]!)
      )

    const startRun: SyncStateService["startRun"] = (options) =>
      transaction(
        "startRun",
        Effect.gen(function* () {
          const id = randomUUID()
          const clock = yield* now
          // Strictly after every run the store knows (of any sync), so that runs started within one millisecond still
          // sort in the order they started, in one sync's history and across syncs.
          const previous = yield* sql<{
            readonly latest: unknown
          }>`SELECT MAX(started_at) AS latest FROM profilesync_runs`
          const latest = previous[0]?.latest
          const at = latest === null || latest === undefined ? clock : Math.max(clock, toNumber(latest) + 1)
          yield* sql`UPDATE profilesync_runs SET status = 'interrupted', finished_at = ${at}
            WHERE sync_name = ${options.sync} AND status = 'running'`
          yield* sql`INSERT INTO profilesync_runs ${sql.insert({
            id,
            sync_name: options.sync,
            targets: JSON.stringify(options.targets),
            dry_run: options.dryRun === true ? 1 : 0,
            status: "running",
            started_at: at,
            finished_at: null,
            counts: "{}",
            report: null
          })}`
          return {
            id,
            sync: options.sync,
            targets: options.targets,
            dryRun: options.dryRun === true,
            status: "running" as const,
            startedAt: new Date(at),
            finishedAt: Option.none(),
            counts: {},
            report: Option.none()
          }
        })
      )

    const finishRun: SyncStateService["finishRun"] = (runId, outcome) =>
      Effect.gen(function* () {
        const at = yield* orStoreFailed("finishRun")(now)
        const updated = yield* orStoreFailed("finishRun")(
          sql<{ readonly id: string }>`UPDATE profilesync_runs SET status = ${outcome.status}, finished_at = ${at},
            counts = ${JSON.stringify(outcome.counts ?? {})},
            report = ${outcome.report === undefined ? null : Redact.json(outcome.report)}
            WHERE id = ${runId} RETURNING id`
        )
        if (updated.length === 0) return yield* fail(SyncStateErrorReason.NotFound({ entity: "run", id: runId }))
        return yield* runById("finishRun", runId)
      })

    const recentRuns: SyncStateService["recentRuns"] = (options) => {
      const limit = Math.max(1, Math.floor(options?.limit ?? 20))
      const sync = options?.sync
      return orStoreFailed("recentRuns")(
        sync === undefined
          ? sql<RunRow>`SELECT * FROM profilesync_runs ORDER BY started_at DESC, id DESC LIMIT ${limit}`
          : sql<RunRow>`SELECT * FROM profilesync_runs WHERE sync_name = ${sync}
              ORDER BY started_at DESC, id DESC LIMIT ${limit}`
      ).pipe(Effect.flatMap(decodeAll(decodeRun)))
    }

    const records = makeRecords(context)
    const jobs = makeJobs(context, records)
    return {
      startRun,
      finishRun,
      recentRuns,
      ...records.service,
      ...jobs,
      ...makeHistory(context, { historyKept: (yield* orStoreFailed("open")(appliedVersion(sql, dialect))) >= 4 }),
      acquireLock: makeLock(context)
    } satisfies SyncStateService
  })
