/**
 * Imports a driver module when a store or source needs it: through the application's loader for that module when
 * `Drivers` has one, otherwise from this package's own location. A failure says which package to install and
 * whether it is missing or installed but failing to load; the caller turns that into its own error.
 *
 * @internal
 */
import { createRequire } from "node:module"
import * as Effect from "effect/Effect"
import { Drivers } from "../Drivers.ts"

/** Why a driver module could not be imported. @internal */
export interface DriverUnavailable {
  readonly specifier: string
  /** The package that holds the module: what the user installs. */
  readonly packageName: string
  /** Not installed where the import looked, as opposed to installed and failing to load. */
  readonly missing: boolean
  readonly cause: unknown
}

/** The package of a module specifier: `@effect/sql-pg/PgClient` is in `@effect/sql-pg`. @internal */
export const packageOf = (specifier: string): string => {
  const parts = specifier.split("/")
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/")
}

// Resolved from here the way this package's own `import` is (ESM resolution: no NODE_PATH, no global folders), so a
// package that import cannot see counts as missing. Asking the resolver, rather than reading the import's error
// message, tells a missing driver from one that is installed but fails to load (a native module built for another
// Node version). `import.meta.resolve` is missing only under test runners that load modules themselves.
const isInstalledHere = (packageName: string): boolean => {
  try {
    if (typeof import.meta.resolve === "function") import.meta.resolve(`${packageName}/package.json`)
    else createRequire(import.meta.url).resolve(`${packageName}/package.json`)
    return true
  } catch {
    return false
  }
}

// An application's loader resolves from the application's location, which this package cannot ask: Node's error
// code (not its message) says whether the module was not found there.
const isNotFound = (cause: unknown): boolean =>
  typeof cause === "object" &&
  cause !== null &&
  "code" in cause &&
  (cause.code === "ERR_MODULE_NOT_FOUND" || cause.code === "MODULE_NOT_FOUND")

/**
 * The module `specifier`, from the application's loader if `Drivers` has one, else through `ownImport` (a static
 * `import()` of the same specifier in this package, so the module's type is known here). Node caches modules, so
 * every import after the first costs nothing.
 *
 * @internal
 */
export const importDriver = <Module>(
  specifier: string,
  ownImport: () => Promise<Module>
): Effect.Effect<Module, DriverUnavailable> =>
  Effect.flatMap(Drivers, (loaders) => {
    const loader = loaders[specifier]
    const packageName = packageOf(specifier)
    return Effect.tryPromise({
      try: () => (loader === undefined ? ownImport() : (loader() as Promise<Module>)),
      catch: (cause): DriverUnavailable => ({
        specifier,
        packageName,
        missing: loader === undefined ? !isInstalledHere(packageName) : isNotFound(cause),
        cause
      })
    })
  })
