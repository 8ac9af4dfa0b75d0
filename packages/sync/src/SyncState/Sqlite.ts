/**
 * The state store in a SQLite file, over `@effect/sql-sqlite-node` (which builds `better-sqlite3`). This module
 * imports that driver: `SyncState.layerSqlite` loads it only when a SQLite store is configured, so a PostgreSQL user
 * need not install it. Import it directly to get the driver loaded up front.
 *
 * @since 0.2.0
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { storeFailed } from "../internal/syncStateError.ts"
import * as store from "../internal/syncStateStore.ts"
import { type SqliteOptions, SyncState, type SyncStateError } from "../SyncState.ts"

/**
 * The file a read-only store opens. SQLite creates `-wal` and `-shm` files beside a WAL database that a reader opens
 * at rest, even read-only; so a store at rest is copied to a private temporary directory (removed with the scope)
 * and the copy is read. A store with a `-wal` file is in use (or was left by a crash): it is read in place, which
 * creates nothing new.
 */
const readableCopy = (filename: string): Effect.Effect<string, SyncStateError, Scope.Scope> => {
  if (filename === ":memory:" || existsSync(`${filename}-wal`)) return Effect.succeed(filename)
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        const directory = mkdtempSync(join(tmpdir(), "profilesync-read-only-"))
        const copy = join(directory, basename(filename))
        copyFileSync(filename, copy)
        return copy
      },
      catch: storeFailed(`open ${filename} read-only`)
    }),
    (copy) => Effect.sync(() => rmSync(dirname(copy), { recursive: true, force: true }))
  )
}

/**
 * The store in a SQLite file: what `SyncState.layerSqlite` builds once it has loaded this module.
 *
 * **Gotchas**
 *
 * Processes on one machine can share the file (WAL mode, `BEGIN IMMEDIATE`); a file on a network share cannot be
 * shared safely (SQLite's locks do not hold there): use the PostgreSQL store for several machines.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: SqliteOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      // better-sqlite3 throws when it cannot open the file, which the client turns into a defect.
      const readOnly = options.readOnly === true
      const filename = readOnly ? yield* readableCopy(options.filename) : options.filename
      // A read-only connection must not switch the journal mode (a write); the store's files are WAL already.
      const client = yield* SqliteClient.make({
        filename,
        readonly: readOnly,
        disableWAL: readOnly
      }).pipe(
        Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
        Effect.catchAllDefect((cause) => Effect.fail(storeFailed(`open ${options.filename}`)(cause)))
      )
      return yield* store.make(client, { readOnly })
    })
  )
