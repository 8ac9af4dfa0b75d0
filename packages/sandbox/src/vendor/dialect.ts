/**
 * @module
 * How a vendor speaks: where it lives, how it authenticates, and the shape and status of each kind of error. The
 * generic pieces (middleware, dispatcher) take a dialect so that the same code serves Ocamba and Copernica.
 */
import type { OperationMatch, OperationMetadata, Validator } from "@profilesync/contracts"
import type { Vendor } from "../faults/fault-injector.ts"
import type { VendorResponse } from "./vendor-response.ts"

/**
 * The part of a vendor contract the sandbox uses: its router and validators.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface ContractRouter extends Validator {
  readonly matchOperation: (method: string, pathname: string) => OperationMatch | undefined
  readonly allowedMethods: (pathname: string) => ReadonlyArray<string>
  readonly canonicalQuery: (operation: OperationMetadata, query: URLSearchParams) => URLSearchParams
}

/**
 * One vendor's conventions.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export interface VendorDialect {
  readonly vendor: Vendor
  /** The mount path in the sandbox: `/v1/hood` or `/v3`. */
  readonly basePath: string
  readonly contract: ContractRouter
  /** Whether admitted answers carry `X-RateLimit-Limit/Remaining/Reset` (Ocamba does, Copernica does not). */
  readonly sendsRateLimitHeaders: boolean
  /** Reads the credential from the request, without judging it. */
  readonly readToken: (request: Request) => string | undefined
  /** The answer to a missing or unknown credential. */
  readonly unauthorized: () => VendorResponse
  /** The answer to a path or method the vendor does not serve. */
  readonly unknownRoute: (method: string, path: string) => VendorResponse
  /** The answer to a method the vendor does not serve on a path it serves; `allowed` goes in the `Allow` header. */
  readonly methodNotAllowed: (method: string, path: string, allowed: ReadonlyArray<string>) => VendorResponse
  /** The answer to a request the spec's validation refuses (or that cannot be parsed); `message` names the problem. */
  readonly invalidRequest: (message: string) => VendorResponse
  /** The answer to a request that breaks a business rule; `message` is sent as it is. */
  readonly badRequest: (message: string) => VendorResponse
  /** The answer to an unknown id in the path. */
  readonly notFound: (message: string) => VendorResponse
  /** The answer to a rate limit: `retryAfterSeconds` is -1 for the concurrency cap. */
  readonly tooManyRequests: (retryAfterSeconds: number, message: string) => VendorResponse
  /** The answer of an injected or unexpected server failure. */
  readonly serverError: (status: number) => VendorResponse
}
