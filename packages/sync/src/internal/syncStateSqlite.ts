/**
 * The state store in a SQLite file, over the driver modules it is given (`@effect/sql-sqlite-node`'s `SqliteClient`
 * and `@effect/experimental`'s `Reactivity`): imported statically by `SyncState/Sqlite`, or loaded when
 * `SyncState.layerSqlite` is built (from the application's loader, see `Drivers`).
 *
 * @internal
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { type SqliteOptions, SyncState, type SyncStateError } from "../SyncState.ts"
import { storeFailed } from "./syncStateError.ts"
import * as store from "./syncStateStore.ts"

/** The driver modules a SQLite store uses. @internal */
export interface SqliteDriver {
  readonly SqliteClient: typeof SqliteClient
  readonly Reactivity: typeof Reactivity
}

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

/** The store in a SQLite file, over `driver`. @internal */
export const layer = (driver: SqliteDriver, options: SqliteOptions): Layer.Layer<SyncState, SyncStateError> =>
  Layer.scoped(
    SyncState,
    Effect.gen(function* () {
      // better-sqlite3 throws when it cannot open the file, which the client turns into a defect.
      const readOnly = options.readOnly === true
      const filename = readOnly ? yield* readableCopy(options.filename) : options.filename
      // A read-only connection must not switch the journal mode (a write); the store's files are WAL already.
      const client = yield* driver.SqliteClient.make({
        filename,
        readonly: readOnly,
        disableWAL: readOnly
      }).pipe(
        Effect.provideServiceEffect(driver.Reactivity.Reactivity, driver.Reactivity.make),
        Effect.catchAllDefect((cause) => Effect.fail(storeFailed(`open ${options.filename}`)(cause)))
      )
      return yield* store.make(client, { readOnly })
    })
  )
