/**
 * @module
 * The sandbox's run-time core shared by both vendor apps and the inspection API: resolved options, state, limiters,
 * fault injector, counters, the seeded identifier stream, and the background tasks that process imports.
 */
import { CopernicaState } from "./copernica/state.ts"
import type { CountersSnapshot } from "./counters.ts"
import { RequestCounters } from "./counters.ts"
import { FaultInjector, type FaultOptions, type Vendor } from "./faults/fault-injector.ts"
import { FixedWindowLimiter } from "./limits/fixed-window-limiter.ts"
import { OcambaState } from "./ocamba/state.ts"
import { type ResolvedSandboxOptions, resolveOptions, type SandboxOptions } from "./options.ts"
import { createRandomSource, deriveSeed, type RandomSource } from "./random.ts"

/**
 * The state of both simulated vendors.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export interface SandboxState {
  readonly ocamba: OcambaState
  readonly copernica: CopernicaState
}

/**
 * Runs callbacks later on real timers and forgets all of them on reset or close, so a reset never lets an old
 * import write into fresh state.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export class BackgroundTasks {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #held: Array<() => void> | undefined

  schedule(delayMilliseconds: number, task: () => void): void {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer)
        if (this.#held === undefined) task()
        else this.#held.push(task)
      },
      Math.max(0, delayMilliseconds)
    )
    this.#timers.add(timer)
  }

  /** Tasks scheduled and not yet run. */
  get pending(): number {
    return this.#timers.size + (this.#held?.length ?? 0)
  }

  /**
   * Holds every task that comes due until the returned function is called, as a vendor whose queue has stalled:
   * imports stay in progress however long a client polls. Calling the returned function runs what was held.
   */
  hold(): () => void {
    const held: Array<() => void> = []
    this.#held = held
    return () => {
      if (this.#held !== held) return
      this.#held = undefined
      for (const task of held.splice(0)) task()
    }
  }

  cancelAll(): void {
    for (const timer of this.#timers) {
      clearTimeout(timer)
    }
    this.#timers.clear()
    this.#held = undefined
  }
}

/**
 * Everything one sandbox instance holds at run time.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export class SandboxRuntime {
  // The machinery below is for the sandbox's own routes and middleware; users read it through `Sandbox` (`counters()`,
  // `setFaults()`, `state`), so the API reference leaves it out.
  /** @internal */
  readonly options: ResolvedSandboxOptions
  /** @internal */
  readonly limiters: Readonly<Record<Vendor, FixedWindowLimiter>>
  /** @internal */
  readonly faults: FaultInjector
  /** @internal */
  readonly counters = new RequestCounters()
  /** @internal */
  readonly tasks = new BackgroundTasks()
  #identifiers: RandomSource
  #state: { ocamba: OcambaState; copernica: CopernicaState }

  constructor(options: SandboxOptions = {}) {
    this.options = resolveOptions(options)
    const now = this.options.now
    this.limiters = {
      ocamba: new FixedWindowLimiter({ ...this.options.ocamba.rateLimits, now }),
      copernica: new FixedWindowLimiter({ ...this.options.copernica.rateLimits, now })
    }
    this.faults = new FaultInjector(this.options.seed, now, this.options.faults)
    this.#identifiers = createRandomSource(deriveSeed(this.options.seed, "identifiers"))
    this.#state = this.#freshState()
  }

  /** The sandbox clock. */
  now(): number {
    return this.options.now()
  }

  /** Both vendors' state. The object is replaced on reset, so read it through this getter each time. */
  get state(): SandboxState {
    return this.#state
  }

  /** A seeded UUID (import ids, trace ids). */
  uuid(): string {
    return this.#identifiers.uuid()
  }

  /**
   * The seeded identifier stream (Copernica profile secrets).
   *
   * @internal
   */
  get identifiers(): RandomSource {
    return this.#identifiers
  }

  /** Changes fault options at run time; fields left out keep their values. */
  setFaults(partial: FaultOptions): FaultOptions {
    this.faults.update(partial)
    return this.faults.options
  }

  /**
   * Puts the sandbox back to its starting point: fresh seeded state, zero counters, empty windows, the fault options
   * given at start, and every random stream restarted from the seed. Pending import processing is abandoned.
   */
  reset(): void {
    this.tasks.cancelAll()
    this.counters.reset()
    this.limiters.ocamba.reset()
    this.limiters.copernica.reset()
    this.faults.reset(this.options.faults)
    this.#identifiers = createRandomSource(deriveSeed(this.options.seed, "identifiers"))
    this.#state = this.#freshState()
  }

  /** The counters with each known account's current window usage. */
  countersSnapshot(): CountersSnapshot {
    const vendorSnapshot = (vendor: Vendor) => {
      const counters = this.counters.vendors[vendor]
      const limiter = this.limiters[vendor]
      const accountIds = new Set([
        ...Object.keys(counters.accounts),
        ...(vendor === "ocamba" ? this.options.ocamba.accounts : this.options.copernica.accounts).map(
          (account) => account.id
        )
      ])
      const accounts = Object.fromEntries(
        [...accountIds].map((accountId) => {
          const own = counters.accounts[accountId] ?? {
            requests: 0,
            responses: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
            rateLimited: 0,
            dropped: 0
          }
          return [
            accountId,
            {
              ...structuredClone(own),
              windows: limiter.usage(accountId),
              inFlight: limiter.inFlight(accountId)
            }
          ]
        })
      )
      return { ...structuredClone({ ...counters, accounts: {} }), accounts }
    }
    const ocamba = vendorSnapshot("ocamba")
    const copernica = vendorSnapshot("copernica")
    const sumClass = (name: "2xx" | "3xx" | "4xx" | "5xx") => ocamba.responses[name] + copernica.responses[name]
    return {
      requests: ocamba.requests + copernica.requests,
      responses: { "2xx": sumClass("2xx"), "3xx": sumClass("3xx"), "4xx": sumClass("4xx"), "5xx": sumClass("5xx") },
      rateLimited: ocamba.rateLimited + copernica.rateLimited,
      dropped: ocamba.dropped + copernica.dropped,
      invalidResponses: this.counters.invalidResponses,
      invalidResponseMessages: [...this.counters.invalidResponseMessages],
      vendors: { ocamba, copernica }
    }
  }

  /** Stops background work (called by `close`). */
  dispose(): void {
    this.tasks.cancelAll()
  }

  #freshState(): { ocamba: OcambaState; copernica: CopernicaState } {
    return {
      ocamba: new OcambaState(this.options),
      copernica: new CopernicaState(this.options, this.#identifiers)
    }
  }
}
