/**
 * `@profilesync/core`: one shared rate budget per vendor account (in memory or through Redis), safe retries, a circuit
 * breaker, and typed Ocamba Hood and Copernica clients, as Effect modules, plus Promise clients for everyone else.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as CircuitBreaker from "./CircuitBreaker.ts"
/** @since 0.1.0 */
export * as CopernicaClient from "./CopernicaClient.ts"
export { CopernicaError } from "./CopernicaClient.ts"
/** @since 0.1.0 */
export * as OcambaClient from "./OcambaClient.ts"
export { OcambaError } from "./OcambaClient.ts"
export { type AsyncClient, type BudgetOptions, createCopernicaClient, createOcambaClient } from "./PromiseClient.ts"
/** @since 0.1.0 */
export * as Retry from "./Retry.ts"
/** @since 0.1.0 */
export * as Throttle from "./Throttle.ts"
