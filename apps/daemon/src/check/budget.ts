/**
 * @module
 * The rate budget left, as `profilesync check` shows it: from the throttle's snapshot when the daemon spends the
 * budget itself (in memory: this process's; through Redis: the one every process shares), or from the `RateLimit`
 * and `RateLimit-Policy` headers the proxy sidecar sends with each answer when the proxy spends it.
 */
import type { Throttle } from "@profilesync/core"
import * as Duration from "effect/Duration"
import { type Finding, finding } from "./report.ts"

const seconds = (duration: Duration.Duration): string => {
  const value = Duration.toMillis(duration) / 1000
  return `${Number.isInteger(value) ? value : value.toFixed(1)}s`
}

/**
 * The budget of the throttle key `key` from the throttle's snapshot. A window with nothing left, or a cooldown after
 * a vendor's 429, is a warning: a run would wait.
 *
 * @since 0.1.0
 * @category formatting
 */
export const snapshotFinding = (subject: string, snapshot: Throttle.Snapshot): Finding => {
  const windows = snapshot.windows.map(
    (window) =>
      `${window.remaining} of ${window.limit} per ${seconds(window.window)} left` +
      (window.used > 0 ? ` (resets in ${seconds(window.resetAfter)})` : "")
  )
  const cooling = Duration.toMillis(snapshot.cooldown) > 0
  const whose =
    snapshot.backend === "redis"
      ? `shared through Redis, key ${snapshot.key}`
      : `in memory: this process's own, key ${snapshot.key}; --redis-url shows the shared one`
  const exhausted = snapshot.windows.some((window) => window.remaining === 0)
  return finding(
    subject,
    cooling || exhausted ? "warning" : "ok",
    `${windows.length === 0 ? "no documented limit" : windows.join(", ")}${
      cooling ? `; paused for ${seconds(snapshot.cooldown)} after a 429` : ""
    } (${whose})`
  )
}

/**
 * One window of a `RateLimit` header with its `RateLimit-Policy` item: `"burst";r=9;t=1` and `"burst";q=10;w=1`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HeaderWindow {
  readonly name: string
  readonly remaining: number
  readonly resetSeconds: number
  readonly limit: number | undefined
  readonly windowSeconds: number | undefined
}

// One list member of a structured field: `"name";key=value;key=value` (RFC 8941), names quoted or bare tokens.
const members = (header: string): ReadonlyArray<{ readonly name: string; readonly parameters: Map<string, number> }> =>
  header
    .split(",")
    .map((member) => member.trim())
    .filter((member) => member !== "")
    .map((member) => {
      const [name = "", ...parameters] = member.split(";").map((part) => part.trim())
      return {
        name: name.replace(/^"|"$/g, ""),
        parameters: new Map(
          parameters.flatMap((parameter) => {
            const [key, value] = parameter.split("=")
            const number = Number(value)
            return key === undefined || !Number.isFinite(number) ? [] : [[key, number] as const]
          })
        )
      }
    })

/**
 * The windows of the proxy's `RateLimit` header, with their limits from `RateLimit-Policy`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRateLimitHeaders = (rateLimit: string, policy: string | undefined): ReadonlyArray<HeaderWindow> => {
  const policies = new Map(members(policy ?? "").map((member) => [member.name, member.parameters]))
  return members(rateLimit).flatMap((member) => {
    const remaining = member.parameters.get("r")
    if (remaining === undefined) return []
    const limits = policies.get(member.name)
    return [
      {
        name: member.name,
        remaining,
        resetSeconds: member.parameters.get("t") ?? 0,
        limit: limits?.get("q"),
        windowSeconds: limits?.get("w")
      }
    ]
  })
}

/**
 * The budget the proxy reported in the headers of its last answer, or a warning when it sent none (the base URL is
 * then probably not the proxy's).
 *
 * @since 0.1.0
 * @category formatting
 */
export const proxyBudgetFinding = (subject: string, headers: Headers | undefined): Finding => {
  const rateLimit = headers?.get("ratelimit")
  if (rateLimit === null || rateLimit === undefined) {
    return finding(
      subject,
      "warning",
      "the answer carried no RateLimit header: is the base URL the profilesync proxy's? (targets without " +
        "credentials go through the proxy)"
    )
  }
  const windows = parseRateLimitHeaders(rateLimit, headers?.get("ratelimit-policy") ?? undefined)
  const text = windows.map(
    (window) =>
      `${window.name}: ${window.remaining}${window.limit === undefined ? "" : ` of ${window.limit}`}` +
      `${window.windowSeconds === undefined ? "" : ` per ${window.windowSeconds}s`} left` +
      ` (resets in ${window.resetSeconds}s)`
  )
  return finding(
    subject,
    windows.some((window) => window.remaining === 0) ? "warning" : "ok",
    `${text.join(", ")} (the proxy's budget, shared by every caller; RateLimit: ${rateLimit})`
  )
}
