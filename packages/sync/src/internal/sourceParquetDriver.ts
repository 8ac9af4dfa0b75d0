/**
 * The driver of a Parquet source, imported when such a source is first read: `@duckdb/node-api` (whose npm packages
 * ship DuckDB's binary for each platform) is an optional peer dependency, needed only by users who configure a
 * Parquet source, imported through the application's loader when `Drivers` has one; a driver that cannot be loaded
 * fails that source with an error naming the package to install.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { modules } from "../Drivers.ts"
import { importDriver as importModule } from "./driverImport.ts"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The module a Parquet source uses from its driver. @internal */
export type Driver = typeof import("@duckdb/node-api")

/** The package to install for a Parquet source, as the error names it. @internal */
export const driverPackage = "@duckdb/node-api"

const importDriver = (): Promise<Driver> => import("@duckdb/node-api")

const missingDriver = (source: string, cause: unknown): SourceError =>
  new SourceError({
    reason: SourceErrorReason.MissingDriver({
      source,
      packageName: driverPackage,
      detail: cause instanceof Error ? cause.message : String(cause),
      cause
    })
  })

/**
 * The driver, or a `MissingDriver` error for `source`. `load`, when given, is the import itself (a test passes the
 * import of a package that is not installed); otherwise the module comes from `Drivers` or this package. Node caches
 * the module, so every read after the first costs nothing.
 *
 * @internal
 */
export const loadDriver = (source: string, load?: () => Promise<Driver>): Effect.Effect<Driver, SourceError> =>
  load === undefined
    ? Effect.mapError(importModule(modules.parquetSource[0], importDriver), (problem) =>
        missingDriver(source, problem.cause)
      )
    : Effect.tryPromise({ try: load, catch: (cause) => missingDriver(source, cause) })
