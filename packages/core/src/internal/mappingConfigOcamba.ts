/**
 * The schema of the Ocamba target: its properties (system or custom, with a custom property's settings), the
 * resyncs after a sync, the upload size, and the modes Ocamba's import can honour (only `upsert`, only `skip`).
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { FieldName } from "./mappingConfigFields.ts"
import {
  baseUrlWithDefault,
  Credentials,
  defaultOcambaBaseUrl,
  EmptyValues,
  Flag,
  integerBetween,
  nonEmptyString,
  SyncMode,
  VendorId
} from "./mappingConfigValues.ts"

/** @internal */
export const OcambaDataType = Schema.Literal("text", "number", "date")

/**
 * The settings of a custom property; a system property belongs to Ocamba and takes none of them.
 *
 * @internal
 */
export const customPropertySettings = [
  "data_type",
  "description",
  "example",
  "export_alias",
  "pi_data",
  "importable",
  "exportable"
] as const

const ocambaCannotClear =
  "`clear` cannot be honoured by Ocamba: its import leaves a property unchanged where the cell is empty, and has no way to blank a value; use `skip` (what it does anyway)"

/** @internal */
export const OcambaProperty = Schema.Struct({
  property: Schema.optional(nonEmptyString("an Ocamba property label")),
  system: Schema.optionalWith(Flag, { default: () => false }),
  data_type: Schema.optional(OcambaDataType),
  description: Schema.optional(
    Schema.String.pipe(Schema.maxLength(2000), Schema.annotations({ description: "a text of at most 2000 characters" }))
  ),
  example: Schema.optional(Schema.String),
  export_alias: Schema.optional(Schema.String),
  pi_data: Schema.optional(Flag),
  importable: Schema.optional(Flag),
  exportable: Schema.optional(Flag),
  emptyValues: Schema.optional(EmptyValues)
}).pipe(
  Schema.filter((mapping) => {
    const issues: Array<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> = mapping.system
      ? customPropertySettings
          .filter((setting) => mapping[setting] !== undefined)
          .map((setting) => ({
            path: [setting],
            message: `a system property is defined by Ocamba and takes no \`${setting}\`: remove it, or set \`system: false\` for a custom property`
          }))
      : []
    if (mapping.emptyValues === "clear") issues.push({ path: ["emptyValues"], message: ocambaCannotClear })
    return issues.length === 0 ? undefined : issues
  })
)

const VendorIds = Schema.Array(VendorId).annotations({ description: "a list of ids" })

/**
 * What to resync after a sync. Empty lists are allowed (and left out of the request), so a list can be emptied
 * without deleting its key.
 *
 * @internal
 */
export const Resync = Schema.Struct({
  integration: Schema.optionalWith(VendorIds, { default: () => [] }),
  conversion: Schema.optionalWith(VendorIds, { default: () => [] })
})

/** The documented upload limit, 50 MB; the default stays a little under it for the multipart envelope. */
const ocambaUploadLimit = 52_428_800

/** @internal */
export const OcambaTarget = Schema.Struct({
  baseUrl: baseUrlWithDefault(defaultOcambaBaseUrl),
  account: Schema.optionalWith(nonEmptyString("a name for the account's rate budget"), { default: () => "default" }),
  credentials: Schema.optional(Credentials),
  properties: Schema.Record({ key: FieldName, value: OcambaProperty }).annotations({
    description: "a mapping of canonical field names to Ocamba properties"
  }),
  maxFileBytes: Schema.optionalWith(
    integerBetween(1024, ocambaUploadLimit, `a whole number of bytes from 1024 to ${ocambaUploadLimit} (50 MB)`),
    { default: () => 50_000_000 }
  ),
  resync: Schema.optional(Resync),
  mode: Schema.optional(SyncMode),
  emptyValues: Schema.optional(EmptyValues)
}).pipe(
  // Ocamba's file import matches a row on email or mobile_phone_number and creates the profile when none matches:
  // it has no way to say "only update" or "only add", and the sync engine deletes nothing in Ocamba.
  Schema.filter((target) => {
    const issues: Array<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> = []
    if (target.mode !== undefined && target.mode !== "upsert")
      issues.push({
        path: ["mode"],
        message:
          target.mode === "mirror"
            ? "`mirror` cannot be honoured by Ocamba: the sync does not delete Ocamba profiles, so nothing would leave Ocamba when it leaves the source; use `upsert` (the default)"
            : `\`${target.mode}\` cannot be honoured by Ocamba: its import always creates a profile no row matches and updates one that matches (on email or mobile_phone_number), with no option to do only one of them; use \`upsert\` (the default)`
      })
    if (target.emptyValues === "clear")
      issues.push({
        path: ["emptyValues"],
        message: ocambaCannotClear
      })
    return issues.length === 0 ? undefined : issues
  })
)
