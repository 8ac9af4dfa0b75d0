/**
 * The driver of a MySQL/MariaDB source, imported when such a source is first read: `mysql2` is an optional peer
 * dependency, needed only by users who configure a MySQL source, imported through the application's loader when
 * `Drivers` has one; a driver that cannot be loaded fails that source with an error naming the package to install.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { modules } from "../Drivers.ts"
import { importDriver as importModule } from "./driverImport.ts"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The module a MySQL source uses from its driver. @internal */
export type Driver = typeof import("mysql2")

/** The package to install for a MySQL source, as the error names it. @internal */
export const driverPackage = "mysql2"

// mysql2 is CommonJS: its functions are on the default export, and named exports depend on Node's detection.
const fromModule = (module: Driver & { readonly default?: Driver }): Driver => module.default ?? module

const importDriver = async (): Promise<Driver> => fromModule(await import("mysql2"))

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
    ? Effect.mapError(Effect.map(importModule(modules.mysqlSource[0], importDriver), fromModule), (problem) =>
        missingDriver(source, problem.cause)
      )
    : Effect.tryPromise({ try: load, catch: (cause) => missingDriver(source, cause) })
