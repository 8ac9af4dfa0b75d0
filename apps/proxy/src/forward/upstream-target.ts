/**
 * @module
 * Builds the upstream path and query from the spec, never from the caller's text: the matched operation's path
 * template with its decoded path parameters encoded again, and only the query parameters the operation declares (each
 * validated), plus the credential where the vendor takes it in the query (Copernica's `access_token`).
 */
import type { AnyVendorContract, OperationMetadata, QueryParameter } from "@profilesync/contracts"

/** A declared query parameter: its name and whether it takes several values (an array schema). */
export type { QueryParameter } from "@profilesync/contracts"

/** The query parameters `operation` declares (path-level and operation-level), in the spec's order. */
export const queryParameters = (
  contract: AnyVendorContract,
  operation: OperationMetadata
): ReadonlyArray<QueryParameter> => contract.queryParameters(operation)

/** The names in `query` that are neither declared nor in `alsoAllowed`, in order of appearance. */
export const undeclaredQueryNames = (
  query: URLSearchParams,
  declared: ReadonlyArray<QueryParameter>,
  alsoAllowed: ReadonlyArray<string>
): ReadonlyArray<string> =>
  [...new Set(query.keys())].filter(
    (name) => !alsoAllowed.includes(name) && !declared.some((parameter) => parameter.name === name)
  )

/**
 * Checks the caller's query against the declared parameters: every name must be declared (or be one of
 * `alsoAllowed`), and a parameter that takes one value must be given once. Returns the validator-style message of the
 * first problem, or `undefined`.
 */
export const checkQueryNames = (
  query: URLSearchParams,
  declared: ReadonlyArray<QueryParameter>,
  alsoAllowed: ReadonlyArray<string>
): string | undefined => {
  const names = new Set(query.keys())
  for (const name of names) {
    const parameter = declared.find((candidate) => candidate.name === name)
    if (parameter === undefined) {
      if (alsoAllowed.includes(name)) continue
      return `query /${name}: is not a parameter of this operation`
    }
    if (!parameter.repeatable && query.getAll(name).length > 1) return `query /${name}: must be given once`
  }
  return undefined
}

// RFC 3986 §3.4: a query may hold pchar, "/" and "?". Everything else, and the characters a form decoder reads as
// structure (& = + ; #) or as an escape (%), is percent-encoded. Copernica's `fields[]` keeps its literal brackets
// (the vendor reads `%5B%5D` differently; see the spec's note on fields[]).
const encodeQueryComponent = (text: string): string =>
  encodeURIComponent(text).replace(/%(3A|40|2F|3F|2C|21|24|27|28|29|2A)/gi, (_match, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16))
  )

const encodeQueryName = (name: string): string => encodeQueryComponent(name).replace(/%5B%5D$/i, "[]")

/** The upstream path and query: `basePath` + the template filled with `pathParams` + the declared query. */
export const upstreamPath = (options: {
  readonly basePath: string
  readonly operation: OperationMetadata
  readonly pathParams: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly declared: ReadonlyArray<QueryParameter>
  readonly extraQuery: ReadonlyArray<readonly [string, string]>
}): string => {
  const { basePath, operation, pathParams, query, declared, extraQuery } = options
  const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    encodeURIComponent(pathParams[name] ?? "")
  )
  const pairs: Array<readonly [string, string]> = []
  for (const parameter of declared) {
    for (const value of query.getAll(parameter.name)) pairs.push([parameter.name, value])
  }
  pairs.push(...extraQuery)
  const search = pairs.map(([name, value]) => `${encodeQueryName(name)}=${encodeQueryComponent(value)}`).join("&")
  return `${basePath}${path}${search === "" ? "" : `?${search}`}`
}
