/**
 * `@profilesync/sync`: the sync engine behind the `profilesync` daemon. A config file says where profiles come from
 * (CSV, NDJSON, JSON, PostgreSQL) and how they map onto Ocamba Hood and Copernica; the engine diffs them against a
 * state store (SQLite or PostgreSQL), sends only what changed through `@profilesync/core`'s clients, and reports
 * every row's outcome.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as Drivers from "./Drivers.ts"
/** @since 0.2.0 */
export * as Source from "./Source.ts"
/** @since 0.2.0 */
export * as Sync from "./Sync.ts"
export { SyncError } from "./Sync.ts"
/** @since 0.2.0 */
export * as SyncConfig from "./SyncConfig.ts"
/** @since 0.2.0 */
export * as SyncState from "./SyncState.ts"
