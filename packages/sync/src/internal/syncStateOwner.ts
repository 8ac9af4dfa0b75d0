/**
 * Who holds a run lock: owners are named `host:pid:random`, and a holder on this machine whose process is gone is
 * known to be dead. Only a SQLite store may act on that (it lives on one machine); with PostgreSQL several machines
 * share the store, a host name is no proof of identity, and a dead holder's lock simply expires.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { hostname } from "node:os"

/** The owners whose locks this process holds right now. */
const heldHere = new Set<string>()

/** A new owner name for this process. */
export const defaultOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

/** Records that this process holds (or let go of) a lock under `owner`. */
export const markHeld = (owner: string, held: boolean): void => {
  if (held) heldHere.add(owner)
  else heldHere.delete(owner)
}

/** The host and pid in a lock owner's name, or `undefined` when it is not `host:pid:random`. */
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
 * Whether `owner` is a process of this host that no longer runs. A holder with this very pid that this process does
 * not hold a lock as is an earlier process that had the same pid (a restarted container reuses it).
 */
export const isDeadLocalOwner = (
  owner: string,
  environment: {
    readonly host: string
    readonly pid: number
    readonly exists: (pid: number) => boolean
    readonly heldHere: (owner: string) => boolean
  } = { host: hostname(), pid: process.pid, exists: processExists, heldHere: (name) => heldHere.has(name) }
): boolean => {
  const parsed = parseOwner(owner)
  if (parsed === undefined || parsed.host !== environment.host) return false
  return parsed.pid === environment.pid ? !environment.heldHere(owner) : !environment.exists(parsed.pid)
}
