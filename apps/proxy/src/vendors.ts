/**
 * @module
 * How the proxy speaks to and for each vendor: where its routes live, its contract (router, validators, metadata),
 * the shape of its error bodies, where its credential goes, and the throttle policy of its accounts. Everything else
 * in the proxy handles both vendors alike through a {@link VendorEdge}.
 */
import { createHash } from "node:crypto"
import { type AnyVendorContract, Copernica, Ocamba } from "@profilesync/contracts"
import * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as OcambaClient from "@profilesync/core/OcambaClient"
import type * as Throttle from "@profilesync/core/Throttle"
import * as Duration from "effect/Duration"
import type { LimitWindow, ProxyConfig, VendorConfig } from "./config.ts"

/** The vendors the proxy serves. */
export type VendorName = "ocamba" | "copernica"

/** Where a request's credential comes from and which throttle key it spends. */
export interface Credential {
  readonly token: string
  /** `<vendor>:<account>`, or `<vendor>:token-<hash>` in pass-through mode. */
  readonly throttleKey: string
}

/** One vendor, as the proxy's edge sees it. */
export interface VendorEdge {
  readonly name: VendorName
  /** The route prefix on the proxy: `/ocamba/v1/hood` or `/copernica/v3`. */
  readonly prefix: string
  readonly contract: AnyVendorContract
  readonly config: VendorConfig
  /** Copernica also takes `application/x-www-form-urlencoded` bodies (validated as JSON, as the sandbox does). */
  readonly acceptsFormBodies: boolean
  /** The vendor's error body for `status` with `message`; `traceId` is the request id. */
  readonly errorBody: (status: number, message: string, traceId: string) => unknown
  /** The vendor's own answer to a missing or wrong credential (status and body). */
  readonly unauthorized: (traceId: string) => { readonly status: number; readonly body: unknown }
  /** Reads the caller's own credential (pass-through mode) from its headers (by lower-case name) or query. */
  readonly readCallerToken: (header: (name: string) => string | undefined, query: URLSearchParams) => string | undefined
  /**
   * Whether query parameters no operation declares are dropped (and the caller told) rather than refused: the vendor
   * ignores them (Copernica: rmuit/copernica-api `tests/ApiBehaviorTest.php`), so a caller's request that works
   * against the vendor works through the proxy.
   */
  readonly dropsUndeclaredQuery: boolean
  /** Query parameters that carry a credential: accepted from callers although no operation declares them. */
  readonly credentialQueryParameters: ReadonlyArray<string>
  /** Puts the credential on the upstream request: a header, or a query parameter. */
  readonly applyCredential: (token: string, headers: Record<string, string>, query: Array<[string, string]>) => void
  /** The throttle policy of every account of this vendor. */
  readonly policy: Throttle.KeyPolicy
  /** The windows named for the `RateLimit-Policy` header, in the policy's order (the adaptive window comes last). */
  readonly windowNames: ReadonlyArray<string>
}

const ocambaTitles: Readonly<Record<number, string>> = {
  400: "Bad request.",
  401: "Unauthorized.",
  404: "Not found.",
  413: "Payload too large.",
  429: "Too many requests.",
  500: "Internal server error.",
  502: "Bad gateway.",
  503: "Service unavailable.",
  504: "Gateway timeout."
}

const policyFromConfig = (config: VendorConfig, contractPolicy: Throttle.KeyPolicy): Throttle.KeyPolicy =>
  config.limits === "adaptive"
    ? { windows: [], adaptive: contractPolicy.adaptive ?? { initial: 5, window: Duration.seconds(1), ceiling: 20 } }
    : {
        windows: config.limits.map((window) => ({ limit: window.limit, window: Duration.millis(window.windowMillis) }))
      }

/**
 * Names windows for the `RateLimit-Policy` header: the shortest is the `burst`, the longest the `steady` budget
 * (Ocamba's own words for its tier C limits); a single window is `default`; an adaptive rate is `adaptive`.
 */
const nameWindows = (limits: ReadonlyArray<LimitWindow> | "adaptive"): ReadonlyArray<string> => {
  if (limits === "adaptive") return ["adaptive"]
  if (limits.length === 1) return ["default"]
  const sorted = [...limits].sort((left, right) => left.windowMillis - right.windowMillis)
  return limits.map((window) => {
    const rank = sorted.indexOf(window)
    if (rank === 0) return "burst"
    if (rank === sorted.length - 1) return "steady"
    return `window-${rank}`
  })
}

// A token's budget key in pass-through mode: the proxy cannot know a token's account, so each token is its own
// account. The hash keeps the token itself out of Redis keys, metrics and logs.
const tokenKey = (vendor: VendorName, token: string) =>
  `${vendor}:token-${createHash("sha256").update(token).digest("hex").slice(0, 16)}`

/** Makes the two vendor edges from the configuration. */
export const makeVendors = (config: ProxyConfig): Readonly<Record<VendorName, VendorEdge>> => ({
  ocamba: {
    name: "ocamba",
    prefix: "/ocamba/v1/hood",
    contract: Ocamba,
    config: config.ocamba,
    acceptsFormBodies: false,
    errorBody: (status, message, traceId) => ({
      code: status,
      title: ocambaTitles[status] ?? "Error.",
      message,
      trace_id: traceId
    }),
    unauthorized: (traceId) => ({
      status: 401,
      body: { code: 401, title: "Unauthorized.", message: "Unauthorized.", trace_id: traceId }
    }),
    readCallerToken: (header) => /^Bearer\s+(\S+)\s*$/i.exec(header("authorization") ?? "")?.[1],
    dropsUndeclaredQuery: false,
    credentialQueryParameters: [],
    applyCredential: (token, headers) => {
      headers.authorization = `Bearer ${token}`
    },
    policy: policyFromConfig(config.ocamba, OcambaClient.throttlePolicy),
    windowNames: nameWindows(config.ocamba.limits)
  },
  copernica: {
    name: "copernica",
    prefix: "/copernica/v3",
    contract: Copernica,
    config: config.copernica,
    acceptsFormBodies: true,
    // Copernica answers every error with `{"error":{"message":...}}` (rest-requests.md; rmuit/copernica-api).
    errorBody: (_status, message) => ({ error: { message } }),
    unauthorized: () => ({ status: 400, body: { error: { message: "Invalid access token" } } }),
    readCallerToken: (_header, query) => query.get("access_token") ?? undefined,
    dropsUndeclaredQuery: true,
    credentialQueryParameters: ["access_token"],
    applyCredential: (token, _headers, query) => {
      query.push(["access_token", token])
    },
    policy: policyFromConfig(config.copernica, CopernicaClient.throttlePolicy),
    windowNames: nameWindows(config.copernica.limits)
  }
})

/**
 * The credential and throttle key of a request: the proxy's own in `inject` mode, the caller's in `pass-through`.
 * `undefined` when there is none (the caller gets the vendor's unauthorized answer, or 503 when the proxy has no
 * credential for the vendor).
 */
export const credentialFor = (
  vendor: VendorEdge,
  mode: ProxyConfig["credentialsMode"],
  header: (name: string) => string | undefined,
  query: URLSearchParams
): Credential | undefined => {
  if (mode === "inject") {
    const token = vendor.config.token
    return token === undefined ? undefined : { token, throttleKey: `${vendor.name}:${vendor.config.account}` }
  }
  const token = vendor.readCallerToken(header, query)
  return token === undefined || token === "" ? undefined : { token, throttleKey: tokenKey(vendor.name, token) }
}
