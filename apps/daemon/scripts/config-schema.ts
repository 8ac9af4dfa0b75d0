/**
 * Writes `profilesync.schema.json`, the JSON Schema of the config that the package ships and `profilesync
 * config-schema` prints, from `SyncConfig.jsonSchema()` (run by `pnpm generate`; a test keeps the two equal).
 */
import * as FileSystem from "node:fs"
import { SyncConfig } from "@profilesync/sync"

const file = new URL("../profilesync.schema.json", import.meta.url)
FileSystem.writeFileSync(file, `${JSON.stringify(SyncConfig.jsonSchema(), null, 2)}\n`)
