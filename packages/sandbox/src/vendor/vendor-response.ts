/**
 * @module
 * Answers as values: handlers return a status, an optional JSON body and headers, and one place turns that into a
 * `Response`. Keeping errors as values (no throwing) lets the dispatcher validate every answer against the spec.
 */

/**
 * An answer of a simulated vendor.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface VendorResponse {
  readonly status: number
  /** A JSON body; `undefined` sends no body at all. */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Builds the `Response` for an answer value.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export const toResponse = (answer: VendorResponse): Response => {
  const headers = new Headers(answer.headers)
  if (answer.body === undefined) {
    return new Response(null, { status: answer.status, headers })
  }
  headers.set("Content-Type", "application/json")
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers })
}
