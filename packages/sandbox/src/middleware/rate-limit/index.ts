/**
 * @module
 * Rate-limit middleware: admits a request against the account's fixed windows and in-flight cap, or answers 429.
 *
 * Following Ocamba's page (https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits): admitted answers
 * carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (for the window closest to refusing,
 * since the headers can describe only one); a 429 carries `Retry-After` in whole seconds and none of the
 * `X-RateLimit-*` headers; the concurrency cap answers `Retry-After: -1`. A 429 storm (fault injection) is answered
 * here too, without counting the request, because it stands for the vendor's limiter refusing.
 */
import type { MiddlewareHandler } from "hono"
import type { FixedWindowLimiter } from "../../limits/fixed-window-limiter.ts"
import type { VendorResponse } from "../../vendor/vendor-response.ts"
import { toResponse } from "../../vendor/vendor-response.ts"

/**
 * Options of {@link rateLimit}.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface RateLimitOptions {
  readonly limiter: FixedWindowLimiter
  /** Whether admitted answers carry the `X-RateLimit-*` headers. Default true. */
  readonly sendRateLimitHeaders?: boolean
  /** The `Retry-After` of a 429 storm in force now, or undefined when there is none. */
  readonly stormRetryAfterSeconds?: () => number | undefined
  /** The vendor's 429 answer; `retryAfterSeconds` is -1 for the concurrency cap. */
  readonly refuse: (retryAfterSeconds: number, message: string) => VendorResponse
}

/**
 * Creates the middleware. It must run after authentication: it reads the account from `sandboxAccount`.
 *
 * @param [options.sendRateLimitHeaders=true] - add `X-RateLimit-*` to admitted answers
 * @example
 * app.use(rateLimit({ limiter, refuse: (seconds, message) => tooManyRequests(seconds, message) }))
 * @category Middleware
 * @since 0.0.0
 */
export const rateLimit = ({
  limiter,
  sendRateLimitHeaders = true,
  stormRetryAfterSeconds = () => undefined,
  refuse
}: RateLimitOptions): MiddlewareHandler =>
  async function rateLimiting(context, next) {
    const account = context.get("sandboxAccount")
    if (account === undefined) {
      await next()
      return
    }
    const stormSeconds = stormRetryAfterSeconds()
    if (stormSeconds !== undefined) {
      return withRetryAfter(refuse(stormSeconds, "Too many requests."), stormSeconds)
    }
    const decision = limiter.tryAdmit(account.id)
    if (!decision.admitted) {
      if (decision.reason === "concurrency") {
        return withRetryAfter(refuse(-1, "Too many parallel requests."), -1)
      }
      return withRetryAfter(refuse(decision.retryAfterSeconds, "Too many requests."), decision.retryAfterSeconds)
    }
    try {
      await next()
    } finally {
      decision.release()
    }
    const window = decision.tightestWindow
    if (sendRateLimitHeaders && window !== undefined) {
      const headers = context.res.headers
      headers.set("X-RateLimit-Limit", String(window.limit))
      headers.set("X-RateLimit-Remaining", String(window.remaining))
      headers.set("X-RateLimit-Reset", String(Math.max(0, Math.ceil(window.resetInMilliseconds / 1000))))
    }
  }

const withRetryAfter = (answer: VendorResponse, seconds: number): Response =>
  toResponse({ ...answer, headers: { ...answer.headers, "Retry-After": String(seconds) } })
