/**
 * One vendor's contract as data: its operations with their metadata, a router that matches a request path to an
 * operation (used by the sandbox and the proxy's allow-list), and the validators, all from the same spec.
 */
import type { OperationMetadata, RateLimits } from "./Metadata.ts"
import type { OpenApiDocument } from "./OpenApi.ts"
import { canonicalPhpQuery } from "./PhpForm.ts"
import { makeValidator, type Validator } from "./Validator.ts"

/** A request path matched to an operation, with its decoded path parameters. */
export interface OperationMatch<Operation extends OperationMetadata = OperationMetadata> {
  readonly operation: Operation
  readonly pathParams: Readonly<Record<string, string>>
  /** The path segments the vendor ignores (`VendorHabits.ignoresSegmentsAfter`), as they came; absent when none. */
  readonly ignoredPath?: string | undefined
}

/** A query parameter an operation declares: its name and whether it takes several values (an array schema). */
export interface QueryParameter {
  readonly name: string
  readonly repeatable: boolean
}

/** Everything known about one vendor API. */
export interface VendorContract<
  Operations extends Record<string, OperationMetadata> = Record<string, OperationMetadata>
> extends Validator<keyof Operations & string> {
  /** A short name: `ocamba-hood` or `copernica-v3`. */
  readonly name: string
  readonly document: OpenApiDocument
  /** The production base URL from the spec's `servers`, e.g. `https://api.ocamba.com/v1/hood`. */
  readonly serverUrl: string
  /** Operations by operationId, as typed literal data. */
  readonly operations: Operations
  /** The rate limits shared by every operation of the account. */
  readonly rateLimits: RateLimits
  /**
   * Finds the operation for `method` and `pathname` (relative to the server URL, e.g. `/profile-properties/12`).
   *
   * **Gotchas**: a path parameter never matches a value that decodes to something with `/` or `\`, nor to `.` or
   * `..`, so encoded slashes and dot segments can never reach another route (the proxy relies on this).
   */
  readonly matchOperation: (
    method: string,
    pathname: string
  ) => OperationMatch<Operations[keyof Operations]> | undefined
  /**
   * The methods served on `pathname` (HEAD wherever GET is), for a 405's `Allow` header; empty when no operation
   * has the path.
   */
  readonly allowedMethods: (pathname: string) => ReadonlyArray<string>
  /** The query parameters `operation` declares (path-level and operation-level), in the spec's order. */
  readonly queryParameters: (operation: OperationMetadata) => ReadonlyArray<QueryParameter>
  /**
   * The caller's query as the vendor reads it. For a PHP vendor (Copernica), `fields[0]=` and `fields%5B%5D=` are
   * items of the declared list `fields[]`, as `http_build_query` writes them; for the others the query as it came.
   */
  readonly canonicalQuery: (operation: OperationMetadata, query: URLSearchParams) => URLSearchParams
}

/** How a vendor's server reads paths and queries beyond what its spec spells out. */
export interface VendorHabits {
  /** The vendor serves `/path/` as `/path` (Copernica: rmuit/copernica-api `tests/ApiBehaviorTest.php`). */
  readonly ignoresTrailingSlash: boolean
  /** The vendor reads queries as PHP does (list items `name[]`, `name[0]`). */
  readonly phpQuery: boolean
  /**
   * Path templates under which the vendor ignores further path segments (Copernica's `GET database/ID/profiles/bogus/path`
   * lists the profiles: rmuit/copernica-api `tests/ApiBehaviorTest.php`, `testProfileCrud`). Matched as the template;
   * the segments are never part of a path parameter, so a proxy that rebuilds the path from the template drops them.
   */
  readonly ignoresSegmentsAfter?: ReadonlyArray<string> | undefined
}

interface ParameterLike {
  readonly name?: unknown
  readonly in?: unknown
  readonly schema?: { readonly type?: unknown }
  readonly $ref?: unknown
}

interface Route {
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  readonly operation: OperationMetadata
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compileRoute = (template: string, operation: OperationMetadata, extraSegments = false): Route => {
  const names: Array<string> = []
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1]
      if (name === undefined) return escapeRegExp(part)
      names.push(name)
      return "([^/]+)"
    })
    .join("")
  return { pattern: new RegExp(`^${source}${extraSegments ? "(/.*)?" : ""}$`), names, operation }
}

const unsafeSegment = (value: string) => value === "." || value === ".." || value.includes("/") || value.includes("\\")

/** Builds a {@link VendorContract} from a generated document and its operation metadata. */
export const makeVendorContract = <Operations extends Record<string, OperationMetadata>>(options: {
  readonly name: string
  readonly document: OpenApiDocument
  readonly operations: Operations
  readonly habits?: VendorHabits | undefined
}): VendorContract<Operations> => {
  const { name, document, operations } = options
  const habits = options.habits ?? { ignoresTrailingSlash: false, phpQuery: false }
  const serverUrl = document.servers?.[0]?.url
  if (serverUrl === undefined) throw new Error(`${name}: the spec has no server URL`)
  const all = Object.values(operations) as Array<Operations[keyof Operations]>
  const routes = all.flatMap((operation) =>
    [operation.path, ...operation.pathAliases].map((template) =>
      compileRoute(template, operation, habits.ignoresSegmentsAfter?.includes(template) === true)
    )
  )
  // Literal segments beat parameters (`/profiles/imports` before `/profiles/{id}`): more literal characters first.
  routes.sort(
    (left, right) =>
      right.pattern.source.replaceAll("([^/]+)", "").length - left.pattern.source.replaceAll("([^/]+)", "").length
  )
  const first = all[0]
  if (first === undefined) throw new Error(`${name}: the spec has no operation`)

  const normalPath = (pathname: string) =>
    habits.ignoresTrailingSlash && pathname.length > 1 ? pathname.replace(/(?<=.)\/+$/, "") : pathname

  const matchOperation = (method: string, pathname: string) => {
    // RFC 9110 §9.3.2: HEAD is GET without the body, wherever GET is served.
    const lowerMethod = method.toLowerCase() === "head" ? "get" : method.toLowerCase()
    const path = normalPath(pathname)
    for (const route of routes) {
      if (route.operation.method !== lowerMethod) continue
      const match = route.pattern.exec(path)
      if (match === null) continue
      const pathParams: Record<string, string> = {}
      let safe = true
      route.names.forEach((parameterName, index) => {
        let value: string
        try {
          value = decodeURIComponent(match[index + 1]!)
        } catch {
          safe = false
          return
        }
        if (unsafeSegment(value)) safe = false
        pathParams[parameterName] = value
      })
      const ignoredPath = match[route.names.length + 1]
      if (safe) {
        return {
          operation: route.operation as Operations[keyof Operations],
          pathParams,
          ...(ignoredPath === undefined ? {} : { ignoredPath })
        }
      }
    }
    return undefined
  }

  const allowedMethods = (pathname: string) => {
    const path = normalPath(pathname)
    const methods = new Set<string>()
    for (const route of routes) {
      if (!route.pattern.test(path)) continue
      methods.add(route.operation.method.toUpperCase())
      if (route.operation.method === "get") methods.add("HEAD")
    }
    return [...methods]
  }

  const resolve = (parameter: ParameterLike): ParameterLike => {
    let current = parameter
    for (let hops = 0; typeof current.$ref === "string" && hops < 10; hops++) {
      const pointer = current.$ref.replace(/^#\//, "").split("/")
      current = pointer.reduce<unknown>(
        (node, segment) =>
          (node as Record<string, unknown> | undefined)?.[segment.replaceAll("~1", "/").replaceAll("~0", "~")],
        document
      ) as ParameterLike
      if (current === undefined) return {}
    }
    return current
  }
  const declaredQuery = new Map<string, ReadonlyArray<QueryParameter>>()
  const queryParameters = (operation: OperationMetadata) => {
    const cached = declaredQuery.get(operation.operationId)
    if (cached !== undefined) return cached
    const pathItem = (document.paths?.[operation.path] ?? {}) as Record<string, unknown>
    const own = (pathItem[operation.method] as { parameters?: Array<ParameterLike> } | undefined)?.parameters ?? []
    const shared = (pathItem.parameters as Array<ParameterLike> | undefined) ?? []
    const byName = new Map<string, QueryParameter>()
    for (const parameter of [...shared, ...own].map(resolve)) {
      if (parameter.in !== "query" || typeof parameter.name !== "string") continue
      const type = parameter.schema?.type
      byName.set(parameter.name, {
        name: parameter.name,
        repeatable: type === "array" || (Array.isArray(type) && type.includes("array"))
      })
    }
    const result = [...byName.values()]
    declaredQuery.set(operation.operationId, result)
    return result
  }
  const canonicalQuery = (operation: OperationMetadata, query: URLSearchParams) =>
    habits.phpQuery
      ? canonicalPhpQuery(
          query,
          queryParameters(operation)
            .filter((parameter) => parameter.repeatable)
            .map((parameter) => parameter.name)
        )
      : query

  return {
    name,
    document,
    serverUrl,
    operations,
    rateLimits: first.rateLimits,
    matchOperation,
    allowedMethods,
    queryParameters,
    canonicalQuery,
    ...makeValidator(name, document)
  }
}

/**
 * Any vendor's contract, for code that handles both vendors alike (the sandbox's and the proxy's routers).
 *
 * **Gotchas**: `VendorContract<Ocamba operations>` is not assignable to `VendorContract` (its router is typed by its
 * own operation map); use this type where either is accepted.
 */
// biome-ignore lint/suspicious/noExplicitAny: the operation map is erased on purpose, see above.
export type AnyVendorContract = VendorContract<any>
