/**
 * @module
 * Delivers alerts to a sync's webhook: one JSON POST per alert, retried with backoff a bounded number of times, each
 * attempt under a timeout, the outcome logged. Delivery never fails: a receiver that is down costs at most
 * `attempts × timeoutSeconds` plus the backoff, and the alert is then logged as lost.
 *
 * The webhook's URL is a secret (Slack's carries its token in the path; others put one in the user info or the
 * query), and so are its header values: all of them are registered with the redactor when read, so no log, report,
 * metric, stored record or payload repeats them, and logs name the receiver by its origin alone.
 */
import { Redact } from "@profilesync/core"
import { SyncConfig } from "@profilesync/sync"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { type Alert, payloadOf } from "./alerts.ts"
import { CliFailure, ExitCode } from "./exit-code.ts"

/**
 * Sends a sync's alerts.
 *
 * @since 0.2.0
 * @category models
 */
export interface AlertSender {
  readonly settings: SyncConfig.Alerts
  /** Delivers each alert in turn; never fails, and returns once each was delivered or given up on. */
  readonly send: (alerts: ReadonlyArray<Alert>) => Effect.Effect<void>
}

/** The first pause between attempts; each next one doubles. */
const firstBackoff = Duration.millis(500)

/** The longest pause between attempts. */
const longestBackoff = Duration.seconds(10)

/** Registers every part of the URL a receiver may treat as a credential, so an echo of a part is hidden too. */
const registerUrlParts = (url: URL) => {
  const decoded = (text: string) => {
    try {
      return decodeURIComponent(text)
    } catch {
      return text
    }
  }
  Redact.register(url.href)
  Redact.register(url.username)
  Redact.register(decoded(url.username))
  Redact.registerUrlPassword(url.href)
  // Receivers put tokens in the path (Slack's /services/T…/B…/secret) and the query (?token=…, ?sig=…). The path
  // is registered whole, not by segment: a segment like "services" is a word other messages use.
  if (url.pathname !== "/") Redact.register(url.pathname + url.search)
  const secretSegment = url.pathname.split("/").at(-1) ?? ""
  if (secretSegment.length >= 16) Redact.register(secretSegment)
  for (const value of url.searchParams.values()) Redact.register(value)
}

const configFailure = (message: string) => new CliFailure({ exitCode: ExitCode.configError, message })

/** A failed attempt: whether another one may help. */
class AttemptFailed {
  constructor(
    readonly detail: string,
    readonly retriable: boolean
  ) {}
}

const attempt = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeout: Duration.Duration
): Effect.Effect<number, AttemptFailed> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
        // A redirect would send the payload (and the headers) somewhere the config did not name.
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(Duration.toMillis(timeout))])
      })
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined)
      return response.status
    },
    catch: (error) => {
      const name = (error as { name?: unknown }).name
      const cause = (error as { cause?: { code?: unknown } }).cause
      const detail =
        name === "TimeoutError"
          ? `no answer within ${Duration.format(timeout)}`
          : typeof cause?.code === "string"
            ? cause.code
            : String((error as Error).message)
      return new AttemptFailed(detail, true)
    }
  }).pipe(
    Effect.flatMap((status) =>
      status >= 200 && status < 300
        ? Effect.succeed(status)
        : // 408, 429 and 5xx are the receiver's passing trouble; any other answer will not change on a retry.
          Effect.fail(new AttemptFailed(`HTTP ${status}`, status === 408 || status === 429 || status >= 500))
    )
  )

/**
 * The sender of a config's `alerts`, or `None` when it has none. Reads the webhook URL and header values now, so a
 * missing variable or file stops the command at start (exit 2) instead of losing the first alert.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  config: SyncConfig.SyncConfig
): Effect.Effect<Option.Option<AlertSender>, CliFailure | SyncConfig.SyncConfigError> =>
  Effect.gen(function* () {
    const settings = config.alerts
    if (settings === undefined) return Option.none()
    const { webhook } = settings
    const secretUrl = yield* SyncConfig.resolveCredential(
      webhook.urlFile === undefined ? { urlEnv: webhook.urlEnv! } : { urlFile: webhook.urlFile }
    )
    const where = webhook.urlFile === undefined ? `$${webhook.urlEnv}` : webhook.urlFile
    let url: URL
    try {
      url = new URL(Redacted.value(secretUrl))
    } catch {
      return yield* configFailure(`alerts.webhook: the URL from ${where} is not a URL`)
    }
    registerUrlParts(url)
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return yield* configFailure(`alerts.webhook: the URL from ${where} must be http or https`)
    }
    const headers: Record<string, string> = {}
    // fetch refuses a URL with user info: it goes as Basic authentication, as a browser or curl would send it.
    if (url.username !== "" || url.password !== "") {
      const userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      headers.authorization = `Basic ${Buffer.from(userInfo).toString("base64")}`
      Redact.register(headers.authorization)
      Redact.register(Buffer.from(userInfo).toString("base64"))
      url.username = ""
      url.password = ""
    }
    for (const [name, reference] of Object.entries(webhook.headers ?? {})) {
      // A configured Authorization header wins over the URL's user info.
      if (name.toLowerCase() === "authorization") delete headers.authorization
      headers[name] = Redacted.value(yield* SyncConfig.resolveCredential(reference))
    }
    const receiver = url.origin
    const timeout = Duration.seconds(settings.timeoutSeconds)
    // Pauses double from 0.5 s up to 10 s, so even 10 attempts stay within a few minutes.
    const retries = Schedule.exponential(firstBackoff).pipe(
      Schedule.union(Schedule.spaced(longestBackoff)),
      Schedule.intersect(Schedule.recurs(settings.attempts - 1))
    )

    const deliver = (alert: Alert) =>
      Effect.gen(function* () {
        // Whatever a message quotes (a vendor's answer, an error) passes the redactor before it leaves.
        const body = Redact.text(JSON.stringify(payloadOf(alert, new Date())))
        let attempts = 0
        const outcome = yield* Effect.suspend(() => {
          attempts++
          return attempt(url.href, headers, body, timeout)
        }).pipe(
          Effect.tapError((failure) =>
            Effect.logWarning("alert delivery attempt failed").pipe(
              Effect.annotateLogs({ attempt: attempts, detail: failure.detail, retrying: failure.retriable })
            )
          ),
          Effect.retry({ schedule: retries, while: (failure) => failure.retriable }),
          Effect.either
        )
        if (outcome._tag === "Right") {
          yield* Effect.logInfo("alert delivered").pipe(Effect.annotateLogs({ attempts, status: outcome.right }))
        } else {
          yield* Effect.logError("alert not delivered").pipe(
            Effect.annotateLogs({ attempts, detail: outcome.left.detail })
          )
        }
      }).pipe(Effect.annotateLogs({ sync: alert.sync, alert: alert.kind, receiver }))

    return Option.some<AlertSender>({
      settings,
      send: (alerts) => Effect.forEach(alerts, deliver, { discard: true })
    })
  })
