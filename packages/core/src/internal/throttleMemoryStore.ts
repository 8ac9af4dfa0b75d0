/**
 * The in-memory throttle store: the sliding log of every key kept in this process, with time read from Effect's
 * `Clock` so tests can drive it with `TestClock`. It is exact for one process and is also the fallback store while
 * Redis is unreachable.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Throttle from "../Throttle.ts"
import * as Log from "./throttleLog.ts"

interface KeyLog {
  entries: Array<Log.LogEntry>
  cooldownUntil: number
  /** The longest window seen for the key, so later pruning keeps what any caller of the key still needs. */
  longest: number
}

/** The memory store plus what the fallback store needs to move entries between stores. */
export interface MemoryStore extends Throttle.ThrottleStore {
  /**
   * Admits one entry at `now` when every window has room, in one synchronous step, and says whether it did (nothing is
   * written otherwise). The throttle's fast path: an uncontended admission without allocating an Effect.
   */
  readonly admitNow: (key: string, windows: ReadonlyArray<Log.EffectiveWindow>, longest: number, now: number) => boolean
  /** `snapshot` at `now`, synchronously. */
  readonly snapshotAt: (request: Throttle.SnapshotRequest, now: number) => Throttle.StoreSnapshot
  /** `reserve`, with no slot before `notBefore` (epoch milliseconds on this store's clock). */
  readonly reserveFrom: (
    request: Throttle.ReserveRequest,
    notBefore: number
  ) => Effect.Effect<Throttle.ReserveOutcome, never>
  /** Adds entries (times on this store's clock) unless their member is already present, all keys in one step. */
  readonly seed: (logs: ReadonlyMap<string, KeyContent>) => Effect.Effect<void>
  /** `seed` at `now`, synchronously. */
  readonly seedAt: (logs: ReadonlyMap<string, KeyContent>, now: number) => void
  /** The entries and cooldown of every key that still has either. */
  readonly dump: Effect.Effect<ReadonlyMap<string, KeyContent>>
}

/** What the store holds for one key, as moved between stores. */
export interface KeyContent {
  readonly entries: ReadonlyArray<Log.LogEntry>
  readonly cooldownUntil: number
  readonly longest: number
}

/** Makes an empty in-memory store. */
export const make: Effect.Effect<MemoryStore> = Effect.sync(() => {
  const logs = new Map<string, KeyLog>()

  // Returns the key's log pruned to the longest window at `now`, creating it on first use.
  const logAt = (key: string, now: number, longest: number): KeyLog => {
    let log = logs.get(key)
    if (log === undefined) {
      log = { entries: [], cooldownUntil: 0, longest }
      logs.set(key, log)
    }
    if (longest > log.longest) log.longest = longest
    Log.prune(log.entries, now, log.longest)
    return log
  }

  // Forgets keys with nothing left to remember, so a process that saw many keys does not keep them forever.
  const forgetIfIdle = (key: string, log: KeyLog, now: number): void => {
    if (log.entries.length === 0 && log.cooldownUntil <= now) logs.delete(key)
  }

  const reserveAt = (request: Throttle.ReserveRequest, now: number, notBefore: number): Throttle.ReserveOutcome => {
    const log = logAt(request.key, now, Log.longestMillis(request.windows))
    const slot = Log.earliestSlot(log.entries, request.windows, request.cost, Math.max(notBefore, log.cooldownUntil))
    const delayMillis = slot - now
    if (request.maxDelayMillis !== undefined && delayMillis > request.maxDelayMillis) {
      forgetIfIdle(request.key, log, now)
      return { _tag: "TooLate", delayMillis }
    }
    for (let index = 0; index < request.cost; index++) {
      log.entries.push({ time: slot, member: `${request.reservation}#${index}` })
    }
    return { _tag: "Reserved", delayMillis }
  }

  let admittedNow = 0

  const store: MemoryStore = {
    admitNow: (key, windows, longest, now) => {
      const log = logAt(key, now, longest)
      if (Log.earliestSlot(log.entries, windows, 1, Math.max(now, log.cooldownUntil)) > now) return false
      // Never confirmed or released, so a counter is unique enough (reservation ids are hexadecimal UUIDs: no "n").
      log.entries.push({ time: now, member: `n${admittedNow++}#0` })
      return true
    },
    reserve: (request) => Effect.map(Clock.currentTimeMillis, (now) => reserveAt(request, now, now)),
    reserveFrom: (request, notBefore) =>
      Effect.map(Clock.currentTimeMillis, (now) => reserveAt(request, now, Math.max(now, notBefore))),
    confirm: (request) =>
      Effect.map(Clock.currentTimeMillis, (now): Throttle.ConfirmOutcome => {
        const log = logs.get(request.key)
        const first = `${request.reservation}#0`
        const entry = log?.entries.find((candidate) => candidate.member === first)
        if (entry === undefined) return { _tag: "Missing" }
        return entry.time <= now ? { _tag: "Admitted" } : { _tag: "Wait", delayMillis: entry.time - now }
      }),
    release: (request) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const log = logs.get(request.key)
        if (log === undefined) return
        const prefix = `${request.reservation}#`
        log.entries = log.entries.filter((entry) => !entry.member.startsWith(prefix))
        forgetIfIdle(request.key, log, now)
      }),
    pause: (request) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const log = logAt(request.key, now, Log.longestMillis(request.windows))
        const until = now + request.durationMillis
        if (log.cooldownUntil >= until) return { untilMillis: log.cooldownUntil, extended: false }
        log.cooldownUntil = until
        log.entries = Log.reslot(log.entries, request.windows, now, until)
        return { untilMillis: until, extended: true }
      }),
    snapshotAt: (request, now) => {
      const log = logs.get(request.key)
      const entries = log?.entries ?? []
      return {
        backend: "memory",
        nowMillis: now,
        cooldownUntilMillis: log !== undefined && log.cooldownUntil > now ? log.cooldownUntil : 0,
        reserved: entries.length - Log.firstAfter(entries, now),
        windows: request.windows.map((window) => ({ limit: window.limit, ...Log.usage(entries, window, now) }))
      }
    },
    snapshot: (request) => Effect.map(Clock.currentTimeMillis, (now) => store.snapshotAt(request, now)),
    seed: (contents) => Effect.map(Clock.currentTimeMillis, (now) => store.seedAt(contents, now)),
    seedAt: (contents, now) => {
      for (const [key, content] of contents) {
        const log = logAt(key, now, content.longest)
        const present = new Set(log.entries.map((entry) => entry.member))
        for (const entry of content.entries) {
          if (!present.has(entry.member) && entry.time > now - log.longest) log.entries.push(entry)
        }
        Log.sortEntries(log.entries)
        if (content.cooldownUntil > log.cooldownUntil) log.cooldownUntil = content.cooldownUntil
        forgetIfIdle(key, log, now)
      }
    },
    dump: Effect.map(Clock.currentTimeMillis, (now) => {
      const result = new Map<string, KeyContent>()
      for (const [key, log] of logs) {
        Log.prune(log.entries, now, log.longest)
        if (log.entries.length > 0 || log.cooldownUntil > now) {
          result.set(key, { entries: [...log.entries], cooldownUntil: log.cooldownUntil, longest: log.longest })
        }
      }
      return result
    })
  }
  return store
})
