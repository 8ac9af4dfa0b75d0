/**
 * @module
 * The sandbox clock and the vendors' timestamp formats.
 *
 * Every decision that depends on time (rate-limit windows, storms, timestamps in answers) reads one injectable
 * `now()` so that tests can move time exactly instead of hoping the wall clock cooperates.
 */

/**
 * Returns the current time in milliseconds since the Unix epoch.
 *
 * @category Time
 * @since 0.0.0
 */
export type Clock = () => number

const twoDigits = (value: number): string => String(value).padStart(2, "0")

/**
 * Formats a time as `YYYY-MM-DD HH:MM:SS` in GMT, the format of every Ocamba timestamp and of Copernica's.
 *
 * **Gotchas**: Copernica's real servers probably answer in Amsterdam local time; the sandbox uses GMT for both
 * vendors so that tests do not depend on time zones (inferred, see README).
 *
 * @category Time
 * @since 0.0.0
 */
export const formatTimestamp = (epochMilliseconds: number): string => {
  const date = new Date(epochMilliseconds)
  return (
    `${date.getUTCFullYear()}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())} ` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}`
  )
}

/**
 * Formats a time as an ISO 8601 UTC date at midnight (`2026-04-28T00:00:00Z`), the `event_date` of Ocamba reports.
 *
 * @category Time
 * @since 0.0.0
 */
export const formatIsoDate = (epochMilliseconds: number): string => {
  const date = new Date(epochMilliseconds)
  return `${date.getUTCFullYear()}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}T00:00:00Z`
}

/**
 * Waits for the given number of real milliseconds (latency injection and processing delays use real timers even
 * when the clock is injected, because they model work, not calendar time).
 *
 * @category Time
 * @since 0.0.0
 */
export const sleep = (milliseconds: number): Promise<void> =>
  milliseconds <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, milliseconds))
