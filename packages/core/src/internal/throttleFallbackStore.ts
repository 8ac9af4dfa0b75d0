/**
 * The store used with Redis: it serves every operation from Redis while Redis answers and, when a command fails or
 * times out, falls back loudly to an in-memory store that grants this process only its share of each limit
 * (`floor(limit / replicas)`, at least 1). It never falls back to "no limit". A background fiber keeps trying Redis and
 * switches back when it has answered for a whole recovery interval (so a flapping Redis does not flap the budget).
 *
 * The other replicas must not keep the whole limit while this one spends its share: each replica holds a lease in
 * Redis (refreshed by every reserve and by a heartbeat), and the reserve script lowers the shared limit by the share of
 * every replica whose lease has lapsed. So a replica that falls back takes no local slot before its own lease has
 * surely ended, plus the shortest window (the slots the others took at the full limit until then have left it).
 *
 * Across a switch the process carries what it knows: it keeps a local copy (the "shadow") of the slots it took from
 * Redis, seeds the memory store with them when falling back, and seeds Redis with the slots it took from memory when
 * returning (reservations wait while it does, so none is taken locally after the copy), so its own calls are never
 * counted twice as free. Cooldowns travel both ways too.
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Throttle from "../Throttle.ts"
import * as Log from "./throttleLog.ts"
import type * as MemoryStore from "./throttleMemoryStore.ts"
import * as Metrics from "./throttleMetrics.ts"
import * as Model from "./throttleModel.ts"
import type * as RedisStore from "./throttleRedisStore.ts"

/** What the fallback store needs. */
export interface Options {
  readonly redis: RedisStore.RedisStore
  readonly memory: MemoryStore.MemoryStore
  readonly replicas: number
  readonly recoveryInterval: Duration.Duration
  /** How often the lease is refreshed while nothing else refreshes it. */
  readonly heartbeatInterval: Duration.Duration
  readonly publish: (event: Model.ThrottleEvent) => Effect.Effect<void>
}

/** The limits one process may use on its own while the shared store is out of reach. */
export const share = (
  windows: ReadonlyArray<Log.EffectiveWindow>,
  replicas: number
): ReadonlyArray<Log.EffectiveWindow> =>
  windows.map((window) => ({ limit: Math.max(1, Math.floor(window.limit / replicas)), millis: window.millis }))

/** Makes the store and starts its recovery fiber in the current scope. */
export const make = (options: Options): Effect.Effect<Throttle.ThrottleStore, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { memory, redis, replicas } = options
    // "rejoining": the local slots are being written into Redis; reservations wait for it to end (see `recover`).
    let mode: "shared" | "local" | "rejoining" = "shared"
    let rejoined: Deferred.Deferred<void> | undefined
    // Slots this process took from Redis, on the local clock, per key: seeds the memory store on fallback.
    const shadow = new Map<string, Array<Log.LogEntry>>()
    // The full windows last used per key: needed to re-apply cooldowns to Redis on recovery.
    const windowsByKey = new Map<string, ReadonlyArray<Log.EffectiveWindow>>()
    // Reservations taken from the memory store that the caller will still confirm or release.
    const localReservations = new Set<string>()

    const remember = (key: string, windows: ReadonlyArray<Log.EffectiveWindow>): void => {
      windowsByKey.set(key, windows)
    }

    const recordShadow = (request: Throttle.ReserveRequest, delayMillis: number) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const horizon = now - Log.longestMillis(request.windows)
        const time = now + delayMillis
        const entries = (shadow.get(request.key) ?? []).filter((entry) => entry.time > horizon)
        for (const member of Log.membersOf(request.reservation, request.cost)) entries.push({ time, member })
        shadow.set(request.key, entries)
      })

    const forgetShadow = (key: string, reservation: string): void => {
      const entries = shadow.get(key)
      if (entries === undefined) return
      const prefix = `${reservation}#`
      shadow.set(
        key,
        entries.filter((entry) => !entry.member.startsWith(prefix))
      )
    }

    // The switch is one synchronous step, the mode and the local copy of this process's Redis slots in the memory
    // store: nobody may reserve locally before the copy is there.
    const fallBack = (error: Model.ThrottleError): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (mode !== "shared") return Effect.void
        mode = "local"
        const contents = new Map<string, MemoryStore.KeyContent>()
        for (const [key, entries] of shadow) {
          const windows = windowsByKey.get(key) ?? []
          contents.set(key, { entries: [...entries], cooldownUntil: 0, longest: Log.longestMillis(windows) })
        }
        memory.seedAt(contents, now)
        const cause = error.reason._tag === "StoreUnavailable" ? error.reason.cause : error
        return Metric.set(Metrics.storeFallback, 1).pipe(
          Effect.zipRight(
            Effect.logWarning(
              `Throttle store Redis is unreachable: falling back to this process's share of every limit (1/${replicas})`
            ).pipe(Effect.annotateLogs({ cause: String(cause), replicas }))
          ),
          Effect.zipRight(options.publish(Model.ThrottleEvent.StoreFallback({ replicas, cause })))
        )
      })

    // While the lease may still be live the others count this replica as present and keep the whole limit.
    const localFrom = (windows: ReadonlyArray<Log.EffectiveWindow>): number => {
      let shortest = Number.POSITIVE_INFINITY
      for (const window of windows) shortest = Math.min(shortest, window.millis)
      return replicas === 1 ? 0 : redis.leaseEndsBy() + (Number.isFinite(shortest) ? shortest : 0)
    }

    const reserveLocal = (request: Throttle.ReserveRequest) =>
      memory.reserveFrom({ ...request, windows: share(request.windows, replicas) }, localFrom(request.windows)).pipe(
        Effect.tap((outcome) =>
          Effect.sync(() => {
            // Only a caller that has to wait comes back to confirm or release.
            if (outcome._tag === "Reserved" && outcome.delayMillis > 0) localReservations.add(request.reservation)
          })
        )
      )

    // Waits for a rejoin to end, then does `then` in whichever mode it left.
    const afterRejoin = <A, E>(then: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
      rejoined === undefined ? Effect.suspend(then) : Effect.zipRight(Deferred.await(rejoined), Effect.suspend(then))

    const store: Throttle.ThrottleStore = {
      reserve: (request) =>
        Effect.suspend(() => {
          remember(request.key, request.windows)
          if (mode === "local") return reserveLocal(request)
          if (mode === "rejoining") return afterRejoin(() => store.reserve(request))
          return redis.reserve(request).pipe(
            Effect.tap((outcome) =>
              outcome._tag === "Reserved" ? recordShadow(request, outcome.delayMillis) : Effect.void
            ),
            Effect.catchAll((error) => Effect.zipRight(fallBack(error), reserveLocal(request)))
          )
        }),
      confirm: (request) =>
        Effect.suspend(() => {
          if (localReservations.has(request.reservation)) {
            return memory.confirm(request).pipe(
              Effect.tap((outcome) =>
                Effect.sync(() => {
                  if (outcome._tag !== "Wait") localReservations.delete(request.reservation)
                })
              )
            )
          }
          // A Redis reservation cannot be confirmed without Redis: the caller reserves again (in memory), and the
          // copy of the unused slot that seeded the memory store is dropped so it is not counted twice.
          const missing = Effect.sync(() => forgetShadow(request.key, request.reservation)).pipe(
            Effect.zipRight(memory.release(request)),
            Effect.as<Throttle.ConfirmOutcome>({ _tag: "Missing" })
          )
          if (mode !== "shared") return missing
          return redis.confirm(request).pipe(Effect.catchAll((error) => Effect.zipRight(fallBack(error), missing)))
        }),
      release: (request) =>
        Effect.suspend(() => {
          if (localReservations.delete(request.reservation)) return memory.release(request)
          forgetShadow(request.key, request.reservation)
          if (mode !== "shared") return Effect.void
          return redis.release(request).pipe(Effect.catchAll(fallBack))
        }),
      pause: (request) =>
        Effect.suspend(() => {
          remember(request.key, request.windows)
          if (mode === "rejoining") return afterRejoin(() => store.pause(request))
          const local = memory.pause({ ...request, windows: share(request.windows, replicas) })
          if (mode === "local") return local
          // Mirror the cooldown locally so that it still holds if Redis goes away before it ends.
          return redis.pause(request).pipe(
            Effect.tap(() => local),
            Effect.catchAll((error) => Effect.zipRight(fallBack(error), local))
          )
        }),
      snapshot: (request) =>
        Effect.suspend(() => {
          const local = memory.snapshot({ ...request, windows: share(request.windows, replicas) })
          if (mode !== "shared") return local
          return redis.snapshot(request).pipe(Effect.catchAll((error) => Effect.zipRight(fallBack(error), local)))
        })
    }

    // Back to Redis once it has answered for a whole recovery interval: first tell it about the slots and cooldowns
    // taken locally, then take the lease again (the others raise the shared limit), then switch. Reservations wait
    // meanwhile: one taken locally after the local slots were read would be missing from Redis once the others count
    // this replica as present again, and they would overrun by up to its share. A failed step returns to local mode
    // (the memory store still holds every local slot).
    const rejoin = (now: number) =>
      Effect.gen(function* () {
        const contents = yield* memory.dump
        for (const [key, content] of contents) {
          const entries = content.entries.map((entry) => ({ offsetMillis: entry.time - now, member: entry.member }))
          const latest = entries.reduce((latest, entry) => Math.max(latest, entry.offsetMillis), 0)
          yield* redis.seed(key, entries, latest + content.longest)
          const windows = windowsByKey.get(key)
          if (content.cooldownUntil > now && windows !== undefined) {
            yield* redis.pause({ key, durationMillis: content.cooldownUntil - now, windows })
          }
        }
        yield* redis.heartbeat
      })

    let answeringSince: number | undefined
    const recover = Effect.gen(function* () {
      if (mode !== "local") return
      const probe = yield* Effect.either(redis.ping)
      const now = yield* Clock.currentTimeMillis
      if (probe._tag === "Left") {
        answeringSince = undefined
        return
      }
      answeringSince ??= now
      if (now - answeringSince < Duration.toMillis(options.recoveryInterval)) return
      answeringSince = undefined
      const latch = yield* Deferred.make<void>()
      rejoined = latch
      mode = "rejoining"
      const outcome = yield* Effect.yieldNow().pipe(
        // A reservation that saw "local" just before the switch has written its slot by now.
        Effect.zipRight(Effect.either(rejoin(now))),
        Effect.tap((outcome) =>
          Effect.sync(() => {
            mode = outcome._tag === "Right" ? "shared" : "local"
          })
        ),
        Effect.onInterrupt(() =>
          Effect.sync(() => {
            mode = "local"
          })
        ),
        Effect.ensuring(
          Effect.suspend(() => {
            rejoined = undefined
            return Deferred.succeed(latch, undefined)
          })
        )
      )
      if (outcome._tag === "Left") return
      yield* Metric.set(Metrics.storeFallback, 0)
      yield* Effect.logInfo("Throttle store Redis answers again: the budget is shared again")
      yield* options.publish(Model.ThrottleEvent.StoreRecovered())
    })

    const probeEvery = Duration.millis(Math.max(10, Duration.toMillis(options.recoveryInterval) / 4))
    yield* recover.pipe(
      Effect.ignore,
      Effect.repeat(Schedule.spaced(probeEvery)),
      Effect.interruptible,
      Effect.forkScoped
    )

    // The lease, refreshed while shared; a failed heartbeat is a failed command like any other.
    yield* Effect.suspend(() =>
      mode === "shared" ? redis.heartbeat.pipe(Effect.catchAll(fallBack)) : Effect.void
    ).pipe(Effect.repeat(Schedule.spaced(options.heartbeatInterval)), Effect.interruptible, Effect.forkScoped)

    // Start loud if Redis is not there at all. The first heartbeat reads Redis's clock; the second takes the lease.
    yield* redis.heartbeat.pipe(Effect.zipRight(redis.heartbeat), Effect.catchAll(fallBack))
    return store
  })
