/**
 * @module
 * The handler of the vendor routes, in the order that keeps the shared budget for requests the vendor can accept:
 *
 * 1. match the path to an operation of the spec (anything else is 404: never an open proxy);
 * 2. resolve the credential (inject: the proxy's; pass-through: the caller's) and with it the throttle key;
 * 3. read and validate the request against the spec (a bad one is answered in the vendor's error shape);
 * 4. wait for a slot of the account's shared budget, up to the caller's deadline, then send the request upstream
 *    through the circuit breaker; a vendor 429 pauses the account for every replica, and the attempt is repeated as
 *    the operation's retry safety allows (core's `Retry.forOperation`);
 * 5. answer with the vendor's answer (streamed, every secret the proxy holds taken out) or the proxy's own, with the
 *    shared budget's rate-limit headers.
 */
import { Readable } from "node:stream"
import type * as CircuitBreaker from "@profilesync/core/CircuitBreaker"
import * as Retry from "@profilesync/core/Retry"
import * as Throttle from "@profilesync/core/Throttle"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import type { Context } from "hono"
import { readRequestBody } from "../body/request-body.ts"
import type { ProxyConfig } from "../config.ts"
import {
  errorResponse,
  fromCircuitBreakerError,
  fromThrottleError,
  type ProxyError,
  ProxyErrorReason,
  proxyError
} from "../errors.ts"
import type { Logger } from "../log.ts"
import * as Metrics from "../metrics.ts"
import { rateLimitHeaderNames, setRateLimitHeaders } from "../rate-limit-headers.ts"
import type { Upstream, UpstreamAnswer, UpstreamRequest } from "../upstream.ts"
import { transportFailure } from "../upstream.ts"
import { credentialFor, type VendorEdge } from "../vendors.ts"
import { redactAnswer } from "./redact-answer.ts"
import { classify, isAmbiguous, isUpstreamFailure, UpstreamFailure, UpstreamFailureReason } from "./upstream-failure.ts"
import { checkQueryNames, queryParameters, undeclaredQueryNames, upstreamPath } from "./upstream-target.ts"

/** What the access log records about a forwarded request (set on the context as `forward`). */
export interface ForwardRecord {
  throttleKey?: string
  attempts: number
  /** Time spent waiting for budget, over all attempts. */
  waitedMillis: number
  /** Time from sending to the vendor's answer headers (or failure), over all attempts. */
  upstreamMillis: number
  upstreamStatus?: number | string
  /** The id of what the vendor created (`X-Created`, `Location`, or the answer's `id`), for the log. */
  vendorId?: string | undefined
  /** Query parameters the vendor ignores, dropped rather than forwarded (also in `X-Profilesync-Dropped-Query`). */
  droppedQuery?: ReadonlyArray<string>
  /** `upstream`: the vendor's answer; `proxy`: the proxy answered itself (refusal, validation, failure). */
  source?: "upstream" | "proxy"
}

declare module "hono" {
  interface ContextVariableMap {
    vendor: VendorEdge["name"] | undefined
    operationId: string | undefined
    forward: ForwardRecord | undefined
  }
}

/** What the handler needs. */
export interface ForwardDependencies {
  readonly config: ProxyConfig
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly throttle: Throttle.ThrottleService
  readonly breakers: Readonly<Record<VendorEdge["name"], CircuitBreaker.CircuitBreaker<unknown>>>
  readonly upstream: Upstream
  readonly logger: Logger
}

/** The header that names the query parameters the proxy dropped because the vendor ignores them. */
export const droppedQueryHeader = "x-profilesync-dropped-query"

/** The header a caller sets to bound its wait for budget, in milliseconds. */
export const deadlineHeader = "x-profilesync-deadline"

// Request headers passed on to the vendor; everything else (cookies, the caller's Authorization in inject mode, the
// proxy key, forwarding headers) stays here. Content-Type and Content-Length come from the prepared body.
const forwardedRequestHeaders: ReadonlyArray<string> = ["accept", "accept-encoding", "accept-language", "user-agent"]

const retryPolicy = (config: ProxyConfig): Retry.RetryPolicyOptions => ({
  maxAttempts: config.retryMaxAttempts,
  baseDelay: Duration.millis(100),
  maxDelay: Duration.seconds(2),
  retryAfterJitter: Duration.millis(20)
})

const parseDeadline = (header: string | undefined, config: ProxyConfig): number | string => {
  if (header === undefined) return config.defaultDeadlineMillis
  if (!/^\s*\d{1,10}\s*$/.test(header)) return `header /${deadlineHeader}: must be a whole number of milliseconds`
  return Math.min(Number(header), config.maxDeadlineMillis)
}

// What a send that ran out of time throws (its own abort, told apart from every other failure).
const timedOut = Symbol("timed out")

const toWebBody = (body: UpstreamAnswer["body"]): ConstructorParameters<typeof Response>[0] => {
  if (body === null) return null
  if (Buffer.isBuffer(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  return Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>
}

/**
 * Makes the handler of one vendor's routes (`/ocamba/v1/hood/*` or `/copernica/v3/*`).
 */
export const forward = (vendor: VendorEdge, dependencies: ForwardDependencies) => {
  const { config, runtime, throttle, breakers, upstream, logger } = dependencies
  const base = new URL(vendor.config.baseUrl)
  const origin = base.origin
  const basePath = base.pathname.replace(/\/+$/, "")
  const breaker = breakers[vendor.name]
  const policy = retryPolicy(config)
  const snapshotOf = (key: string) =>
    throttle.snapshot(key).pipe(
      Effect.map(Option.some),
      Effect.catchAll(() => Effect.succeed(Option.none<Throttle.Snapshot>()))
    )

  return async function forwardRequest(context: Context): Promise<Response> {
    const receivedAt = Date.now()
    const request = context.req.raw
    const requestId = context.get("requestId") ?? ""
    const record: ForwardRecord = { attempts: 0, waitedMillis: 0, upstreamMillis: 0 }
    context.set("vendor", vendor.name)
    context.set("forward", record)
    let snapshot: Option.Option<Throttle.Snapshot> = Option.none()

    const withBudgetHeaders = (response: Response, source: "upstream" | "proxy"): Response => {
      record.source = source
      if (Option.isSome(snapshot)) setRateLimitHeaders(response.headers, vendor, snapshot.value)
      response.headers.set("x-request-id", requestId)
      response.headers.set("x-profilesync-source", source)
      if (record.droppedQuery !== undefined) response.headers.set(droppedQueryHeader, record.droppedQuery.join(", "))
      return response
    }
    const refuse = (error: ProxyError) => withBudgetHeaders(errorResponse(vendor, error, requestId), "proxy")

    // 1. The operation, from the raw (still percent-encoded) path; the contract decodes and checks the parameters.
    const url = new URL(request.url)
    const method = request.method
    const relative = url.pathname.startsWith(`${vendor.prefix}/`) ? url.pathname.slice(vendor.prefix.length) : undefined
    const match = relative === undefined ? undefined : vendor.contract.matchOperation(method, relative)
    if (match === undefined) {
      const allowed = relative === undefined ? [] : vendor.contract.allowedMethods(relative)
      return refuse(
        proxyError(
          allowed.length === 0
            ? ProxyErrorReason.UnknownOperation({ method, path: relative ?? url.pathname })
            : ProxyErrorReason.MethodNotAllowed({ method, path: relative ?? url.pathname, allowed })
        )
      )
    }
    const operation = match.operation
    const operationId = operation.operationId
    context.set("operationId", operationId)

    // 2. The credential, and with it the account whose budget the request spends.
    const credential = credentialFor(vendor, config.credentialsMode, request, url.searchParams)
    if (credential === undefined) {
      return refuse(
        proxyError(
          config.credentialsMode === "inject"
            ? ProxyErrorReason.VendorNotConfigured()
            : ProxyErrorReason.MissingCredential()
        )
      )
    }
    const key = credential.throttleKey
    record.throttleKey = key

    // 3. Everything about the request is checked before any budget is spent.
    const deadline = parseDeadline(request.headers.get(deadlineHeader) ?? undefined, config)
    if (typeof deadline === "string") return refuse(proxyError(ProxyErrorReason.InvalidRequest({ message: deadline })))
    const declared = queryParameters(vendor.contract, operation)
    // The query as the vendor reads it (`fields[0]=` is the list `fields[]` for Copernica), without what it ignores.
    const query = vendor.contract.canonicalQuery(operation, url.searchParams)
    if (vendor.dropsUndeclaredQuery) {
      const undeclared = undeclaredQueryNames(query, declared, vendor.credentialQueryParameters)
      if (undeclared.length > 0) {
        record.droppedQuery = undeclared
        for (const name of undeclared) query.delete(name)
      }
    }
    const queryProblem = checkQueryNames(query, declared, vendor.credentialQueryParameters)
    if (queryProblem !== undefined) {
      return refuse(proxyError(ProxyErrorReason.InvalidRequest({ message: queryProblem })))
    }
    const body = await readRequestBody({
      request,
      acceptsFormBodies: vendor.acceptsFormBodies,
      maxBodyBytes: config.maxBodyBytes,
      maxUploadBytes: operation.maxUploadBytes
    })
    if ("_tag" in body) return refuse(body)
    const validation = vendor.contract.validateRequest(operationId, {
      pathParams: match.pathParams,
      query,
      headers: request.headers,
      contentType: body.contentType,
      body: body.value
    })
    if (!validation.ok) {
      if (body.outgoing.kind === "stream") body.outgoing.cancel()
      return refuse(proxyError(ProxyErrorReason.InvalidRequest({ message: validation.message })))
    }

    // 4. Budget, breaker, upstream, retries. The first request to the vendor makes its connection pool first.
    const preparing = upstream.prepare(origin)
    if (preparing !== undefined) await preparing
    const headers: Record<string, string> = { "x-request-id": requestId }
    for (const name of forwardedRequestHeaders) {
      const value = request.headers.get(name)
      if (value !== null) headers[name] = value
    }
    // The answer is searched for the injected token before the caller sees it, which a compressed body would defeat.
    if (config.credentialsMode === "inject") headers["accept-encoding"] = "identity"
    const extraQuery: Array<[string, string]> = []
    vendor.applyCredential(credential.token, headers, extraQuery)
    const upstreamRequest: UpstreamRequest = {
      origin,
      path: upstreamPath({
        basePath,
        operation,
        pathParams: match.pathParams,
        query,
        declared,
        extraQuery
      }),
      // HEAD is sent as GET (the vendor need not serve HEAD; RFC 9110 §9.3.2 makes it GET without the body).
      method: method === "HEAD" ? "GET" : method,
      headers,
      body: body.outgoing,
      bodyTimeoutMillis: config.upstreamTimeoutMillis
    }
    const timeoutMillis = body.outgoing.kind === "stream" ? config.uploadTimeoutMillis : config.upstreamTimeoutMillis
    const deadlineAt = receivedAt + deadline
    let lastFailure: UpstreamFailure | undefined

    // What an answer means: a success to pass on, or (429, 5xx) a failure that may be retried or passed on.
    const judge = (answer: UpstreamAnswer): UpstreamFailure | undefined => {
      record.upstreamStatus = answer.status
      // Reads create nothing: only a write's answer is searched for the vendor's id (it costs a JSON parse).
      if (method !== "GET" && method !== "HEAD") record.vendorId = createdId(answer)
      Metrics.upstreamRequestsTotal.at(vendor.name, operationId, String(answer.status)).value++
      if (answer.status === 429) {
        Metrics.upstreamRateLimitedTotal.at(vendor.name).value++
        const parsed = Throttle.parseRetryAfter(answer.headers.get("retry-after"), Date.now())
        const concurrency = Option.exists(parsed, Throttle.RetryAfter.$is("LowerConcurrency"))
        return new UpstreamFailure({
          reason: UpstreamFailureReason.RateLimited({ answer, concurrency, retryAfter: Option.some(Duration.zero) })
        })
      }
      if (answer.status >= 500) {
        return new UpstreamFailure({ reason: UpstreamFailureReason.ServerError({ answer, status: answer.status }) })
      }
      return undefined
    }

    // A vendor 429 lowers the account's concurrency (`Retry-After: -1`) or pauses it for every caller, in every
    // replica sharing the Redis store.
    const rateLimited = (failure: UpstreamFailure): Effect.Effect<void> => {
      const reason = failure.reason
      if (reason._tag !== "RateLimited") return Effect.void
      if (reason.concurrency) return throttle.lowerConcurrency(key)
      const parsed = Throttle.parseRetryAfter(reason.answer.headers.get("retry-after"), Date.now())
      const delay = Option.flatMap(parsed, (value) =>
        value._tag === "Delay" ? Option.some(value.delay) : Option.none()
      )
      return Effect.ignore(
        throttle.pause(
          key,
          Option.getOrElse(delay, () => Duration.seconds(1))
        )
      )
    }

    // The timeout is a timer on the request's AbortSignal rather than an Effect race (no extra fiber per request). It
    // bounds the wait for the answer's headers (and, for uploads, the upload itself); a stalled answer body is bounded
    // by undici's `bodyTimeout`. Nothing else aborts a request once sent: it is seen through even if the caller goes
    // away, so a write the vendor carried out is always logged with its outcome (and the vendor's id).
    const sendOnce = (): Promise<UpstreamAnswer> => {
      const controller = new AbortController()
      let expired = false
      const timer = setTimeout(() => {
        expired = true
        controller.abort()
      }, timeoutMillis)
      return upstream.send(upstreamRequest, controller.signal, rateLimitHeaderNames).then(
        (answer) => {
          clearTimeout(timer)
          return answer
        },
        (error: unknown) => {
          clearTimeout(timer)
          throw expired ? timedOut : error
        }
      )
    }
    const failureOf = (error: unknown): UpstreamFailure => {
      if (error === timedOut) {
        record.upstreamStatus = "timeout"
        Metrics.upstreamRequestsTotal.at(vendor.name, operationId, "timeout").value++
        return new UpstreamFailure({ reason: UpstreamFailureReason.Timeout({ after: Duration.millis(timeoutMillis) }) })
      }
      if (body.outgoing.kind === "stream" && body.outgoing.exceeded()) {
        return new UpstreamFailure({ reason: UpstreamFailureReason.BodyTooLarge({ limit: body.outgoing.limit }) })
      }
      const failure = transportFailure(error)
      record.upstreamStatus = failure.code ?? "transport"
      Metrics.upstreamRequestsTotal.at(vendor.name, operationId, failure.code ?? "transport").value++
      return new UpstreamFailure({
        reason: UpstreamFailureReason.Transport({ failure, reachedServer: failure.reachedServer })
      })
    }
    const takeSnapshotNow = (): boolean => {
      const taken = throttle.snapshotNow(key)
      if (taken !== undefined) snapshot = Option.some(taken)
      return taken !== undefined
    }

    // The fast path, with no Effect at all: a closed breaker and a slot free now in this process's memory (the common
    // case under the vendor's limits). Its first attempt is the whole request unless it fails; then the retry loop
    // below continues from it, as if that attempt had been its first.
    let first: UpstreamAnswer | UpstreamFailure | undefined
    const pass = breaker.tryPass()
    const ticket = pass === undefined ? undefined : throttle.tryAdmit(key)
    if (pass !== undefined && ticket !== undefined) {
      record.attempts = 1
      ticket.sent()
      const sentAt = performance.now()
      try {
        const answer = await sendOnce()
        first = judge(answer) ?? answer
      } catch (error) {
        first = failureOf(error)
      }
      record.upstreamMillis += performance.now() - sentAt
      const failed = isUpstreamFailure(first)
      ticket.done(!failed)
      pass(failed ? first : undefined)
      takeSnapshotNow()
    }

    // The retry loop, as an Effect: built only when the fast path did not settle the request (a slot to wait for, a
    // failed first attempt, Redis).
    const retrying = () => {
      const send = Effect.tryPromise({ try: sendOnce, catch: failureOf }).pipe(
        Effect.flatMap((answer) => {
          const failure = judge(answer)
          return failure === undefined
            ? Effect.succeed(answer)
            : Effect.zipRight(rateLimited(failure), Effect.fail(failure))
        })
      )

      const attempt = Effect.suspend(() => {
        if (isUpstreamFailure(first)) {
          // The fast path's attempt failed: this is it, as the retry loop sees it.
          const failure = first
          first = undefined
          lastFailure = failure
          return Effect.zipRight(rateLimited(failure), Effect.fail(failure))
        }
        const askedAt = Date.now()
        record.attempts++
        // Right after admission the request goes out; the look at the budget (for the headers) comes after the answer,
        // so it never delays the request past its slot.
        const takeSnapshot = Effect.suspend(() =>
          takeSnapshotNow()
            ? Effect.void
            : Effect.flatMap(snapshotOf(key), (taken) =>
                Effect.sync(() => {
                  snapshot = taken
                })
              )
        )
        const admitted = Effect.suspend(() => {
          record.waitedMillis += Date.now() - askedAt
          // The throttle widens its windows by the time between the slot and the request leaving (a stalled loop).
          const sentAt = performance.now()
          return Effect.zipRight(Throttle.markSent, send).pipe(
            Effect.ensuring(Effect.sync(() => (record.upstreamMillis += performance.now() - sentAt))),
            breaker.protect,
            Effect.onExit(() => takeSnapshot),
            Effect.uninterruptible
          )
        })
        return admitted.pipe(
          throttle.withThrottle(key, { deadline: Duration.millis(Math.max(0, deadlineAt - Date.now())) }),
          Effect.tapError((error) =>
            Effect.sync(() => {
              if (isUpstreamFailure(error)) lastFailure = error
            })
          )
        )
      })

      return attempt.pipe(
        Retry.forOperation(operation.retry.policy, {
          policy,
          classify: classify(body.outgoing.kind !== "stream"),
          isAmbiguous,
          onRetry: (event) =>
            Effect.sync(() => {
              const reason = isUpstreamFailure(event.error) ? event.error.reason._tag : "unknown"
              Metrics.retriesTotal.at(vendor.name, operationId, reason).value++
              if (logger.enabled("debug")) {
                logger.log("debug", "retrying upstream request", {
                  requestId,
                  operation: operationId,
                  attempt: event.attempt,
                  reason,
                  delayMs: Duration.toMillis(event.delay)
                })
              }
            })
        })
      )
    }

    const exit: Exit.Exit<UpstreamAnswer, unknown> =
      first !== undefined && !isUpstreamFailure(first)
        ? Exit.succeed(first)
        : await runtime.runPromiseExit(retrying(), { signal: request.signal })
    // An upload that was refused (or failed) is not read further.
    if (body.outgoing.kind === "stream" && Exit.isFailure(exit)) body.outgoing.cancel()

    // 5. The answer.
    if (Exit.isSuccess(exit) && request.signal.aborted) {
      // The caller's socket went away while the vendor answered: the outcome is in the record (and the log).
      const answerBody = exit.value.body
      if (answerBody !== null && !Buffer.isBuffer(answerBody)) answerBody.destroy()
      record.source = "upstream"
      return new Response(null, { status: 499 })
    }
    if (Exit.isSuccess(exit)) return respond(exit.value)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) {
      if (Cause.isInterruptedOnly(exit.cause)) {
        // The caller's socket is gone. Waiting for budget: its reservation was released. Sent: the upstream outcome
        // is in the record (and the log); the answer's body is let go.
        record.upstreamStatus ??= "caller-gone"
        record.source = "upstream"
        return new Response(null, { status: 499 })
      }
      throw Cause.squash(exit.cause)
    }
    const error = failure.value
    if (isUpstreamFailure(error)) return answerFailure(error)
    if (Option.isNone(snapshot)) snapshot = await runtime.runPromise(snapshotOf(key))
    // A throttle refusal after a vendor 429 or 5xx passes that answer on: it says more than "no slot".
    if (lastFailure !== undefined && (error as { _tag?: string })._tag === "ThrottleError") {
      return answerFailure(lastFailure)
    }
    if ((error as { _tag?: string })._tag === "ThrottleError") {
      return refuse(fromThrottleError(error as Throttle.ThrottleError, queueFullRetryAfter(snapshot)))
    }
    if ((error as { _tag?: string })._tag === "CircuitBreakerError") {
      return refuse(fromCircuitBreakerError(error as CircuitBreaker.CircuitBreakerError))
    }
    throw error

    function respond(answer: UpstreamAnswer): Response {
      const redacted = redactAnswer(answer)
      if ("undecodable" in redacted) {
        return refuse(
          proxyError(
            ProxyErrorReason.UpstreamUnreachable({
              message: `the vendor answered with content-encoding ${redacted.undecodable}, which the proxy cannot read`
            })
          )
        )
      }
      rewriteLocations(redacted.headers, base, `${config.publicBaseUrl ?? url.origin}${vendor.prefix}`)
      if (method === "HEAD" || (Buffer.isBuffer(redacted.body) && redacted.body.byteLength === 0)) {
        // No body: nothing for the server to label `text/plain` (Copernica's 201 has none), nothing to send to HEAD.
        if (redacted.body !== null && !Buffer.isBuffer(redacted.body)) redacted.body.destroy()
        return withBudgetHeaders(new Response(null, { status: redacted.status, headers: redacted.headers }), "upstream")
      }
      return withBudgetHeaders(
        new Response(toWebBody(redacted.body), { status: redacted.status, headers: redacted.headers }),
        "upstream"
      )
    }

    function answerFailure(failure: UpstreamFailure): Response {
      const reason = failure.reason
      switch (reason._tag) {
        case "RateLimited":
        case "ServerError":
          return respond(reason.answer)
        case "Transport":
          return refuse(
            proxyError(ProxyErrorReason.UpstreamUnreachable({ message: reason.failure.code ?? "connection failed" }))
          )
        case "Timeout":
          return refuse(proxyError(ProxyErrorReason.UpstreamTimeout({ after: reason.after })))
        case "BodyTooLarge":
          return refuse(proxyError(ProxyErrorReason.PayloadTooLarge({ limit: reason.limit })))
      }
    }
  }
}

/** What the vendor says it created: `X-Created` (Copernica), `Location`, or a small JSON answer's `id` (Ocamba). */
const createdId = (answer: UpstreamAnswer): string | undefined => {
  const header = answer.headers.get("x-created") ?? answer.headers.get("location") ?? undefined
  if (header !== undefined) return header
  if (answer.status >= 300 || !Buffer.isBuffer(answer.body) || answer.body.byteLength > 4096) return undefined
  try {
    const id = (JSON.parse(answer.body.toString("utf8")) as { id?: unknown } | null)?.id
    return typeof id === "string" || typeof id === "number" ? String(id) : undefined
  } catch {
    return undefined
  }
}

/**
 * Points `Location` and Copernica's `X-location` at the proxy's route instead of the vendor (where following them
 * would escape the proxy and need a credential the caller does not have): a URL under the vendor's base URL, absolute
 * or as a path, becomes the same path under `publicBase` (the proxy's public URL plus the vendor's prefix).
 */
export const rewriteLocations = (headers: Headers, upstreamBase: URL, publicBase: string): void => {
  const basePath = upstreamBase.pathname.replace(/\/+$/, "")
  for (const name of ["location", "x-location", "content-location"]) {
    const value = headers.get(name)
    if (value === null) continue
    let target: URL
    try {
      target = new URL(value, upstreamBase)
    } catch {
      continue
    }
    if (target.origin !== upstreamBase.origin) continue
    if (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) continue
    // The vendor's credential never travels back to the caller in a URL.
    target.searchParams.delete("access_token")
    headers.set(name, `${publicBase}${target.pathname.slice(basePath.length)}${target.search}`)
  }
}

/** For `QueueFull`, which carries no wait: until the cooldown ends or the fullest window frees a slot. */
const queueFullRetryAfter = (snapshot: Option.Option<Throttle.Snapshot>): Duration.Duration =>
  Option.match(snapshot, {
    onNone: () => Duration.seconds(1),
    onSome: (value) => {
      const full = value.windows.filter((window) => window.remaining === 0).map((window) => window.resetAfter)
      const freed = full.length === 0 ? Duration.seconds(1) : full.reduce((left, right) => Duration.max(left, right))
      return Duration.max(value.cooldown, freed)
    }
  })
