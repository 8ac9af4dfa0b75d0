/**
 * The value types every normaliser of `Mapping.ts` shares: what a source delivers, what a field keeps, and why a
 * value was refused. Apart from the normalisers so that each field type's module can use them without importing the
 * others.
 *
 * @internal
 */

/** A canonical value: text (also email, E.164 phone and `YYYY-MM-DD` date), number, boolean, or null when empty. */
export type CanonicalValue = string | number | boolean | null

/** A raw value as a source delivers it. */
export type RawValue = string | number | boolean | null | undefined

/** Why a value was refused; allocated only on failure. */
export class Invalid {
  constructor(readonly message: string) {}
}

/** A compiled normaliser of one field. */
export type Normaliser = (raw: RawValue) => CanonicalValue | Invalid
