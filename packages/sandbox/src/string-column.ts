/**
 * @module
 * One column of a profile store: a value (or none) per slot, kept as compactly as its values allow. A column whose
 * values repeat (cities, countries, flags, names, dates of birth) keeps each distinct value once and a 2-byte code
 * per slot; a column whose values are mostly distinct (emails, phone numbers, ids) keeps the strings themselves, with
 * the ones that are plain integers (`0`, `100001`, never `007`) kept as small numbers, which cost no string at all.
 * Which of the two a column is gets decided from a sample of its first values.
 */

// Codes are 16 bits and 0 means "no value", so a dictionary holds at most this many values.
const maximumDistinct = 65_535
// After this many values, a column with more than this share of distinct ones stops keeping a dictionary. The sample
// is large because a column of tens of thousands of values (dates of birth over a million profiles) still looks
// mostly distinct after a thousand rows, yet repeats each value dozens of times.
const sampleSize = 16_384
const maximumDistinctShare = 0.9
// Integers written the canonical way, small enough to be kept unboxed (31 bits).
const plainInteger = /^(?:0|[1-9][0-9]{0,8})$/

const encode = (value: string): string | number => {
  const first = value.charCodeAt(0)
  return first >= 48 && first <= 57 && value.length <= 9 && plainInteger.test(value) ? Number(value) : value
}

const decode = (stored: string | number | undefined): string | undefined =>
  typeof stored === "number" ? String(stored) : stored

/**
 * A column of optional string values by slot.
 *
 * @category Storage
 * @since 0.2.0
 */
export class StringColumn {
  #length = 0
  // Dictionary form: the code of each slot's value (0 for none), the values by code, and codes by value.
  #codes: Uint16Array | undefined = new Uint16Array(16)
  #dictionary: Array<string> = [""]
  #codeOf = new Map<string, number>()
  // Values written while the column kept a dictionary, repeats included.
  #written = 0
  // Plain form, once the values proved mostly distinct.
  #values: Array<string | number | undefined> | undefined

  /** A column of `length` slots that all hold `value`. */
  static filled(length: number, value: string | undefined): StringColumn {
    const column = new StringColumn()
    for (let slot = 0; slot < length; slot++) column.push(value)
    return column
  }

  get length(): number {
    return this.#length
  }

  /** The value of a slot, or undefined when it has none. */
  get(slot: number): string | undefined {
    if (this.#codes === undefined) return decode(this.#values![slot])
    const code = this.#codes[slot]!
    return code === 0 ? undefined : this.#dictionary[code]
  }

  /** Sets the value of an existing slot. */
  set(slot: number, value: string | undefined): void {
    const codes = this.#codes
    if (codes !== undefined) {
      const code = this.#code(value)
      if (code !== undefined) {
        codes[slot] = code
        return
      }
    }
    this.#values![slot] = value === undefined ? undefined : encode(value)
  }

  /** Adds a slot holding `value`. */
  push(value: string | undefined): void {
    if (this.#codes !== undefined && this.#length === this.#codes.length) {
      const grown = new Uint16Array(this.#codes.length * 2)
      grown.set(this.#codes)
      this.#codes = grown
    }
    this.#length++
    if (this.#values !== undefined) this.#values.push(undefined)
    this.set(this.#length - 1, value)
  }

  /** A new column of the values of `slots`, in that order. */
  pick(slots: ReadonlyArray<number>): StringColumn {
    const column = new StringColumn()
    for (const slot of slots) column.push(this.get(slot))
    return column
  }

  /** The code of `value`, adding it to the dictionary if need be; undefined once the column has no dictionary. */
  #code(value: string | undefined): number | undefined {
    if (value === undefined) return 0
    this.#written++
    const code = this.#codeOf.get(value)
    if (code !== undefined) return code
    const distinct = this.#dictionary.length - 1
    if (
      distinct >= maximumDistinct ||
      (this.#written >= sampleSize && distinct > maximumDistinctShare * this.#written)
    ) {
      this.#toPlain()
      return undefined
    }
    this.#dictionary.push(value)
    this.#codeOf.set(value, distinct + 1)
    return distinct + 1
  }

  #toPlain(): void {
    const values = new Array<string | number | undefined>(this.#length)
    for (let slot = 0; slot < this.#length; slot++) {
      const code = this.#codes![slot]!
      values[slot] = code === 0 ? undefined : encode(this.#dictionary[code]!)
    }
    this.#values = values
    this.#codes = undefined
    this.#dictionary = []
    this.#codeOf = new Map()
  }
}
