/**
 * The throttle service: admission (the fast path, the in-process queue bound, concurrency permits, reserved slots
 * and deadlines), cooldowns, events and metrics, over a `ThrottleStore` that holds the sliding logs. Each key's
 * policy, windows and adaptive rate are kept in `throttleKeyState.ts`.
 */
import { randomUUID } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Throttle from "../Throttle.ts"
import type { KeyState } from "./throttleKeyState.ts"
import * as Keys from "./throttleKeyState.ts"
import * as MemoryStore from "./throttleMemoryStore.ts"
import * as Model from "./throttleModel.ts"

const { defect, isPositiveInteger, lookup, validate } = Keys

/** Makes the service over the store that `makeStore` builds (it receives the event publisher). */
export const makeWith = (
  options: Throttle.Options,
  makeStore: (
    publish: (event: Model.ThrottleEvent) => Effect.Effect<void>
  ) => Effect.Effect<Throttle.ThrottleStore, never, Scope.Scope>,
  /** The store itself when it is this process's memory store: admissions that need no wait skip the Effect machinery. */
  fast?: MemoryStore.MemoryStore
): Effect.Effect<Throttle.ThrottleService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const marginMillis = Duration.toMillis(Duration.decode(options.safetyMargin ?? Duration.millis(50)))
    const maxQueue = options.maxQueue ?? 1000
    const maxCooldownMillis = Duration.toMillis(Duration.decode(options.maxCooldown ?? Duration.minutes(5)))
    const pubsub = yield* Effect.acquireRelease(
      PubSub.sliding<Model.ThrottleEvent>(options.eventCapacity ?? 1024),
      PubSub.shutdown
    )
    const publish = (event: Model.ThrottleEvent): Effect.Effect<void> => Effect.asVoid(PubSub.publish(pubsub, event))
    // Admitted events are built only while someone listens: most admissions have no audience.
    let listeners = 0
    const listening = Effect.acquireRelease(
      Effect.sync(() => {
        listeners++
      }),
      () =>
        Effect.sync(() => {
          listeners--
        })
    )
    const store = yield* makeStore(publish)
    const states = new Map<string, KeyState>()

    const stateOf = (key: string): Effect.Effect<KeyState> =>
      Effect.suspend(() => {
        const existing = states.get(key)
        if (existing !== undefined) return Effect.succeed(existing)
        const policy = lookup(options.keys, key)
        if (policy === undefined) return defect(`Throttle key "${key}" has no policy`)
        const problem = validate(key, policy)
        if (problem !== undefined) return defect(problem)
        return Effect.map(Clock.currentTimeMillis, (now) => {
          const state = Keys.make(key, policy, now, marginMillis)
          states.set(key, state)
          return state
        })
      })

    const windowsOf = (state: KeyState) => Keys.windowsOf(state, marginMillis)
    const recordDelay = (state: KeyState, delay: number) => Keys.recordDelay(state, delay, marginMillis)

    const announce = (state: KeyState, admission: Throttle.Admission): void => {
      const waited = Duration.toMillis(admission.waited)
      state.admitted.unsafeUpdate(1, [])
      state.waitTime.unsafeUpdate(waited / 1000, [])
      if (listeners > 0)
        pubsub.unsafeOffer(Model.ThrottleEvent.Admitted({ key: admission.key, waited: admission.waited }))
    }

    // The fast path: a known key, cost 1, no deadline to honour beyond "now", nobody waiting in this process, room in
    // every window now. One synchronous check on the memory store; anything else takes the full path.
    const admitNow = (key: string, acquireOptions: Throttle.AcquireOptions | undefined, now: number) => {
      if (fast === undefined) return undefined
      const state = states.get(key)
      if (state === undefined || state.depth > 0) return undefined
      if (acquireOptions !== undefined && acquireOptions.cost !== undefined && acquireOptions.cost !== 1)
        return undefined
      const windows = windowsOf(state)
      if (!fast.admitNow(key, windows, state.longest, now)) return undefined
      const admission: Throttle.Admission = { key, waited: Duration.zero, admittedAtMillis: now }
      announce(state, admission)
      return [state, admission] as const
    }

    const sent = (admission: Throttle.Admission): Effect.Effect<void> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const state = states.get(admission.key)
        if (state !== undefined) recordDelay(state, Math.max(0, now - admission.admittedAtMillis))
      })

    const refuse = (state: KeyState, reason: Model.ThrottleErrorReason): Effect.Effect<never, Model.ThrottleError> =>
      Metric.increment(reason._tag === "QueueFull" ? state.refusedQueueFull : state.refusedDeadline).pipe(
        Effect.zipRight(publish(Model.ThrottleEvent.Refused({ key: state.key, reason }))),
        Effect.zipRight(Effect.fail(Model.fail(reason)))
      )

    const deadlineExceeded = (state: KeyState, delayMillis: number) =>
      refuse(
        state,
        Model.ThrottleErrorReason.DeadlineExceeded({ key: state.key, retryAfter: Duration.millis(delayMillis) })
      )

    const setDepth = (state: KeyState, change: number) =>
      Effect.suspend(() => {
        state.depth += change
        return Metric.set(state.queueDepth, state.depth)
      })

    // Reserves a slot and sleeps until it. `restore` makes only the sleeps interruptible, so a reservation is
    // always either kept (admitted), or released.
    const takeSlot = (
      state: KeyState,
      cost: number,
      startedAt: number,
      deadlineMillis: number | undefined,
      restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    ): Effect.Effect<number, Model.ThrottleError> => {
      const key = state.key
      // The time of the slot on this process's clock: a caller that wakes late has been late since then.
      let slotAt = startedAt
      const reserve: Effect.Effect<void, Model.ThrottleError> = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const reservation = randomUUID()
        const outcome = yield* store.reserve({
          key,
          reservation,
          cost,
          windows: windowsOf(state),
          measuredDelayMillis: state.measuredDelay,
          maxDelayMillis: deadlineMillis === undefined ? undefined : Math.max(0, deadlineMillis - (now - startedAt))
        })
        if (outcome._tag === "TooLate") return yield* deadlineExceeded(state, outcome.delayMillis)
        slotAt = now + outcome.delayMillis
        if (outcome.delayMillis > 0) yield* wait(reservation, outcome.delayMillis)
      })
      const wait = (reservation: string, delayMillis: number): Effect.Effect<void, Model.ThrottleError> =>
        restore(Effect.sleep(Duration.millis(delayMillis))).pipe(
          Effect.onInterrupt(() => Effect.ignore(store.release({ key, reservation, cost }))),
          Effect.zipRight(store.confirm({ key, reservation, cost })),
          Effect.flatMap((outcome) => {
            if (outcome._tag === "Admitted") return Effect.void
            // The store lost the reservation (expired, or the store switched): reserve again.
            if (outcome._tag === "Missing") return reserve
            // A cooldown moved the slot.
            return Effect.flatMap(Clock.currentTimeMillis, (now) =>
              deadlineMillis !== undefined && now + outcome.delayMillis - startedAt > deadlineMillis
                ? Effect.zipRight(
                    Effect.ignore(store.release({ key, reservation, cost })),
                    deadlineExceeded(state, outcome.delayMillis)
                  )
                : Effect.zipRight(
                    Effect.sync(() => {
                      slotAt = now + outcome.delayMillis
                    }),
                    wait(reservation, outcome.delayMillis)
                  )
            )
          })
        )
      return Effect.map(reserve, () => slotAt)
    }

    // The common part of `acquire` and `withThrottle`: checks, queue accounting, optional permit, slot, events.
    const admit = (
      key: string,
      acquireOptions: Throttle.AcquireOptions | undefined,
      withPermit: boolean,
      restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    ): Effect.Effect<readonly [KeyState, Throttle.Admission, number], Model.ThrottleError> =>
      Effect.gen(function* () {
        const state = yield* stateOf(key)
        const cost = acquireOptions?.cost ?? 1
        // The adaptive rate never falls below its floor, so a cost within the floor always fits.
        const smallest = Math.min(
          ...state.windows.map((window) => window.limit),
          state.adaptive?.floor ?? Number.POSITIVE_INFINITY
        )
        if (!isPositiveInteger(cost) || cost > smallest) {
          return yield* defect(`Throttle key "${key}": cost ${cost} is not a whole number from 1 to ${smallest}`)
        }
        const deadlineMillis =
          acquireOptions?.deadline === undefined
            ? undefined
            : Duration.toMillis(Duration.decode(acquireOptions.deadline))
        const startedAt = yield* Clock.currentTimeMillis
        if (state.depth >= maxQueue) {
          return yield* refuse(state, Model.ThrottleErrorReason.QueueFull({ key, maxQueue }))
        }
        yield* setDepth(state, 1)
        let epoch = 0
        let slotAt = startedAt
        const waited = yield* Effect.gen(function* () {
          if (withPermit) {
            const take = restore(state.gate.take)
            epoch = yield* deadlineMillis === undefined
              ? take
              : Effect.catchAll(
                  Effect.timeoutFail(take, {
                    duration: Duration.millis(deadlineMillis),
                    onTimeout: () => "timeout" as const
                  }),
                  () => deadlineExceeded(state, 0)
                )
            slotAt = yield* Effect.onError(
              takeSlot(state, cost, startedAt, deadlineMillis, restore),
              () => state.gate.give
            )
          } else {
            slotAt = yield* takeSlot(state, cost, startedAt, deadlineMillis, restore)
          }
          const now = yield* Clock.currentTimeMillis
          return now - startedAt
        }).pipe(Effect.ensuring(setDepth(state, -1)))
        const admittedAtMillis = Math.min(slotAt, yield* Clock.currentTimeMillis)
        const admission: Throttle.Admission = { key, waited: Duration.millis(waited), admittedAtMillis }
        announce(state, admission)
        return [state, admission, epoch] as const
      })

    // A success counts towards the concurrency cap's recovery and raises an adaptive rate once per window.
    const recordSuccessAt = (state: KeyState, epoch: number, now: number): void => {
      state.gate.succeededNow(epoch)
      const raised = Keys.raiseRate(state, now)
      if (raised !== undefined)
        pubsub.unsafeOffer(
          Model.ThrottleEvent.RateChanged({
            key: state.key,
            limit: raised,
            window: Duration.millis(state.adaptive!.windowMillis)
          })
        )
    }
    const recordSuccess = (state: KeyState, epoch: number): Effect.Effect<void> =>
      Effect.map(Clock.currentTimeMillis, (now) => recordSuccessAt(state, epoch, now))

    const slowAcquire = (key: string, acquireOptions: Throttle.AcquireOptions | undefined) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.map(admit(key, acquireOptions, false, restore), ([, admission]) => admission)
      )

    const runAdmitted = <A, E, R>(
      self: Effect.Effect<A, E, R>,
      restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
      state: KeyState,
      admission: Throttle.Admission,
      epoch: number
    ) =>
      restore(Effect.locally(self, Model.currentSent, sent(admission))).pipe(
        Effect.onExit((exit) =>
          Effect.zipRight(state.gate.give, Exit.isSuccess(exit) ? recordSuccess(state, epoch) : Effect.void)
        )
      )

    const service: Throttle.ThrottleService = {
      acquire:
        fast === undefined
          ? slowAcquire
          : (key, acquireOptions) =>
              Effect.flatMap(Clock.currentTimeMillis, (now) => {
                const admitted = admitNow(key, acquireOptions, now)
                return admitted === undefined ? slowAcquire(key, acquireOptions) : Effect.succeed(admitted[1])
              }),
      withThrottle: (key, acquireOptions) => (self) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const state = fast === undefined ? undefined : states.get(key)
            const epoch = state?.gate.tryTake()
            if (state !== undefined && epoch !== undefined) {
              const admitted = admitNow(key, acquireOptions, now)
              if (admitted !== undefined) return runAdmitted(self, restore, state, admitted[1], epoch)
              state.gate.untake()
            }
            return Effect.flatMap(admit(key, acquireOptions, true, restore), ([state, admission, epoch]) =>
              runAdmitted(self, restore, state, admission, epoch)
            )
          })
        ),
      sent,
      pause: (key, retryAfter) =>
        Effect.gen(function* () {
          const state = yield* stateOf(key)
          const durationMillis = Math.min(Math.ceil(Duration.toMillis(Duration.decode(retryAfter))), maxCooldownMillis)
          const adaptive = state.adaptive
          if (adaptive !== undefined) {
            const now = yield* Clock.currentTimeMillis
            const lowered = Keys.lowerRate(state, now, durationMillis)
            if (lowered !== undefined)
              yield* publish(
                Model.ThrottleEvent.RateChanged({ key, limit: lowered, window: Duration.millis(adaptive.windowMillis) })
              )
          }
          if (!(durationMillis > 0)) return
          const outcome = yield* store.pause({ key, durationMillis, windows: windowsOf(state) })
          if (!outcome.extended) return
          yield* Metric.increment(state.cooldowns)
          yield* publish(
            Model.ThrottleEvent.CooldownStarted({
              key,
              until: new Date(outcome.untilMillis),
              retryAfter: Duration.millis(durationMillis)
            })
          )
        }),
      lowerConcurrency: (key) =>
        Effect.gen(function* () {
          const state = yield* stateOf(key)
          const maxConcurrent = yield* state.gate.lower
          yield* publish(Model.ThrottleEvent.ConcurrencyLowered({ key, maxConcurrent }))
        }),
      events: Stream.unwrapScoped(Effect.as(listening, Stream.fromPubSub(pubsub))),
      subscribe: Effect.zipRight(listening, PubSub.subscribe(pubsub)),
      snapshot: (key) =>
        Effect.gen(function* () {
          const state = yield* stateOf(key)
          const windows = windowsOf(state)
          return Keys.toSnapshot(state, windows, yield* store.snapshot({ key, windows }), marginMillis)
        }),
      tryAdmit: (key) => {
        // The same checks as `withThrottle`'s fast path, on the system clock, with no Effect at all.
        const state = fast === undefined ? undefined : states.get(key)
        const epoch = state?.gate.tryTake()
        if (state === undefined || epoch === undefined) return undefined
        const now = Date.now()
        const admitted = admitNow(key, undefined, now)
        if (admitted === undefined) {
          state.gate.untake()
          return undefined
        }
        let finished = false
        return {
          admission: admitted[1],
          sent: () => recordDelay(state, Math.max(0, Date.now() - now)),
          done: (succeeded) => {
            if (finished) return
            finished = true
            state.gate.untake()
            if (succeeded) recordSuccessAt(state, epoch, Date.now())
          }
        }
      },
      snapshotNow: (key) => {
        const state = fast === undefined ? undefined : states.get(key)
        if (fast === undefined || state === undefined) return undefined
        const windows = windowsOf(state)
        return Keys.toSnapshot(state, windows, fast.snapshotAt({ key, windows }, Date.now()), marginMillis)
      }
    }
    return service
  })

/** A throttle over a given store, or a fresh memory store. */
export const make = (options: Throttle.MemoryOptions): Effect.Effect<Throttle.ThrottleService, never, Scope.Scope> =>
  options.store === undefined
    ? Effect.flatMap(MemoryStore.make, (store) => makeWith(options, () => Effect.succeed(store), store))
    : makeWith(options, () => Effect.succeed(options.store!))
