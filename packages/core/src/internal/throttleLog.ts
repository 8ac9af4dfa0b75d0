/**
 * The sliding-log arithmetic shared by every throttle store: where the next slot is, how a cooldown moves waiting
 * reservations, and how full each window is. The Redis Lua scripts in `throttleRedisStore.ts` repeat the same rules
 * line for line, so a change here must be made there too.
 *
 * All times are integer milliseconds on the store's clock.
 */

/** One admitted call (time in the past) or reservation (time in the future) of a key. */
export interface LogEntry {
  readonly time: number
  /** `<reservation id>#<index>`: a reservation of cost n owns n entries at the same time. */
  readonly member: string
}

/** A window with the safety margin already added to its length. */
export interface EffectiveWindow {
  readonly limit: number
  readonly millis: number
}

/** The member names of a reservation of `cost` entries. */
export const membersOf = (reservationId: string, cost: number): Array<string> => {
  const members: Array<string> = []
  for (let index = 0; index < cost; index++) {
    members.push(`${reservationId}#${index}`)
  }
  return members
}

/** The reservation id a member belongs to (members without a `#index` suffix are their own reservation). */
export const reservationOf = (member: string): string => {
  const match = /^(.*)#\d+$/.exec(member)
  return match?.[1] ?? member
}

/** The longest window: entries older than this can no longer affect any decision. */
export const longestMillis = (windows: ReadonlyArray<EffectiveWindow>): number => {
  let longest = 0
  for (const window of windows) {
    if (window.millis > longest) longest = window.millis
  }
  return longest
}

/**
 * The earliest time, not before `notBefore`, at which `cost` more entries keep every window within its limit.
 *
 * The slot is never earlier than the last entry of the log: reservations are served in the order they were made
 * (first come, first served, across every process sharing the log), and because every entry then lies at or before
 * the new slot, the fullest span of a window that ends at the slot is `(slot - window, slot]`. That span holds at most
 * `limit - cost` entries exactly when the `(limit - cost + 1)`-th latest entry lies at or before `slot - window`.
 *
 * `entries` must be sorted by time, ascending.
 */
export const earliestSlot = (
  entries: ReadonlyArray<LogEntry>,
  windows: ReadonlyArray<EffectiveWindow>,
  cost: number,
  notBefore: number
): number => {
  let slot = notBefore
  const size = entries.length
  if (size === 0) return slot
  const last = entries[size - 1]!.time
  if (last > slot) slot = last
  for (const window of windows) {
    // A cost above a limit (possible only for the per-process share during a store fallback) waits for an empty
    // window rather than never being admitted.
    const allowed = Math.max(0, window.limit - cost)
    if (size > allowed) {
      const candidate = entries[size - allowed - 1]!.time + window.millis
      if (candidate > slot) slot = candidate
    }
  }
  return slot
}

/** Drops the entries that lie at or before `now - longest`: they are outside every window from now on. */
export const prune = (entries: Array<LogEntry>, now: number, longest: number): void => {
  const horizon = now - longest
  let drop = 0
  while (drop < entries.length && entries[drop]!.time <= horizon) drop++
  if (drop > 0) entries.splice(0, drop)
}

/**
 * Moves every reservation later than `now` to the earliest slot at or after `until`, keeping their order.
 *
 * Used when a cooldown starts: waiting callers keep their place in the queue but none of them may run before the
 * cooldown ends, and their new slots still respect every window.
 */
export const reslot = (
  entries: ReadonlyArray<LogEntry>,
  windows: ReadonlyArray<EffectiveWindow>,
  now: number,
  until: number
): Array<LogEntry> => {
  const kept: Array<LogEntry> = []
  const groups = new Map<string, Array<string>>()
  for (const entry of entries) {
    if (entry.time <= now) {
      kept.push(entry)
    } else {
      const reservation = reservationOf(entry.member)
      const members = groups.get(reservation)
      if (members === undefined) groups.set(reservation, [entry.member])
      else members.push(entry.member)
    }
  }
  // Map iteration follows insertion order, which is the order of the (sorted) entries: the queue order.
  for (const members of groups.values()) {
    const slot = earliestSlot(kept, windows, members.length, until)
    for (const member of members) kept.push({ time: slot, member })
  }
  return kept
}

/** How full one window is at `now`, counting reservations already made. */
export interface WindowUsage {
  readonly used: number
  /** Milliseconds until the oldest counted entry leaves the window (0 when the window is empty). */
  readonly resetAfter: number
}

/** Usage of a window: entries later than `now - window`, including future reservations. */
export const usage = (entries: ReadonlyArray<LogEntry>, window: EffectiveWindow, now: number): WindowUsage => {
  // Entries are sorted by time: the counted ones are those after the horizon (found by bisection, as a snapshot is
  // taken per proxied request and a window can hold thousands of entries).
  const first = firstAfter(entries, now - window.millis)
  const used = entries.length - first
  return { used, resetAfter: used === 0 ? 0 : Math.max(0, entries[first]!.time + window.millis - now) }
}

/** The index of the first entry later than `time` in time-sorted `entries` (their length when there is none). */
export const firstAfter = (entries: ReadonlyArray<LogEntry>, time: number): number => {
  let low = 0
  let high = entries.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (entries[middle]!.time > time) high = middle
    else low = middle + 1
  }
  return low
}

/** Sorts entries by time (stable, so equal times keep their queue order). */
export const sortEntries = (entries: Array<LogEntry>): void => {
  entries.sort((left, right) => left.time - right.time)
}
