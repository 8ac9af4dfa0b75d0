/**
 * What both vendor clients share when they are built: option defaults, the circuit breaker, and the throttle policy
 * each vendor's account key gets from the contracts.
 */
import type { RateLimits } from "@profilesync/contracts"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as CircuitBreaker from "../CircuitBreaker.ts"
import * as Redact from "../Redact.ts"
import type * as Retry from "../Retry.ts"
import * as Throttle from "../Throttle.ts"
import type * as Vendor from "../Vendor.ts"
import { type CallSettings, isBreakerFailure, type VendorFailureError } from "./vendorCall.ts"

/** Options every client takes. */
export interface CommonOptions {
  /** Where to send requests: the vendor, the sandbox, or the proxy sidecar. Default: the vendor's production URL. */
  readonly baseUrl?: string | undefined
  /** The account whose budget the calls spend: the throttle key is `<vendor>:<account>`. Default `"default"`. */
  readonly account?: string | undefined
  /** A custom fetch (an undici dispatcher, an in-process app). */
  readonly fetch?: ((request: Request) => Promise<Response>) | undefined
  /** Extra headers on every request (a proxy key). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Per-attempt timeout. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The longest a call waits for a rate slot; beyond it the call fails at once with `RateLimited`. Default: no limit. */
  readonly throttleDeadline?: Duration.DurationInput | undefined
  /** Retry policy (attempts, backoff, Retry-After cap). */
  readonly retry?: Retry.RetryPolicyOptions | undefined
  /** Consecutive failures (5xx, transport, timeout) that open the breaker, and how long it stays open. */
  readonly circuitBreaker?:
    | { readonly failureThreshold?: number | undefined; readonly resetAfter?: Duration.DurationInput | undefined }
    | undefined
}

/** See `Vendor.Secret`. */
export type Secret = Vendor.Secret

/** See `Vendor.ProxyOptions`. */
export type ProxyOptions = Vendor.ProxyOptions

/** The secret's value. */
export const reveal = (secret: Secret): string => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/**
 * The client options for the proxy sidecar: the vendor's path under the proxy as base URL, and the proxy key as a
 * header. No credential and no local throttle: the proxy holds both.
 */
export const throughProxy = <A extends CommonOptions>(options: A & ProxyOptions, vendorPath: string): A => ({
  ...options,
  baseUrl: `${options.proxyUrl.replace(/\/$/, "")}${vendorPath}`,
  headers: {
    ...options.headers,
    ...(options.proxyKey === undefined ? {} : { "X-Proxy-Key": reveal(options.proxyKey) })
  }
})

/** The throttle policy an account key gets from the contract's rate limits. */
export const keyPolicy = (rateLimits: RateLimits, adaptive: Throttle.AdaptivePolicy): Throttle.KeyPolicy =>
  rateLimits.status === "documented" && rateLimits.windows.length > 0
    ? { windows: Throttle.windowsFromRateLimits(rateLimits) }
    : // Unpublished limits (Copernica): start modestly and adapt to the vendor's 429s.
      { windows: [], adaptive }

/** Resolves the call settings of a client. `throttle` is `None` when another party spends the budget (the proxy). */
export const makeSettings = (
  vendor: "ocamba" | "copernica",
  options: CommonOptions,
  throttle: Option.Option<Throttle.ThrottleService>,
  secrets: ReadonlyArray<string>
): Effect.Effect<CallSettings> =>
  Effect.gen(function* () {
    for (const secret of secrets) Redact.register(secret)
    const breaker = yield* CircuitBreaker.make<VendorFailureError>({
      name: vendor,
      failureThreshold: options.circuitBreaker?.failureThreshold ?? 5,
      resetAfter: options.circuitBreaker?.resetAfter ?? Duration.seconds(30),
      isFailure: isBreakerFailure
    })
    return {
      throttle,
      throttleKey: `${vendor}:${options.account ?? "default"}`,
      throttleDeadline:
        options.throttleDeadline === undefined ? Option.none() : Option.some(Duration.decode(options.throttleDeadline)),
      timeout: Duration.decode(options.timeout ?? Duration.seconds(30)),
      retry: options.retry ?? {},
      breaker,
      secrets,
      maxRetryAfter: Duration.decode(options.retry?.maxRetryAfter ?? Duration.minutes(5))
    }
  })

/** Retry settings for tests: the same behaviour, with short waits. */
export const testRetry: Retry.RetryPolicyOptions = {
  baseDelay: Duration.millis(20),
  maxDelay: Duration.millis(500),
  retryAfterJitter: Duration.millis(50)
}
