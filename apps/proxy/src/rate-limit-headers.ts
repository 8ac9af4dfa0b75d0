/**
 * @module
 * Response headers that describe the shared budget of the account a request spent, from `Throttle.snapshot`:
 *
 * - `RateLimit-Policy` and `RateLimit`, the structured fields of draft-ietf-httpapi-ratelimit-headers (-08 and
 *   later): `RateLimit-Policy: "burst";q=10;w=1, "steady";q=150;w=60` and
 *   `RateLimit: "burst";r=9;t=1, "steady";r=120;t=42`, one item per window;
 * - `X-RateLimit-Limit`, `-Remaining`, `-Reset` (seconds), the vendor's own style, which can describe only one window:
 *   the one with the fewest requests left.
 *
 * The numbers are the budget shared by every caller and replica (used slots include reservations of waiting callers),
 * not the vendor's view, so the vendor's own `X-RateLimit-*` headers are replaced.
 */
import type * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import type { VendorEdge } from "./vendors.ts"

/** The names of the headers this module writes, to strip the vendor's own. */
export const rateLimitHeaderNames: ReadonlyArray<string> = [
  "ratelimit",
  "ratelimit-policy",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset"
]

// Structured-field decimals have at most three fractional digits (RFC 8941 §3.3.2); whole seconds print as integers.
const seconds = (duration: Duration.Duration): string => {
  const value = Math.round(Duration.toMillis(duration)) / 1000
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, "")
}

const ceilSeconds = (duration: Duration.Duration): number => Math.ceil(Duration.toMillis(duration) / 1000)

/** The headers for `snapshot`; names come from `vendor.windowNames` (the adaptive window is named `adaptive`). */
export const rateLimitHeaders = (vendor: VendorEdge, snapshot: Throttle.Snapshot): Record<string, string> => {
  const cooling = Duration.toMillis(snapshot.cooldown) > 0
  const windows = snapshot.windows.map((window, index) => {
    const remaining = cooling ? 0 : window.remaining
    const reset = cooling ? Duration.max(snapshot.cooldown, window.resetAfter) : window.resetAfter
    return { name: vendor.windowNames[index] ?? `window-${index}`, window, remaining, reset }
  })
  if (windows.length === 0) return {}
  const policy = windows.map(({ name, window }) => `"${name}";q=${window.limit};w=${seconds(window.window)}`).join(", ")
  const state = windows
    .map(({ name, remaining, reset }) => `"${name}";r=${remaining};t=${ceilSeconds(reset)}`)
    .join(", ")
  const tightest = windows.reduce((best, candidate) =>
    candidate.remaining < best.remaining ||
    (candidate.remaining === best.remaining && Duration.greaterThan(candidate.reset, best.reset))
      ? candidate
      : best
  )
  return {
    "ratelimit-policy": policy,
    ratelimit: state,
    "x-ratelimit-limit": String(tightest.window.limit),
    "x-ratelimit-remaining": String(tightest.remaining),
    "x-ratelimit-reset": String(ceilSeconds(tightest.reset))
  }
}
