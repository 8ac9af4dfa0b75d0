/**
 * The driver of a Parquet source, imported when such a source is first read: `@duckdb/node-api` (whose npm packages
 * ship DuckDB's binary for each platform) is an optional peer dependency, needed only by users who configure a
 * Parquet source, and a missing driver fails that source with an error naming the package to install.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The module a Parquet source uses from its driver. @internal */
export type Driver = typeof import("@duckdb/node-api")

/** The package to install for a Parquet source, as the error names it. @internal */
export const driverPackage = "@duckdb/node-api"

const importDriver = (): Promise<Driver> => import("@duckdb/node-api")

/**
 * The driver, or a `MissingDriver` error for `source`. `load` is the import itself (a test passes the import of a
 * package that is not installed). Node caches the module, so every read after the first costs nothing.
 *
 * @internal
 */
export const loadDriver = (
  source: string,
  load: () => Promise<Driver> = importDriver
): Effect.Effect<Driver, SourceError> =>
  Effect.tryPromise({
    try: load,
    catch: (cause) =>
      new SourceError({
        reason: SourceErrorReason.MissingDriver({
          source,
          packageName: driverPackage,
          detail: cause instanceof Error ? cause.message : String(cause),
          cause
        })
      })
  })
