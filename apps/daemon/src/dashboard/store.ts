/**
 * @module
 * The dashboard's read-only connections to the state stores its configs name: one per store, shared by the syncs in
 * it. SQLite is opened read-only where it is (readers in WAL mode neither take nor wait for the writers' lock, so a
 * running sync is not slowed), and lazily, so a store a first run creates later still shows up. PostgreSQL sessions
 * are read-only (`default_transaction_read_only`), so not even a bug here could write.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Redact } from "@profilesync/core"
import { SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { describeStore } from "../state-store.ts"

/**
 * What a store holds for the dashboard right now.
 *
 * **Details**
 *
 * - `Ready`: read it with `sql`.
 * - `Empty`: the SQLite file does not exist yet (no run has happened).
 * - `Outdated`: the store's schema is older than this version reads; the next run migrates it.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreStatus =
  | { readonly _tag: "Ready"; readonly sql: SqlClient.SqlClient; readonly dialect: "sqlite" | "pg" }
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Outdated"; readonly version: number }

/**
 * One state store, as the dashboard reads it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreReader {
  /** Where the store is, without any secret: the SQLite file, or where the PostgreSQL URL comes from. */
  readonly description: string
  readonly status: Effect.Effect<StoreStatus, SyncState.SyncStateError>
}

const failed =
  (operation: string) =>
  (cause: unknown): SyncState.SyncStateError =>
    new SyncState.SyncStateError({ reason: SyncState.SyncStateErrorReason.StoreFailed({ operation, cause }) })

// Applied migrations; a store migrated to this version or later is read.
const schemaStatus = (sql: SqlClient.SqlClient, dialect: "sqlite" | "pg") =>
  Effect.map(
    SyncState.appliedSchemaVersion(sql),
    (version): StoreStatus =>
      version >= SyncState.schemaVersion ? { _tag: "Ready", sql, dialect } : { _tag: "Outdated", version }
  )

/** `options=-c default_transaction_read_only=on` added to the URL, next to any options it has. */
const readOnlyUrl = (url: string): string => {
  const parsed = new URL(url)
  const options = parsed.searchParams.get("options")
  parsed.searchParams.set("options", `${options === null ? "" : `${options} `}-c default_transaction_read_only=on`)
  return parsed.toString()
}

const openSqlite = (file: string, scope: Scope.Scope): StoreReader => {
  let ready: StoreStatus | undefined
  const open = Effect.gen(function* () {
    if (ready !== undefined) return ready
    if (!FileSystem.existsSync(file)) return { _tag: "Empty" } as StoreStatus
    const sql = yield* SqliteClient.make({ filename: file, readonly: true, disableWAL: true }).pipe(
      Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
      Scope.extend(scope),
      Effect.catchAllDefect((cause) => Effect.fail(failed(`open ${file} read-only`)(cause))),
      Effect.mapError(failed(`open ${file} read-only`))
    )
    yield* Effect.mapError(sql`PRAGMA busy_timeout = 5000`, failed("open"))
    const status = yield* Effect.mapError(schemaStatus(sql, "sqlite"), failed("read the schema version"))
    if (status._tag === "Ready") ready = status
    return status
  })
  return { description: file, status: open }
}

const openPostgres = (
  config: SyncConfig.SyncConfig,
  scope: Scope.Scope
): Effect.Effect<StoreReader, SyncState.SyncStateError | SyncConfig.SyncConfigError> =>
  Effect.gen(function* () {
    const connection = config.state.postgres!
    const url = yield* SyncConfig.resolveCredential(connection)
    Redact.registerUrlPassword(Redacted.value(url))
    const sql = yield* PgClient.make({
      url: Redacted.make(readOnlyUrl(Redacted.value(url))),
      applicationName: "profilesync dashboard",
      maxConnections: 4
    }).pipe(
      Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
      Scope.extend(scope),
      Effect.mapError(failed("connect"))
    )
    let ready: StoreStatus | undefined
    const status = Effect.suspend(() =>
      ready !== undefined
        ? Effect.succeed(ready)
        : Effect.tap(Effect.mapError(schemaStatus(sql, "pg"), failed("read the schema version")), (current) => {
            if (current._tag === "Ready") ready = current
          })
    )
    return { description: describeStore(config), status }
  })

/**
 * The same store for two configs: the same SQLite file, or the same PostgreSQL URL reference.
 */
const storeIdentity = (config: SyncConfig.SyncConfig): string => {
  const state = config.state
  if (state.postgres !== undefined) return `postgres:${JSON.stringify(state.postgres)}`
  return `sqlite:${Path.resolve(state.sqlite ?? "./profilesync.db")}`
}

/**
 * One reader per distinct store of the configs, by sync name, living as long as `scope`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openReaders = (
  configs: ReadonlyArray<SyncConfig.SyncConfig>,
  scope: Scope.Scope
): Effect.Effect<ReadonlyMap<string, StoreReader>, SyncState.SyncStateError | SyncConfig.SyncConfigError> =>
  Effect.gen(function* () {
    const byIdentity = new Map<string, StoreReader>()
    const bySync = new Map<string, StoreReader>()
    for (const config of configs) {
      const identity = storeIdentity(config)
      let reader = byIdentity.get(identity)
      if (reader === undefined) {
        reader =
          config.state.postgres !== undefined
            ? yield* openPostgres(config, scope)
            : openSqlite(config.state.sqlite ?? "./profilesync.db", scope)
        byIdentity.set(identity, reader)
      }
      bySync.set(config.name, reader)
    }
    return bySync
  })
