/**
 * @module
 * The profiles of one Copernica database, stored by column: one {@link StringColumn} per field, with ids, secrets and
 * times in arrays of their own, so a million profiles cost a few arrays rather than a million objects. Profiles are
 * handed out as plain {@link CopernicaProfile} copies, made only for the profiles a caller reads.
 *
 * Key indexes (profiles by the normalised values of a set of key fields, the rule of `copernicaIdentity` in
 * `@profilesync/contracts`) are built on first use and kept current by every create, update and remove, so an import
 * finds each row's matches without scanning the database.
 */
import { copernicaIdentity } from "@profilesync/contracts"
import { StringColumn } from "../string-column.ts"
import { formatTimestamp } from "../time.ts"

/**
 * A profile: field values by field name, every value a string. A copy: changing it changes nothing stored.
 *
 * @category Copernica
 * @since 0.0.0
 */
export interface CopernicaProfile {
  readonly ID: number
  readonly fields: Record<string, string>
  readonly interests: Array<string>
  readonly database: number
  readonly secret: string
  readonly created: string
  readonly modified: string
}

// Removed profiles leave a hole (id 0) until holes are a quarter of the slots and compaction is asked for.
const compactShare = 0.25

const hexSecret = /^[0-9a-f]{32}$/

/**
 * Profile secrets by slot. A secret as the account makes them (32 lower-case hex digits) is kept as its 16 bytes
 * (a string of them costs 48 bytes and a pointer); any other secret is kept as given.
 */
class SecretColumn {
  #bytes = new Uint8Array(16 * 1024)
  #length = 0
  readonly #others = new Map<number, string>()

  push(secret: string): void {
    const slot = this.#length++
    if (this.#bytes.length < this.#length * 16) {
      const grown = new Uint8Array(this.#bytes.length * 2)
      grown.set(this.#bytes)
      this.#bytes = grown
    }
    if (!hexSecret.test(secret)) {
      this.#others.set(slot, secret)
      return
    }
    this.#bytes.set(Buffer.from(secret, "hex"), slot * 16)
  }

  get(slot: number): string {
    const other = this.#others.get(slot)
    if (other !== undefined) return other
    return Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset + slot * 16, 16).toString("hex")
  }

  /** A new column of the secrets of `slots`, in that order. */
  pick(slots: ReadonlyArray<number>): SecretColumn {
    const column = new SecretColumn()
    for (const slot of slots) column.push(this.get(slot))
    return column
  }
}

/**
 * Profiles of one set of key fields, by key. A key with one profile holds its slot; a shared key holds the list.
 */
class KeyIndex {
  readonly keyFields: ReadonlyArray<string>
  readonly #slots = new Map<string, number | Array<number>>()
  // One object reused for every key computed, so building an index allocates no row objects.
  readonly #scratch: Record<string, string> = {}

  constructor(keyFields: ReadonlyArray<string>) {
    this.keyFields = keyFields
  }

  /** The key of a profile's values, or undefined when a key field is empty (such a profile matches nothing). */
  keyOf(read: (field: string) => string | undefined): string | undefined {
    for (const field of this.keyFields) {
      const value = read(field) ?? ""
      if (value.trim() === "") return undefined
      this.#scratch[field] = value
    }
    // One key field: its normalised value says what `copernicaIdentity` says (one-element JSON arrays are equal
    // exactly when their values are), and is the stored string itself when that is already trimmed and lower-case,
    // so a million keys cost no strings of their own.
    if (this.keyFields.length === 1) return this.#scratch[this.keyFields[0]!]!.trim().toLowerCase()
    return copernicaIdentity(this.#scratch, this.keyFields)
  }

  slots(key: string | undefined): ReadonlyArray<number> {
    const found = key === undefined ? undefined : this.#slots.get(key)
    return found === undefined ? [] : typeof found === "number" ? [found] : found
  }

  add(key: string | undefined, slot: number): void {
    if (key === undefined) return
    const found = this.#slots.get(key)
    if (found === undefined) this.#slots.set(key, slot)
    else if (typeof found === "number") this.#slots.set(key, [found, slot])
    else found.push(slot)
  }

  remove(key: string | undefined, slot: number): void {
    const found = key === undefined ? undefined : this.#slots.get(key)
    if (key === undefined || found === undefined) return
    if (typeof found === "number") {
      if (found === slot) this.#slots.delete(key)
      return
    }
    const remaining = found.filter((candidate) => candidate !== slot)
    this.#slots.set(key, remaining.length === 1 ? remaining[0]! : remaining)
  }
}

/**
 * The live profiles of one database.
 *
 * @category Copernica
 * @since 0.0.0
 */
export class CopernicaProfileStore {
  readonly #database: number
  /** Profile id per slot (ascending, as ids are handed out in order), 0 for a removed profile. */
  #ids: Array<number> = []
  #secrets = new SecretColumn()
  #created: Array<number> = []
  #modified: Array<number> = []
  readonly #columns = new Map<string, StringColumn>()
  readonly #indexes = new Map<string, KeyIndex>()
  #live = 0

  constructor(database: number) {
    this.#database = database
  }

  /** How many live profiles the database holds. */
  get size(): number {
    return this.#live
  }

  /** Adds a field: every existing profile gets `value`, as a new column would. */
  addField(name: string, value: string): void {
    this.#columns.set(name, StringColumn.filled(this.#ids.length, value))
  }

  /**
   * Creates a profile from every field's default with `values` (by stored field name) written over them; returns
   * its slot.
   */
  create(
    id: number,
    secret: string,
    values: Readonly<Record<string, string>>,
    defaults: ReadonlyMap<string, string>,
    now: number
  ): number {
    const slot = this.#ids.length
    this.#ids.push(id)
    this.#secrets.push(secret)
    this.#created.push(now)
    this.#modified.push(now)
    for (const [name, column] of this.#columns) {
      const value = values[name]
      column.push(value === undefined ? (defaults.get(name) ?? "") : value)
    }
    this.#live++
    for (const index of this.#indexes.values()) {
      index.add(
        index.keyOf((field) => this.#columns.get(field)?.get(slot)),
        slot
      )
    }
    return slot
  }

  /** Writes `values` (by stored field name) into a profile, skipping empty ones when `ignoreEmpty`. */
  update(slot: number, values: Readonly<Record<string, string>>, ignoreEmpty: boolean, now: number): void {
    const read = (field: string) => this.#columns.get(field)?.get(slot)
    // Keys that may change: those of indexes over a field being written (the matching index's key cannot change,
    // since the row matched on it, but another index's may).
    const moved: Array<[KeyIndex, string | undefined]> = []
    for (const index of this.#indexes.values()) {
      if (index.keyFields.some((field) => values[field] !== undefined)) moved.push([index, index.keyOf(read)])
    }
    for (const name in values) {
      const value = values[name]!
      const column = this.#columns.get(name)
      if (column === undefined || (ignoreEmpty && value === "")) continue
      column.set(slot, value)
    }
    this.#modified[slot] = now
    for (const [index, before] of moved) {
      const after = index.keyOf(read)
      if (after !== before) {
        index.remove(before, slot)
        index.add(after, slot)
      }
    }
  }

  /** Removes a profile; returns the copy it was. */
  remove(slot: number): CopernicaProfile {
    const profile = this.profileAt(slot)
    const read = (field: string) => this.#columns.get(field)?.get(slot)
    for (const index of this.#indexes.values()) index.remove(index.keyOf(read), slot)
    this.#ids[slot] = 0
    this.#live--
    return profile
  }

  /**
   * Drops the holes removed profiles left once they are a quarter of the slots. Slots move: call it only when no
   * slot is held (at the end of an import).
   */
  compactIfSparse(): void {
    if (this.#ids.length > 1024 && this.#ids.length - this.#live > compactShare * this.#ids.length) this.#compact()
  }

  /**
   * The slots of the live profiles whose `keyFields` (stored field names) hold the values of `values`, by the rule
   * of `copernicaIdentity`; none when a key value is empty.
   */
  matches(keyFields: ReadonlyArray<string>, values: Readonly<Record<string, string>>): ReadonlyArray<number> {
    if (keyFields.length === 0) return []
    const index = this.#index(keyFields)
    return index.slots(index.keyOf((field) => values[field]))
  }

  /** The slots of all live profiles, oldest first. */
  *slots(): IterableIterator<number> {
    const ids = this.#ids
    for (let slot = 0; slot < ids.length; slot++) if (ids[slot] !== 0) yield slot
  }

  /** The slot of the live profile with this id, if any (ids ascend with slots, so a binary search finds it). */
  slotOf(id: number): number | undefined {
    const ids = this.#ids
    let low = 0
    let high = ids.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      // A removed slot (0) is skipped to its nearest live neighbour below, keeping the order usable.
      let probe = middle
      while (probe >= low && ids[probe] === 0) probe--
      if (probe < low) {
        low = middle + 1
        continue
      }
      const found = ids[probe]!
      if (found === id) return probe
      if (found < id) low = middle + 1
      else high = probe - 1
    }
    return undefined
  }

  idAt(slot: number): number {
    return this.#ids[slot]!
  }

  secretAt(slot: number): string {
    return this.#secrets.get(slot)
  }

  modifiedAt(slot: number): string {
    return formatTimestamp(this.#modified[slot]!)
  }

  /** The value of a field (stored name) of a profile, `""` for a field the database does not have. */
  valueAt(slot: number, field: string): string {
    return this.#columns.get(field)?.get(slot) ?? ""
  }

  /** A copy of the profile in a slot. */
  profileAt(slot: number): CopernicaProfile {
    const fields: Record<string, string> = {}
    for (const [name, column] of this.#columns) fields[name] = column.get(slot)!
    return {
      ID: this.#ids[slot]!,
      fields,
      interests: [],
      database: this.#database,
      secret: this.#secrets.get(slot),
      created: formatTimestamp(this.#created[slot]!),
      modified: formatTimestamp(this.#modified[slot]!)
    }
  }

  /** The profile with this id, as a copy. */
  get(id: number): CopernicaProfile | undefined {
    const slot = this.slotOf(id)
    return slot === undefined ? undefined : this.profileAt(slot)
  }

  /** Copies of all live profiles, oldest first. */
  *values(): IterableIterator<CopernicaProfile> {
    for (const slot of this.slots()) yield this.profileAt(slot)
  }

  toJSON(): Array<CopernicaProfile> {
    return [...this.values()]
  }

  #index(keyFields: ReadonlyArray<string>): KeyIndex {
    const signature = keyFields.join("\u0000")
    let index = this.#indexes.get(signature)
    if (index === undefined) {
      index = new KeyIndex(keyFields)
      for (const slot of this.slots()) {
        index.add(
          index.keyOf((field) => this.#columns.get(field)?.get(slot)),
          slot
        )
      }
      this.#indexes.set(signature, index)
    }
    return index
  }

  #compact(): void {
    const keep = [...this.slots()]
    const pick = <Value>(values: Array<Value>): Array<Value> => keep.map((slot) => values[slot]!)
    this.#ids = pick(this.#ids)
    this.#secrets = this.#secrets.pick(keep)
    this.#created = pick(this.#created)
    this.#modified = pick(this.#modified)
    for (const [name, column] of this.#columns) this.#columns.set(name, column.pick(keep))
    // Slots moved: indexes are rebuilt on their next use.
    this.#indexes.clear()
  }
}
