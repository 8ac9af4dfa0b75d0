/**
 * How each vendor resolves an imported row to a stored profile: the one statement of the rule. The sandbox matches
 * imported rows with it, and the sync engine uses it to find source rows the vendor would merge into one profile.
 *
 * **Ocamba** ([D] "At least one of email or mobile_phone_number is required" on the import commit page; the rest is
 * [I], inferred: Ocamba documents no matching rule). A row with an email is matched on the email alone (trimmed,
 * without regard to case), so a new email makes a new profile even when its phone number is already stored. A row
 * without an email is matched on its mobile phone number (digits and a leading `+`). The profile a row creates or
 * updates can then be found by its email and by its phone number.
 *
 * **Copernica** ([D] `keyFields` on `POST /imports`; [I] the comparison): a row matches the profile whose key fields
 * all hold its values, compared trimmed and without regard to case (MySQL's default collation).
 *
 * @since 0.1.0
 */

/**
 * An email as Ocamba compares it. [I]
 *
 * @since 0.1.0
 * @category Ocamba
 */
export const ocambaEmailKey = (email: string): string => email.trim().toLowerCase()

/**
 * A mobile phone number as Ocamba compares it: digits, and a leading `+`. [I]
 *
 * @since 0.1.0
 * @category Ocamba
 */
export const ocambaPhoneKey = (phone: string): string => {
  const trimmed = phone.trim()
  return (trimmed.startsWith("+") ? "+" : "") + trimmed.replace(/[^0-9]/g, "")
}

/**
 * What identifies an Ocamba import row: `match`, what the vendor looks the row up by (`email:…`, or `phone:…`
 * when the row has no email), and `keys`, everything the resulting profile can be found by afterwards.
 *
 * @since 0.1.0
 * @category Ocamba
 */
export interface OcambaIdentity {
  readonly match: string
  readonly keys: ReadonlyArray<string>
}

/**
 * The identity of an Ocamba row from its `email` and `mobile_phone_number` (empty or absent when it has none);
 * `undefined` for a row with neither, which Ocamba refuses.
 *
 * @since 0.1.0
 * @category Ocamba
 */
export const ocambaIdentity = (row: {
  readonly email?: string | undefined
  readonly mobile_phone_number?: string | undefined
}): OcambaIdentity | undefined => {
  const email = row.email === undefined || row.email.trim() === "" ? undefined : `email:${ocambaEmailKey(row.email)}`
  const phone =
    row.mobile_phone_number === undefined || row.mobile_phone_number.trim() === ""
      ? undefined
      : `phone:${ocambaPhoneKey(row.mobile_phone_number)}`
  if (email !== undefined) return { match: email, keys: phone === undefined ? [email] : [email, phone] }
  return phone === undefined ? undefined : { match: phone, keys: [phone] }
}

/**
 * Whether Ocamba may resolve two rows to the same profile: one is looked up by something the other's profile holds.
 * Symmetric, because rows arrive in any order across imports and runs.
 *
 * @since 0.1.0
 * @category Ocamba
 */
export const ocambaSameProfile = (left: OcambaIdentity, right: OcambaIdentity): boolean =>
  right.keys.includes(left.match) || left.keys.includes(right.match)

/**
 * The key of a Copernica row: its `keyFields` values as Copernica compares them, in `keyFields` order. [I]
 *
 * @since 0.1.0
 * @category Copernica
 */
export const copernicaIdentity = (
  row: Readonly<Record<string, string | undefined>>,
  keyFields: ReadonlyArray<string>
): string => JSON.stringify(keyFields.map((field) => (row[field] ?? "").trim().toLowerCase()))
