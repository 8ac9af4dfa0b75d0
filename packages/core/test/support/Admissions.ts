/**
 * Test support: checks on lists of admission times, as a vendor would count them.
 */

/** The most admissions found in any half-open span `[t, t + window)` that starts at an admission. */
export const maxInSpan = (times: ReadonlyArray<number>, window: number): number => {
  const sorted = [...times].sort((left, right) => left - right)
  let most = 0
  let end = 0
  for (let start = 0; start < sorted.length; start++) {
    if (end < start) end = start
    while (end < sorted.length && sorted[end]! < sorted[start]! + window) end++
    most = Math.max(most, end - start)
  }
  return most
}

/** Calls a vendor counting fixed windows `[offset + k·window, offset + (k+1)·window)` would refuse (429s). */
export const fixedWindowRefusals = (
  times: ReadonlyArray<number>,
  limit: number,
  window: number,
  offset: number
): number => {
  const counts = new Map<number, number>()
  let refused = 0
  for (const time of times) {
    const index = Math.floor((time - offset) / window)
    const count = (counts.get(index) ?? 0) + 1
    counts.set(index, count)
    if (count > limit) refused++
  }
  return refused
}

/** Admissions in `[from, to)`. */
export const countBetween = (times: ReadonlyArray<number>, from: number, to: number): number =>
  times.filter((time) => time >= from && time < to).length
