/**
 * A first-come-first-served concurrency gate whose capacity can change while callers wait: it halves on a vendor's
 * `Retry-After: -1` and grows back by one after each round of successful calls (additive increase, multiplicative
 * decrease). Effect's `Semaphore` cannot shrink below the permits already handed out and does not promise FIFO order,
 * so the gate is its own small queue of `Deferred`s.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** The gate of one key in one process. */
export interface ConcurrencyGate {
  /**
   * Waits, in arrival order, for a permit; returns the current epoch (it changes on every `lower`). Interrupting a
   * waiter removes it from the queue.
   */
  readonly take: Effect.Effect<number>
  /** Takes a permit at once when one is free and nobody waits; returns the epoch, or undefined (nothing taken). */
  readonly tryTake: () => number | undefined
  /** Returns a permit taken with `tryTake` (used or not), synchronously; `give` is its Effect. */
  readonly untake: () => void
  /** Returns a permit and hands free permits to the next waiters. */
  readonly give: Effect.Effect<void>
  /** Halves the capacity (at least 1); returns the new capacity. */
  readonly lower: Effect.Effect<number>
  /**
   * Counts a successful call that took its permit in `epoch`; after `capacity` such successes the capacity grows by
   * one. Calls that started before the last `lower` do not count: they ran at the concurrency the vendor refused.
   */
  readonly succeeded: (epoch: number) => Effect.Effect<void>
  /** `succeeded`, synchronously. */
  readonly succeededNow: (epoch: number) => void
  readonly capacity: () => number
  readonly inFlight: () => number
  readonly waiting: () => number
}

/**
 * Makes a gate. `ceiling` is the configured `maxConcurrent`, or `Infinity` for a key without one (the gate then only
 * limits after a `lower`, starting from the calls in flight at that moment).
 */
export const make = (ceiling: number): ConcurrencyGate => {
  let capacity = ceiling
  let inUse = 0
  let successes = 0
  let epoch = 0
  const waiters: Array<Deferred.Deferred<void>> = []

  const grant = (): void => {
    while (inUse < capacity && waiters.length > 0) {
      const next = waiters.shift()!
      inUse++
      Deferred.unsafeDone(next, Exit.void)
    }
  }

  const take: Effect.Effect<number> = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      // A free permit and nobody ahead: no Deferred to allocate.
      if (waiters.length === 0 && inUse < capacity) {
        inUse++
        return Effect.succeed(epoch)
      }
      const deferred = Deferred.unsafeMake<void>(FiberId.none)
      waiters.push(deferred)
      return restore(Deferred.await(deferred)).pipe(
        Effect.map(() => epoch),
        Effect.onInterrupt(() =>
          Effect.sync(() => {
            const index = waiters.indexOf(deferred)
            if (index >= 0) {
              waiters.splice(index, 1)
            } else {
              // Granted in the same instant as the interruption: hand the permit on.
              inUse--
              grant()
            }
          })
        )
      )
    })
  )

  const release = (): void => {
    inUse--
    grant()
  }
  const succeed = (startedIn: number): void => {
    if (capacity >= ceiling || startedIn !== epoch) return
    successes++
    if (successes >= capacity) {
      capacity++
      successes = 0
      grant()
    }
  }

  return {
    take,
    untake: release,
    tryTake: () => {
      if (waiters.length > 0 || inUse >= capacity) return undefined
      inUse++
      return epoch
    },
    give: Effect.sync(release),
    lower: Effect.sync(() => {
      const base = Number.isFinite(capacity) ? capacity : Math.max(1, inUse)
      capacity = Math.max(1, Math.floor(base / 2))
      successes = 0
      epoch++
      return capacity
    }),
    succeeded: (startedIn) => Effect.sync(() => succeed(startedIn)),
    succeededNow: succeed,
    capacity: () => capacity,
    inFlight: () => inUse,
    waiting: () => waiters.length
  }
}
