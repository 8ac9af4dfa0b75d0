/**
 * @module
 * How the dashboard shows customer data: masked by default (`j***@example.com`, `+31 6 ****5678`, `A***`), in full
 * only when the operator started it with `--show-values`. Free text (a vendor's reason, an error) has the email
 * addresses and phone numbers inside it masked, and every secret the process knows redacted in any case.
 */
import { Redact } from "@profilesync/core"

/**
 * Masks values for display, or shows them, as the dashboard was started.
 *
 * @since 0.1.0
 * @category models
 */
export interface Masker {
  readonly showValues: boolean
  /** One value: a key, a field's value. */
  readonly value: (value: string | null | undefined) => string
  /** Text that may quote values: reasons, errors. */
  readonly text: (text: string | null | undefined) => string
}

const emailPattern = /^([^\s@]+)@([^\s@]+)$/
const emailInText = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g
// A run of at least 7 digits, possibly with a leading + and spaces, dots, dashes or brackets between them.
const phoneInText = /\+?\d[\d\s().-]{5,}\d/g

/** `john@example.com` → `j***@example.com`: the first character and the domain stay, the length does not show. */
const maskEmail = (local: string, domain: string): string => `${local.slice(0, 1)}***@${domain}`

/**
 * `+31 6 12345678` → `+31 6 ****5678`, `+31612345678` → `+31 *****5678`, `0612345678` → `******5678`: the country
 * code (and the group after it, when the number is written in groups) and the last four digits stay.
 */
const maskPhone = (phone: string): string => {
  const groups = phone.trim().split(/\s+/)
  const international = groups[0]!.startsWith("+")
  const kept = international
    ? groups.length >= 3
      ? groups.slice(0, 2)
      : groups.length === 2
        ? groups.slice(0, 1)
        : []
    : []
  const allDigits = phone.replace(/\D/g, "")
  const prefix = kept.length > 0 ? kept.join(" ") : international ? `+${allDigits.slice(0, 2)}` : ""
  const rest = allDigits.slice(prefix.replace(/\D/g, "").length)
  const masked = rest.length <= 4 ? "*".repeat(rest.length) : `${"*".repeat(rest.length - 4)}${rest.slice(-4)}`
  return prefix === "" ? masked : `${prefix} ${masked}`
}

const looksLikePhone = (value: string): boolean => /^\+?[\d\s().-]{7,}$/.test(value.trim())

/**
 * Masks one value: an email address or a phone number keeps its shape, anything else keeps its first character.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskValue = (value: string): string => {
  if (value === "") return ""
  const email = emailPattern.exec(value.trim())
  if (email !== null) return maskEmail(email[1]!, email[2]!)
  if (looksLikePhone(value)) return maskPhone(value)
  return `${value.slice(0, 1)}***`
}

/**
 * Masks the email addresses and phone numbers inside free text.
 *
 * @since 0.1.0
 * @category masking
 */
export const maskText = (text: string): string =>
  text
    .replace(emailInText, (email) => {
      const at = email.indexOf("@")
      return maskEmail(email.slice(0, at), email.slice(at + 1))
    })
    .replace(phoneInText, (phone) => maskPhone(phone))

/**
 * The masker for `--show-values` (`true`) or the default.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMasker = (showValues: boolean): Masker => ({
  showValues,
  value: (value) => {
    if (value === null || value === undefined) return ""
    return Redact.text(showValues ? value : maskValue(value))
  },
  text: (text) => {
    if (text === null || text === undefined) return ""
    return Redact.text(showValues ? text : maskText(text))
  }
})
