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

/**
 * Sets the headers for `snapshot` on `headers`; names come from `vendor.windowNames` (the adaptive window is named
 * `adaptive`). Written straight into the answer's headers, once per forwarded request, so nothing is built only to be
 * copied.
 */
export const setRateLimitHeaders = (
  headers: { set(name: string, value: string): void },
  vendor: VendorEdge,
  snapshot: Throttle.Snapshot
): void => {
  const windows = snapshot.windows
  if (windows.length === 0) return
  const cooldownMillis = Duration.toMillis(snapshot.cooldown)
  const cooling = cooldownMillis > 0
  let policy = ""
  let state = ""
  let tightestIndex = 0
  let tightestRemaining = 0
  let tightestResetMillis = 0
  for (let index = 0; index < windows.length; index++) {
    const window = windows[index]!
    const name = vendor.windowNames[index] ?? `window-${index}`
    const remaining = cooling ? 0 : window.remaining
    const windowResetMillis = Duration.toMillis(window.resetAfter)
    const resetMillis = cooling ? Math.max(cooldownMillis, windowResetMillis) : windowResetMillis
    const separator = index === 0 ? "" : ", "
    policy += `${separator}"${name}";q=${window.limit};w=${seconds(window.window)}`
    state += `${separator}"${name}";r=${remaining};t=${Math.ceil(resetMillis / 1000)}`
    // The window with the fewest requests left; on a tie, the one that resets last.
    if (
      index === 0 ||
      remaining < tightestRemaining ||
      (remaining === tightestRemaining && resetMillis > tightestResetMillis)
    ) {
      tightestIndex = index
      tightestRemaining = remaining
      tightestResetMillis = resetMillis
    }
  }
  headers.set("ratelimit-policy", policy)
  headers.set("ratelimit", state)
  headers.set("x-ratelimit-limit", String(windows[tightestIndex]!.limit))
  headers.set("x-ratelimit-remaining", String(tightestRemaining))
  headers.set("x-ratelimit-reset", String(Math.ceil(tightestResetMillis / 1000)))
}
