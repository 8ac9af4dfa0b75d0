/**
 * @module
 * Shares one string among equal values of a column of an uploaded file (cities, countries, flags, birth dates
 * repeat), so the rows kept until processing hold each distinct value once. A column whose values are mostly distinct
 * (emails, ids) stops being interned after a sample, since a table of them would only double what they cost. (The
 * profile stores keep their values in a `StringColumn`, which does the same with 2-byte codes.)
 */

// Distinct values kept at most (a full table costs a few MiB), and the share of distinct values in the sample above
// which interning stops. The sample is large because a column of tens of thousands of values (dates of birth over a
// million profiles) still looks mostly distinct after a thousand rows, yet repeats each value dozens of times.
const maximumDistinct = 65_536
const sampleSize = 16_384
const maximumDistinctShare = 0.9

/**
 * The interning table of one column.
 *
 * @category Storage
 * @since 0.1.0
 */
export class ValueInterner {
  #table: Map<string, string> | undefined = new Map()
  #seen = 0

  /** The shared copy of `value`, or `value` itself once the column stopped interning. */
  intern(value: string): string {
    const table = this.#table
    if (table === undefined) return value
    this.#seen++
    const shared = table.get(value)
    if (shared !== undefined) return shared
    if (table.size >= maximumDistinct || (this.#seen >= sampleSize && table.size > maximumDistinctShare * this.#seen)) {
      this.#table = undefined
      return value
    }
    table.set(value, value)
    return value
  }
}
