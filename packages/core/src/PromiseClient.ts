/**
 * Promise-based clients for users who do not use Effect: the same throttling (in memory, or shared through Redis),
 * retries, validation and redaction as the Effect services, behind plain async methods that reject with the same
 * tagged errors (`OcambaError`, `CopernicaError`: branch on `error.reason._tag`).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as CopernicaClient from "./CopernicaClient.ts"
import * as ThrottleRedisOnDemand from "./internal/throttleRedisOnDemand.ts"
import * as OcambaClient from "./OcambaClient.ts"
import * as Throttle from "./Throttle.ts"

/**
 * Where the rate budget lives: this process only (default), or Redis shared by `replicas` processes.
 *
 * @since 0.1.0
 * @category models
 */
export interface BudgetOptions {
  /**
   * A `redis://` URL: share the account's budget with every process using the same Redis. Needs the optional peer
   * dependency `ioredis` installed.
   */
  readonly redisUrl?: string | undefined
  /** How many processes share the budget (their fallback share while Redis is down). Default 1. */
  readonly replicas?: number | undefined
}

/**
 * The Promise form of an Effect service: each method returning an `Effect` returns a `Promise` of its value (failing
 * with the Effect's own error), each `Effect` value becomes a method without arguments, and the rest stays as it is.
 *
 * @since 0.2.0
 * @category models
 */
export type Promised<Service> = {
  readonly [Method in keyof Service]: Service[Method] extends (
    ...parameters: infer Parameters
  ) => Effect.Effect<infer A, unknown>
    ? (...parameters: Parameters) => Promise<A>
    : Service[Method] extends Effect.Effect<infer A, unknown>
      ? () => Promise<A>
      : Service[Method]
}

/**
 * An async client: every method of the Effect service as a Promise, plus `close()` to release the throttle.
 *
 * @since 0.1.0
 * @category models
 */
export type AsyncClient<Service> = Promised<Service> & { readonly close: () => Promise<void> }

const throttleLayer = (budget: BudgetOptions): Layer.Layer<Throttle.Throttle> => {
  const keys = { ocamba: OcambaClient.throttlePolicy, copernica: CopernicaClient.throttlePolicy }
  return budget.redisUrl === undefined
    ? Throttle.layerMemory({ keys })
    : ThrottleRedisOnDemand.layer({ keys, redis: budget.redisUrl, replicas: budget.replicas ?? 1 })
}

/** Runs an effect and settles with its value, or rejects with its own error (not Effect's `FiberFailure` wrapper). */
const settle = async <A>(
  runtime: ManagedRuntime.ManagedRuntime<Throttle.Throttle, never>,
  effect: Effect.Effect<A, unknown, Throttle.Throttle>
): Promise<A> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

const promisify = <Service extends object>(
  runtime: ManagedRuntime.ManagedRuntime<Throttle.Throttle, never>,
  service: Service
): AsyncClient<Service> => {
  const client: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(service)) {
    if (typeof value === "function") {
      client[name] = (...parameters: Array<unknown>) =>
        settle(runtime, (value as (...parameters: Array<unknown>) => Effect.Effect<unknown, unknown>)(...parameters))
    } else if (Effect.isEffect(value)) {
      client[name] = () => settle(runtime, value as Effect.Effect<unknown, unknown>)
    } else {
      client[name] = value
    }
  }
  client.close = () => runtime.dispose()
  return client as AsyncClient<Service>
}

/** Builds a client's service over its own throttle runtime, and wraps it in Promises. */
const createAsyncClient = async <Service extends object>(
  budget: BudgetOptions,
  make: (throttle: Throttle.ThrottleService) => Effect.Effect<Service>
): Promise<AsyncClient<Service>> => {
  const runtime = ManagedRuntime.make(throttleLayer(budget))
  const service = await runtime.runPromise(Effect.flatMap(Throttle.Throttle, make))
  return promisify(runtime, service)
}

/**
 * Creates an async Ocamba Hood client.
 *
 * @example
 * ```ts
 * import { createOcambaClient, OcambaError } from "@profilesync/core"
 *
 * // `baseUrl` defaults to production; the sandbox is at `http://127.0.0.1:<port>/v1/hood`.
 * const ocamba = await createOcambaClient({ token: process.env.OCAMBA_TOKEN!, account: "acme", baseUrl: process.env.OCAMBA_BASE_URL })
 * try {
 *   const property = await ocamba.createProperty({ label: "my_region", data_type: "text" })
 * } catch (error) {
 *   if (error instanceof OcambaError && error.reason._tag === "BadRequest") console.error(error.reason.message)
 * } finally {
 *   await ocamba.close()
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createOcambaClient = (
  options: OcambaClient.Options & BudgetOptions
): Promise<AsyncClient<OcambaClient.OcambaClientService>> =>
  createAsyncClient(options, (throttle) => OcambaClient.make(options, Option.some(throttle)))

/**
 * Creates an async Copernica REST v3 client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createCopernicaClient = (
  options: CopernicaClient.Options & BudgetOptions
): Promise<AsyncClient<CopernicaClient.CopernicaClientService>> =>
  createAsyncClient(options, (throttle) => CopernicaClient.make(options, Option.some(throttle)))
