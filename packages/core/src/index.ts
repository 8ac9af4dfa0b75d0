/**
 * `@profilesync/core`: one shared rate budget per vendor account (in memory, or through Redis
 * with `@profilesync/core/ThrottleRedis`), safe retries, a circuit breaker, typed Ocamba Hood and Copernica
 * clients, and the mapping of canonical profiles onto each vendor, as Effect modules, plus Promise clients for
 * everyone else. The sync engine (config files, sources, state stores) is `@profilesync/sync`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as CircuitBreaker from "./CircuitBreaker.ts"
/** @since 0.1.0 */
export * as CopernicaClient from "./CopernicaClient.ts"
export { CopernicaError } from "./CopernicaClient.ts"
/** @since 0.1.0 */
export * as Mapping from "./Mapping.ts"
/** @since 0.2.0 */
export * as MappingConfig from "./MappingConfig.ts"
/** @since 0.1.0 */
export * as OcambaClient from "./OcambaClient.ts"
export { OcambaError } from "./OcambaClient.ts"
export {
  type AsyncClient,
  type BudgetOptions,
  createCopernicaClient,
  createOcambaClient,
  type Promised
} from "./PromiseClient.ts"
/** @since 0.1.0 */
export * as Redact from "./Redact.ts"
/** @since 0.1.0 */
export * as Retry from "./Retry.ts"
/** @since 0.1.0 */
export * as Throttle from "./Throttle.ts"
/**
 * The Redis throttle's types; its code is `@profilesync/core/ThrottleRedis`, loaded only by those who use it.
 *
 * @since 0.2.0
 */
export type * as ThrottleRedis from "./ThrottleRedis.ts"
/** @since 0.2.0 */
export type * as Vendor from "./Vendor.ts"
