/**
 * The slice of the OpenAPI 3.1 document model that the contracts read at run time (routing, validation, metadata).
 * Deliberately loose: the specs are the authority, and the generated `*.ts` types carry the precise shapes.
 */

/** A JSON Schema 2020-12 object as OpenAPI 3.1 embeds it. */
export type JsonSchema = { readonly [keyword: string]: unknown } | boolean

/** A `$ref` to another part of the document. */
export interface Reference {
  readonly $ref: string
}

/** An OpenAPI parameter (path, query, header or cookie). */
export interface ParameterObject {
  readonly name: string
  readonly in: "path" | "query" | "header" | "cookie"
  readonly required?: boolean
  readonly schema?: JsonSchema
  readonly style?: string
  readonly explode?: boolean
  readonly description?: string
}

/** A media type entry of a request body or response. */
export interface MediaTypeObject {
  readonly schema?: JsonSchema
  readonly examples?: Record<string, { readonly value?: unknown; readonly $ref?: string }>
  readonly example?: unknown
}

/** An OpenAPI request body. */
export interface RequestBodyObject {
  readonly required?: boolean
  readonly content: Record<string, MediaTypeObject>
}

/** An OpenAPI response. */
export interface ResponseObject {
  readonly description?: string
  readonly headers?: Record<string, { readonly schema?: JsonSchema; readonly required?: boolean } | Reference>
  readonly content?: Record<string, MediaTypeObject>
}

/** An OpenAPI operation, with the profilesync extensions. */
export interface OperationObject {
  readonly operationId?: string
  readonly summary?: string
  readonly parameters?: ReadonlyArray<ParameterObject | Reference>
  readonly requestBody?: RequestBodyObject | Reference
  readonly responses?: Record<string, ResponseObject | Reference>
  readonly [extension: `x-${string}`]: unknown
}

/** An OpenAPI path item. */
export type PathItemObject = {
  readonly parameters?: ReadonlyArray<ParameterObject | Reference>
  readonly [key: string]: unknown
}

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  readonly openapi: string
  readonly info: { readonly title: string; readonly version: string; readonly [key: string]: unknown }
  readonly servers?: ReadonlyArray<{ readonly url: string; readonly description?: string }>
  readonly paths?: Record<string, PathItemObject>
  readonly components?: Record<string, Record<string, unknown>>
  readonly [key: string]: unknown
}

/** The HTTP methods an OpenAPI path item may hold. */
export const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const

/** One of {@link httpMethods}. */
export type HttpMethod = (typeof httpMethods)[number]

const isReference = (value: unknown): value is Reference =>
  typeof value === "object" && value !== null && typeof (value as Reference).$ref === "string"

/** Follows a local `$ref` (`#/components/...`) through the document, as many hops as it takes. */
export const resolveReference = <A>(document: OpenApiDocument, value: A | Reference): A => {
  let current: unknown = value
  const seen = new Set<string>()
  while (isReference(current)) {
    const reference = current.$ref
    if (!reference.startsWith("#/")) throw new Error(`Only local references are supported, got ${reference}`)
    if (seen.has(reference)) throw new Error(`Circular reference ${reference}`)
    seen.add(reference)
    current = reference
      .slice(2)
      .split("/")
      .map((part) => decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document)
    if (current === undefined) throw new Error(`Unresolvable reference ${reference}`)
  }
  return current as A
}

/** Escapes one JSON Pointer segment (RFC 6901) and percent-encodes it for use in a URI fragment. */
export const pointerSegment = (segment: string): string =>
  encodeURIComponent(segment.replaceAll("~", "~0").replaceAll("/", "~1"))
