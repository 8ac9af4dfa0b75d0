/**
 * Loads the module of a store kind when its layer is built. Each imports its database driver, a peer dependency of
 * this package, so a SQLite user whose package manager does not install peers needs no PostgreSQL driver; a driver
 * that is not installed is `MissingDriver`, naming the package to install.
 *
 * @internal
 */
import { createRequire } from "node:module"
import * as Effect from "effect/Effect"
import type * as Postgres from "../SyncState/Postgres.ts"
import type * as Sqlite from "../SyncState/Sqlite.ts"
import { SyncStateError, SyncStateErrorReason, storeFailed } from "./syncStateError.ts"

interface Stores {
  readonly sqlite: typeof Sqlite
  readonly postgres: typeof Postgres
}

const drivers: {
  readonly [Kind in keyof Stores]: { readonly packageName: string; readonly load: () => Promise<Stores[Kind]> }
} = {
  sqlite: { packageName: "@effect/sql-sqlite-node", load: () => import("../SyncState/Sqlite.ts") },
  postgres: { packageName: "@effect/sql-pg", load: () => import("../SyncState/Postgres.ts") }
}

// Resolved from here the way the store module's own `import` is (ESM resolution: no NODE_PATH, no global folders),
// so a package that import cannot see counts as missing. Asking the resolver, rather than reading the import's error
// message, tells a missing driver from one that is installed but fails to load (a native module built for another
// Node version). `import.meta.resolve` is missing only under test runners that load modules themselves.
const isInstalled = (packageName: string): boolean => {
  try {
    if (typeof import.meta.resolve === "function") import.meta.resolve(`${packageName}/package.json`)
    else createRequire(import.meta.url).resolve(`${packageName}/package.json`)
    return true
  } catch {
    return false
  }
}

/** The module of the store `kind`, or `MissingDriver` when its driver is not installed. @internal */
export const loadStore = <Kind extends keyof Stores>(kind: Kind): Effect.Effect<Stores[Kind], SyncStateError> => {
  const driver = drivers[kind]
  return Effect.tryPromise({
    try: () => driver.load() as Promise<Stores[Kind]>,
    catch: (cause) =>
      isInstalled(driver.packageName)
        ? storeFailed(`load the driver ${driver.packageName}`)(cause)
        : new SyncStateError({
            reason: SyncStateErrorReason.MissingDriver({ store: kind, packageName: driver.packageName })
          })
  })
}
