/**
 * @module
 * The sandbox's options, their documented defaults, and their resolution into one complete configuration.
 *
 * Every number the vendors impose (rate windows, concurrency, processing time) is an option so that tests and
 * benchmarks can make the sandbox stricter or looser than the real thing.
 */
import type { FaultOptions } from "./faults/fault-injector.ts"
import type { RateLimitWindow } from "./limits/fixed-window-limiter.ts"
import { seedToInteger } from "./random.ts"
import type { Clock } from "./time.ts"

/**
 * An account of a simulated vendor and the tokens that authenticate as it.
 *
 * @category Options
 * @since 0.0.0
 */
export interface AccountOptions {
  readonly id: string
  readonly tokens: ReadonlyArray<string>
}

/**
 * An Ocamba account; `companyId` and `memberId` appear in records the vendor returns.
 *
 * @category Options
 * @since 0.0.0
 */
export interface OcambaAccountOptions extends AccountOptions {
  /** Default: `7196310` for the first account, then counting up. */
  readonly companyId?: string | undefined
  /** Default: `1000165`. */
  readonly memberId?: string | undefined
}

/**
 * Limits counted per account.
 *
 * @category Options
 * @since 0.0.0
 */
export interface RateLimitOptions {
  /** Fixed windows, all applied at once. */
  readonly windows?: ReadonlyArray<RateLimitWindow> | undefined
  /** Most requests of one account in flight at once (answered `429` with `Retry-After: -1` beyond it). */
  readonly concurrency?: number | undefined
  /** Shifts every window boundary by this many milliseconds. Default 0. */
  readonly alignmentOffsetMilliseconds?: number | undefined
  /** Count refused requests against the windows too. Default false: only admitted requests count. */
  readonly countRejectedRequests?: boolean | undefined
}

/**
 * How long asynchronous work (import processing) takes.
 *
 * @category Options
 * @since 0.0.0
 */
export interface ProcessingOptions {
  /** Real milliseconds between an import starting and its rows being processed. Default 100. */
  readonly delayMilliseconds?: number | undefined
}

/**
 * A field of a seeded Copernica database.
 *
 * @category Options
 * @since 0.0.0
 */
export interface CopernicaFieldSeed {
  readonly name: string
  readonly type?: string | undefined
  readonly value?: string | undefined
  readonly length?: number | undefined
  readonly textlines?: number | undefined
  readonly displayed?: boolean | undefined
  readonly ordered?: boolean | undefined
  readonly hidden?: boolean | undefined
  readonly index?: boolean | undefined
}

/**
 * A Copernica database created in every Copernica account at start and on reset.
 *
 * @category Options
 * @since 0.0.0
 */
export interface CopernicaDatabaseSeed {
  readonly name: string
  readonly description?: string | undefined
  readonly fields: ReadonlyArray<CopernicaFieldSeed>
  readonly profiles?: ReadonlyArray<{ readonly fields: Readonly<Record<string, string>> }> | undefined
}

/**
 * Options of the simulated Ocamba Hood API.
 *
 * @category Options
 * @since 0.0.0
 */
export interface OcambaOptions {
  readonly accounts?: ReadonlyArray<OcambaAccountOptions> | undefined
  /** Default: 10 per 1 s and 150 per 60 s, at most 10 in flight. */
  readonly rateLimits?: RateLimitOptions | undefined
  readonly processing?: ProcessingOptions | undefined
  /** Default page size of `GET /profile-properties` when `page` gives none. Default 50 (inferred). */
  readonly defaultPageSize?: number | undefined
  /**
   * Our invention, off by default: per-row import report entries also carry `row`, `message` and failure codes
   * (`NOT_PROCESSED`, `MISSING_IDENTIFIER`, `INVALID_EMAIL`, `REFUSED`). The vendor documents only successful rows with
   * `event_date`, `event_time`, `profile_id`, `code: "SUCCESS"` and `update_time`.
   */
  readonly richImportReport?: boolean | undefined
  /**
   * Our invention, for tests of how a client finds rows the vendor refused for a reason it cannot foresee: a row of a
   * committed import for which this returns a message is refused (left out of the report, or code `REFUSED` with the
   * message in a rich report). It gets the row by property target (`email`, `mobile_phone_number`, ...), trimmed,
   * empty cells left out. Code only (no flag): the same row is refused in every import, as a vendor's rule would.
   */
  readonly refuseImportRow?: ((row: Readonly<Record<string, string>>) => string | undefined) | undefined
}

/**
 * Options of the simulated Copernica REST v3 API.
 *
 * @category Options
 * @since 0.0.0
 */
export interface CopernicaOptions {
  readonly accounts?: ReadonlyArray<AccountOptions> | undefined
  /** Databases created in every account. Default: database 1 "Customers" (Email, Firstname, Lastname, Phone). */
  readonly databases?: ReadonlyArray<CopernicaDatabaseSeed> | undefined
  /** Default: no limit, since Copernica publishes none. */
  readonly rateLimits?: RateLimitOptions | undefined
  readonly processing?: ProcessingOptions | undefined
}

/**
 * One line of the request log, as structured data.
 *
 * @category Options
 * @since 0.0.0
 */
export interface RequestLogEntry {
  readonly time: string
  readonly method: string
  /** The path and query, with credentials replaced by `REDACTED`. */
  readonly path: string
  /** The status sent, or `"dropped"` when the connection was destroyed without an answer. */
  readonly status: number | "dropped"
  readonly durationMilliseconds: number
  readonly vendor: "ocamba" | "copernica" | undefined
  readonly account: string | undefined
  readonly operationId: string | undefined
}

/**
 * Receives each request log line.
 *
 * @category Options
 * @since 0.0.0
 */
export type RequestLogger = (line: string, entry: RequestLogEntry) => void

/**
 * Options of {@link createSandboxApp} and `startSandbox`.
 *
 * @category Options
 * @since 0.0.0
 */
export interface SandboxOptions {
  /** Seeds fault decisions and generated ids. Default 1, so runs repeat unless a seed is chosen. */
  readonly seed?: number | string | undefined
  /** The clock of rate windows, storms and timestamps. Default `Date.now`. */
  readonly now?: Clock | undefined
  readonly ocamba?: OcambaOptions | undefined
  readonly copernica?: CopernicaOptions | undefined
  readonly faults?: FaultOptions | undefined
  /** `true` logs one line per request to stdout; a function receives the lines. Default false. */
  readonly log?: boolean | RequestLogger | undefined
  /** Check every answer against the spec and count the failures (`counters().invalidResponses`). Default true. */
  readonly validateResponses?: boolean | undefined
  /**
   * Refuse, loudly and in the vendor's error shape, every request whose answer depends on a behaviour the vendors
   * do not document and that the sandbox would otherwise guess (README, "Behaviours the vendors do not document").
   * Default false.
   */
  readonly strict?: boolean | undefined
}

/**
 * Rate limits with every default filled in.
 *
 * @category Options
 * @since 0.0.0
 */
export interface ResolvedRateLimits {
  readonly windows: ReadonlyArray<RateLimitWindow>
  readonly concurrency: number | undefined
  readonly alignmentOffsetMilliseconds: number
  readonly countRejectedRequests: boolean
}

/**
 * The options with every default filled in.
 *
 * @category Options
 * @since 0.0.0
 */
export interface ResolvedSandboxOptions {
  readonly seed: number
  readonly now: Clock
  readonly ocamba: {
    readonly accounts: ReadonlyArray<{
      readonly id: string
      readonly tokens: ReadonlyArray<string>
      readonly companyId: string
      readonly memberId: string
    }>
    readonly rateLimits: ResolvedRateLimits
    readonly processingDelayMilliseconds: number
    readonly defaultPageSize: number
    readonly richImportReport: boolean
    readonly refuseImportRow: ((row: Readonly<Record<string, string>>) => string | undefined) | undefined
  }
  readonly copernica: {
    readonly accounts: ReadonlyArray<AccountOptions>
    readonly databases: ReadonlyArray<CopernicaDatabaseSeed>
    readonly rateLimits: ResolvedRateLimits
    readonly processingDelayMilliseconds: number
  }
  readonly faults: FaultOptions
  readonly log: RequestLogger | undefined
  readonly validateResponses: boolean
  readonly strict: boolean
}

/**
 * The default Ocamba accounts and their tokens (also listed in the README).
 *
 * @category Defaults
 * @since 0.0.0
 */
export const defaultOcambaAccounts: ReadonlyArray<OcambaAccountOptions> = [
  { id: "ocamba-account-1", tokens: ["ocamba-sandbox-token"] },
  { id: "ocamba-account-2", tokens: ["ocamba-sandbox-token-2"] }
]

/**
 * The default Copernica accounts and their tokens (also listed in the README).
 *
 * @category Defaults
 * @since 0.0.0
 */
export const defaultCopernicaAccounts: ReadonlyArray<AccountOptions> = [
  { id: "copernica-account-1", tokens: ["copernica-sandbox-token"] },
  { id: "copernica-account-2", tokens: ["copernica-sandbox-token-2"] }
]

/**
 * The database every Copernica account starts with.
 *
 * @category Defaults
 * @since 0.0.0
 */
export const defaultCopernicaDatabases: ReadonlyArray<CopernicaDatabaseSeed> = [
  {
    name: "Customers",
    description: "Sandbox customer database",
    fields: [
      { name: "Email", type: "email", length: 100, index: true },
      { name: "Firstname", type: "text" },
      { name: "Lastname", type: "text" },
      { name: "Phone", type: "phone_gsm", length: 50 }
    ]
  }
]

/**
 * Ocamba's documented tier C limits: 10 per second and 150 per minute
 * (https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits).
 *
 * @category Defaults
 * @since 0.0.0
 */
export const defaultOcambaWindows: ReadonlyArray<RateLimitWindow> = [
  { limit: 10, windowMilliseconds: 1000 },
  { limit: 150, windowMilliseconds: 60_000 }
]

/**
 * Requests of one Ocamba account allowed in flight at once. The vendor has such a cap (`Retry-After: -1`); the only
 * number it has published is 10 parallel requests (ocamba/api-documentation `reports/README.md`).
 *
 * @category Defaults
 * @since 0.0.0
 */
export const defaultOcambaConcurrency = 10

const defaultProcessingDelayMilliseconds = 100

const resolveRateLimits = (
  options: RateLimitOptions | undefined,
  defaults: { windows: ReadonlyArray<RateLimitWindow>; concurrency: number | undefined },
  name: string
): ResolvedRateLimits => {
  const windows = options?.windows ?? defaults.windows
  for (const [index, window] of windows.entries()) {
    if (!(Number.isInteger(window.limit) && window.limit > 0 && window.windowMilliseconds > 0)) {
      throw new RangeError(
        `${name}.rateLimits.windows[${index}] needs a positive integer limit and windowMilliseconds, got ${JSON.stringify(window)}`
      )
    }
  }
  const concurrency = options !== undefined && "concurrency" in options ? options.concurrency : defaults.concurrency
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(`${name}.rateLimits.concurrency must be a positive integer, got ${String(concurrency)}`)
  }
  return {
    windows,
    concurrency,
    alignmentOffsetMilliseconds: options?.alignmentOffsetMilliseconds ?? 0,
    countRejectedRequests: options?.countRejectedRequests ?? false
  }
}

const checkAccounts = (accounts: ReadonlyArray<AccountOptions>, name: string): void => {
  const tokens = new Set<string>()
  const ids = new Set<string>()
  for (const account of accounts) {
    if (ids.has(account.id)) {
      throw new Error(`${name}.accounts: the account id ${account.id} appears twice`)
    }
    ids.add(account.id)
    for (const token of account.tokens) {
      if (tokens.has(token)) {
        throw new Error(`${name}.accounts: a token belongs to two accounts; each token must name one account`)
      }
      tokens.add(token)
    }
  }
}

const writeToStandardOutput: RequestLogger = (line) => {
  process.stdout.write(`${line}\n`)
}

/**
 * Fills in every default and checks the options, throwing a `RangeError` or `Error` that names the bad option.
 *
 * @category Options
 * @since 0.0.0
 */
export const resolveOptions = (options: SandboxOptions = {}): ResolvedSandboxOptions => {
  checkStrict(options)
  const ocambaAccounts = (options.ocamba?.accounts ?? defaultOcambaAccounts).map((account, index) => ({
    id: account.id,
    tokens: account.tokens,
    companyId: account.companyId ?? String(7196310 + index),
    memberId: account.memberId ?? "1000165"
  }))
  const copernicaAccounts = options.copernica?.accounts ?? defaultCopernicaAccounts
  checkAccounts(ocambaAccounts, "ocamba")
  checkAccounts(copernicaAccounts, "copernica")
  const log = options.log === true ? writeToStandardOutput : typeof options.log === "function" ? options.log : undefined
  return {
    seed: seedToInteger(options.seed ?? 1),
    now: options.now ?? Date.now,
    ocamba: {
      accounts: ocambaAccounts,
      rateLimits: resolveRateLimits(
        options.ocamba?.rateLimits,
        { windows: defaultOcambaWindows, concurrency: defaultOcambaConcurrency },
        "ocamba"
      ),
      processingDelayMilliseconds: options.ocamba?.processing?.delayMilliseconds ?? defaultProcessingDelayMilliseconds,
      defaultPageSize: options.ocamba?.defaultPageSize ?? 50,
      richImportReport: options.ocamba?.richImportReport ?? false,
      refuseImportRow: options.ocamba?.refuseImportRow
    },
    copernica: {
      accounts: copernicaAccounts,
      databases: options.copernica?.databases ?? defaultCopernicaDatabases,
      rateLimits: resolveRateLimits(
        options.copernica?.rateLimits,
        { windows: [], concurrency: undefined },
        "copernica"
      ),
      processingDelayMilliseconds:
        options.copernica?.processing?.delayMilliseconds ?? defaultProcessingDelayMilliseconds
    },
    faults: options.faults ?? {},
    log,
    validateResponses: options.validateResponses ?? true,
    strict: options.strict ?? false
  }
}

/** Strict mode refuses our inventions as loudly as our guesses: the richer import report is one. */
const checkStrict = (options: SandboxOptions): void => {
  if (options.strict === true && options.ocamba?.richImportReport === true) {
    throw new Error(
      "ocamba.richImportReport: sandbox strict mode refuses it; the row numbers and failure codes are our invention, not the vendor's report"
    )
  }
}
