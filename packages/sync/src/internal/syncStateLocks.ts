/**
 * The run lock: one atomic statement takes it (or takes over an expired one), a scoped fiber renews it, and the scope
 * releases it. In a SQLite store a holder of this host whose process is gone is taken over at once.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Lock, SyncStateService } from "../SyncState.ts"
import { fail, SyncStateErrorReason } from "./syncStateError.ts"
import { defaultOwner, isDeadLocalOwner, markHeld } from "./syncStateOwner.ts"
import { toDate } from "./syncStateRows.ts"
import type { StoreContext } from "./syncStateStore.ts"

/** The service's `acquireLock`. @internal */
export const makeLock = (context: StoreContext): SyncStateService["acquireLock"] => {
  const { sql, dialect, transaction, now } = context

  const acquireLock: SyncStateService["acquireLock"] = (name, options) =>
    Effect.gen(function* () {
      const ttl = Duration.decode(options?.ttl ?? Duration.seconds(60))
      const ttlMillis = Math.max(1, Duration.toMillis(ttl))
      const interval = Duration.decode(options?.heartbeatInterval ?? Duration.millis(Math.max(1, ttlMillis / 3)))
      const owner = options?.owner ?? defaultOwner()

      // One atomic statement: insert, or take over an expired lock (or renew our own); otherwise no row returns and
      // the holder is read to name it. `None`: the holder let go between the two statements; try again.
      const attempt = transaction(
        "acquireLock",
        Effect.gen(function* () {
          const at = yield* now
          const taken = yield* sql<{ readonly acquired_at: unknown }>`INSERT INTO profilesync_locks ${sql.insert({
            lock_name: name,
            owner,
            acquired_at: at,
            expires_at: at + ttlMillis,
            heartbeat_at: at
          })}
          ON CONFLICT (lock_name) DO UPDATE SET
            acquired_at = CASE WHEN profilesync_locks.owner = excluded.owner
              THEN profilesync_locks.acquired_at ELSE excluded.acquired_at END,
            owner = excluded.owner,
            expires_at = excluded.expires_at,
            heartbeat_at = excluded.heartbeat_at
          WHERE profilesync_locks.expires_at < excluded.heartbeat_at OR profilesync_locks.owner = excluded.owner
          RETURNING acquired_at`
          if (taken[0] !== undefined) return Option.some(toDate(taken[0].acquired_at))
          const holder = yield* sql<{
            readonly owner: string
            readonly acquired_at: unknown
            readonly expires_at: unknown
          }>`SELECT owner, acquired_at, expires_at FROM profilesync_locks WHERE lock_name = ${name}`
          const current = holder[0]
          if (current === undefined) return Option.none<Date>()
          // A SQLite store lives on one machine, so a holder of this host whose process is gone (SIGKILL, OOM, power
          // loss) is dead: its lock goes now rather than when it expires, and the next attempt takes it.
          if (dialect === "sqlite" && isDeadLocalOwner(current.owner)) {
            yield* sql`DELETE FROM profilesync_locks WHERE lock_name = ${name} AND owner = ${current.owner}`
            yield* Effect.logWarning("took over the run lock of a process that no longer runs").pipe(
              Effect.annotateLogs({ lock: name, owner: current.owner })
            )
            return Option.none<Date>()
          }
          return yield* fail(
            SyncStateErrorReason.Locked({
              name,
              owner: current.owner,
              since: toDate(current.acquired_at),
              expiresAt: toDate(current.expires_at)
            })
          )
        })
      )
      const acquire = attempt.pipe(
        Effect.repeat({ until: Option.isSome, times: 3 }),
        Effect.flatMap(
          Option.match({
            onNone: () =>
              fail(
                SyncStateErrorReason.StoreFailed({
                  operation: "acquireLock",
                  cause: new Error("the lock kept changing hands")
                })
              ),
            onSome: Effect.succeed
          })
        )
      )
      // acquireRelease: the release is registered in the same uninterruptible step as the acquisition, so an
      // interruption cannot leave a committed lock without its release. Finalizers run in reverse order, so the
      // heartbeat forked below stops before the row is deleted.
      const acquiredAt = yield* Effect.acquireRelease(
        Effect.tap(acquire, () => markHeld(owner, true)),
        () =>
          Effect.ignore(sql`DELETE FROM profilesync_locks WHERE lock_name = ${name} AND owner = ${owner}`).pipe(
            Effect.ensuring(Effect.sync(() => markHeld(owner, false)))
          )
      )
      const lost = yield* Deferred.make<void>()

      // Renews the lock; a renewal that finds the lock gone (expired and taken over) marks it lost. A failing renewal
      // is retried at the next beat, until the lock would have expired by this process's own clock (counted from
      // before the last successful renewal was sent, to err on the side of "lost").
      let validUntil = Date.now() + ttlMillis
      const renew = Effect.gen(function* () {
        const sent = Date.now()
        const at = yield* now
        const renewed = yield* sql<{ readonly owner: string }>`UPDATE profilesync_locks
          SET expires_at = ${at + ttlMillis}, heartbeat_at = ${at}
          WHERE lock_name = ${name} AND owner = ${owner} RETURNING owner`
        if (renewed.length === 0) yield* Deferred.succeed(lost, undefined)
        else validUntil = sent + ttlMillis
      })
      const beat = renew.pipe(
        Effect.catchAll(() => (Date.now() >= validUntil ? Deferred.succeed(lost, undefined) : Effect.void)),
        Effect.zipRight(Deferred.isDone(lost))
      )
      yield* Effect.forkScoped(
        beat.pipe(Effect.delay(interval), Effect.repeat({ until: (isLost) => isLost }), Effect.interruptible)
      )
      return {
        name,
        owner,
        acquiredAt,
        lost: Deferred.await(lost),
        ensureHeld: Effect.flatMap(Deferred.isDone(lost), (isLost) =>
          isLost || Date.now() >= validUntil ? fail(SyncStateErrorReason.LockLost({ name, owner })) : Effect.void
        )
      } satisfies Lock
    })

  return acquireLock
}
