/**
 * @module
 * The simulated Ocamba Hood API (mounted at `/v1/hood`): every operation of `openapi/ocamba-hood.yaml`.
 */
import type { OcambaOperationId } from "@profilesync/contracts"
import type { Hono } from "hono"
import type { SandboxRuntime } from "../runtime.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { createVendorApp } from "../vendor/vendor-app.ts"
import { ocambaDialect } from "./dialect.ts"
import { importHandlers } from "./imports.ts"
import { profilePropertyHandlers } from "./profile-properties.ts"
import { resyncHandlers } from "./resync.ts"

/**
 * Creates the Ocamba app. The handler table is typed by the spec's operationIds, so an operation added to the spec
 * and not implemented here fails the type check.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const createOcambaApp = (runtime: SandboxRuntime): Hono => {
  const dialect = ocambaDialect(() => runtime.uuid())
  const handlers: Record<OcambaOperationId, OperationHandler> = {
    ...profilePropertyHandlers(runtime, dialect),
    ...importHandlers(runtime, dialect),
    ...resyncHandlers(runtime)
  }
  return createVendorApp({ runtime, dialect, accounts: runtime.options.ocamba.accounts, handlers })
}
