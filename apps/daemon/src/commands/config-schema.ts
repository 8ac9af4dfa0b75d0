/**
 * @module
 * `profilesync config-schema`: prints the config's JSON Schema, the `profilesync.schema.json` the package ships
 * (written from `SyncConfig.jsonSchema()` by `pnpm generate`).
 */
import * as FileSystem from "node:fs"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { printResult } from "../output.ts"

/**
 * Where the shipped schema is: the package's root, two levels above this module in `src/commands` or
 * `dist/commands`.
 *
 * @since 0.1.0
 * @category constants
 */
export const schemaFile = new URL("../../profilesync.schema.json", import.meta.url)

/**
 * `profilesync config-schema`.
 *
 * @since 0.1.0
 * @category commands
 */
export const configSchema = Command.make("config-schema", {}, () =>
  Effect.sync(() => printResult(FileSystem.readFileSync(schemaFile, "utf8")))
)
