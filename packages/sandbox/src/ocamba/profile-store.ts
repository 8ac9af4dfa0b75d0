/**
 * @module
 * The profiles of one Ocamba account, stored by column: one {@link StringColumn} per property target, and times and
 * import histories in arrays of their own, so a million profiles cost a few arrays rather than a million objects.
 * Profiles are handed out as plain {@link OcambaProfile} copies, made only for the profiles a caller reads; the store
 * reads like a `ReadonlyMap` of profile id to profile.
 *
 * A profile's id is its slot, written the vendor's way (`17593` and 14 digits, like the report example's
 * "1759319234567890987"), so ids cost nothing to keep; Ocamba profiles are never removed, so slots never move.
 * The email and mobile phone number indexes map normalised keys to slots.
 */
import { ocambaEmailKey, ocambaIdentity, ocambaPhoneKey } from "@profilesync/contracts"
import { StringColumn } from "../string-column.ts"

/**
 * A stored profile: property values by property target. A copy: changing it changes nothing stored.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaProfile {
  readonly id: string
  readonly properties: Record<string, string>
  readonly create_time: string
  readonly update_time: string
  /** Imports that wrote the profile, oldest first. */
  readonly importIds: Array<string>
}

const idPrefix = "17593"
const idDigits = 14

/**
 * The id of the profile in a slot: 19 digits like the vendor's report example ("1759319234567890987"), kept as a
 * string.
 *
 * @category Ocamba
 * @since 0.2.0
 */
export const ocambaProfileId = (slot: number): string => idPrefix + String(slot + 1).padStart(idDigits, "0")

/**
 * The import histories of profiles, shared: a history is a node of a tree whose path from the root lists the
 * imports that wrote a profile, oldest first. Profiles written by the same imports share one node, so a history
 * costs each profile one number.
 */
class ImportHistories {
  readonly #importIds: Array<string> = []
  readonly #importNumbers = new Map<string, number>()
  // Node 0 is the empty history.
  readonly #parents: Array<number> = [-1]
  readonly #imports: Array<number> = [-1]
  readonly #children = new Map<number, number>()

  /** The history that is `node` followed by the import `importId` (the same node when that import is its last). */
  append(node: number, importId: string): number {
    let importNumber = this.#importNumbers.get(importId)
    if (importNumber === undefined) {
      importNumber = this.#importIds.length
      this.#importIds.push(importId)
      this.#importNumbers.set(importId, importNumber)
    }
    if (this.#imports[node] === importNumber) return node
    // Node and import number both stay far below 2^26, so the pair fits one exact number.
    const key = node * 67_108_864 + importNumber
    let child = this.#children.get(key)
    if (child === undefined) {
      child = this.#parents.length
      this.#parents.push(node)
      this.#imports.push(importNumber)
      this.#children.set(key, child)
    }
    return child
  }

  /** The import ids of a history, oldest first. */
  importIds(node: number): Array<string> {
    const ids: Array<string> = []
    for (let at = node; at > 0; at = this.#parents[at]!) ids.push(this.#importIds[this.#imports[at]!]!)
    return ids.reverse()
  }
}

// A 30-bit FNV-1a hash: small enough to stay an unboxed number as a map key.
const hashOf = (text: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  return hash & 0x3fffffff
}

/**
 * Profiles by phone key (`ocambaPhoneKey`), keyed by the key's hash and checked against each candidate's stored
 * number, so the index holds no key strings (stored numbers are rarely already in key form, so a key would be a
 * string of its own for every profile). It answers as a map from key to slot would, as long as a profile's number
 * leaves the index before it changes, which `upsert` does.
 */
class PhoneIndex {
  readonly #slots = new Map<number, number | Array<number>>()
  readonly #storedPhone: (slot: number) => string | undefined

  constructor(storedPhone: (slot: number) => string | undefined) {
    this.#storedPhone = storedPhone
  }

  get(key: string): number | undefined {
    const found = this.#slots.get(hashOf(key))
    if (found === undefined) return undefined
    if (typeof found === "number") return this.#holds(found, key) ? found : undefined
    return found.find((slot) => this.#holds(slot, key))
  }

  /** Makes `key` find `slot`, in place of any profile it found before. */
  set(key: string, slot: number): void {
    const hash = hashOf(key)
    const found = this.#slots.get(hash)
    if (found === undefined) {
      this.#slots.set(hash, slot)
      return
    }
    const others = (typeof found === "number" ? [found] : found).filter(
      (candidate) => candidate !== slot && !this.#holds(candidate, key)
    )
    this.#slots.set(hash, others.length === 0 ? slot : [...others, slot])
  }

  delete(key: string): void {
    const hash = hashOf(key)
    const found = this.#slots.get(hash)
    if (found === undefined) return
    const others = (typeof found === "number" ? [found] : found).filter((candidate) => !this.#holds(candidate, key))
    if (others.length === 0) this.#slots.delete(hash)
    else this.#slots.set(hash, others.length === 1 ? others[0]! : others)
  }

  #holds(slot: number, key: string): boolean {
    const stored = this.#storedPhone(slot)
    return stored !== undefined && ocambaPhoneKey(stored) === key
  }
}

/**
 * The profiles of one account.
 *
 * @category Ocamba
 * @since 0.2.0
 */
export class OcambaProfileStore implements ReadonlyMap<string, OcambaProfile> {
  // Times repeat (one per import), so their columns keep 2-byte codes.
  readonly #createTimes = new StringColumn()
  readonly #updateTimes = new StringColumn()
  /** The import history (a node of {@link ImportHistories}) of each slot. */
  readonly #histories: Array<number> = []
  /** Values by property target, one per slot; none where the profile has no value for the target. */
  readonly #columns = new Map<string, StringColumn>()
  readonly #importHistories = new ImportHistories()
  readonly #slotsByEmail = new Map<string, number>()
  readonly #slotsByPhone = new PhoneIndex((slot) => this.#columns.get("mobile_phone_number")?.get(slot))

  /** How many profiles the account holds. */
  get size(): number {
    return this.#histories.length
  }

  /** The id of the profile in a slot. */
  idAt(slot: number): string {
    return ocambaProfileId(slot)
  }

  /** The slot of the profile with this id, if any. */
  slotOf(id: string): number | undefined {
    if (id.length !== idPrefix.length + idDigits || !id.startsWith(idPrefix)) return undefined
    const slot = Number(id.slice(idPrefix.length)) - 1
    return Number.isInteger(slot) && slot >= 0 && slot < this.size ? slot : undefined
  }

  /** The slot of the profile stored under this email (trimmed, compared without regard to case), if any. */
  slotByEmail(email: string): number | undefined {
    return this.#slotsByEmail.get(ocambaEmailKey(email))
  }

  /** The slot of the profile stored under this mobile phone number (digits and a leading `+`), if any. */
  slotByPhone(phone: string): number | undefined {
    return this.#slotsByPhone.get(ocambaPhoneKey(phone))
  }

  /**
   * Creates or updates the profile a row resolves to, by the rule in `@profilesync/contracts` (`ocambaIdentity`):
   * its email when it has one (a new email is a new profile, whatever its phone number), else its mobile phone
   * number. `targets[index]` is given `values[index]`; `undefined` leaves the stored value alone. Returns the slot.
   */
  upsert(
    targets: ReadonlyArray<string>,
    values: ReadonlyArray<string | undefined>,
    importId: string,
    timestamp: string
  ): number {
    let email = ""
    let phone = ""
    for (let index = 0; index < targets.length; index++) {
      if (targets[index] === "email") email = values[index]?.trim() ?? ""
      else if (targets[index] === "mobile_phone_number") phone = values[index]?.trim() ?? ""
    }
    const identity = ocambaIdentity({ email, mobile_phone_number: phone })
    let slot =
      identity === undefined
        ? undefined
        : identity.match.startsWith("email:")
          ? this.slotByEmail(email)
          : this.slotByPhone(phone)
    if (slot === undefined) {
      slot = this.#histories.length
      this.#createTimes.push(timestamp)
      this.#updateTimes.push(timestamp)
      this.#histories.push(0)
      for (const column of this.#columns.values()) column.push(undefined)
    }
    const emailColumn = this.#columns.get("email")
    const phoneColumn = this.#columns.get("mobile_phone_number")
    const previousEmail = emailColumn?.get(slot)
    const previousPhone = phoneColumn?.get(slot)
    const phoneKey = phone === "" ? undefined : ocambaPhoneKey(phone)
    // The phone index finds a profile by its stored number, so a number about to change leaves it first.
    if (phoneKey !== undefined && previousPhone !== undefined && ocambaPhoneKey(previousPhone) !== phoneKey) {
      this.#slotsByPhone.delete(ocambaPhoneKey(previousPhone))
    }
    for (let index = 0; index < targets.length; index++) {
      const value = values[index]
      if (value === undefined) continue
      this.#column(targets[index]!).set(slot, value)
    }
    this.#updateTimes.set(slot, timestamp)
    this.#histories[slot] = this.#importHistories.append(this.#histories[slot]!, importId)
    if (email !== "") {
      const key = ocambaEmailKey(email)
      if (previousEmail !== undefined && ocambaEmailKey(previousEmail) !== key) {
        this.#slotsByEmail.delete(ocambaEmailKey(previousEmail))
      }
      this.#slotsByEmail.set(key, slot)
    }
    if (phoneKey !== undefined) this.#slotsByPhone.set(phoneKey, slot)
    return slot
  }

  /** A copy of the profile in a slot. */
  profileAt(slot: number): OcambaProfile {
    const properties: Record<string, string> = {}
    for (const [target, column] of this.#columns) {
      const value = column.get(slot)
      if (value !== undefined) properties[target] = value
    }
    return {
      id: this.idAt(slot),
      properties,
      create_time: this.#createTimes.get(slot)!,
      update_time: this.#updateTimes.get(slot)!,
      importIds: this.#importHistories.importIds(this.#histories[slot]!)
    }
  }

  get(id: string): OcambaProfile | undefined {
    const slot = this.slotOf(id)
    return slot === undefined ? undefined : this.profileAt(slot)
  }

  has(id: string): boolean {
    return this.slotOf(id) !== undefined
  }

  /** Profile ids, oldest first. */
  *keys(): MapIterator<string> {
    for (let slot = 0; slot < this.size; slot++) yield this.idAt(slot)
  }

  /** Copies of all profiles, oldest first. */
  *values(): MapIterator<OcambaProfile> {
    for (let slot = 0; slot < this.size; slot++) yield this.profileAt(slot)
  }

  *entries(): MapIterator<[string, OcambaProfile]> {
    for (let slot = 0; slot < this.size; slot++) yield [this.idAt(slot), this.profileAt(slot)]
  }

  [Symbol.iterator](): MapIterator<[string, OcambaProfile]> {
    return this.entries()
  }

  forEach(callback: (value: OcambaProfile, key: string, map: ReadonlyMap<string, OcambaProfile>) => void): void {
    for (const [id, profile] of this.entries()) callback(profile, id, this)
  }

  toJSON(): Array<OcambaProfile> {
    return [...this.values()]
  }

  #column(target: string): StringColumn {
    let column = this.#columns.get(target)
    if (column === undefined) {
      column = StringColumn.filled(this.size, undefined)
      this.#columns.set(target, column)
    }
    return column
  }
}
