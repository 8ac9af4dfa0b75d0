/**
 * @module
 * The end of each vendor app: finds the operation for the request in the vendor's contract (the spec is the router,
 * so aliases like Copernica's `imports/` route the same way as in the proxy), reads and validates the request
 * against the spec, runs the operation's handler, and checks the answer against the spec too.
 */
import type { Handler } from "hono"
import type { VendorDialect } from "./dialect.ts"
import { readRequestBody } from "./request-body.ts"
import { toResponse, type VendorResponse } from "./vendor-response.ts"

/**
 * What a handler receives: a request that already passed the spec's validation.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface OperationRequest {
  readonly operationId: string
  readonly pathParams: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: unknown
  readonly accountId: string
  /** `http://host:port` as the client reached the sandbox, for `X-location` headers. */
  readonly origin: string
}

/**
 * Handles one operation; errors are returned as values, never thrown.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export type OperationHandler = (request: OperationRequest) => VendorResponse | Promise<VendorResponse>

/**
 * Options of {@link operationDispatch}.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface OperationDispatchOptions {
  readonly dialect: VendorDialect
  readonly handlers: Readonly<Record<string, OperationHandler>>
  /** Check answers against the spec. */
  readonly validateResponses: boolean
  /** Told about every answer that breaks the spec and every handler that threw (both are sandbox bugs). */
  readonly reportSandboxBug: (message: string) => void
}

/**
 * Creates the final handler of a vendor app.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export const operationDispatch = ({
  dialect,
  handlers,
  validateResponses,
  reportSandboxBug
}: OperationDispatchOptions): Handler =>
  async function dispatchOperation(context) {
    const url = new URL(context.req.url)
    const relativePath = url.pathname.slice(dialect.basePath.length) || "/"
    const match = dialect.contract.matchOperation(context.req.method, relativePath)
    const handler = match === undefined ? undefined : handlers[match.operation.operationId]
    if (match === undefined || handler === undefined) {
      const allowed = dialect.contract.allowedMethods(relativePath)
      return toResponse(
        allowed.length === 0
          ? dialect.unknownRoute(context.req.method, relativePath)
          : dialect.methodNotAllowed(context.req.method, relativePath, allowed)
      )
    }
    const operationId = match.operation.operationId
    context.set("sandboxOperationId", operationId)
    // `fields[0]=` (PHP's `http_build_query`) is read as the list `fields[]`, as the vendor reads it.
    const query = dialect.contract.canonicalQuery(match.operation, url.searchParams)
    const reading = await readRequestBody(context.req.raw, { maximumBytes: match.operation.maxUploadBytes })
    if (!reading.ok) {
      return toResponse(dialect.invalidRequest(reading.message))
    }
    const validation = dialect.contract.validateRequest(operationId, {
      pathParams: match.pathParams,
      query,
      headers: Object.fromEntries(context.req.raw.headers),
      contentType: reading.contentType,
      body: reading.body
    })
    if (!validation.ok) {
      return toResponse(dialect.invalidRequest(validation.message))
    }
    let answer: VendorResponse
    try {
      answer = await handler({
        operationId,
        pathParams: match.pathParams,
        query,
        body: reading.body,
        accountId: context.get("sandboxAccount")?.id ?? "",
        origin: url.origin
      })
    } catch (error) {
      reportSandboxBug(`${dialect.vendor} ${operationId}: the handler threw ${String(error)}`)
      answer = dialect.serverError(500)
    }
    if (validateResponses) {
      const checked = dialect.contract.validateResponse(operationId, answer.status, answer.body, answer.headers)
      if (!checked.ok) {
        reportSandboxBug(`${dialect.vendor} ${operationId} ${answer.status}: ${checked.message}`)
      }
    }
    return toResponse(answer)
  }
