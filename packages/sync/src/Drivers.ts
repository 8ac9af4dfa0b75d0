/**
 * Where sync's database drivers come from. The drivers (`@effect/sql-sqlite-node` for a SQLite state store,
 * `@effect/sql-pg` for a PostgreSQL store or source, `mysql2` for a MySQL/MariaDB source, `@duckdb/node-api` for a
 * Parquet source) are optional peer dependencies, each imported only when a config needs it: by default from this package's own location, so a project installs the one driver it uses next to
 * `@profilesync/sync`. An application that brings its own drivers provides {@link Drivers} with a loader per driver
 * module, a function that imports it from the application's own location.
 *
 * **Details**
 *
 * The loaders are needed where this package cannot see the application's dependencies: npm's global install puts
 * `@profilesync/sync` beside the `profilesync` daemon, not inside it, and installs no optional peer there, so the daemon
 * hands over its own drivers:
 *
 * ```ts
 * program.pipe(
 *   Effect.provideService(Drivers.Drivers, {
 *     "@effect/sql-pg/PgClient": () => import("@effect/sql-pg/PgClient")
 *   })
 * )
 * ```
 *
 * A module without a loader is imported from here; one that cannot be loaded either way fails with the error of what
 * needed it (`SyncStateError` or `SourceError`, reason `MissingDriver`) naming the package to install.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"

/**
 * Imports one driver module; resolves to the module's namespace object.
 *
 * @since 0.2.0
 * @category models
 */
export type Loader = () => Promise<unknown>

/**
 * Loaders by module specifier, the specifier sync imports the module by: `@effect/sql-sqlite-node/SqliteClient`,
 * `@effect/sql-pg/PgClient`, `@effect/experimental/Reactivity`, `mysql2`, `@duckdb/node-api`. See {@link modules}.
 *
 * @since 0.2.0
 * @category models
 */
export type Loaders = { readonly [specifier: string]: Loader | undefined }

/**
 * The module specifiers each kind of store or source imports: what an application provides loaders for.
 *
 * @since 0.2.0
 * @category constants
 */
export const modules = {
  sqliteState: ["@effect/sql-sqlite-node/SqliteClient", "@effect/experimental/Reactivity"],
  postgresState: ["@effect/sql-pg/PgClient", "@effect/experimental/Reactivity"],
  postgresSource: ["@effect/sql-pg/PgClient", "@effect/experimental/Reactivity"],
  mysqlSource: ["mysql2"],
  parquetSource: ["@duckdb/node-api"]
} as const satisfies Record<string, ReadonlyArray<string>>

/**
 * The loaders in force; none by default (every driver is imported from this package's location).
 *
 * @since 0.2.0
 * @category services
 */
export class Drivers extends Context.Reference<Drivers>()("@profilesync/sync/Drivers", {
  defaultValue: (): Loaders => ({})
}) {}
