/**
 * The PostgreSQL driver of a PostgreSQL source, imported when such a source is first read: `@effect/sql-pg` (which
 * brings `pg`) is a peer dependency, needed only by users who configure a PostgreSQL source, and a missing
 * driver fails that source with an error naming the package to install.
 *
 * @internal
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import { SourceError, SourceErrorReason } from "./sourceError.ts"

/** The modules a PostgreSQL source uses from its driver. @internal */
export interface Driver {
  readonly PgClient: typeof PgClient
  readonly Reactivity: typeof Reactivity
}

/** The package to install for a PostgreSQL source, as the error names it. @internal */
export const driverPackage = "@effect/sql-pg"

const importDriver = async (): Promise<Driver> => {
  const [pgClient, reactivity] = await Promise.all([
    import("@effect/sql-pg/PgClient"),
    import("@effect/experimental/Reactivity")
  ])
  return { PgClient: pgClient, Reactivity: reactivity }
}

/**
 * The driver, or a `MissingDriver` error for `source`. `load` is the import itself (a test passes the import of a
 * package that is not installed). Node caches the modules, so every read after the first costs nothing.
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
