/**
 * @module
 * The checks of one target for `profilesync check`: one cheap read through core's client (the Ocamba property list,
 * the Copernica database's field list) says whether the vendor (or the proxy sidecar) answers and accepts the
 * credentials, the same list says which configured properties or fields exist and which a run would create, and the
 * throttle (or the proxy's `RateLimit` header) says how much of the rate budget is left. Nothing is written.
 */
import { CopernicaClient, Mapping, OcambaClient, Redact, Throttle } from "@profilesync/core"
import { SyncConfig } from "@profilesync/sync"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { proxyBudgetFinding, snapshotFinding } from "./budget.ts"
import { type Finding, finding } from "./report.ts"

/**
 * What every vendor call of a check may take: one retry for a passing hiccup, and a timeout well under a
 * scheduler's patience, so that a vendor that does not answer is reported within about half a minute.
 */
const callOptions = {
  timeout: Duration.seconds(10),
  throttleDeadline: Duration.seconds(10),
  retry: { maxAttempts: 2, baseDelay: Duration.millis(200), maxRetryAfter: Duration.seconds(5) }
} as const

// Where each vendor's API sits under the proxy sidecar (`http://127.0.0.1:8787/ocamba/v1/hood`).
const proxyPaths = { ocamba: "/ocamba/v1/hood", copernica: "/copernica/v3" } as const

type VendorName = keyof typeof proxyPaths

/** A fetch that keeps the headers of the last answer, where the proxy puts the budget it has left. */
const recordingFetch = () => {
  const recorded: { headers: Headers | undefined } = { headers: undefined }
  const fetchAndRecord = async (request: Request): Promise<Response> => {
    const response = await globalThis.fetch(request)
    recorded.headers = response.headers
    return response
  }
  return { recorded, fetch: fetchAndRecord }
}

/**
 * Asks the proxy sidecar behind `baseUrl` whether it is ready (`GET /readyz`): draining, or without its Redis, it
 * answers 503. A base URL that is not under a proxy's vendor path is not asked.
 */
const proxyReadiness = (vendor: VendorName, baseUrl: string): Effect.Effect<Finding | undefined> => {
  const path = proxyPaths[vendor]
  const trimmed = baseUrl.replace(/\/+$/, "")
  if (!trimmed.endsWith(path)) return Effect.succeed(undefined)
  const readyz = `${trimmed.slice(0, -path.length)}/readyz`
  const subject = `${vendor} proxy`
  return Effect.tryPromise({
    try: async (signal) => {
      const response = await globalThis.fetch(readyz, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) })
      const body = (await response.json().catch(() => ({}))) as { readonly status?: unknown }
      return { status: response.status, state: typeof body.status === "string" ? body.status : "" }
    },
    catch: (error) => error
  }).pipe(
    Effect.map(({ status, state }) =>
      status === 200
        ? finding(subject, "ok", `${readyz} is ready`)
        : finding(subject, "unavailable", `${readyz} answered ${status}${state === "" ? "" : ` (${state})`}`)
    ),
    Effect.catchAll((error) =>
      Effect.succeed(finding(subject, "unavailable", `${readyz} did not answer: ${describeCause(error)}`))
    )
  )
}

const describeCause = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ""
  return `${error.message}${cause}`
}

/** The finding of a failed read: who has to act depends on the reason, never on the message. */
const failureFinding = (
  subject: string,
  viaProxy: boolean,
  error: OcambaClient.OcambaError | CopernicaClient.CopernicaError,
  notFound: string
): Finding => {
  const reason = error.reason
  switch (reason._tag) {
    case "Unauthorized":
      return finding(
        subject,
        "fix",
        viaProxy
          ? `refused through the proxy (HTTP ${reason.status}): the proxy's token or proxy key is not accepted`
          : `token refused (HTTP ${reason.status}): ${reason.message}`
      )
    case "NotFound":
      return finding(subject, "fix", `${notFound} (HTTP ${reason.status}): ${reason.message}`)
    case "BadRequest":
    case "InvalidResponse":
      return finding(
        subject,
        "fix",
        `the answer was not what the API gives (HTTP ${reason.status}): ${reason.message}; is baseUrl right?`
      )
    default:
      // The message names the call, the reason and what lies beneath it (`connect ECONNREFUSED …`).
      return finding(subject, "unavailable", error.message)
  }
}

/** The token of a target, or the finding that says why it cannot be had. */
const tokenOf = (
  vendor: VendorName,
  credentials: SyncConfig.Credentials
): Effect.Effect<Either.Either<Redacted.Redacted<string>, Finding>> =>
  SyncConfig.resolveCredential(credentials).pipe(
    Effect.map(Either.right),
    Effect.catchAll((error) =>
      Effect.succeed(Either.left(finding(`${vendor} credentials`, "fix", error.message.replace(/\s+/g, " "))))
    )
  )

/**
 * The budget finding after the calls: the proxy's header when the proxy spends the budget, else the throttle's
 * snapshot of the client's key.
 */
const budgetFinding = (
  vendor: VendorName,
  throttle: Option.Option<Throttle.ThrottleService>,
  key: string,
  headers: Headers | undefined
): Effect.Effect<Finding> => {
  const subject = `${vendor} budget`
  if (Option.isNone(throttle)) return Effect.succeed(proxyBudgetFinding(subject, headers))
  return throttle.value.snapshot(key).pipe(
    Effect.map((snapshot) => snapshotFinding(subject, snapshot)),
    Effect.catchAll((error) =>
      Effect.succeed(finding(subject, "unavailable", `the budget could not be read: ${error.message}`))
    )
  )
}

/**
 * Checks the Ocamba target: the proxy's readiness (through the proxy), the token and the base URL (one property
 * list), the configured properties against it, and the budget left.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkOcamba = (
  config: SyncConfig.SyncConfig
): Effect.Effect<ReadonlyArray<Finding>, never, Throttle.Throttle> =>
  Effect.gen(function* () {
    const target = config.targets.ocamba
    if (target === undefined) return []
    const viaProxy = target.credentials === undefined
    const findings: Array<Finding> = []
    if (viaProxy) {
      const readiness = yield* proxyReadiness("ocamba", target.baseUrl)
      if (readiness !== undefined) findings.push(readiness)
      if (readiness?.status === "unavailable") return findings
    }
    let token: Redacted.Redacted<string> | undefined
    if (target.credentials !== undefined) {
      const resolved = yield* tokenOf("ocamba", target.credentials)
      if (Either.isLeft(resolved)) return [...findings, resolved.left]
      token = resolved.right
    }
    const throttle = viaProxy ? Option.none() : Option.some(yield* Throttle.Throttle)
    const { recorded, fetch } = recordingFetch()
    const client = yield* OcambaClient.make(
      { ...callOptions, baseUrl: target.baseUrl, account: target.account, token, fetch },
      throttle
    )
    const listed = yield* Effect.either(client.allProperties)
    const subject = "ocamba credentials"
    if (Either.isLeft(listed)) {
      findings.push(failureFinding(subject, viaProxy, listed.left, `${target.baseUrl} has no profile properties`))
      return findings
    }
    const properties = listed.right
    findings.push(
      finding(
        subject,
        "ok",
        `${viaProxy ? "the proxy's token" : "token"} accepted at ${Redact.text(target.baseUrl)} ` +
          `(${properties.length} profile properties listed)`
      )
    )
    const plan = Mapping.planOcambaProperties(target, properties)
    const problems = [
      ...plan.conflicts.map((conflict) => `${conflict.label}: ${conflict.message}`),
      ...plan.systemMissing.map((label) => `${label}: Ocamba has no system property with this label`)
    ]
    const created = plan.create.map((property) => property.label)
    const updated = plan.update.map((update) => update.label)
    const parts = [
      `${plan.unchanged.length} exist`,
      ...(created.length === 0 ? [] : [`${created.length} would be created (${created.join(", ")})`]),
      ...(updated.length === 0 ? [] : [`${updated.length} would be updated (${updated.join(", ")})`]),
      ...(problems.length === 0 ? [] : [`${problems.length} need a decision`])
    ]
    findings.push(
      finding(
        "ocamba properties",
        problems.length > 0 ? "fix" : created.length + updated.length > 0 ? "warning" : "ok",
        parts.join("; "),
        problems
      )
    )
    findings.push(yield* budgetFinding("ocamba", throttle, client.throttleKey, recorded.headers))
    return findings
  })

/**
 * Checks the Copernica target: the proxy's readiness (through the proxy), the token, the base URL and the database
 * (one field list), the configured fields against it, and the budget left.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkCopernica = (
  config: SyncConfig.SyncConfig
): Effect.Effect<ReadonlyArray<Finding>, never, Throttle.Throttle> =>
  Effect.gen(function* () {
    const target = config.targets.copernica
    if (target === undefined) return []
    const viaProxy = target.credentials === undefined
    const findings: Array<Finding> = []
    if (viaProxy) {
      const readiness = yield* proxyReadiness("copernica", target.baseUrl)
      if (readiness !== undefined) findings.push(readiness)
      if (readiness?.status === "unavailable") return findings
    }
    let accessToken: Redacted.Redacted<string> | undefined
    if (target.credentials !== undefined) {
      const resolved = yield* tokenOf("copernica", target.credentials)
      if (Either.isLeft(resolved)) return [...findings, resolved.left]
      accessToken = resolved.right
    }
    const throttle = viaProxy ? Option.none() : Option.some(yield* Throttle.Throttle)
    const { recorded, fetch } = recordingFetch()
    const client = yield* CopernicaClient.make(
      { ...callOptions, baseUrl: target.baseUrl, account: target.account, accessToken, fetch },
      throttle
    )
    const listed = yield* Effect.either(client.allFields(target.database))
    const subject = "copernica credentials"
    if (Either.isLeft(listed)) {
      findings.push(
        failureFinding(subject, viaProxy, listed.left, `database ${target.database} does not exist for this token`)
      )
      return findings
    }
    const fields = listed.right
    findings.push(
      finding(
        subject,
        "ok",
        `${viaProxy ? "the proxy's token" : "token"} accepted at ${Redact.text(target.baseUrl)} ` +
          `(database ${target.database}: ${fields.length} fields listed)`
      )
    )
    const plan = Mapping.planCopernicaFields(config, fields)
    const problems = plan.conflicts.map((conflict) => `${conflict.label}: ${conflict.message}`)
    const created = plan.create.map((field) => field.name)
    const parts = [
      `${plan.unchanged.length} exist`,
      ...(created.length === 0 ? [] : [`${created.length} would be created (${created.join(", ")})`]),
      ...(problems.length === 0 ? [] : [`${problems.length} need a decision`])
    ]
    findings.push(
      finding(
        "copernica fields",
        problems.length > 0 ? "fix" : created.length > 0 ? "warning" : "ok",
        parts.join("; "),
        problems
      )
    )
    findings.push(yield* budgetFinding("copernica", throttle, client.throttleKey, recorded.headers))
    return findings
  })

/**
 * The throttle both clients spend through: in memory, or shared through Redis when `redisUrl` is given (the caller
 * checks first that Redis answers, so that the check never runs on the throttle's fallback share).
 *
 * @since 0.1.0
 * @category layers
 */
export const throttleLayer = (redisUrl: string | undefined) => {
  const keys = { ocamba: OcambaClient.throttlePolicy, copernica: CopernicaClient.throttlePolicy }
  return redisUrl === undefined
    ? Throttle.layerMemory({ keys })
    : Throttle.layerRedisOnDemand({ redis: redisUrl, replicas: 1, keys })
}
