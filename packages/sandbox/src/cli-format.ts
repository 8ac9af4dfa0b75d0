/**
 * @module
 * Writes rate windows back in the command line's own notation (`10/1s,150/60s`) for the start-up banner.
 */
import type { RateLimitWindow } from "./limits/fixed-window-limiter.ts"

/**
 * Formats windows as `10/1s,150/60s`, or `none`.
 *
 * @category CLI
 * @since 0.0.0
 */
export const formatWindows = (windows: ReadonlyArray<RateLimitWindow>): string =>
  windows.length === 0
    ? "none"
    : windows
        .map((window) =>
          window.windowMilliseconds % 1000 === 0
            ? `${window.limit}/${window.windowMilliseconds / 1000}s`
            : `${window.limit}/${window.windowMilliseconds}ms`
        )
        .join(",")
