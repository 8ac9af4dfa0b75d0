/**
 * The one path every vendor call takes: a rate slot from the throttle, the circuit breaker, a timeout, the request
 * itself through the contracts' openapi-fetch client, the answer classified into a reason and validated against the
 * spec, a vendor 429 turned into a cooldown for everyone sharing the budget, and retries as the operation's retry
 * safety allows. `OcambaClient` and `CopernicaClient` differ only in how they read their vendor's answers.
 */
import type { AnyVendorContract, RetryPolicy } from "@profilesync/contracts"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import type * as CircuitBreaker from "../CircuitBreaker.ts"
import * as Redact from "../Redact.ts"
import * as Retry from "../Retry.ts"
import * as Throttle from "../Throttle.ts"
import type * as Vendor from "../Vendor.ts"

/** See `Vendor.VendorErrorReason`. */
export type VendorErrorReason = Vendor.VendorErrorReason

/** See `Vendor.VendorFailure`. */
export type VendorFailure = Vendor.VendorFailure

/** Constructors, guards and a matcher for {@link VendorErrorReason}. */
export const VendorErrorReason = Data.taggedEnum<VendorErrorReason>()

/** The shape of an openapi-fetch result. */
export interface FetchResult {
  readonly data?: unknown
  readonly error?: unknown
  readonly response: Response
}

/** How one vendor reads its answers. */
export interface VendorDialect {
  readonly vendor: "ocamba" | "copernica"
  readonly contract: AnyVendorContract
  /** The reason for a non-2xx answer (429 and 5xx are handled before this is asked). */
  readonly errorReason: (status: number, body: unknown) => VendorErrorReason
  /** A vendor may send an error body under a success status (Copernica does): return its reason, if so. */
  readonly errorInSuccess?: ((body: unknown) => VendorErrorReason | undefined) | undefined
}

/** Settings of a client, resolved. */
export interface CallSettings {
  readonly throttle: Option.Option<Throttle.ThrottleService>
  readonly throttleKey: string
  /** The longest a call waits for a rate slot before failing with `RateLimited` (source `throttle`). */
  readonly throttleDeadline: Option.Option<Duration.Duration>
  readonly timeout: Duration.Duration
  readonly retry: Retry.RetryPolicyOptions
  readonly breaker: CircuitBreaker.CircuitBreaker<VendorFailureError>
  /** Values that must never appear in an error or a log (the vendor token). */
  readonly secrets: ReadonlyArray<string>
  readonly maxRetryAfter: Duration.Duration
}

/** One line saying what failed and why, for an error's `message`. Never holds a secret: reasons are redacted. */
export const describeFailure = (vendorName: string, failure: VendorFailure): string => {
  const reason = failure.reason
  const detail = "message" in reason ? `: ${reason.message}` : ""
  const cause = failure.cause instanceof Error && !("message" in reason) ? `: ${failure.cause.message}` : ""
  const check =
    failure.checkFailure === undefined
      ? ""
      : `; looking up whether it took effect (${failure.checkFailure.operation}) failed too ` +
        `(${failure.checkFailure.reason._tag})`
  return (
    `${vendorName} ${failure.operation} failed (${reason._tag}${detail}${cause}) after ${failure.attempts} ` +
    `attempt(s), request ${failure.requestId}${check}`
  )
}

/** The failure value inside the engine; clients map it to their own tagged error at the edge. */
export class VendorFailureError extends Data.TaggedError("VendorFailure")<VendorFailure> {}

/** The fields of a failure, for a client's own error. */
export const plainFailure = (error: VendorFailure): VendorFailure => ({
  operation: error.operation,
  requestId: error.requestId,
  attempts: error.attempts,
  reason: error.reason,
  ...(error.cause === undefined ? {} : { cause: error.cause }),
  ...(error.checkFailure === undefined ? {} : { checkFailure: error.checkFailure })
})

/** One call to make. */
export interface CallSpecification<A> {
  readonly operationId: string
  /** Sends the request; `headers` carry the request id. */
  readonly send: (signal: AbortSignal, headers: Record<string, string>) => Promise<FetchResult>
  /** Turns the validated answer into the method's result. */
  readonly decode: (data: unknown, response: Response) => A
  /** For `check-first` operations: looks whether an attempt with an unknown outcome took effect. */
  readonly check?: Effect.Effect<Option.Option<A>, VendorFailureError> | undefined
  /** Overrides the spec's retry policy (a Copernica `update or add` import converges when repeated). */
  readonly retryPolicy?: RetryPolicy | undefined
  readonly timeout?: Duration.Duration | undefined
}

/** Requests sent to each vendor, by operation and outcome. */
export const requestsTotal = Metric.counter("profilesync_vendor_requests_total", {
  description: "Vendor requests sent, tagged by vendor, operation and outcome (HTTP status or reason)."
})

/**
 * Time spent waiting for the throttle before requests, by vendor, in seconds: with the caller's own metric tags (a
 * sync tags its run), it tells how long a run waited for budget.
 */
export const throttleWaitTotal = Metric.counter("profilesync_vendor_throttle_wait_seconds_total", {
  description: "Seconds vendor requests waited for the throttle before they were sent, by vendor."
})

/** Retries made, by vendor and operation. */
export const retriesTotal = Metric.counter("profilesync_vendor_retries_total", {
  description: "Vendor requests repeated after a retryable failure."
})

/** Retry on transport errors, timeouts, 429 and 502/503/504; never on anything else (core's one classification). */
export const classify = (error: VendorFailureError): Retry.Decision => Retry.vendorDecision(error.reason)

/**
 * The classification of an operation that is safe to repeat (a read): every 5xx is retried too, a 500 included, as
 * repeating it cannot write anything and one vendor hiccup must not fail a status read.
 */
export const classifySafe = (error: VendorFailureError): Retry.Decision =>
  Retry.vendorDecision(error.reason, { everyServerError: true })

/** Whether the failed attempt may have taken effect at the vendor. */
export const isAmbiguous = (error: VendorFailureError): boolean => Retry.isAmbiguousVendorFailure(error.reason)

/** Breaker failures: the vendor is unwell, not the request wrong. */
export const isBreakerFailure = (error: VendorFailureError): boolean => Retry.isVendorUnwell(error.reason)

// Node's fetch fails with "fetch failed" and puts the socket error (or an AggregateError of one per address) in
// `cause`: the errors beneath the first, outermost first.
const causesOf = (error: unknown): ReadonlyArray<{ readonly message?: unknown; readonly code?: unknown }> => {
  const causes: Array<{ readonly message?: unknown; readonly code?: unknown }> = []
  let current = (error as { cause?: unknown } | undefined)?.cause
  while (typeof current === "object" && current !== null && causes.length < 5) {
    causes.push(current as { message?: unknown; code?: unknown })
    const errors = (current as { errors?: unknown }).errors
    current = (current as { cause?: unknown }).cause ?? (Array.isArray(errors) ? errors[0] : undefined)
  }
  return causes
}

const errorCode = (error: unknown): string | undefined => {
  const code = causesOf(error).find((cause) => typeof cause.code === "string")?.code
  return typeof code === "string" ? code : undefined
}

const refusedBeforeSending = (error: unknown): boolean => {
  // ECONNREFUSED or a name that does not resolve means nothing reached the vendor.
  const code = errorCode(error)
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN"
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * The error beneath a failed request, as a plain redacted `Error` with its `code` (`connect ECONNREFUSED
 * 127.0.0.1:4010`): the original may hold a URL with a token in it, so it is never kept itself.
 */
const transportCause = (error: unknown): Error => {
  const messages = [messageOf(error), ...causesOf(error).map((cause) => cause.message)].filter(
    (message): message is string => typeof message === "string" && message !== ""
  )
  const cause = new Error(Redact.text(Array.from(new Set(messages)).join(": ")))
  const code = errorCode(error)
  if (code !== undefined) Object.assign(cause, { code })
  return cause
}

// The last failure that counted against each breaker, so a call the open breaker refuses can say why it is open.
const lastBreakerFailure = new WeakMap<object, VendorFailureError>()

let requestCounter = 0
const newRequestId = () => {
  requestCounter = (requestCounter + 1) % 1_000_000
  return `ps-${Date.now().toString(36)}-${requestCounter.toString(36)}`
}

/**
 * Runs one vendor call with throttle, breaker, timeout, classification, validation and retries.
 */
export const call = <A>(
  dialect: VendorDialect,
  settings: CallSettings,
  specification: CallSpecification<A>
): Effect.Effect<A, VendorFailureError> =>
  Effect.suspend(() => {
    const requestId = newRequestId()
    const operation = specification.operationId
    const metadata = (
      dialect.contract.operations as Record<string, { readonly retry: { readonly policy: RetryPolicy } }>
    )[operation]
    if (metadata === undefined) return Effect.dieMessage(`${dialect.vendor} has no operation ${operation}`)
    const policy = specification.retryPolicy ?? metadata.retry.policy
    const timeout = specification.timeout ?? settings.timeout
    let attempts = 0
    // For the call's span: the seconds every attempt waited for the throttle, and the vendor's last HTTP status.
    let waitedSeconds = 0
    let lastStatus: number | undefined

    // A vendor may echo the request's credentials in its error body: every reason is redacted before it goes anywhere.
    const failure = (reason: VendorErrorReason, cause?: unknown) =>
      new VendorFailureError({
        operation,
        requestId,
        attempts,
        reason: redactReason(reason),
        ...(cause === undefined ? {} : { cause })
      })
    // The last failure of this operation's own attempts: what the caller sees if a check made for it fails.
    let lastOwnFailure: VendorFailureError | undefined

    const onRateLimited = (response: Response) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const retryAfter = Throttle.parseRetryAfter(response.headers.get("retry-after"), now, {
          max: settings.maxRetryAfter
        })
        const concurrencyLimited = Option.exists(retryAfter, Throttle.RetryAfter.$is("LowerConcurrency"))
        const delay = Option.flatMap(retryAfter, (parsed) =>
          parsed._tag === "Delay" ? Option.some(parsed.delay) : Option.none()
        )
        if (Option.isSome(settings.throttle)) {
          // One 429 pauses every caller of the account, in every process sharing the store.
          if (concurrencyLimited) yield* settings.throttle.value.lowerConcurrency(settings.throttleKey)
          else
            yield* settings.throttle.value
              .pause(
                settings.throttleKey,
                Option.getOrElse(delay, () => Duration.seconds(1))
              )
              .pipe(Effect.ignore)
        }
        return failure(VendorErrorReason.RateLimited({ retryAfter: delay, concurrencyLimited, source: "vendor" }))
      })

    const interpret = (result: FetchResult): Effect.Effect<A, VendorFailureError> =>
      Effect.gen(function* () {
        const { response } = result
        const status = response.status
        lastStatus = status
        if (status === 429) return yield* Effect.fail(yield* onRateLimited(response))
        if (status >= 500) {
          const message = describeBody(result.error)
          return yield* Effect.fail(failure(VendorErrorReason.ServerError({ status, message })))
        }
        if (status >= 400) return yield* Effect.fail(failure(dialect.errorReason(status, result.error)))
        const inSuccess = dialect.errorInSuccess?.(result.data)
        if (inSuccess !== undefined) return yield* Effect.fail(failure(inSuccess))
        const validation = dialect.contract.validateResponse(operation, status, result.data)
        if (!validation.ok) {
          return yield* Effect.fail(failure(VendorErrorReason.InvalidResponse({ status, message: validation.message })))
        }
        return specification.decode(result.data, response)
      })

    const send = Effect.zipRight(
      Throttle.markSent,
      Effect.tryPromise({
        try: (signal) => specification.send(signal, { "X-Request-Id": requestId }),
        catch: (error) => {
          const cause = transportCause(error)
          return failure(
            VendorErrorReason.Transport({ message: cause.message, reachedServer: !refusedBeforeSending(error) }),
            cause
          )
        }
      }).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => failure(VendorErrorReason.Timeout({ after: timeout }))
        }),
        Effect.flatMap(interpret)
      )
    )

    const breakerProtected = send.pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          if (isBreakerFailure(error)) lastBreakerFailure.set(settings.breaker, error)
        })
      ),
      settings.breaker.protect,
      Effect.catchTag("CircuitBreakerError", (error) => {
        const opened = lastBreakerFailure.get(settings.breaker)
        return Effect.fail(
          failure(
            VendorErrorReason.CircuitOpen({
              retryAfter: error.reason._tag === "Open" ? Option.some(error.reason.retryAfter) : Option.none()
            }),
            opened === undefined
              ? undefined
              : new Error(
                  `the circuit breaker opened after failures such as: ${describeFailure(dialect.vendor, opened)}`,
                  opened.cause === undefined ? undefined : { cause: opened.cause }
                )
          )
        )
      })
    )

    const throttled = Option.match(settings.throttle, {
      onNone: () => breakerProtected,
      onSome: (throttle) =>
        // The wait is from asking the throttle to being admitted (the first thing the admitted effect does).
        Effect.flatMap(Clock.currentTimeMillis, (asked) =>
          Clock.currentTimeMillis.pipe(
            Effect.flatMap((admitted) => {
              waitedSeconds += (admitted - asked) / 1000
              return Metric.incrementBy(throttleWait(dialect.vendor), (admitted - asked) / 1000)
            }),
            Effect.zipRight(breakerProtected),
            throttle.withThrottle(
              settings.throttleKey,
              Option.match(settings.throttleDeadline, { onNone: () => undefined, onSome: (deadline) => ({ deadline }) })
            ),
            Effect.catchTag("ThrottleError", (error) =>
              Effect.fail(
                failure(
                  VendorErrorReason.RateLimited({
                    retryAfter:
                      error.reason._tag === "DeadlineExceeded" ? Option.some(error.reason.retryAfter) : Option.none(),
                    concurrencyLimited: false,
                    source: "throttle"
                  })
                )
              )
            )
          )
        )
    })

    const attempt = Effect.sync(() => {
      attempts++
    }).pipe(
      Effect.zipRight(throttled),
      Effect.tap(() => Metric.increment(tagged(dialect.vendor, operation, "ok"))),
      Effect.tapError((error) =>
        Effect.zipRight(
          Effect.sync(() => {
            lastOwnFailure = error
          }),
          Metric.increment(tagged(dialect.vendor, operation, error.reason._tag))
        )
      )
    )

    return attempt.pipe(
      Retry.forOperation(policy, {
        policy: settings.retry,
        classify: policy === "safe" ? classifySafe : classify,
        isAmbiguous,
        ...(specification.check === undefined ? {} : { check: specification.check }),
        onRetry: (event) =>
          Effect.logDebug("retrying vendor call").pipe(
            Effect.annotateLogs({
              attempt: event.attempt,
              reason: event.error.reason._tag,
              delayMillis: Duration.toMillis(event.delay)
            }),
            Effect.zipRight(
              Metric.increment(
                Metric.taggedWithLabels(retriesTotal, [
                  MetricLabel.make("vendor", dialect.vendor),
                  MetricLabel.make("operation", operation)
                ])
              )
            )
          )
      }),
      // A check made on the caller's behalf (a lookup whether a write in doubt landed) may fail too: the caller still
      // gets the failure of the call it made, with the check's failure beside it.
      Effect.mapError((error) =>
        error.operation !== operation && lastOwnFailure !== undefined
          ? new VendorFailureError({ ...plainFailure(lastOwnFailure), attempts, checkFailure: plainFailure(error) })
          : new VendorFailureError({ ...plainFailure(error), attempts })
      ),
      Effect.annotateLogs({ vendor: dialect.vendor, operation, requestId }),
      // The span says what a trace reader asks of a vendor call; its attributes never hold the token (the account is
      // the throttle key, which names the account, never its credential).
      Effect.onExit((exit) =>
        Effect.annotateCurrentSpan({
          [spanAttributes.throttleWait]: waitedSeconds,
          [spanAttributes.retries]: Math.max(0, attempts - 1),
          [spanAttributes.outcome]: exit._tag === "Success" ? "ok" : outcomeOf(exit.cause),
          ...(lastStatus === undefined ? {} : { [spanAttributes.status]: lastStatus })
        })
      ),
      Effect.withSpan(`${dialect.vendor}.${operation}`, {
        kind: "client",
        attributes: {
          requestId,
          [spanAttributes.vendor]: dialect.vendor,
          [spanAttributes.operation]: operation,
          [spanAttributes.account]: settings.throttleKey
        }
      })
    )
  })

/**
 * The attributes of a vendor call's span (`ocamba.<operation>` or `copernica.<operation>`): OpenTelemetry's names where
 * it has one, `profilesync.*` otherwise.
 */
export const spanAttributes = {
  vendor: "profilesync.vendor",
  operation: "profilesync.operation",
  /** The throttle key: the account whose budget the call spends (`ocamba:<account>`), never a credential. */
  account: "profilesync.account",
  throttleWait: "profilesync.throttle_wait_seconds",
  retries: "profilesync.retries",
  /** `ok`, or the tag of the failure's reason (`RateLimited`, `ServerError`, `Timeout`, …). */
  outcome: "profilesync.outcome",
  status: "http.response.status_code"
} as const

const outcomeOf = (cause: Cause.Cause<VendorFailureError>): string =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => (Cause.isInterruptedOnly(cause) ? "Interrupted" : "Defect"),
    onSome: (error) => error.reason._tag
  })

const redactReason = (reason: VendorErrorReason): VendorErrorReason =>
  "message" in reason
    ? // Same prototype, so the reason keeps its structural equality.
      Object.assign(Object.create(Object.getPrototypeOf(reason)) as VendorErrorReason, reason, {
        message: Redact.text(reason.message)
      })
    : reason

const throttleWait = (vendor: string): Metric.Metric.Counter<number> =>
  Metric.taggedWithLabels(throttleWaitTotal, [MetricLabel.make("vendor", vendor)])

const tagged = (vendor: string, operation: string, outcome: string): Metric.Metric.Counter<number> =>
  Metric.taggedWithLabels(requestsTotal, [
    MetricLabel.make("vendor", vendor),
    MetricLabel.make("operation", operation),
    MetricLabel.make("outcome", outcome)
  ])

/** A short, secret-free rendering of an error body for a message. */
export const describeBody = (body: unknown): string => {
  if (body === undefined || body === null || body === "") return "no body"
  if (typeof body === "string") return body.slice(0, 300)
  const record = body as Record<string, unknown>
  const nested = record.error as Record<string, unknown> | undefined
  const message = record.message ?? nested?.message ?? record.title
  return typeof message === "string" ? message : JSON.stringify(body).slice(0, 300)
}
