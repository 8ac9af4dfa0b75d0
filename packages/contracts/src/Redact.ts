/**
 * Keeps vendor credentials out of logs, errors and reports. Copernica takes its token in the query string, so any URL
 * that is printed must go through {@link redactUrl} first.
 */

/** Query parameters that carry credentials. */
export const secretQueryParameters: ReadonlyArray<string> = ["access_token", "token", "api_key", "apikey", "key"]

/** The text that replaces a secret. */
export const redacted = "REDACTED"

/**
 * Replaces the value of every credential query parameter (`access_token=...`) in a URL or in any text holding URLs,
 * and any `Bearer <token>`.
 *
 * @example
 * redactUrl("https://api.copernica.com/v3/imports?access_token=abc&x=1")
 * // "https://api.copernica.com/v3/imports?access_token=REDACTED&x=1"
 */
export const redactUrl = (text: string): string =>
  text
    .replace(
      new RegExp(`([?&](?:${secretQueryParameters.join("|")})=)[^&#\\s"']*`, "gi"),
      (_match, prefix: string) => `${prefix}${redacted}`
    )
    .replace(/(Bearer\s+)[^\s"',]+/gi, (_match, prefix: string) => `${prefix}${redacted}`)

/** Replaces every occurrence of the given secrets in `text` (for messages that might echo a token verbatim). */
export const redactSecrets = (text: string, secrets: ReadonlyArray<string | undefined>): string =>
  secrets.reduce<string>(
    (current, secret) => (secret === undefined || secret.length < 4 ? current : current.split(secret).join(redacted)),
    redactUrl(text)
  )
