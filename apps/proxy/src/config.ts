/**
 * @module
 * The proxy's configuration, read from environment variables (and the secret files they name) once at start. Every
 * variable is checked; each bad one gets its own message naming the variable, what it must be and what it was, so an
 * operator fixes them all in one go. `main.ts` prints the messages and exits with code 2.
 *
 * The table of variables lives in `apps/proxy/README.md`; keep the two in step.
 */
import { readFileSync } from "node:fs"
import { Copernica, Ocamba } from "@profilesync/contracts"
import { type TracingSettings, tracingFromEnvironment } from "./telemetry.ts"

/** One rate window of a vendor account: at most `limit` requests in any `windowMillis`. */
export interface LimitWindow {
  readonly limit: number
  readonly windowMillis: number
}

/** How the proxy handles credentials: its own (`inject`) or each caller's (`pass-through`). */
export type CredentialsMode = "inject" | "pass-through"

/** Log levels, from the most to the least verbose; `silent` writes nothing. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent"

/** The settings of one vendor. */
export interface VendorConfig {
  /** The vendor's base URL, e.g. `https://api.ocamba.com/v1/hood`, without a trailing slash. */
  readonly baseUrl: string
  /** The credential injected in `inject` mode; `undefined` when none is configured (the vendor then answers 503). */
  readonly token: string | undefined
  /** The account name in the throttle key `<vendor>:<account>` (shared with every process using the same key). */
  readonly account: string
  /** Fixed windows; `adaptive` for a vendor without published limits (Copernica by default). */
  readonly limits: ReadonlyArray<LimitWindow> | "adaptive"
}

/** Everything the proxy needs, validated. */
export interface ProxyConfig {
  readonly port: number
  readonly host: string
  readonly ocamba: VendorConfig
  readonly copernica: VendorConfig
  readonly redisUrl: string | undefined
  readonly replicas: number
  /** Accepted `X-Proxy-Key` values; empty means no key is required. */
  readonly proxyKeys: ReadonlyArray<string>
  readonly credentialsMode: CredentialsMode
  readonly defaultDeadlineMillis: number
  readonly maxDeadlineMillis: number
  readonly maxQueue: number
  readonly upstreamTimeoutMillis: number
  readonly uploadTimeoutMillis: number
  readonly maxBodyBytes: number
  readonly safetyMarginMillis: number
  readonly retryMaxAttempts: number
  readonly shutdownGraceMillis: number
  readonly logLevel: LogLevel
  /** How long a caller may take to send a request's headers. */
  readonly headersTimeoutMillis: number
  /** How long a caller may stay silent while sending a request (headers or body) before the connection is closed. */
  readonly bodyTimeoutMillis: number
  /**
   * The slowest a body may arrive once the proxy reads it, in bytes per second: each byte earns `1 / rate` seconds on
   * top of `bodyTimeoutMillis`, so a caller trickling a byte now and then cannot hold a connection for minutes. 0: off.
   */
  readonly bodyMinimumRate: number
  /** Open connections allowed from one address; more are closed at once. */
  readonly maxConnectionsPerIp: number
  /**
   * The proxy's URL as callers reach it (`PUBLIC_BASE_URL`), for rewritten `Location` headers; by default the
   * origin of each request.
   */
  readonly publicBaseUrl: string | undefined
  /** OpenTelemetry tracing, from the standard `OTEL_*` variables (see `telemetry.ts`); `undefined`: off. */
  readonly tracing?: TracingSettings | undefined
}

/** The outcome of {@link parseConfig}: the config, or one message per bad variable. */
export type ConfigResult =
  | { readonly ok: true; readonly config: ProxyConfig }
  | { readonly ok: false; readonly errors: ReadonlyArray<string> }

type Environment = Readonly<Record<string, string | undefined>>

const unitMillis: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }

/**
 * Parses windows written `10/1s,150/60s` (units `ms`, `s`, `m`/`min`, `h`), the notation the sandbox's
 * `--ocamba-limits` flag uses too. Returns a message on the first malformed window.
 */
export const parseLimits = (text: string): ReadonlyArray<LimitWindow> | string => {
  const windows: Array<LimitWindow> = []
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)\s*$/.exec(part)
    if (match === null) return `"${part.trim()}" is not a window like 10/1s`
    const limit = Number(match[1])
    const windowMillis = Math.round(Number(match[2]) * unitMillis[match[3]!]!)
    if (limit < 1) return `"${part.trim()}" has a limit below 1`
    if (windowMillis < 1) return `"${part.trim()}" has a window shorter than 1 ms`
    windows.push({ limit, windowMillis })
  }
  return windows
}

const formatWindows = (windows: ReadonlyArray<{ readonly limit: number; readonly windowSeconds: number }>) =>
  windows.map((window) => `${window.limit}/${window.windowSeconds}s`).join(",")

/** The defaults, for the README and the start-up log. */
export const defaults = {
  port: 8787,
  host: "127.0.0.1",
  ocambaBaseUrl: Ocamba.serverUrl,
  copernicaBaseUrl: Copernica.serverUrl,
  ocambaLimits: formatWindows(Ocamba.rateLimits.windows),
  account: "default",
  replicas: 1,
  credentialsMode: "inject" as CredentialsMode,
  defaultDeadlineMillis: 30_000,
  maxDeadlineMillis: 300_000,
  maxQueue: 1000,
  upstreamTimeoutMillis: 30_000,
  uploadTimeoutMillis: 300_000,
  maxBodyBytes: 1_048_576,
  safetyMarginMillis: 50,
  retryMaxAttempts: 3,
  shutdownGraceMillis: 25_000,
  logLevel: "info" as LogLevel,
  headersTimeoutMillis: 10_000,
  bodyTimeoutMillis: 10_000,
  // Apache's mod_reqtimeout default (`body=20,MinRate=500`): far below any real upload, far above a trickle.
  bodyMinimumRate: 500,
  maxConnectionsPerIp: 256
} as const

/**
 * A value as it may be echoed in a message: whatever stands between `//` and the last `@` (a URL's user and password,
 * even in a URL too broken to parse) is replaced.
 */
const withoutUserInfo = (value: string): string => value.replace(/\/\/[^\s]*@/, "//REDACTED@")

/**
 * Reads and checks every variable of `env`. Never throws: unreadable secret files are reported like any other bad
 * value.
 */
export const parseConfig = (env: Environment): ConfigResult => {
  const errors: Array<string> = []
  const raw = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value.trim() === "" ? undefined : value.trim()
  }
  const fail = <A>(name: string, expected: string, value: string, fallback: A): A => {
    errors.push(`${name}: must be ${expected}, got ${JSON.stringify(withoutUserInfo(value))}`)
    return fallback
  }
  const integer = (name: string, fallback: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value) || Number(value) < minimum || Number(value) > maximum) {
      const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `from ${minimum} to ${maximum}`
      return fail(name, `a whole number ${range}`, value, fallback)
    }
    return Number(value)
  }
  const oneOf = <A extends string>(name: string, allowed: ReadonlyArray<A>, fallback: A): A => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (!(allowed as ReadonlyArray<string>).includes(value))
      return fail(name, `one of ${allowed.join(", ")}`, value, fallback)
    return value as A
  }
  const url = (name: string, fallback: string, protocols: ReadonlyArray<string>): string => {
    const value = raw(name)
    if (value === undefined) return fallback
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      return fail(name, `an absolute ${protocols.join(" or ")} URL`, value, fallback)
    }
    if (!protocols.includes(parsed.protocol)) {
      return fail(name, `an absolute ${protocols.join(" or ")} URL`, value, fallback)
    }
    if (protocols.includes("http:") && (parsed.username !== "" || parsed.password !== "")) {
      // Credentials in a base URL would end up in logs; they belong in *_TOKEN / *_TOKEN_FILE.
      errors.push(`${name}: must not carry credentials (use the *_TOKEN or *_TOKEN_FILE variable)`)
      return fallback
    }
    if (protocols.includes("http:") && (parsed.search !== "" || parsed.hash !== "")) {
      return fail(name, "a URL without a query or fragment", value, fallback)
    }
    return protocols.includes("http:") ? parsed.href.replace(/\/+$/, "") : value
  }
  const secret = (name: string, fileName: string): string | undefined => {
    const direct = raw(name)
    const file = raw(fileName)
    if (direct !== undefined && file !== undefined) {
      errors.push(`${name} and ${fileName}: set only one of them`)
      return undefined
    }
    if (file === undefined) return direct
    try {
      const content = readFileSync(file, "utf8").trim()
      if (content === "") errors.push(`${fileName}: the file ${file} is empty`)
      return content === "" ? undefined : content
    } catch (error) {
      errors.push(`${fileName}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      return undefined
    }
  }
  const account = (name: string): string => {
    const value = raw(name)
    if (value === undefined) return defaults.account
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
      return fail(name, "1 to 64 letters, digits, dots, dashes or underscores", value, defaults.account)
    }
    return value
  }
  const limits = (name: string, fallback: ReadonlyArray<LimitWindow> | "adaptive", allowAdaptive: boolean) => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (allowAdaptive && value === "adaptive") return "adaptive" as const
    const parsed = parseLimits(value)
    if (typeof parsed === "string") {
      errors.push(`${name}: must be windows like 10/1s,150/60s${allowAdaptive ? " or adaptive" : ""}; ${parsed}`)
      return fallback
    }
    return parsed
  }

  const credentialsMode = oneOf("CREDENTIALS_MODE", ["inject", "pass-through"] as const, defaults.credentialsMode)
  const ocambaToken = secret("OCAMBA_TOKEN", "OCAMBA_TOKEN_FILE")
  const copernicaToken = secret("COPERNICA_TOKEN", "COPERNICA_TOKEN_FILE")
  const keysDirect = raw("PROXY_KEYS")
  const keysFile = raw("PROXY_KEYS_FILE")
  let proxyKeys: ReadonlyArray<string> = []
  if (keysDirect !== undefined && keysFile !== undefined) {
    errors.push("PROXY_KEYS and PROXY_KEYS_FILE: set only one of them")
  } else if (keysDirect !== undefined) {
    proxyKeys = keysDirect.split(",").map((key) => key.trim())
  } else if (keysFile !== undefined) {
    try {
      proxyKeys = readFileSync(keysFile, "utf8")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
      if (proxyKeys.length === 0) errors.push(`PROXY_KEYS_FILE: the file ${keysFile} holds no key`)
    } catch (error) {
      errors.push(
        `PROXY_KEYS_FILE: cannot read ${keysFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`
      )
    }
  }
  const shortKey = proxyKeys.find((key) => key.length < 16)
  if (shortKey !== undefined) {
    // Keys are compared in constant time, but a short key can simply be guessed.
    errors.push(
      `${keysFile === undefined ? "PROXY_KEYS" : "PROXY_KEYS_FILE"}: every key must be at least 16 characters`
    )
  }

  const ocambaLimits = limits("OCAMBA_LIMITS", parseLimits(defaults.ocambaLimits) as ReadonlyArray<LimitWindow>, false)
  const config: ProxyConfig = {
    port: integer("PORT", defaults.port, 0, 65_535),
    host: raw("HOST") ?? defaults.host,
    ocamba: {
      baseUrl: url("OCAMBA_BASE_URL", defaults.ocambaBaseUrl, ["http:", "https:"]),
      token: ocambaToken,
      account: account("OCAMBA_ACCOUNT"),
      limits: ocambaLimits
    },
    copernica: {
      baseUrl: url("COPERNICA_BASE_URL", defaults.copernicaBaseUrl, ["http:", "https:"]),
      token: copernicaToken,
      account: account("COPERNICA_ACCOUNT"),
      limits: limits("COPERNICA_LIMITS", "adaptive", true)
    },
    redisUrl: raw("REDIS_URL") === undefined ? undefined : url("REDIS_URL", "", ["redis:", "rediss:"]),
    replicas: integer("PROXY_REPLICAS", defaults.replicas, 1, 1000),
    proxyKeys,
    credentialsMode,
    defaultDeadlineMillis: integer("DEFAULT_DEADLINE_MS", defaults.defaultDeadlineMillis, 0),
    maxDeadlineMillis: integer("MAX_DEADLINE_MS", defaults.maxDeadlineMillis, 0),
    maxQueue: integer("MAX_QUEUE", defaults.maxQueue, 1),
    upstreamTimeoutMillis: integer("UPSTREAM_TIMEOUT_MS", defaults.upstreamTimeoutMillis, 1),
    uploadTimeoutMillis: integer("UPLOAD_TIMEOUT_MS", defaults.uploadTimeoutMillis, 1),
    maxBodyBytes: integer("MAX_BODY_BYTES", defaults.maxBodyBytes, 1),
    safetyMarginMillis: integer("SAFETY_MARGIN_MS", defaults.safetyMarginMillis, 0, 60_000),
    retryMaxAttempts: integer("RETRY_MAX_ATTEMPTS", defaults.retryMaxAttempts, 1, 10),
    shutdownGraceMillis: integer("SHUTDOWN_GRACE_MS", defaults.shutdownGraceMillis, 0),
    logLevel: oneOf("LOG_LEVEL", ["debug", "info", "warn", "error", "silent"] as const, defaults.logLevel),
    headersTimeoutMillis: integer("HEADERS_TIMEOUT_MS", defaults.headersTimeoutMillis, 1, 300_000),
    bodyTimeoutMillis: integer("BODY_TIMEOUT_MS", defaults.bodyTimeoutMillis, 1),
    bodyMinimumRate: integer("BODY_MIN_RATE", defaults.bodyMinimumRate, 0),
    maxConnectionsPerIp: integer("MAX_CONNECTIONS_PER_IP", defaults.maxConnectionsPerIp, 1),
    publicBaseUrl:
      raw("PUBLIC_BASE_URL") === undefined
        ? undefined
        : url("PUBLIC_BASE_URL", "", ["http:", "https:"]).replace(/\/+$/, ""),
    tracing: tracingFromEnvironment(env)
  }
  if (config.defaultDeadlineMillis > config.maxDeadlineMillis) {
    errors.push(
      `DEFAULT_DEADLINE_MS: must not exceed MAX_DEADLINE_MS (${config.maxDeadlineMillis}), got ${config.defaultDeadlineMillis}`
    )
  }
  if (credentialsMode === "inject" && ocambaToken === undefined && copernicaToken === undefined) {
    errors.push(
      "OCAMBA_TOKEN / COPERNICA_TOKEN: CREDENTIALS_MODE=inject needs the credentials of at least one vendor (*_TOKEN or *_TOKEN_FILE)"
    )
  }
  if (credentialsMode === "pass-through" && (ocambaToken !== undefined || copernicaToken !== undefined)) {
    errors.push(
      "OCAMBA_TOKEN / COPERNICA_TOKEN: must not be set with CREDENTIALS_MODE=pass-through (callers send their own)"
    )
  }
  return errors.length === 0 ? { ok: true, config } : { ok: false, errors }
}
