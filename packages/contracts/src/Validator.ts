/**
 * Runtime validators compiled from a vendor spec with Ajv (JSON Schema 2020-12): request parameters, request bodies and
 * responses of every operation, with errors that name the JSON path of what is wrong.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import {
  httpMethods,
  type JsonSchema,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  pointerSegment,
  type RequestBodyObject,
  type ResponseObject,
  resolveReference
} from "./OpenApi.ts"

/** Where in a request or response a problem was found. */
export type IssueLocation = "path" | "query" | "header" | "body" | "response"

/** One problem found by a validator. */
export interface ValidationIssue {
  readonly location: IssueLocation
  /** A JSON Pointer into the location: `/mapping/0/property/label`, `/page`, or `` for the whole value. */
  readonly path: string
  readonly message: string
}

/** The outcome of a validation: `message` is one readable line naming the first problem's location and path. */
export type ValidationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly issues: ReadonlyArray<ValidationIssue>; readonly message: string }

/** What a request validation looks at. Query values and headers are strings, as they arrive on the wire. */
export interface RequestInput {
  readonly pathParams?: Readonly<Record<string, string>> | undefined
  readonly query?: URLSearchParams | Readonly<Record<string, string | ReadonlyArray<string> | undefined>> | undefined
  readonly headers?: Headers | Readonly<Record<string, string | undefined>> | undefined
  /** The request's Content-Type; the media type picks the body schema. Defaults to `application/json`. */
  readonly contentType?: string | undefined
  readonly body?: unknown
}

/**
 * Validates requests and responses of one vendor's operations, by operationId. A vendor's contract narrows
 * `OperationId` to the union of its operation names, so a misspelt name (`"createResyncc"`) does not compile.
 */
export interface Validator<OperationId extends string = string> {
  // Method syntax on purpose: a vendor's contract (its own names) still serves code that validates any vendor's.
  validateRequest(operationId: OperationId, input: RequestInput): ValidationResult
  validateResponse(
    operationId: OperationId,
    status: number,
    body: unknown,
    headers?: Headers | Readonly<Record<string, string | undefined>>
  ): ValidationResult
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

const newAjv = (coerceTypes: boolean) => {
  // `strict: false` because OpenAPI 3.1 schemas carry annotations Ajv does not know (`example`, `x-*`, ...).
  // `validateSchema: false`: the specs are checked when they are linted and generated; checking them again against
  // the meta-schema compiled the meta-schema four times at every import (a fifth of the proxy's start time).
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    verbose: true,
    coerceTypes: coerceTypes ? "array" : false,
    validateSchema: false
  })
  addFormats(ajv)
  // OpenAPI's file and binary formats: the bytes are checked by the receiver, not by JSON Schema.
  ajv.addFormat("binary", true)
  ajv.addFormat("byte", true)
  ajv.addFormat("int32", { type: "number", validate: (value: number) => Number.isInteger(value) })
  ajv.addFormat("int64", { type: "number", validate: (value: number) => Number.isInteger(value) })
  ajv.addFormat("float", { type: "number", validate: () => true })
  ajv.addFormat("double", { type: "number", validate: () => true })
  return ajv
}

const describeValue = (value: unknown) => {
  // A value nested too deep for `JSON.stringify` is named by its kind; no caller input may overflow the stack here.
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = Array.isArray(value) ? "[...]" : "{...}"
  }
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/**
 * The deepest nesting of arrays and objects a JSON body may have: PHP's `json_decode` default, so Copernica refuses
 * deeper documents (an inference: the limit is not documented), and a bound for every walk over caller input.
 */
export const maxJsonDepth = 512

/**
 * The JSON pointer where `value` first nests deeper than {@link maxJsonDepth}, or `undefined`. Walks without
 * recursion, so any depth is safe to ask about.
 */
export const tooDeepAt = (value: unknown, limit: number = maxJsonDepth): string | undefined => {
  const pending: Array<{ readonly value: unknown; readonly depth: number; readonly path: string }> = [
    { value, depth: 0, path: "" }
  ]
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (item.value === null || typeof item.value !== "object") continue
    if (item.depth >= limit) return item.path
    const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value)
    for (const [key, child] of entries) {
      if (child !== null && typeof child === "object") {
        pending.push({ value: child, depth: item.depth + 1, path: pointerJoin(item.path, key) })
      }
    }
  }
  return undefined
}

const depthIssue = (location: "body" | "response", value: unknown): ValidationIssue | undefined => {
  const path = tooDeepAt(value)
  if (path === undefined) return undefined
  const shown = path.length > 80 ? `${path.slice(0, 77)}...` : path
  return { location, path: "", message: `nests deeper than ${maxJsonDepth} levels (at ${shown})` }
}

const pointerJoin = (base: string, segment: string | number) =>
  `${base}/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`

/**
 * The vendor's own wording of a rule, which a spec attaches to a schema per keyword
 * (`x-profilesync-messages: { contains: "..." }`), said instead of Ajv's generic wording.
 */
const ruleOf = (error: ErrorObject): string | undefined => {
  const parent = error.parentSchema as Record<string, unknown> | undefined
  const messages = parent?.["x-profilesync-messages"] as Record<string, unknown> | undefined
  const rule = messages?.[error.keyword]
  return typeof rule === "string" ? rule : undefined
}

const toIssue = (location: IssueLocation, error: ErrorObject): ValidationIssue => {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case "required":
      return {
        location,
        path: pointerJoin(error.instancePath, String(params.missingProperty)),
        message: ruleOf(error) ?? "is required"
      }
    case "additionalProperties":
      return {
        location,
        path: pointerJoin(error.instancePath, String(params.additionalProperty)),
        message: ruleOf(error) ?? "is not a known field"
      }
    case "enum":
      return {
        location,
        path: error.instancePath,
        message:
          ruleOf(error) ??
          `must be one of ${(params.allowedValues as ReadonlyArray<unknown>).map(describeValue).join(", ")}, got ${describeValue(error.data)}`
      }
    case "const":
      return {
        location,
        path: error.instancePath,
        message: ruleOf(error) ?? `must be ${describeValue(params.allowedValue)}, got ${describeValue(error.data)}`
      }
    case "type":
      return {
        location,
        path: error.instancePath,
        message: ruleOf(error) ?? `must be ${String(params.type)}, got ${describeValue(error.data)}`
      }
    default:
      return { location, path: error.instancePath, message: ruleOf(error) ?? error.message ?? error.keyword }
  }
}

/**
 * Keeps the errors a person needs. For `anyOf`/`oneOf`/`contains` failures Ajv also reports why each alternative or
 * item failed; those are noise next to the failure of the rule itself, which carries the rule's message.
 */
const combinatorKeywords = new Set(["anyOf", "oneOf", "contains"])
const relevantErrors = (errors: ReadonlyArray<ErrorObject>): ReadonlyArray<ErrorObject> => {
  const combinators = errors.filter((error) => combinatorKeywords.has(error.keyword))
  return errors.filter((error) => {
    if (error.keyword === "if") return false
    return !combinators.some(
      (combinator) => combinator !== error && error.schemaPath.startsWith(`${combinator.schemaPath}/`)
    )
  })
}

const describeLocation = (issue: ValidationIssue) => {
  const where =
    issue.location === "response" ? "response body" : issue.location === "body" ? "request body" : issue.location
  return `${where} ${issue.path === "" ? "(root)" : issue.path}`
}

const result = (issues: ReadonlyArray<ValidationIssue>): ValidationResult => {
  if (issues.length === 0) return { ok: true }
  const first = issues[0]!
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
  return { ok: false, issues, message: `${describeLocation(first)}: ${first.message}${more}` }
}

const mediaTypeOf = (contentType: string | undefined) =>
  (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase()

const isBinary = (value: unknown) =>
  typeof Blob !== "undefined" && value instanceof Blob
    ? true
    : typeof value === "object" && value !== null && ArrayBuffer.isView(value)

/** Multipart file parts arrive as Blobs or bytes; JSON Schema sees them as binary strings. */
const normaliseMultipart = (body: unknown): unknown => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body
  if (typeof FormData !== "undefined" && body instanceof FormData) {
    const fields: Record<string, unknown> = {}
    for (const [name, value] of body.entries()) {
      const normalised = typeof value === "string" ? value : "<binary>"
      const existing = fields[name]
      fields[name] =
        existing === undefined ? normalised : [...(Array.isArray(existing) ? existing : [existing]), normalised]
    }
    return fields
  }
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => [
      name,
      isBinary(value)
        ? "<binary>"
        : Array.isArray(value)
          ? value.map((item) => (isBinary(item) ? "<binary>" : item))
          : value
    ])
  )
}

interface CompiledOperation {
  readonly parameters: Record<"path" | "query" | "header", ReadonlyArray<LocatedParameter>>
  readonly parameterValidators: Record<"path" | "query" | "header", ValidateFunction>
  readonly requestBody: RequestBodyObject | undefined
  readonly bodyPointer: string
  readonly responses: Record<string, ResponseObject>
  readonly responsePointer: string
}

interface LocatedParameter extends ParameterObject {
  /** Where the parameter's schema sits in the document, as an Ajv `$ref`. */
  readonly schemaPointer: string
}

const parameterSchema = (parameters: ReadonlyArray<LocatedParameter>, lowerCase: boolean): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(
    parameters.map((parameter) => [
      lowerCase ? parameter.name.toLowerCase() : parameter.name,
      { $ref: parameter.schemaPointer }
    ])
  ),
  required: parameters
    .filter((parameter) => parameter.required === true)
    .map((parameter) => (lowerCase ? parameter.name.toLowerCase() : parameter.name))
})

const schemaIsArray = (schema: JsonSchema | undefined) => {
  if (typeof schema !== "object") return false
  const type = schema.type
  return type === "array" || (Array.isArray(type) && type.includes("array"))
}

const readQuery = (parameters: ReadonlyArray<LocatedParameter>, query: RequestInput["query"]) => {
  const values: Record<string, unknown> = {}
  if (query === undefined) return values
  for (const parameter of parameters) {
    const all =
      query instanceof URLSearchParams
        ? query.getAll(parameter.name)
        : ([] as Array<string>).concat((query[parameter.name] as string | Array<string> | undefined) ?? [])
    if (all.length === 0) continue
    values[parameter.name] = schemaIsArray(parameter.schema) ? all : all[0]
  }
  return values
}

const readHeaders = (parameters: ReadonlyArray<LocatedParameter>, headers: RequestInput["headers"]) => {
  const values: Record<string, unknown> = {}
  if (headers === undefined) return values
  const lookup =
    headers instanceof Headers
      ? (name: string) => headers.get(name) ?? undefined
      : (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]
  for (const parameter of parameters) {
    const value = lookup(parameter.name.toLowerCase())
    if (value !== undefined) values[parameter.name.toLowerCase()] = value
  }
  return values
}

/**
 * Compiles validators for every operation of `document`, lazily (an operation's schemas are compiled on first use).
 * `name` identifies the document inside Ajv, so `$ref`s resolve against the whole spec.
 */
export const makeValidator = (name: string, document: OpenApiDocument): Validator => {
  const bodyAjv = newAjv(false)
  const parameterAjv = newAjv(true)
  bodyAjv.addSchema(document as object, name)
  parameterAjv.addSchema(document as object, name)

  const locations = new Map<
    string,
    { path: string; method: string; operation: OperationObject; pathItem: PathItemObject }
  >()
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of httpMethods) {
      const operation = pathItem[method] as OperationObject | undefined
      if (operation?.operationId !== undefined)
        locations.set(operation.operationId, { path, method, operation, pathItem })
    }
  }

  const compiled = new Map<string, CompiledOperation>()
  const compile = (operationId: string): CompiledOperation => {
    const cached = compiled.get(operationId)
    if (cached !== undefined) return cached
    const location = locations.get(operationId)
    if (location === undefined) throw new Error(`${document.info.title} has no operation ${operationId}`)
    const { operation, pathItem, path, method } = location
    const operationPointer = `${name}#/paths/${pointerSegment(path)}/${method}`
    const locate = (owner: string) => (parameter: ParameterObject | { readonly $ref: string }, index: number) => {
      const reference = (parameter as { $ref?: string }).$ref
      const base = reference !== undefined ? `${name}${reference}` : `${owner}/parameters/${index}`
      return { ...resolveReference<ParameterObject>(document, parameter), schemaPointer: `${base}/schema` }
    }
    const allParameters: Array<LocatedParameter> = [
      ...(pathItem.parameters ?? []).map(locate(`${name}#/paths/${pointerSegment(path)}`)),
      ...(operation.parameters ?? []).map(locate(operationPointer))
    ]
    // An operation-level parameter overrides a path-level one of the same name and location.
    const byKey = new Map(allParameters.map((parameter) => [`${parameter.in}:${parameter.name}`, parameter]))
    const parameters = {
      path: [...byKey.values()].filter((parameter) => parameter.in === "path"),
      query: [...byKey.values()].filter((parameter) => parameter.in === "query"),
      header: [...byKey.values()].filter((parameter) => parameter.in === "header")
    }
    const compileParameters = (schema: JsonSchema) => parameterAjv.compile(schema as object)
    const entry: CompiledOperation = {
      parameters,
      parameterValidators: {
        path: compileParameters(parameterSchema(parameters.path, false)),
        query: compileParameters(parameterSchema(parameters.query, false)),
        header: compileParameters(parameterSchema(parameters.header, true))
      },
      requestBody:
        operation.requestBody === undefined
          ? undefined
          : resolveReference<RequestBodyObject>(document, operation.requestBody),
      bodyPointer: `${operationPointer}/requestBody`,
      responses: Object.fromEntries(
        Object.entries(operation.responses ?? {}).map(([status, response]) => [
          status,
          resolveReference<ResponseObject>(document, response)
        ])
      ),
      responsePointer: `${operationPointer}/responses`
    }
    compiled.set(operationId, entry)
    return entry
  }

  const schemaValidators = new Map<string, ValidateFunction>()
  const validatorAt = (pointer: string) => {
    let validate = schemaValidators.get(pointer)
    if (validate === undefined) {
      validate = bodyAjv.compile({ $ref: pointer })
      schemaValidators.set(pointer, validate)
    }
    return validate
  }

  /** The `$ref` pointer of a media type's schema, following a `$ref`'d request body or response. */
  const mediaSchemaPointer = (basePointer: string, container: unknown, mediaType: string) => {
    const reference = (container as { $ref?: string }).$ref
    const base = reference !== undefined ? `${name}${reference}` : basePointer
    return `${base}/content/${pointerSegment(mediaType)}/schema`
  }

  const validateRequest = (operationId: string, input: RequestInput): ValidationResult => {
    const operation = compile(operationId)
    const issues: Array<ValidationIssue> = []
    const check = (location: "path" | "query" | "header", values: Record<string, unknown>) => {
      const validate = operation.parameterValidators[location]
      if (!validate(values))
        issues.push(...relevantErrors(validate.errors ?? []).map((error) => toIssue(location, error)))
    }
    check("path", { ...input.pathParams })
    check("query", readQuery(operation.parameters.query, input.query))
    check("header", readHeaders(operation.parameters.header, input.headers))

    const requestBody = operation.requestBody
    if (requestBody !== undefined) {
      const mediaType = mediaTypeOf(input.contentType)
      if (input.body === undefined) {
        if (requestBody.required === true)
          issues.push({ location: "body", path: "", message: "a request body is required" })
      } else if (requestBody.content[mediaType] === undefined) {
        issues.push({
          location: "header",
          path: "/content-type",
          message: `must be one of ${Object.keys(requestBody.content).join(", ")}, got ${describeValue(mediaType)}`
        })
      } else if (tooDeepAt(input.body) !== undefined) {
        // Checked before the schema: nothing below walks a body nested deeper than this.
        issues.push(depthIssue("body", input.body)!)
      } else if (requestBody.content[mediaType]?.schema !== undefined) {
        const location = locations.get(operationId)!
        const rawBody = location.operation.requestBody as unknown
        const validate = validatorAt(mediaSchemaPointer(operation.bodyPointer, rawBody, mediaType))
        const body = mediaType === "multipart/form-data" ? normaliseMultipart(input.body) : input.body
        if (!validate(body))
          issues.push(...relevantErrors(validate.errors ?? []).map((error) => toIssue("body", error)))
      }
    }
    return result(issues)
  }

  const validateResponse: Validator["validateResponse"] = (operationId, status, body) => {
    const tooDeep = depthIssue("response", body)
    if (tooDeep !== undefined) return result([tooDeep])
    const operation = compile(operationId)
    const key =
      operation.responses[String(status)] !== undefined
        ? String(status)
        : operation.responses[`${String(status)[0]}XX`] !== undefined
          ? `${String(status)[0]}XX`
          : operation.responses.default !== undefined
            ? "default"
            : undefined
    if (key === undefined) {
      return result([{ location: "response", path: "", message: `status ${status} is not a documented response` }])
    }
    const response = operation.responses[key]!
    const rawResponse = locations.get(operationId)!.operation.responses?.[key]
    const mediaType = Object.keys(response.content ?? {}).find((type) => type.includes("json"))
    if (mediaType === undefined || response.content?.[mediaType]?.schema === undefined) {
      return body === undefined || body === null || body === ""
        ? result([])
        : result([
            { location: "response", path: "", message: `status ${status} has no body, got ${describeValue(body)}` }
          ])
    }
    const validate = validatorAt(
      mediaSchemaPointer(`${operation.responsePointer}/${pointerSegment(key)}`, rawResponse, mediaType)
    )
    return validate(body)
      ? result([])
      : result(relevantErrors(validate.errors ?? []).map((error) => toIssue("response", error)))
  }

  return { validateRequest, validateResponse }
}
