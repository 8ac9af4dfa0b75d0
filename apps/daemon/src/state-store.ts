/**
 * @module
 * Opens the state store a config names, for the commands that read or edit it without running a sync (`status`,
 * `dead-letters`). `run` and `schedule` get theirs from the engine's layer.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Where the store is, for messages: the SQLite file, or `postgres (from OCAMBA_STATE_URL)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeStore = (config: SyncConfig.SyncConfig): string => {
  const state = config.state
  if (state.sqlite !== undefined) return state.sqlite
  const connection = state.postgres
  if (connection === undefined) return "unknown"
  return "urlEnv" in connection && connection.urlEnv !== undefined
    ? `postgres (URL from $${connection.urlEnv})`
    : `postgres (URL from ${"urlFile" in connection ? connection.urlFile : "a file"})`
}

/**
 * Whether the store can hold anything yet: a SQLite file that does not exist has no runs, and the read-only
 * commands should not create it.
 *
 * @since 0.1.0
 * @category guards
 */
export const storeExists = (config: SyncConfig.SyncConfig): boolean => {
  const file = config.state.sqlite
  return file === undefined || file === ":memory:" || FileSystem.existsSync(file)
}

/**
 * Creates the directory of a SQLite store (`./.profilesync/state.db` needs `.profilesync/`), so the first run of a
 * fresh checkout works.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ensureStoreDirectory = (config: SyncConfig.SyncConfig): Effect.Effect<void> =>
  Effect.sync(() => {
    const file = config.state.sqlite
    if (file !== undefined && file !== ":memory:") FileSystem.mkdirSync(Path.dirname(file), { recursive: true })
    FileSystem.mkdirSync(Path.dirname(config.rejects.path), { recursive: true })
  }).pipe(Effect.ignore)

/**
 * The state store of a config: SQLite from the file, PostgreSQL from the URL's environment variable or file.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromConfig = (
  config: SyncConfig.SyncConfig
): Layer.Layer<SyncState.SyncState, SyncState.SyncStateError | SyncConfig.SyncConfigError> => {
  const state = config.state
  if (state.postgres !== undefined) {
    const connection = state.postgres
    return Layer.unwrapEffect(
      Effect.map(SyncConfig.resolveCredential(connection), (url) => SyncState.layerPostgres({ url }))
    )
  }
  return SyncState.layerSqlite({ filename: state.sqlite ?? "./profilesync.db" })
}
