/**
 * @module
 * The `strict` switch: where the sandbox would follow a rule the vendors do not document (the table in the README),
 * strict mode refuses the request instead, with a message that names the rule, so that a user finds where their code
 * depends on our guess.
 */

/**
 * The message of a strict-mode refusal of `rule` (a README table entry).
 *
 * @category Vendor apps
 * @since 0.1.0
 */
export const strictRefusal = (rule: string): string =>
  `sandbox strict mode: ${rule}; the vendor does not document what it does here, so the sandbox refuses instead of guessing`

/**
 * Whether a boolean came in a form only the reading of Copernica's booleans guesses at (`yes`, `TRUE`, `2`, a list):
 * JSON's `true`/`false`, the words `true`/`false`, and PHP's own encodings (`1`, `0`, empty) are not.
 *
 * @category Vendor apps
 * @since 0.1.0
 */
export const isGuessedBoolean = (value: unknown): boolean =>
  value !== undefined && typeof value !== "boolean" && !["true", "false", "1", "0", ""].includes(String(value))
