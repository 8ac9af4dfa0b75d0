/**
 * The Ocamba Hood client as an Effect service: one method per operation of `openapi/ocamba-hood.yaml`, typed by the
 * generated contracts, with the account's rate budget (10 per second and 150 per minute, shared through the
 * `Throttle`), a timeout per call, request ids, validation of every answer against the spec, and retries that never
 * write twice: creating a property and committing an import look before they repeat.
 *
 * @since 0.1.0
 */
import { createOcambaFetchClient, Ocamba, type OcambaFetchClient, type OcambaTypes } from "@profilesync/contracts"
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
export type Schemas = OcambaTypes.components["schemas"]

/** @since 0.1.0 @category models */
export type ProfileProperty = Schemas["ProfileProperty"]
/** @since 0.1.0 @category models */
export type ProfilePropertyList = Schemas["ProfilePropertyList"]
/** @since 0.1.0 @category models */
export type ProfilePropertyCreate = Schemas["ProfilePropertyCreate"]
/** @since 0.1.0 @category models */
export type ProfilePropertyUpdate = Schemas["ProfilePropertyUpdate"]
/** @since 0.1.0 @category models */
export type LongRunningOperation = Schemas["LongRunningOperation"]
/** @since 0.1.0 @category models */
export type ProfileImport = Schemas["ProfileImport"]
/** @since 0.1.0 @category models */
export type ProfileImportCommit = Schemas["ProfileImportCommit"]
/** @since 0.1.0 @category models */
export type ImportReportRow = Schemas["ImportReportRow"]
/** @since 0.1.0 @category models */
export type ResyncRequest = Schemas["ResyncRequest"]
/** The query of `GET /profile-properties` (`page`, `sort`, `q`, filters). @since 0.1.0 @category models */
export type ListProfilePropertiesQuery = NonNullable<
  OcambaTypes.operations["listProfileProperties"]["parameters"]["query"]
>

/**
 * Why an Ocamba call failed. Branch on `_tag`, never on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export type OcambaErrorReason = VendorErrorReason

/**
 * Constructors and guards for {@link OcambaErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const OcambaErrorReason: Data.TaggedEnum.Constructor<OcambaErrorReason> = vendorCall.VendorErrorReason

/**
 * The Ocamba client's only error: the operation, the request id, how many attempts were made, and the `reason`.
 *
 * @since 0.1.0
 * @category errors
 */
export class OcambaError extends Data.TaggedError("OcambaError")<VendorFailure> {
  constructor(failure: VendorFailure) {
    super(failure)
    // An own `message`, so every printer (Effect's Cause, vitest, console) shows it.
    Object.defineProperty(this, "message", { value: vendorCall.describeFailure("Ocamba", failure), enumerable: false })
  }
}

/**
 * The Ocamba Hood operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface OcambaClientService {
  /** Uploads a CSV (or xlsx) of at most 50 MB and starts an import session. Safe to repeat: nothing is written yet. */
  readonly uploadImport: (file: {
    readonly contents: Blob | string
    readonly fileName: string
    readonly profileLists?: ReadonlyArray<string> | undefined
  }) => Effect.Effect<LongRunningOperation, OcambaError>
  /** Reads an import record: its status, detected columns and counts. */
  readonly getImport: (importId: string) => Effect.Effect<ProfileImport, OcambaError>
  /**
   * Commits an import with a column mapping (which must map email or mobile_phone_number).
   *
   * **Details**
   *
   * Not safe to repeat blindly: after a timeout or a dropped connection the client reads the import first, and
   * when it is no longer waiting for its commit, answers from that record instead of committing again.
   */
  readonly commitImport: (
    importId: string,
    mapping: ProfileImportCommit["mapping"]
  ) => Effect.Effect<LongRunningOperation, OcambaError>
  /** Per-row results of an import. */
  readonly importReport: (importId: string) => Effect.Effect<ReadonlyArray<ImportReportRow>, OcambaError>
  /** One page of profile properties. */
  readonly listProperties: (query?: ListProfilePropertiesQuery) => Effect.Effect<ProfilePropertyList, OcambaError>
  /** Every profile property, page after page. */
  readonly allProperties: Effect.Effect<ReadonlyArray<ProfileProperty>, OcambaError>
  /**
   * Creates a custom property.
   *
   * **Details**
   *
   * After an attempt with an unknown outcome the client lists properties by label; a property with that label is
   * the first attempt's work, and is returned rather than created twice.
   */
  readonly createProperty: (body: ProfilePropertyCreate) => Effect.Effect<ProfileProperty, OcambaError>
  /** Changes a custom property (system properties refuse). */
  readonly updateProperty: (propertyId: string, patch: ProfilePropertyUpdate) => Effect.Effect<void, OcambaError>
  /** Resyncs integrations and conversions. */
  readonly resync: (request: ResyncRequest["resync"]) => Effect.Effect<void, OcambaError>
  /** The throttle key whose budget the calls spend, `ocamba:<account>`. */
  readonly throttleKey: string
}

/**
 * The Ocamba client service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class OcambaClient extends Context.Tag("@profilesync/core/OcambaClient")<OcambaClient, OcambaClientService>() {}

/**
 * Options of an Ocamba client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends CommonOptions {
  /** The API key. Optional only through the proxy, which injects its own. */
  readonly token?: Secret | undefined
  /** Timeout of an upload attempt. Default 5 minutes. */
  readonly uploadTimeout?: Duration.DurationInput | undefined
}

/**
 * The throttle policy of an Ocamba account, from the contract: 10 per second and 150 per minute.
 *
 * @since 0.1.0
 * @category constructors
 */
export const throttlePolicy: Throttle.KeyPolicy = keyPolicy(Ocamba.rateLimits, {
  initial: 5,
  window: Duration.seconds(1),
  ceiling: 10
})

const dialect: vendorCall.VendorDialect = {
  vendor: "ocamba",
  contract: Ocamba,
  errorReason: (status, body) => {
    const message = vendorCall.describeBody(body)
    if (status === 401 || status === 403) return vendorCall.VendorErrorReason.Unauthorized({ status, message })
    if (status === 404) return vendorCall.VendorErrorReason.NotFound({ status, message })
    return vendorCall.VendorErrorReason.BadRequest({ status, message })
  }
}

/** Import statuses of a session still waiting for its commit: a commit in doubt is only repeated from these. */
const uncommittedStatuses: ReadonlySet<string> = new Set(["uploaded"])

const toError = (error: vendorCall.VendorFailureError) => new OcambaError(vendorCall.plainFailure(error))

/**
 * Makes an Ocamba client. With a throttle, every call spends the account's budget through it; without one (the
 * proxy spends it), calls go straight out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options,
  throttle: Option.Option<Throttle.ThrottleService>
): Effect.Effect<OcambaClientService> =>
  Effect.gen(function* () {
    const token = options.token === undefined ? undefined : reveal(options.token)
    const client: OcambaFetchClient = createOcambaFetchClient({
      token,
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      headers: options.headers
    })
    const settings = yield* makeSettings("ocamba", options, throttle, token === undefined ? [] : [token])
    const uploadTimeout = Duration.decode(options.uploadTimeout ?? Duration.minutes(5))
    const run = <A>(specification: vendorCall.CallSpecification<A>) =>
      vendorCall.call(dialect, settings, specification).pipe(Effect.mapError(toError))

    const getImportRaw = (importId: string) =>
      vendorCall.call(dialect, settings, {
        operationId: "getProfileImport",
        send: (signal, headers) =>
          client.GET("/profiles/imports/{id}", { params: { path: { id: importId } }, signal, headers }),
        decode: (data) => data as ProfileImport
      })

    const listPropertiesRaw = (query: ListProfilePropertiesQuery) =>
      vendorCall.call(dialect, settings, {
        operationId: "listProfileProperties",
        send: (signal, headers) => client.GET("/profile-properties", { params: { query }, signal, headers }),
        decode: (data) => data as ProfilePropertyList
      })

    const listProperties = (query: ListProfilePropertiesQuery = {}) =>
      listPropertiesRaw(query).pipe(Effect.mapError(toError))

    const pageSize = 100
    const allProperties = Effect.gen(function* () {
      const items: Array<ProfileProperty> = []
      for (let page = 1; ; page++) {
        const result = yield* listProperties({ page: `${page},${pageSize}` })
        items.push(...(result.items as ReadonlyArray<ProfileProperty>))
        if (result.items.length < pageSize || items.length >= result.total)
          return items as ReadonlyArray<ProfileProperty>
      }
    })

    const service: OcambaClientService = {
      throttleKey: settings.throttleKey,
      uploadImport: (file) =>
        run({
          operationId: "createProfileImport",
          timeout: uploadTimeout,
          send: (signal, headers) => {
            const form = new FormData()
            const blob =
              typeof file.contents === "string" ? new Blob([file.contents], { type: "text/csv" }) : file.contents
            form.set("file", blob, file.fileName)
            for (const list of file.profileLists ?? []) form.append("profile_lists", list)
            return client.POST("/profiles/imports", {
              body: form as never,
              bodySerializer: (body: unknown) => body as FormData,
              signal,
              headers
            })
          },
          decode: (data) => data as LongRunningOperation
        }),
      getImport: (importId) => getImportRaw(importId).pipe(Effect.mapError(toError)),
      commitImport: (importId, mapping) =>
        run({
          operationId: "commitProfileImport",
          send: (signal, headers) =>
            client.POST("/profiles/imports/{id}/commit", {
              params: { path: { id: importId } },
              body: { mapping },
              signal,
              headers
            }),
          decode: (data) => data as LongRunningOperation,
          // The record tells whether the commit landed: a session that no longer waits for its commit got it.
          check: getImportRaw(importId).pipe(
            Effect.map((record) =>
              uncommittedStatuses.has(record.status)
                ? Option.none()
                : Option.some<LongRunningOperation>({
                    id: record.id,
                    company_id: record.company_id ?? "",
                    member_id: record.creator_id ?? "",
                    status: record.status,
                    start_time: record.update_time ?? record.create_time ?? ""
                  } as LongRunningOperation)
            )
          )
        }),
      importReport: (importId) =>
        run({
          operationId: "getProfileImportReport",
          send: (signal, headers) =>
            client.GET("/reports/profiles/import/{id}/full", { params: { path: { id: importId } }, signal, headers }),
          decode: (data) => data as ReadonlyArray<ImportReportRow>
        }),
      listProperties,
      allProperties,
      createProperty: (body) =>
        run({
          operationId: "createProfileProperty",
          send: (signal, headers) => client.POST("/profile-properties", { body, signal, headers }),
          decode: (data) => data as ProfileProperty,
          check: listPropertiesRaw({ label: body.label }).pipe(
            Effect.map((list) =>
              Option.fromNullable(
                (list.items as ReadonlyArray<ProfileProperty & { property?: string }>).find(
                  (item) => (item.label ?? item.property) === body.label
                )
              )
            )
          )
        }),
      updateProperty: (propertyId, patch) =>
        run({
          operationId: "updateProfileProperty",
          send: (signal, headers) =>
            client.PATCH("/profile-properties/{id}", {
              params: { path: { id: propertyId } },
              body: patch,
              signal,
              headers
            }),
          decode: () => undefined
        }),
      resync: (request) =>
        run({
          operationId: "createResync",
          send: (signal, headers) => client.POST("/resync", { body: { resync: request }, signal, headers }),
          decode: () => undefined
        })
    }
    return service
  })

/**
 * An Ocamba client that spends the account's budget through the `Throttle` in context.
 *
 * @example
 * ```ts
 * const live = OcambaClient.layer({ token: Redacted.make(process.env.OCAMBA_TOKEN!), account: "acme" }).pipe(
 *   Layer.provide(Throttle.layerMemory({ keys: { ocamba: OcambaClient.throttlePolicy } }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OcambaClient, never, Throttle.Throttle> =>
  Layer.effect(
    OcambaClient,
    Effect.flatMap(Throttle.Throttle, (throttle) => make(options, Option.some(throttle)))
  )

/**
 * An Ocamba client that talks through the profilesync proxy sidecar, which holds the credentials and spends the
 * shared budget for every caller: no token and no local throttle here.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerProxy = (options: Omit<Options, "baseUrl" | "token"> & ProxyOptions): Layer.Layer<OcambaClient> =>
  Layer.effect(OcambaClient, make(throughProxy(options, "/ocamba/v1/hood"), Option.none()))

/**
 * An Ocamba client for tests against the sandbox: its own in-memory throttle with the vendor's windows and short
 * retry waits, same behaviour otherwise.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (options: Options): Layer.Layer<OcambaClient> =>
  layer({ ...options, retry: { ...testRetry, ...options.retry } }).pipe(
    Layer.provide(Throttle.layerMemory({ keys: { ocamba: throttlePolicy } }))
  )
