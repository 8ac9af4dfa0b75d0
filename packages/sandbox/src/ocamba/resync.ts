/**
 * @module
 * Ocamba resync: records each request so tests can see which integrations and conversions were resynced.
 */
import type { SandboxRuntime } from "../runtime.ts"
import { formatTimestamp } from "../time.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"

/**
 * The handler of `createResync` (204, no body).
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const resyncHandlers = (runtime: SandboxRuntime): Record<"createResync", OperationHandler> => ({
  createResync: ({ accountId, body }) => {
    const { resync } = body as { readonly resync: { integration?: Array<string>; conversion?: Array<string> } }
    runtime.state.ocamba.account(accountId).resyncs.push({
      integration: resync.integration ?? [],
      conversion: resync.conversion ?? [],
      time: formatTimestamp(runtime.now())
    })
    return { status: 204 }
  }
})
