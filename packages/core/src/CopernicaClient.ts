/**
 * The Copernica REST v3 client as an Effect service: one method per operation of `openapi/copernica-v3.yaml`, typed by
 * the generated contracts, with the token in the query string (as the vendor requires) and never in an error or a
 * log, an adaptive rate budget (Copernica publishes no limit), a timeout per call, request ids, validation of every
 * answer against the spec, and retries that never write twice.
 *
 * @since 0.1.0
 */
import {
  Copernica,
  type CopernicaFetchClient,
  type CopernicaTypes,
  createCopernicaFetchClient
} from "@profilesync/contracts"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as vendorCall from "./internal/vendorCall.ts"
import {
  type CommonOptions,
  keyPolicy,
  makeSettings,
  reveal,
  testRetry,
  throughProxy
} from "./internal/vendorClient.ts"
import * as Throttle from "./Throttle.ts"
import type { ProxyOptions, Secret, VendorErrorReason, VendorFailure } from "./Vendor.ts"

/**
 * The schemas of the vendor's OpenAPI document, by name: the models below are picked from it.
 *
 * @since 0.2.0
 * @category models
 */
export type Schemas = CopernicaTypes.components["schemas"]

/** @since 0.1.0 @category models */
export type CreateImportRequest = Schemas["CreateImportRequest"]
/** @since 0.1.0 @category models */
export type Import = Schemas["Import"]
/** @since 0.1.0 @category models */
export type Field = Schemas["Field"]
/** @since 0.1.0 @category models */
export type FieldPage = Schemas["FieldPage"]
/** @since 0.1.0 @category models */
export type CreateDatabaseFieldRequest = Schemas["CreateDatabaseFieldRequest"]
/** @since 0.1.0 @category models */
export type Profile = Schemas["Profile"]
/** @since 0.1.0 @category models */
export type ProfilePage = Schemas["ProfilePage"]
/** @since 0.1.0 @category models */
export type DatabasePage = Schemas["DatabasePage"]
/** The query of `GET /database/{id}/profiles` (`start`, `limit`, `fields[]`, ...). @since 0.1.0 @category models */
export type ListProfilesQuery = NonNullable<CopernicaTypes.operations["listDatabaseProfiles"]["parameters"]["query"]>
/** Paging of the list operations. @since 0.1.0 @category models */
export interface Paging {
  readonly start?: number | undefined
  readonly limit?: number | undefined
}

/**
 * Why a Copernica call failed. Branch on `_tag`, never on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export type CopernicaErrorReason = VendorErrorReason

/**
 * Constructors and guards for {@link CopernicaErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const CopernicaErrorReason: Data.TaggedEnum.Constructor<CopernicaErrorReason> = vendorCall.VendorErrorReason

/**
 * The Copernica client's only error: the operation, the request id, how many attempts were made, and the `reason`.
 *
 * @since 0.1.0
 * @category errors
 */
export class CopernicaError extends Data.TaggedError("CopernicaError")<VendorFailure> {
  constructor(failure: VendorFailure) {
    super(failure)
    // An own `message`, so every printer (Effect's Cause, vitest, console) shows it.
    Object.defineProperty(this, "message", {
      value: vendorCall.describeFailure("Copernica", failure),
      enumerable: false
    })
  }
}

/**
 * The Copernica REST v3 operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface CopernicaClientService {
  /**
   * Creates an import; answers the new import's id from the `X-Created` header.
   *
   * **Details**
   *
   * Copernica has no list of imports, so a lost answer cannot be looked up by id. Whatever the action, a repeat is a
   * second import job at the vendor (quota, selections rebuilt, follow-ups run twice), so an import is repeated only
   * after a certain refusal (a 429, a refused connection) and fails with its `Transport`, `Timeout` or `ServerError`
   * reason when its outcome is unknown. The sync engine then settles it by evidence: it looks for the import's
   * unique name among the ids after the last one it knew, and reads the rows back.
   */
  readonly createImport: (
    body: CreateImportRequest
  ) => Effect.Effect<{ readonly importId: Option.Option<string> }, CopernicaError>
  /** Reads an import's state. */
  readonly getImport: (importId: string) => Effect.Effect<Import, CopernicaError>
  /** One page of a database's fields (`database` is its id or name). */
  readonly listFields: (database: string | number, paging?: Paging) => Effect.Effect<FieldPage, CopernicaError>
  /** Every field of a database. */
  readonly allFields: (database: string | number) => Effect.Effect<ReadonlyArray<Field>, CopernicaError>
  /** Adds a field; after an attempt in doubt, looks the field up by name before adding again. */
  readonly createField: (
    database: string | number,
    body: CreateDatabaseFieldRequest
  ) => Effect.Effect<{ readonly fieldId: Option.Option<string> }, CopernicaError>
  /** One page of a database's profiles, optionally filtered with `fields[]` conditions. */
  readonly listProfiles: (
    database: string | number,
    query?: ListProfilesQuery
  ) => Effect.Effect<ProfilePage, CopernicaError>
  /** One page of databases. */
  readonly listDatabases: (paging?: Paging) => Effect.Effect<DatabasePage, CopernicaError>
  /** The throttle key whose budget the calls spend, `copernica:<account>`. */
  readonly throttleKey: string
}

/**
 * The Copernica client service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class CopernicaClient extends Context.Tag("@profilesync/core/CopernicaClient")<
  CopernicaClient,
  CopernicaClientService
>() {}

/**
 * Options of a Copernica client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends CommonOptions {
  /** The access token. Optional only through the proxy, which injects its own. */
  readonly accessToken?: Secret | undefined
}

/**
 * The throttle policy of a Copernica account. Copernica publishes no limit, so the rate adapts: it starts at 5 calls
 * per second, halves on each 429 and recovers by one per quiet second, up to 20.
 *
 * @since 0.1.0
 * @category constructors
 */
export const throttlePolicy: Throttle.KeyPolicy = keyPolicy(Copernica.rateLimits, {
  initial: 5,
  window: Duration.seconds(1),
  ceiling: 20
})

const notFoundMessage = /^No (entity|database|collection|subprofile|profile|field|import)\b/i

const reasonOfMessage = (status: number, message: string): vendorCall.VendorErrorReason => {
  // Copernica answers almost every error with 400 and a message; the message is the only way to tell them apart.
  if (/invalid access token/i.test(message)) return vendorCall.VendorErrorReason.Unauthorized({ status, message })
  if (status === 404 || notFoundMessage.test(message)) return vendorCall.VendorErrorReason.NotFound({ status, message })
  if (status === 401 || status === 403) return vendorCall.VendorErrorReason.Unauthorized({ status, message })
  return vendorCall.VendorErrorReason.BadRequest({ status, message })
}

const dialect: vendorCall.VendorDialect = {
  vendor: "copernica",
  contract: Copernica,
  errorReason: (status, body) => reasonOfMessage(status, vendorCall.describeBody(body)),
  errorInSuccess: (body) => {
    // Copernica may send an error body under a success status (rmuit/copernica-api's ApiBehaviorTest).
    const error = (body as { error?: { message?: unknown } } | undefined)?.error
    return typeof error?.message === "string" ? reasonOfMessage(200, error.message) : undefined
  }
}

const toError = (error: vendorCall.VendorFailureError) => new CopernicaError(vendorCall.plainFailure(error))

const createdId = (response: Response) =>
  Option.fromNullable(response.headers.get("X-Created")).pipe(Option.filter((id) => id !== ""))

/**
 * Makes a Copernica client. With a throttle, every call spends the account's budget through it; without one (the
 * proxy spends it), calls go straight out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options,
  throttle: Option.Option<Throttle.ThrottleService>
): Effect.Effect<CopernicaClientService> =>
  Effect.gen(function* () {
    const accessToken = options.accessToken === undefined ? undefined : reveal(options.accessToken)
    const client: CopernicaFetchClient = createCopernicaFetchClient({
      accessToken,
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      headers: options.headers
    })
    const settings = yield* makeSettings("copernica", options, throttle, accessToken === undefined ? [] : [accessToken])
    const call = <A>(specification: vendorCall.CallSpecification<A>) =>
      vendorCall.call(dialect, settings, specification)

    const listProfilesRaw = (database: string | number, query: ListProfilesQuery) =>
      call({
        operationId: "listDatabaseProfiles",
        send: (signal, headers) =>
          client.GET("/database/{id}/profiles", { params: { path: { id: String(database) }, query }, signal, headers }),
        decode: (data) => data as ProfilePage
      })

    const listFieldsRaw = (database: string | number, paging: Paging) =>
      call({
        operationId: "listDatabaseFields",
        send: (signal, headers) =>
          client.GET("/database/{id}/fields", {
            params: { path: { id: String(database) }, query: { ...paging } as never },
            signal,
            headers
          }),
        decode: (data) => data as FieldPage
      })

    const allFieldsRaw = (database: string | number) =>
      Effect.gen(function* () {
        const fields: Array<Field> = []
        const limit = 1000
        for (let start = 0; ; start += limit) {
          const page = yield* listFieldsRaw(database, { start, limit })
          fields.push(...page.data)
          if (page.data.length < limit) return fields as ReadonlyArray<Field>
        }
      })

    const service: CopernicaClientService = {
      throttleKey: settings.throttleKey,
      createImport: (body) =>
        call({
          operationId: "createImport",
          send: (signal, headers) => client.POST("/imports", { body, signal, headers }),
          decode: (_data, response) => ({ importId: createdId(response) })
        }).pipe(Effect.mapError(toError)),
      getImport: (importId) =>
        call({
          operationId: "getImport",
          send: (signal, headers) =>
            client.GET("/import/{id}", { params: { path: { id: importId } }, signal, headers }),
          decode: (data) => data as Import
        }).pipe(Effect.mapError(toError)),
      listFields: (database, paging = {}) => listFieldsRaw(database, paging).pipe(Effect.mapError(toError)),
      allFields: (database) => allFieldsRaw(database).pipe(Effect.mapError(toError)),
      createField: (database, body) =>
        call({
          operationId: "createDatabaseField",
          send: (signal, headers) =>
            client.POST("/database/{id}/fields", { params: { path: { id: String(database) } }, body, signal, headers }),
          decode: (_data, response) => ({ fieldId: createdId(response) }),
          check: allFieldsRaw(database).pipe(
            Effect.map((fields) =>
              Option.map(Option.fromNullable(fields.find((field) => field.name === body.name)), (field) => ({
                fieldId: Option.some(String(field.ID))
              }))
            )
          )
        }).pipe(Effect.mapError(toError)),
      listProfiles: (database, query = {}) => listProfilesRaw(database, query).pipe(Effect.mapError(toError)),
      listDatabases: (paging = {}) =>
        call({
          operationId: "listDatabases",
          send: (signal, headers) =>
            client.GET("/databases", { params: { query: { ...paging } as never }, signal, headers }),
          decode: (data) => data as DatabasePage
        }).pipe(Effect.mapError(toError))
    }
    return service
  })

/**
 * A Copernica client that spends the account's budget through the `Throttle` in context.
 *
 * @example
 * ```ts
 * const live = CopernicaClient.layer({ accessToken: Redacted.make(process.env.COPERNICA_TOKEN!) }).pipe(
 *   Layer.provide(Throttle.layerMemory({ keys: { copernica: CopernicaClient.throttlePolicy } }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<CopernicaClient, never, Throttle.Throttle> =>
  Layer.effect(
    CopernicaClient,
    Effect.flatMap(Throttle.Throttle, (throttle) => make(options, Option.some(throttle)))
  )

/**
 * A Copernica client that talks through the profilesync proxy sidecar, which holds the token and spends the shared
 * budget for every caller.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerProxy = (
  options: Omit<Options, "baseUrl" | "accessToken"> & ProxyOptions
): Layer.Layer<CopernicaClient> =>
  Layer.effect(CopernicaClient, make(throughProxy(options, "/copernica/v3"), Option.none()))

/**
 * A Copernica client for tests against the sandbox: its own in-memory adaptive throttle and short retry waits.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (options: Options): Layer.Layer<CopernicaClient> =>
  layer({ ...options, retry: { ...testRetry, ...options.retry } }).pipe(
    Layer.provide(Throttle.layerMemory({ keys: { copernica: throttlePolicy } }))
  )
