/**
 * The run's progress as a `Stream` for each consumer the caller gives (`RunOptions.progress`, and `onProgress`,
 * which is one such consumer calling a function): each subscribes before the run's first event, reads every event
 * in order on its own fiber, and is waited for when the run ends, so a consumer has seen `done` when `run` returns.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Sync from "../../Sync.ts"
import type { RunCounters } from "./runCounters.ts"

/** A progress consumer calling `listener` for each event; what it throws is ignored. @internal */
export const callback =
  (listener: (progress: Sync.Progress) => void) =>
  (events: Stream.Stream<Sync.Progress>): Effect.Effect<void> =>
    Stream.runForEach(events, (progress) =>
      Effect.sync(() => {
        try {
          listener(progress)
        } catch {
          // A progress bar that throws must not stop a sync.
        }
      })
    )

/**
 * Starts the consumers; the answer ends the events and waits for every consumer to have read them all.
 *
 * @internal
 */
export const attach = (
  counters: RunCounters,
  consumers: ReadonlyArray<(events: Stream.Stream<Sync.Progress>) => Effect.Effect<void>>
): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const fibers: Array<Fiber.Fiber<void>> = []
    for (const consume of consumers) {
      const subscription = yield* PubSub.subscribe(counters.events)
      const events = Stream.fromQueue(subscription).pipe(
        Stream.takeWhile(Option.isSome),
        Stream.map((event) => event.value)
      )
      fibers.push(yield* Effect.forkScoped(consume(events)))
    }
    return Effect.zipRight(counters.end, Effect.forEach(fibers, Fiber.await, { discard: true }))
  })
