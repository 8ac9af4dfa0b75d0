/**
 * @module
 * Seeded pseudo-random numbers, so that fault decisions and generated identifiers repeat exactly for a given seed.
 *
 * The generator is mulberry32: 32 bits of state, fast, and good enough for test decisions (it is not for secrets).
 * Independent streams (faults, import failures, identifiers) are derived from one seed so that, for example, a
 * background import drawing a number never shifts the fault sequence seen by requests.
 */

/**
 * A deterministic source of random numbers.
 *
 * @category Randomness
 * @since 0.0.0
 */
export interface RandomSource {
  /** A number in [0, 1). */
  readonly next: () => number
  /** An integer in [minimum, maximum], both included. */
  readonly integer: (minimum: number, maximum: number) => number
  /** A version 4 UUID built from the stream, so identifiers repeat with the seed. */
  readonly uuid: () => string
}

/**
 * Turns a seed given as a number or a string into 32 bits; strings are hashed with FNV-1a so `--seed demo` works.
 *
 * @category Randomness
 * @since 0.0.0
 */
export const seedToInteger = (seed: number | string): number => {
  if (typeof seed === "number" && Number.isFinite(seed)) {
    return Math.trunc(seed) >>> 0
  }
  const text = String(seed)
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/**
 * Derives the seed of a named stream from the main seed, so streams are independent but still fixed by it.
 *
 * @category Randomness
 * @since 0.0.0
 */
export const deriveSeed = (seed: number, stream: string): number => seedToInteger(`${seed >>> 0}:${stream}`)

/**
 * Creates a mulberry32 generator.
 *
 * @category Randomness
 * @since 0.0.0
 */
export const createRandomSource = (seed: number): RandomSource => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
  const integer = (minimum: number, maximum: number): number => minimum + Math.floor(next() * (maximum - minimum + 1))
  const hexDigits = (count: number): string => {
    let text = ""
    for (let index = 0; index < count; index++) {
      text += Math.floor(next() * 16).toString(16)
    }
    return text
  }
  const uuid = (): string => {
    // Version nibble 4 and variant bits 10xx, as RFC 9562 section 5.4 requires for random UUIDs.
    const variant = (8 + Math.floor(next() * 4)).toString(16)
    return `${hexDigits(8)}-${hexDigits(4)}-4${hexDigits(3)}-${variant}${hexDigits(3)}-${hexDigits(12)}`
  }
  return { next, integer, uuid }
}
