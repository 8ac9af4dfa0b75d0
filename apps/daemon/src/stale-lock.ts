/**
 * @module
 * Recovers the run lock of a daemon that was killed (SIGKILL, OOM, power loss) on this machine, so the next run
 * does not wait for the lock to expire.
 *
 * **Details**
 *
 * The state store names each lock's owner `host:pid:random`. When a run is refused because the lock is held by an
 * owner on this host whose process no longer exists (or whose pid is this very process, which then cannot be the
 * holder: a restarted container reuses the pid), the holder is dead: the lock is taken over under the holder's own
 * name (the store lets an owner renew its lock) and released, and the run is tried once more.
 *
 * **Gotchas**
 *
 * Only for a SQLite store, which lives on one machine: with PostgreSQL several machines share the store, a host name
 * is not proof of identity, and a dead holder's lock simply expires (60 seconds after its last heartbeat).
 */
import { hostname } from "node:os"
import { type SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"

/**
 * The host and pid in a lock owner's name, or `undefined` when it is not `host:pid:random`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseOwner = (owner: string): { readonly host: string; readonly pid: number } | undefined => {
  const parts = owner.split(":")
  if (parts.length < 3) return undefined
  const pid = Number(parts.at(-2))
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return { host: parts.slice(0, -2).join(":"), pid }
}

const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Whether `owner` is a process of this host that no longer runs.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDeadLocalOwner = (
  owner: string,
  environment: {
    readonly host: string
    readonly pid: number
    readonly exists: (pid: number) => boolean
  } = { host: hostname(), pid: process.pid, exists: processExists }
): boolean => {
  const parsed = parseOwner(owner)
  if (parsed === undefined || parsed.host !== environment.host) return false
  return parsed.pid === environment.pid || !environment.exists(parsed.pid)
}

/**
 * Whether the store of `config` is one where {@link isDeadLocalOwner} can be trusted (SQLite).
 *
 * @since 0.1.0
 * @category guards
 */
export const canRecoverLocally = (config: SyncConfig.SyncConfig): boolean => config.state.sqlite !== undefined

/**
 * Takes over the lock `name` of the dead `owner` and releases it.
 *
 * @since 0.1.0
 * @category recovery
 */
export const releaseDeadOwnersLock = (name: string, owner: string) =>
  Effect.flatMap(SyncState.SyncState, (state) => Effect.scoped(state.acquireLock(name, { owner }))).pipe(
    Effect.zipRight(
      Effect.logWarning("took over the run lock of a process that no longer runs").pipe(
        Effect.annotateLogs({ lock: name, owner })
      )
    )
  )
