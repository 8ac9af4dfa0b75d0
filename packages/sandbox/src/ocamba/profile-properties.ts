/**
 * @module
 * Ocamba profile properties: list with the list conventions, create custom properties (labels unique), and PATCH
 * custom ones (system properties refuse, as the vendor's page says: "System properties are not updatable").
 */
import type { SandboxRuntime } from "../runtime.ts"
import { formatTimestamp } from "../time.ts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { listWithConventions } from "./list-query.ts"
import type { Flag, OcambaProperty } from "./state.ts"

interface PropertyCreateBody {
  readonly label: string
  readonly data_type?: string
  readonly example?: string
  readonly description?: string
  readonly export_alias?: string
  readonly pi_data?: Flag
  readonly importable?: Flag
  readonly exportable?: Flag
}

type PropertyUpdateBody = Partial<
  Pick<OcambaProperty, "example" | "description" | "export_alias" | "pi_data" | "importable" | "exportable">
>

/**
 * The handlers of `listProfileProperties`, `createProfileProperty` and `updateProfileProperty`.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const profilePropertyHandlers = (
  runtime: SandboxRuntime,
  dialect: VendorDialect
): Record<"listProfileProperties" | "createProfileProperty" | "updateProfileProperty", OperationHandler> => ({
  listProfileProperties: ({ accountId, query }) => {
    const account = runtime.state.ocamba.account(accountId)
    const result = listWithConventions(
      [...account.properties.values()] as unknown as Array<Record<string, unknown>>,
      query,
      {
        filterable: [
          "id",
          "target",
          "label",
          "data_type",
          "example",
          "pi_data",
          "system",
          "importable",
          "exportable",
          "create_time",
          "update_time"
        ],
        searchable: ["target", "label", "description"],
        defaultSearch: ["label"],
        sortable: ["data_type", "pi_data", "importable", "exportable", "create_time", "update_time"],
        defaultPageSize: runtime.options.ocamba.defaultPageSize,
        strict: runtime.options.strict
      }
    )
    if (!result.ok) {
      return dialect.badRequest(result.message)
    }
    return { status: 200, body: { total: result.total, items: result.items } }
  },

  createProfileProperty: ({ accountId, body }) => {
    const account = runtime.state.ocamba.account(accountId)
    const input = body as PropertyCreateBody
    const dataType = input.data_type ?? "text"
    // The vendor documents text|number|date and adds "currently only 'text' is supported".
    if (dataType !== "text") {
      return dialect.badRequest(`request body /data_type: only "text" is currently supported, got "${dataType}"`)
    }
    if (account.findPropertyByLabel(input.label) !== undefined) {
      return dialect.badRequest(`request body /label: a property labelled "${input.label}" already exists`)
    }
    const timestamp = formatTimestamp(runtime.now())
    const property: OcambaProperty = {
      id: account.nextPropertyId(),
      company_id: account.companyId,
      target: input.label,
      label: input.label,
      data_type: dataType,
      example: input.example ?? "",
      description: input.description ?? "",
      // The vendor's example lists the export alias among the import aliases.
      import_aliases: input.export_alias === undefined || input.export_alias === "" ? [] : [input.export_alias],
      export_alias: input.export_alias ?? "",
      pi_data: input.pi_data ?? 0,
      // The vendor's example answers "system": 1 for a new custom property; we take that as a slip of the docs.
      system: 0,
      importable: input.importable ?? 1,
      exportable: input.exportable ?? 1,
      create_time: timestamp,
      update_time: timestamp
    }
    account.properties.set(property.id, property)
    return { status: 201, body: property }
  },

  updateProfileProperty: ({ accountId, pathParams, body }) => {
    const account = runtime.state.ocamba.account(accountId)
    const property = account.properties.get(pathParams.id ?? "")
    if (property === undefined) {
      return dialect.notFound(`No profile property with id ${pathParams.id ?? ""}.`)
    }
    if (property.system === 1) {
      return dialect.badRequest(`System properties are not updatable (property ${property.id} "${property.label}").`)
    }
    const changes = body as PropertyUpdateBody
    Object.assign(property, changes)
    property.update_time = formatTimestamp(runtime.now())
    // The vendor page's answer is `204 No Content` with `Content-Type: application/json` (update-profile-properties).
    return { status: 204, headers: { "Content-Type": "application/json" } }
  }
})
