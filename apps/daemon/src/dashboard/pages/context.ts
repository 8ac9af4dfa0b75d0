/**
 * @module
 * What every page is rendered with: the syncs the dashboard serves (from their configs, never a credential), the
 * masker, and the sealed references of keys.
 */
import type { Masker } from "../mask.ts"
import type { References } from "../reference.ts"

/**
 * One sync as its config describes it: only what a page may show.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncInfo {
  readonly name: string
  /** The config file, as an absolute path, for the commands a page suggests. */
  readonly configPath: string
  readonly targets: ReadonlyArray<string>
  readonly schedule: string | undefined
  readonly timeZone: string | undefined
  /** Where its state store is, without any secret. */
  readonly store: string
}

/**
 * What the pages are rendered with.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageContext {
  readonly masker: Masker
  readonly references: References
  readonly syncs: ReadonlyArray<SyncInfo>
}
