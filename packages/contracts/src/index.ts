/**
 * `@profilesync/contracts`: the Ocamba Hood and Copernica REST v3 contracts, generated from the hand-written OpenAPI 3.1
 * specs in `openapi/`: types, typed openapi-fetch clients, runtime validators and the rate-limit and retry-safety
 * metadata of every operation.
 *
 * @since 0.1.0
 */
import { makeVendorContract, type VendorContract } from "./Contract.ts"
import { document as copernicaDocument } from "./generated/copernica-v3.document.ts"
import { operations as copernicaOperations } from "./generated/copernica-v3.operations.ts"
import { document as ocambaDocument } from "./generated/ocamba-hood.document.ts"
import { operations as ocambaOperations } from "./generated/ocamba-hood.operations.ts"

export type { AnyVendorContract, OperationMatch, QueryParameter, VendorContract, VendorHabits } from "./Contract.ts"
export {
  type CopernicaFetchClient,
  copernicaQuery,
  createCopernicaFetchClient,
  createOcambaFetchClient,
  type FetchClientOptions,
  type OcambaFetchClient
} from "./FetchClient.ts"
export type * as CopernicaTypes from "./generated/copernica-v3.ts"
export type * as OcambaTypes from "./generated/ocamba-hood.ts"
export {
  copernicaIdentity,
  type OcambaIdentity,
  ocambaEmailKey,
  ocambaIdentity,
  ocambaPhoneKey,
  ocambaSameProfile
} from "./Identity.ts"
export type {
  OperationMetadata,
  Provenance,
  RateLimits,
  RateWindow,
  RetryPolicy,
  RetrySafety
} from "./Metadata.ts"
export type {
  JsonSchema,
  MediaTypeObject,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  PathItemObject,
  Reference,
  RequestBodyObject,
  ResponseObject
} from "./OpenApi.ts"
export { canonicalPhpQuery, parsePhpForm, phpBoolean } from "./PhpForm.ts"
export { redacted, redactSecrets, redactUrl, secretQueryParameters } from "./Redact.ts"
export type { IssueLocation, RequestInput, ValidationIssue, ValidationResult, Validator } from "./Validator.ts"
export { maxJsonDepth, tooDeepAt } from "./Validator.ts"
/**
 * Every Copernica REST v3 operation with its retry safety, rate limits and provenance, keyed by operationId (also
 * `Copernica.operations`).
 */
/**
 * Every Ocamba Hood operation with its retry safety, rate limits and provenance, keyed by operationId (also
 * `Ocamba.operations`).
 */
export { copernicaOperations, ocambaOperations }

/** The operations of Ocamba Hood, by operationId. */
export type OcambaOperations = typeof ocambaOperations
/** An Ocamba Hood operationId. */
export type OcambaOperationId = keyof OcambaOperations
/** The operations of Copernica REST v3, by operationId. */
export type CopernicaOperations = typeof copernicaOperations
/** A Copernica REST v3 operationId. */
export type CopernicaOperationId = keyof CopernicaOperations

/**
 * The Ocamba Hood contract: operations with metadata, a router, and validators.
 *
 * @since 0.1.0
 * @category contracts
 */
export const Ocamba: VendorContract<OcambaOperations> = makeVendorContract({
  name: "ocamba-hood",
  document: ocambaDocument,
  operations: ocambaOperations
})

/**
 * The Copernica REST v3 contract: operations with metadata, a router, and validators.
 *
 * @since 0.1.0
 * @category contracts
 */
export const Copernica: VendorContract<CopernicaOperations> = makeVendorContract({
  name: "copernica-v3",
  document: copernicaDocument,
  operations: copernicaOperations,
  // The live API serves `/databases/` as `/databases` and reads queries as PHP does (rmuit/copernica-api
  // `tests/ApiBehaviorTest.php`; the official helper builds queries with `http_build_query`).
  habits: { ignoresTrailingSlash: true, phpQuery: true, ignoresSegmentsAfter: ["/database/{id}/profiles"] }
})
