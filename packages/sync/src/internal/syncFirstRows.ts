/**
 * Which row first held each value (a key, an email, a phone number, a Copernica identity), for the duplicate-key and
 * identity-collision checks of a run, in memory that does not grow with the length of the values: a hash table of
 * two 32-bit numbers per slot (the value's hash and where the value is written), with the values themselves written
 * to a temporary file. A lookup whose hash matches reads the value back and compares it exactly, so two values that
 * share a hash are never taken for one another; such reads are rare (a real duplicate, or one pair in about four
 * billion), since a new value only costs a probe.
 *
 * Why: as `Map<string, …>` the checks held every value of the source on the JavaScript heap, about 1 KiB a row with
 * its objects and the garbage collector's headroom; the table holds about 11–21 bytes per value outside that heap.
 *
 * @internal
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Pending writes are kept in memory up to this size. */
const bufferBytes = 1 << 20

/** Values are written at 4-byte boundaries, so a 32-bit position addresses 16 GiB of them. */
const alignment = 4
const maximumPosition = 2 ** 32 - 1

/** Records are `row` (uint32), `length` (uint32, bytes of UTF-8) and the value, padded to {@link alignment}. */
const headerBytes = 8

/**
 * The values of a check, appended to a file in a directory of its own under the OS temp directory, removed as soon as
 * it is open (or by `close` where an open file cannot be removed). @internal
 */
export interface ValueFile {
  /** Writes `value` with its row; answers its position. */
  readonly append: (row: number, value: string) => number
  /** The row and value written at `position`. */
  readonly read: (position: number) => { readonly row: number; readonly value: string }
  readonly close: () => void
}

/** @internal */
export const openValueFile = (): ValueFile => {
  const directory = mkdtempSync(join(tmpdir(), "profilesync-values-"))
  let descriptor: number | undefined = openSync(join(directory, "values"), "w+")
  // Removed at once where the system allows an open file to be removed (not Windows): the descriptor keeps it, and
  // the system frees it however the process ends, a kill included; elsewhere `close` removes it.
  let removed = false
  try {
    rmSync(directory, { recursive: true, force: true })
    removed = true
  } catch {
    // Removed by `close`.
  }
  let pending = Buffer.allocUnsafe(bufferBytes)
  let pendingBytes = 0
  // Bytes on disk, always a multiple of the alignment.
  let written = 0
  const header = Buffer.allocUnsafe(headerBytes)

  const flush = () => {
    if (descriptor === undefined) throw new Error("the value file is closed")
    let offset = 0
    while (offset < pendingBytes)
      offset += writeSync(descriptor, pending, offset, pendingBytes - offset, written + offset)
    written += pendingBytes
    pendingBytes = 0
  }

  return {
    append: (row, value) => {
      // At most 3 bytes of UTF-8 per UTF-16 code unit.
      const room = Math.ceil((headerBytes + value.length * 3) / alignment) * alignment
      if (pendingBytes + room > pending.length) {
        flush()
        if (room > pending.length) pending = Buffer.allocUnsafe(room)
      }
      const start = written + pendingBytes
      const position = start / alignment
      if (position > maximumPosition) throw new Error("more than 16 GiB of values in one run's duplicate check")
      // ASCII (keys, emails, phone numbers) is copied a code unit at a byte, which costs a fraction of an encoder.
      const at = pendingBytes + headerBytes
      let length = value.length
      for (let index = 0; index < value.length; index++) {
        const code = value.charCodeAt(index)
        if (code >= 0x80) {
          length = pending.write(value, at, "utf8")
          break
        }
        pending[at + index] = code
      }
      pending.writeUInt32LE(row, pendingBytes)
      pending.writeUInt32LE(length, pendingBytes + 4)
      pendingBytes += Math.ceil((headerBytes + length) / alignment) * alignment
      return position
    },
    read: (position) => {
      const start = position * alignment
      if (start >= written) {
        const at = start - written
        const length = pending.readUInt32LE(at + 4)
        return {
          row: pending.readUInt32LE(at),
          value: pending.toString("utf8", at + headerBytes, at + headerBytes + length)
        }
      }
      if (descriptor === undefined) throw new Error("the value file is closed")
      readSync(descriptor, header, 0, headerBytes, start)
      const length = header.readUInt32LE(4)
      const bytes = Buffer.allocUnsafe(length)
      let offset = 0
      while (offset < length) {
        const read = readSync(descriptor, bytes, offset, length - offset, start + headerBytes + offset)
        if (read === 0) throw new Error("the value file ended early")
        offset += read
      }
      return { row: header.readUInt32LE(0), value: bytes.toString("utf8") }
    },
    close: () => {
      if (descriptor !== undefined) closeSync(descriptor)
      descriptor = undefined
      pending = Buffer.alloc(0)
      if (!removed) rmSync(directory, { recursive: true, force: true })
    }
  }
}

/**
 * The 32-bit FNV-1a hash of the value's UTF-16 code units, mixed (MurmurHash3's finaliser) so every bit counts.
 *
 * @internal
 */
export const hashOf = (value: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < value.length; index++) {
    hash ^= value.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  // 0 marks an empty slot.
  return hash >>> 0 || 1
}

/** Grows at three quarters full, where linear probing still takes about 2.5 probes for a new value. */
const maximumLoad = 0.75
const initialSlots = 1 << 12

/**
 * Which row first held each value. `claim` and `get` compare values exactly; only `row` numbers and positions in
 * the shared {@link ValueFile} are in memory.
 *
 * @internal
 */
export interface FirstRows {
  /** The first row that held `value`, or `undefined`: then `row` becomes its first row. */
  readonly claim: (value: string, row: number) => number | undefined
  /** The first row that held `value`, if any. */
  readonly get: (value: string) => number | undefined
  readonly has: (value: string) => boolean
  readonly size: () => number
}

/** @internal */
export const make = (file: ValueFile): FirstRows => {
  let hashes = new Uint32Array(initialSlots)
  let positions = new Uint32Array(initialSlots)
  let mask = initialSlots - 1
  let size = 0
  // The row of the value `find` last found.
  let foundRow = 0

  /** The slot holding `value` (its row in `foundRow`), or the empty slot where it would go (as `-slot - 1`). */
  const find = (value: string, hash: number): number => {
    let slot = hash & mask
    for (;;) {
      const stored = hashes[slot]!
      if (stored === 0) return -slot - 1
      if (stored === hash) {
        // A matching hash is only a candidate: the value itself decides.
        const record = file.read(positions[slot]!)
        if (record.value === value) {
          foundRow = record.row
          return slot
        }
      }
      slot = (slot + 1) & mask
    }
  }

  const grow = () => {
    const oldHashes = hashes
    const oldPositions = positions
    hashes = new Uint32Array(oldHashes.length * 2)
    positions = new Uint32Array(oldHashes.length * 2)
    mask = hashes.length - 1
    for (let index = 0; index < oldHashes.length; index++) {
      const hash = oldHashes[index]!
      if (hash === 0) continue
      let slot = hash & mask
      while (hashes[slot] !== 0) slot = (slot + 1) & mask
      hashes[slot] = hash
      positions[slot] = oldPositions[index]!
    }
  }

  const get = (value: string): number | undefined => (find(value, hashOf(value)) < 0 ? undefined : foundRow)

  return {
    claim: (value, row) => {
      const hash = hashOf(value)
      const slot = find(value, hash)
      if (slot >= 0) return foundRow
      const empty = -slot - 1
      hashes[empty] = hash
      positions[empty] = file.append(row, value)
      size++
      if (size > hashes.length * maximumLoad) grow()
      return undefined
    },
    get,
    has: (value) => find(value, hashOf(value)) >= 0,
    size: () => size
  }
}
