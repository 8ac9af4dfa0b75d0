/**
 * @module
 * The steps of forwarding that spend no budget: match the path to an operation of the spec (anything else is 404:
 * never an open proxy), resolve the credential (inject: the proxy's; pass-through: the caller's) and with it the
 * throttle key, read and validate the request against the spec, and build the request to send upstream from the spec,
 * never from the caller's text. A request that fails any of them is refused before it takes a slot.
 */
import type { OperationMetadata } from "@profilesync/contracts"
import { type OutgoingBody, readRequestBody } from "../body/request-body.ts"
import type { ProxyConfig } from "../config.ts"
import { type ProxyError, ProxyErrorReason, proxyError } from "../errors.ts"
import type { UpstreamRequest } from "../upstream.ts"
import { credentialFor } from "../vendors.ts"
import { deadlineHeader, type Exchange, type VendorRoute } from "./exchange.ts"
import type { IncomingCall } from "./incoming.ts"
import { checkQueryNames, queryParameters, undeclaredQueryNames, upstreamPath } from "./upstream-target.ts"

/** A request that passed every check, ready to take its slot and go upstream. */
export interface PreparedRequest {
  /** The caller's method (`HEAD` stays `HEAD` here; it is sent as `GET`). */
  readonly method: string
  /** The caller's URL, as the proxy received it. */
  readonly url: URL
  readonly operation: OperationMetadata
  /** The account's throttle key: whose budget the request spends. */
  readonly key: string
  readonly outgoing: OutgoingBody
  readonly upstreamRequest: UpstreamRequest
  /** When the caller stops waiting for budget (epoch milliseconds). */
  readonly deadlineAt: number
  /** The bound on waiting for the answer's headers (and, for an upload, on the upload). */
  readonly timeoutMillis: number
}

// Request headers passed on to the vendor; everything else (cookies, the caller's Authorization in inject mode, the
// proxy key, forwarding headers) stays here. Content-Type and Content-Length come from the prepared body.
const forwardedRequestHeaders: ReadonlyArray<string> = ["accept", "accept-encoding", "accept-language", "user-agent"]

const parseDeadline = (header: string | undefined, config: ProxyConfig): number | string => {
  if (header === undefined) return config.defaultDeadlineMillis
  if (!/^\s*\d{1,10}\s*$/.test(header)) return `header /${deadlineHeader}: must be a whole number of milliseconds`
  return Math.min(Number(header), config.maxDeadlineMillis)
}

/** The headers sent upstream: the request id and the caller's content negotiation, before the credential is added. */
const upstreamHeaders = (call: IncomingCall, requestId: string, config: ProxyConfig): Record<string, string> => {
  const headers: Record<string, string> = { "x-request-id": requestId }
  for (const name of forwardedRequestHeaders) {
    const value = call.header(name)
    if (value !== undefined) headers[name] = value
  }
  // The answer is searched for the injected token before the caller sees it, which a compressed body would defeat.
  if (config.credentialsMode === "inject") headers["accept-encoding"] = "identity"
  return headers
}

/** Checks the caller's request and builds what to send upstream, or says why it is refused. */
export const prepareRequest = async (
  route: VendorRoute,
  exchange: Exchange,
  call: IncomingCall,
  receivedAt: number
): Promise<PreparedRequest | ProxyError> => {
  const { vendor, config } = route
  const { record } = exchange

  // 1. The operation, from the raw (still percent-encoded) path; the contract decodes and checks the parameters.
  const url = call.url
  const method = call.method
  const relative = url.pathname.startsWith(`${vendor.prefix}/`) ? url.pathname.slice(vendor.prefix.length) : undefined
  const match = relative === undefined ? undefined : vendor.contract.matchOperation(method, relative)
  if (match === undefined) {
    const allowed = relative === undefined ? [] : vendor.contract.allowedMethods(relative)
    return proxyError(
      allowed.length === 0
        ? ProxyErrorReason.UnknownOperation({ method, path: relative ?? url.pathname })
        : ProxyErrorReason.MethodNotAllowed({ method, path: relative ?? url.pathname, allowed })
    )
  }
  const operation = match.operation
  const operationId = operation.operationId
  // Segments the vendor ignores are not forwarded (the path is rebuilt from the template); the caller is told.
  if (match.ignoredPath !== undefined) record.droppedPath = match.ignoredPath
  exchange.operationId = operationId

  // 2. The credential, and with it the account whose budget the request spends.
  const credential = credentialFor(vendor, config.credentialsMode, call.header, url.searchParams)
  if (credential === undefined) {
    return proxyError(
      config.credentialsMode === "inject"
        ? ProxyErrorReason.VendorNotConfigured()
        : ProxyErrorReason.MissingCredential()
    )
  }
  const key = credential.throttleKey
  record.throttleKey = key

  // 3. Everything about the request is checked before any budget is spent.
  const deadline = parseDeadline(call.header(deadlineHeader), config)
  if (typeof deadline === "string") return proxyError(ProxyErrorReason.InvalidRequest({ message: deadline }))
  const declared = queryParameters(vendor.contract, operation)
  // The query as the vendor reads it (`fields[0]=` is the list `fields[]` for Copernica), without what it ignores.
  const query = vendor.contract.canonicalQuery(operation, url.searchParams)
  if (vendor.dropsUndeclaredQuery) {
    const undeclared = undeclaredQueryNames(query, declared, vendor.credentialQueryParameters)
    if (undeclared.length > 0) {
      record.droppedQuery = undeclared
      for (const name of undeclared) query.delete(name)
    }
  }
  const queryProblem = checkQueryNames(query, declared, vendor.credentialQueryParameters)
  if (queryProblem !== undefined) return proxyError(ProxyErrorReason.InvalidRequest({ message: queryProblem }))
  const body = await readRequestBody({
    request: call,
    acceptsFormBodies: vendor.acceptsFormBodies,
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: operation.maxUploadBytes
  })
  if ("_tag" in body) return body
  const validation = vendor.contract.validateRequest(operationId, {
    pathParams: match.pathParams,
    query,
    headers: call.headers,
    contentType: body.contentType,
    body: body.value
  })
  if (!validation.ok) {
    if (body.outgoing.kind === "stream") body.outgoing.cancel()
    return proxyError(ProxyErrorReason.InvalidRequest({ message: validation.message }))
  }

  // What goes upstream: the spec's path and declared query, the caller's negotiation headers, the credential.
  const headers = upstreamHeaders(call, exchange.requestId, config)
  call.traceHeaders(headers)
  const extraQuery: Array<[string, string]> = []
  vendor.applyCredential(credential.token, headers, extraQuery)
  return {
    method,
    url,
    operation,
    key,
    outgoing: body.outgoing,
    upstreamRequest: {
      origin: route.origin,
      path: upstreamPath({
        basePath: route.basePath,
        operation,
        pathParams: match.pathParams,
        query,
        declared,
        extraQuery
      }),
      // HEAD is sent as GET (the vendor need not serve HEAD; RFC 9110 §9.3.2 makes it GET without the body).
      method: method === "HEAD" ? "GET" : method,
      headers,
      body: body.outgoing,
      bodyTimeoutMillis: config.upstreamTimeoutMillis
    },
    deadlineAt: receivedAt + deadline,
    timeoutMillis: body.outgoing.kind === "stream" ? config.uploadTimeoutMillis : config.upstreamTimeoutMillis
  }
}
