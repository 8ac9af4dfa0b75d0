/**
 * @module
 * Seeded fault decisions: injected 5xx answers, added latency, dropped connections, 429 storms and imports that fail
 * part way.
 *
 * Determinism: each request that reaches the fault stage draws exactly five numbers from the fault stream, in arrival
 * order, whatever the configuration; so the same seed and the same request sequence give the same faults, and
 * changing one rate does not shift the draws of the others. Import failures draw from a separate stream at commit
 * time, so background processing never disturbs the request sequence.
 */
import { createRandomSource, deriveSeed, type RandomSource } from "../random.ts"
import type { Clock } from "../time.ts"

/**
 * Which simulated vendor a request is for.
 *
 * @category Options
 * @since 0.0.0
 */
export type Vendor = "ocamba" | "copernica"

/**
 * A period in which every request gets 429.
 *
 * @category Options
 * @since 0.0.0
 */
export interface RateLimitStormOptions {
  /** Start, in epoch milliseconds of the sandbox clock. Default: the moment the option is applied. */
  readonly from?: number | undefined
  /** Length of the storm. Default: until it is switched off. */
  readonly durationMilliseconds?: number | undefined
  /** `Retry-After` sent during the storm. Default: the seconds left in the storm, or 1 for an endless storm. */
  readonly retryAfterSeconds?: number | undefined
}

/**
 * Faults to inject. Every rate is a share between 0 and 1.
 *
 * @category Options
 * @since 0.0.0
 */
export interface FaultOptions {
  /** Share of admitted requests answered with 500, 502 or 503 instead of being handled. Default 0. */
  readonly errorRate?: number | undefined
  /** The statuses an injected error picks from, evenly. Default [500, 502, 503]. */
  readonly errorStatuses?: ReadonlyArray<number> | undefined
  /** Added before handling: a fixed number of milliseconds, or a range drawn evenly. Default 0. */
  readonly latencyMilliseconds?: number | { readonly min: number; readonly max: number } | undefined
  /** Share of admitted requests whose socket is destroyed without an answer, before they are handled. Default 0. */
  readonly dropRate?: number | undefined
  /**
   * Share of admitted requests that are handled (their writes happen) but whose answer is lost: the socket is
   * destroyed instead of answering. The fault that makes a write's outcome unknown to the caller. Default 0.
   */
  readonly responseLossRate?: number | undefined
  /** `true` (or a period): every request gets 429 with `Retry-After`. Default off. */
  readonly rateLimitStorm?: boolean | RateLimitStormOptions | undefined
  /** Share of started imports whose processing stops part way with an error. Default 0. */
  readonly importFailureRate?: number | undefined
  /** The vendors the faults apply to. Default both. */
  readonly vendors?: ReadonlyArray<Vendor> | undefined
}

/**
 * What the fault stage does with one request.
 *
 * @category Faults
 * @since 0.0.0
 */
export interface FaultDecision {
  readonly latencyMilliseconds: number
  readonly dropConnection: boolean
  readonly errorStatus: number | undefined
  /** Handle the request, then destroy the connection instead of answering. */
  readonly loseResponse: boolean
}

/**
 * How an import fails, when it does.
 *
 * @category Faults
 * @since 0.0.0
 */
export interface ImportFailureDecision {
  /** Share of the rows processed before the failure, in [0, 1). */
  readonly failAfterShare: number
}

interface ResolvedStorm {
  readonly from: number
  readonly until: number
  readonly retryAfterSeconds: number | undefined
}

const defaultErrorStatuses: ReadonlyArray<number> = [500, 502, 503]

/**
 * Holds the fault configuration (changeable at run time) and the seeded streams that decide each fault.
 *
 * @category Faults
 * @since 0.0.0
 */
export class FaultInjector {
  readonly #now: Clock
  readonly #seed: number
  #requestStream: RandomSource
  #importStream: RandomSource
  #options: FaultOptions = {}
  #storm: ResolvedStorm | undefined

  constructor(seed: number, now: Clock, options: FaultOptions = {}) {
    this.#seed = seed
    this.#now = now
    this.#requestStream = createRandomSource(deriveSeed(seed, "faults"))
    this.#importStream = createRandomSource(deriveSeed(seed, "import-failures"))
    this.update(options)
  }

  /** The options in force, with the storm resolved to absolute times. */
  get options(): FaultOptions {
    return {
      ...this.#options,
      rateLimitStorm:
        this.#storm === undefined
          ? false
          : {
              from: this.#storm.from,
              ...(Number.isFinite(this.#storm.until)
                ? { durationMilliseconds: this.#storm.until - this.#storm.from }
                : {}),
              ...(this.#storm.retryAfterSeconds === undefined
                ? {}
                : { retryAfterSeconds: this.#storm.retryAfterSeconds })
            }
    }
  }

  /** Merges a partial configuration into the current one; fields left out keep their values. */
  update(partial: FaultOptions): void {
    const next: Record<string, unknown> = { ...this.#options }
    for (const [key, value] of Object.entries(partial)) {
      if (value !== undefined) {
        next[key] = value
      }
    }
    this.#options = next as FaultOptions
    if (partial.rateLimitStorm !== undefined) {
      this.#storm = resolveStorm(partial.rateLimitStorm, this.#now())
    }
    validateRates(this.#options)
  }

  /** Restarts both streams from the seed and restores the given configuration. */
  reset(options: FaultOptions): void {
    this.#requestStream = createRandomSource(deriveSeed(this.#seed, "faults"))
    this.#importStream = createRandomSource(deriveSeed(this.#seed, "import-failures"))
    this.#options = {}
    this.#storm = undefined
    this.update(options)
  }

  /** Whether the faults apply to the vendor. */
  appliesTo(vendor: Vendor): boolean {
    return this.#options.vendors === undefined || this.#options.vendors.includes(vendor)
  }

  /** The `Retry-After` to send when a storm is on for the vendor now, otherwise undefined. */
  stormRetryAfterSeconds(vendor: Vendor): number | undefined {
    const storm = this.#storm
    if (storm === undefined || !this.appliesTo(vendor)) {
      return undefined
    }
    const now = this.#now()
    if (now < storm.from || now >= storm.until) {
      return undefined
    }
    if (storm.retryAfterSeconds !== undefined) {
      return storm.retryAfterSeconds
    }
    return Number.isFinite(storm.until) ? Math.max(1, Math.ceil((storm.until - now) / 1000)) : 1
  }

  /** Decides the faults of one request; always draws five numbers (see the module note). */
  decide(vendor: Vendor): FaultDecision {
    const dropDraw = this.#requestStream.next()
    const errorDraw = this.#requestStream.next()
    const statusDraw = this.#requestStream.next()
    const latencyDraw = this.#requestStream.next()
    const lossDraw = this.#requestStream.next()
    if (!this.appliesTo(vendor)) {
      return { latencyMilliseconds: 0, dropConnection: false, errorStatus: undefined, loseResponse: false }
    }
    const statuses = this.#options.errorStatuses ?? defaultErrorStatuses
    const dropConnection = dropDraw < (this.#options.dropRate ?? 0)
    const failing = !dropConnection && errorDraw < (this.#options.errorRate ?? 0) && statuses.length > 0
    return {
      latencyMilliseconds: latencyFrom(this.#options.latencyMilliseconds, latencyDraw),
      dropConnection,
      errorStatus: failing ? statuses[Math.floor(statusDraw * statuses.length)] : undefined,
      loseResponse: !dropConnection && !failing && lossDraw < (this.#options.responseLossRate ?? 0)
    }
  }

  /** Decides, when an import starts processing, whether and where it fails; always draws two numbers. */
  decideImportFailure(vendor: Vendor): ImportFailureDecision | undefined {
    const failDraw = this.#importStream.next()
    const shareDraw = this.#importStream.next()
    if (!this.appliesTo(vendor) || failDraw >= (this.#options.importFailureRate ?? 0)) {
      return undefined
    }
    return { failAfterShare: shareDraw }
  }
}

const resolveStorm = (storm: boolean | RateLimitStormOptions, now: number): ResolvedStorm | undefined => {
  if (storm === false) {
    return undefined
  }
  if (storm === true) {
    return { from: now, until: Number.POSITIVE_INFINITY, retryAfterSeconds: undefined }
  }
  const from = storm.from ?? now
  return {
    from,
    until: storm.durationMilliseconds === undefined ? Number.POSITIVE_INFINITY : from + storm.durationMilliseconds,
    retryAfterSeconds: storm.retryAfterSeconds
  }
}

const latencyFrom = (latency: FaultOptions["latencyMilliseconds"], draw: number): number => {
  if (latency === undefined) {
    return 0
  }
  if (typeof latency === "number") {
    return Math.max(0, latency)
  }
  const minimum = Math.max(0, Math.min(latency.min, latency.max))
  const maximum = Math.max(latency.min, latency.max)
  return Math.round(minimum + draw * (maximum - minimum))
}

const validateRates = (options: FaultOptions): void => {
  for (const name of ["errorRate", "dropRate", "responseLossRate", "importFailureRate"] as const) {
    const value = options[name]
    if (value !== undefined && (!Number.isFinite(value) || value < 0 || value > 1)) {
      throw new RangeError(`faults.${name} must be a share between 0 and 1, got ${String(value)}`)
    }
  }
}
