/**
 * One vendor's contract as data: its operations with their metadata, a router that matches a request path to an
 * operation (used by the sandbox and the proxy's allow-list), and the validators, all from the same spec.
 */
import type { OperationMetadata, RateLimits } from "./Metadata.ts"
import type { OpenApiDocument } from "./OpenApi.ts"
import { makeValidator, type Validator } from "./Validator.ts"

/** A request path matched to an operation, with its decoded path parameters. */
export interface OperationMatch<Operation extends OperationMetadata = OperationMetadata> {
  readonly operation: Operation
  readonly pathParams: Readonly<Record<string, string>>
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
}

interface Route {
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  readonly operation: OperationMetadata
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compileRoute = (template: string, operation: OperationMetadata): Route => {
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
  return { pattern: new RegExp(`^${source}$`), names, operation }
}

const unsafeSegment = (value: string) => value === "." || value === ".." || value.includes("/") || value.includes("\\")

/** Builds a {@link VendorContract} from a generated document and its operation metadata. */
export const makeVendorContract = <Operations extends Record<string, OperationMetadata>>(options: {
  readonly name: string
  readonly document: OpenApiDocument
  readonly operations: Operations
}): VendorContract<Operations> => {
  const { name, document, operations } = options
  const serverUrl = document.servers?.[0]?.url
  if (serverUrl === undefined) throw new Error(`${name}: the spec has no server URL`)
  const all = Object.values(operations) as Array<Operations[keyof Operations]>
  const routes = all.flatMap((operation) =>
    [operation.path, ...operation.pathAliases].map((template) => compileRoute(template, operation))
  )
  // Literal segments beat parameters (`/profiles/imports` before `/profiles/{id}`): more literal characters first.
  routes.sort(
    (left, right) =>
      right.pattern.source.replaceAll("([^/]+)", "").length - left.pattern.source.replaceAll("([^/]+)", "").length
  )
  const first = all[0]
  if (first === undefined) throw new Error(`${name}: the spec has no operation`)

  const matchOperation = (method: string, pathname: string) => {
    const lowerMethod = method.toLowerCase()
    for (const route of routes) {
      if (route.operation.method !== lowerMethod) continue
      const match = route.pattern.exec(pathname)
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
      if (safe) return { operation: route.operation as Operations[keyof Operations], pathParams }
    }
    return undefined
  }

  return {
    name,
    document,
    serverUrl,
    operations,
    rateLimits: first.rateLimits,
    matchOperation,
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
