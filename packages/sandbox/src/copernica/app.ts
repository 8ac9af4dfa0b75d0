/**
 * @module
 * The simulated Copernica REST v3 API (mounted at `/v3`): every operation of `openapi/copernica-v3.yaml`.
 */
import type { CopernicaOperationId } from "@profilesync/contracts"
import type { Hono } from "hono"
import type { SandboxRuntime } from "../runtime.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { createVendorApp } from "../vendor/vendor-app.ts"
import { databaseHandlers } from "./databases.ts"
import { copernicaDialect } from "./dialect.ts"
import { importHandlers } from "./imports.ts"

/**
 * Creates the Copernica app. The handler table is typed by the spec's operationIds, so an operation added to the
 * spec and not implemented here fails the type check.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const createCopernicaApp = (runtime: SandboxRuntime): Hono => {
  const dialect = copernicaDialect()
  const handlers: Record<CopernicaOperationId, OperationHandler> = {
    ...importHandlers(runtime, dialect),
    ...databaseHandlers(runtime, dialect)
  }
  return createVendorApp({ runtime, dialect, accounts: runtime.options.copernica.accounts, handlers })
}
