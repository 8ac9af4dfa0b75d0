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
