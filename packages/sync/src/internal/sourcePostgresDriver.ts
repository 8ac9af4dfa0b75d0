/**
 * The PostgreSQL driver of a PostgreSQL source, imported when such a source is first read: `@effect/sql-pg` (which
 * brings `pg`) is an optional peer dependency, needed only by users who configure a PostgreSQL source, imported
 * through the application's loader when `Drivers` has one; a driver that cannot be loaded fails that source with an
 * error naming the package to install.
 *
 * @internal
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import { modules } from "../Drivers.ts"
import { type DriverUnavailable, importDriver } from "./driverImport.ts"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The modules a PostgreSQL source uses from its driver. @internal */
export interface Driver {
  readonly PgClient: typeof PgClient
  readonly Reactivity: typeof Reactivity
}

/** The package to install for a PostgreSQL source, as the error names it. @internal */
export const driverPackage = "@effect/sql-pg"

const importPostgresDriver: Effect.Effect<Driver, DriverUnavailable> = Effect.all({
  PgClient: importDriver<typeof PgClient>(modules.postgresSource[0], () => import("@effect/sql-pg/PgClient")),
  Reactivity: importDriver<typeof Reactivity>(
    modules.postgresSource[1],
    () => import("@effect/experimental/Reactivity")
  )
})

const missingDriver = (source: string, packageName: string, cause: unknown): SourceError =>
  new SourceError({
    reason: SourceErrorReason.MissingDriver({
      source,
      packageName,
      detail: cause instanceof Error ? cause.message : String(cause),
      cause
    })
  })

/**
 * The driver, or a `MissingDriver` error for `source`. `load`, when given, is the import itself (a test passes the
 * import of a package that is not installed); otherwise the modules come from `Drivers` or this package. Node caches
 * the modules, so every read after the first costs nothing.
 *
 * @internal
 */
export const loadDriver = (source: string, load?: () => Promise<Driver>): Effect.Effect<Driver, SourceError> =>
  load === undefined
    ? Effect.mapError(importPostgresDriver, (problem) => missingDriver(source, problem.packageName, problem.cause))
    : Effect.tryPromise({ try: load, catch: (cause) => missingDriver(source, driverPackage, cause) })
