/**
 * The driver of a MySQL/MariaDB source, imported when such a source is first read: `mysql2` is an optional peer
 * dependency, needed only by users who configure a MySQL source, and a missing driver fails that source with an
 * error naming the package to install.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The module a MySQL source uses from its driver. @internal */
export type Driver = typeof import("mysql2")

/** The package to install for a MySQL source, as the error names it. @internal */
export const driverPackage = "mysql2"

// mysql2 is CommonJS: its functions are on the default export, and named exports depend on Node's detection.
const importDriver = async (): Promise<Driver> => {
  const module = (await import("mysql2")) as Driver & { readonly default?: Driver }
  return module.default ?? module
}

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
