/**
 * @module
 * Graceful stop on SIGTERM and SIGINT.
 *
 * While a run is in progress ({@link Shutdown.graceful}), the first signal asks the engine to finish its current
 * chunk, save state and return an "interrupted" report, after which the process exits 0. A second signal, or a
 * signal while nothing graceful is running (`status`, `validate-config`, waiting for the next cron tick), interrupts
 * at once: finalizers still run (the lock is released, the store closed), and the journal lets the next run resume.
 *
 * The signal handlers themselves are installed by `main.ts`, which owns the process; this module is the service the
 * commands see.
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/**
 * The graceful-stop service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownService {
  /** Completes when a stop was requested (the first SIGTERM/SIGINT during a graceful section). */
  readonly requested: Effect.Effect<void>
  /** Whether a stop was requested. */
  readonly isRequested: Effect.Effect<boolean>
  /** Runs `effect` as a graceful section: a first signal completes {@link ShutdownService.requested} instead of interrupting. */
  readonly graceful: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Shutdown extends Context.Tag("@profilesync/daemon/Shutdown")<Shutdown, ShutdownService>() {}

/**
 * The process side of {@link Shutdown}: what the signal handler calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownController {
  readonly service: ShutdownService
  /**
   * Handles one signal: `"graceful"` when a graceful section took it as a stop request, `"interrupt"` when the caller
   * should interrupt the main fiber.
   */
  readonly onSignal: () => "graceful" | "interrupt"
}

/**
 * Makes the controller; `main.ts` wires `onSignal` to the process's signals.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeController = (): ShutdownController => {
  const stop = Deferred.unsafeMake<void>(FiberId.none)
  let gracefulSections = 0
  let requested = false
  const service: ShutdownService = {
    requested: Deferred.await(stop),
    isRequested: Effect.sync(() => requested),
    graceful: (effect) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          gracefulSections += 1
        }),
        () => effect,
        () =>
          Effect.sync(() => {
            gracefulSections -= 1
          })
      )
  }
  return {
    service,
    onSignal: () => {
      if (gracefulSections > 0 && !requested) {
        requested = true
        Deferred.unsafeDone(stop, Exit.void)
        return "graceful"
      }
      requested = true
      Deferred.unsafeDone(stop, Exit.void)
      return "interrupt"
    }
  }
}
