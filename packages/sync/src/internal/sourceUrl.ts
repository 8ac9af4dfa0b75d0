/**
 * The name a database source goes by in messages and reports: its connection URL without the password.
 *
 * @internal
 */

/** `url` without its password; `fallback` when it is not a URL (nothing of it is shown then). @internal */
export const urlWithoutPassword = (url: string, fallback: string): string => {
  try {
    const parsed = new URL(url)
    parsed.password = ""
    return parsed.toString()
  } catch {
    return fallback
  }
}
