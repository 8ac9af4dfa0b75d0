/**
 * `@profilesync/sandbox`: stateful simulators of the Ocamba Hood and Copernica REST v3 APIs in one Hono server,
 * which validate every request against the specs, enforce the vendors' rate limits and inject seeded faults.
 *
 * @since 0.0.0
 */
export { createSandboxApp, type SandboxApp } from "./app.ts"
export type { CopernicaProfileStore } from "./copernica/profile-store.ts"
export type {
  CopernicaAccountState,
  CopernicaDatabase,
  CopernicaField,
  CopernicaImport,
  CopernicaImportAction,
  CopernicaImportStatus,
  CopernicaProfile,
  CopernicaState
} from "./copernica/state.ts"
export type {
  AccountCounters,
  AccountCountersSnapshot,
  CountersSnapshot,
  ResponseClassCounts,
  VendorCounters
} from "./counters.ts"
export type { FaultOptions, RateLimitStormOptions, Vendor } from "./faults/fault-injector.ts"
export type { RateLimitWindow, WindowUsage } from "./limits/fixed-window-limiter.ts"
export { DroppedConnectionError } from "./middleware/faults/index.ts"
export type {
  Flag,
  OcambaImport,
  OcambaImportStatus,
  OcambaMappingItem,
  OcambaReportRow
} from "./ocamba/import-record.ts"
export type { OcambaProfileStore } from "./ocamba/profile-store.ts"
export type { OcambaAccountState, OcambaProfile, OcambaProperty, OcambaResync, OcambaState } from "./ocamba/state.ts"
export {
  type AccountOptions,
  type CopernicaDatabaseSeed,
  type CopernicaFieldSeed,
  type CopernicaOptions,
  defaultCopernicaAccounts,
  defaultCopernicaDatabases,
  defaultOcambaAccounts,
  defaultOcambaConcurrency,
  defaultOcambaWindows,
  type OcambaAccountOptions,
  type OcambaOptions,
  type ProcessingOptions,
  type RateLimitOptions,
  type RequestLogEntry,
  type RequestLogger,
  type SandboxOptions
} from "./options.ts"
export type { SandboxRuntime, SandboxState } from "./runtime.ts"
export { type Sandbox, type StartSandboxOptions, startSandbox } from "./server.ts"
export type { Clock } from "./time.ts"
