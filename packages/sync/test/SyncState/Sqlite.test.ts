/**
 * Tests for `SyncState/Sqlite` (through `SyncState.layerSqlite`, which loads it): the shared store suite
 * (`support/SyncStateSuite.ts`) on SQLite files in a temporary directory, one new file per test.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { afterAll } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as SyncState from "../../src/SyncState.ts"
import { describeBulk } from "../support/SyncStateBulkSuite.ts"
import { describeHistory } from "../support/SyncStateHistorySuite.ts"
import { describeStore, type StoreKind } from "../support/SyncStateSuite.ts"

const directory = mkdtempSync(join(tmpdir(), "profilesync-state-"))

afterAll(() => {
  rmSync(directory, { recursive: true, force: true })
})

let counter = 0

const kind: StoreKind = {
  name: "sqlite",
  fresh: Effect.sync(() => {
    const filename = join(directory, `state-${++counter}.db`)
    return {
      open: () => SyncState.layerSqlite({ filename }),
      openReadOnly: () => SyncState.layerSqlite({ filename, readOnly: true }),
      client: () => SqliteClient.layer({ filename })
    }
  }),
  unopenable: () => SyncState.layerSqlite({ filename: join(directory, "no-such-directory", "state.db") })
}

describeStore(kind)
describeHistory(kind)
describeBulk(kind)
