/**
 * The config file of one sync: where the profiles come from, the canonical profile they are normalised into, and how
 * that profile maps onto each vendor (Ocamba properties, Copernica database fields), plus schedule, state store,
 * dead letters and rejects. An Effect Schema decodes the YAML; every problem is reported with the file, the YAML
 * path, the line and column, and what is expected.
 *
 * **A complete config**
 *
 * ```yaml
 * version: 1                        # the config format; only 1 exists
 * name: customers                   # the sync's name: prefixes its state keys and names its run lock
 * schedule: "0,15,30,45 * * * *"    # cron (5 fields, or 6 with seconds) for `profilesync schedule`; quote it
 * timeZone: Europe/Amsterdam        # the cron's time zone (IANA); UTC when absent
 *
 * source:
 *   type: csv                       # csv | ndjson | json (an array of objects) | parquet | postgres | mysql
 *   path: ./profiles.csv            # relative paths are resolved against this file's directory
 *   delimiter: ","                  # csv only, default ","; write "\t" for tabs
 *   quote: '"'                      # csv only, default '"'
 *   encoding: utf-8                 # utf-8 (default) | latin1 | windows-1252 | utf-16le
 *   # type: postgres
 *   # query: select email, phone, first_name from customers
 *   # urlEnv: SOURCE_DATABASE_URL   # or urlFile: /run/secrets/source-url; never the URL itself
 *   # type: mysql                   # MySQL or MariaDB: query and urlEnv/urlFile as for postgres
 *   # type: parquet                 # path: ./profiles.parquet
 *
 * fields:                           # the canonical profile: one entry per value you sync
 *   email:      { column: Email, type: email }                          # trimmed, lower-cased, validated
 *   phone:      { column: Phone, type: phone, defaultCountry: NL }      # to E.164 (+31612345678)
 *   first_name: { column: First name, type: text, maxLength: 200 }      # trimmed
 *   birth_date: { column: Birthday, type: date, inputFormat: DD-MM-YYYY } # to YYYY-MM-DD
 *   vip:        { column: VIP, type: boolean }                          # true/false/yes/no/1/0/y/n
 *   lifetime_value: { column: LTV, type: number, decimalSeparator: "," }
 *   # `column` defaults to the field's own name; `required: true` rejects rows where the value is empty.
 *   # `neutraliseFormulas: false` sends a text value that starts with = + - @ tab or CR into CSV imports as it is
 *   # (default true: a ' goes in front, OWASP "CSV Injection"); on an email field it lets such addresses through.
 *   # Instead of `column`: `constant: webshop` (every row), or `template: "{First name} {Last name}"` (empty when
 *   # every named cell is empty). Then `transforms: [trim, lowercase, uppercase, { lookup: { file: countries.csv } }]`
 *   # (in order, before the type's normalisation; a lookup file is a from,to CSV with a header row, relative to this
 *   # file) and `default: …` (when the result is empty). Dates are read with `inputFormat`, not a transform.
 *
 * key: [email, phone]               # identifies a profile across runs: the first non-empty of these fields
 *
 * targets:
 *   ocamba:
 *     baseUrl: https://api.ocamba.com/v1/hood   # default; or the proxy sidecar, http://127.0.0.1:8787/ocamba/v1/hood
 *     account: my-company                       # the rate-budget key shared by every process using this account
 *     credentials: { tokenEnv: OCAMBA_TOKEN }   # or { tokenFile: /run/secrets/ocamba }; optional through the proxy
 *     properties:                               # canonical field -> Ocamba property (label)
 *       email: { property: email, system: true }
 *       phone: { property: mobile_phone_number, system: true }
 *       first_name: { property: full_name, system: true }
 *       lifetime_value:                         # a custom property, created or updated before the import
 *         property: lifetime_value
 *         data_type: text                       # the only type Ocamba supports today (number and date are
 *                                               # documented but refused); cannot change once created
 *         description: Total revenue of the customer
 *         example: "120.50"
 *         export_alias: ltv
 *         pi_data: false                        # true: personal data, stored encrypted by Ocamba
 *     maxFileBytes: 50000000                    # upload chunk size; Ocamba takes at most 50 MB per file
 *     resync: { integration: ["1628"], conversion: [] }   # resynced after a successful sync
 *     mode: upsert                              # the only mode Ocamba's import can honour (see Copernica's)
 *     emptyValues: skip                         # an empty cell leaves the property as it is; `clear` is refused
 *   copernica:
 *     baseUrl: https://api.copernica.com/v3
 *     credentials: { tokenEnv: COPERNICA_TOKEN }
 *     database: 1
 *     keyFields: [Email]                        # Copernica field names that match existing profiles
 *     fields:                                   # canonical field -> Copernica database field
 *       email: { field: Email }                 # `type` defaults from the canonical type (email -> email)
 *       first_name: { field: Firstname, type: text, length: 200, emptyValues: skip }   # overrides the target's
 *       lifetime_value: { field: LTV, type: float, default: 0 }
 *     rowsPerImport: 1000                       # rows per POST /imports
 *     format: json                              # json (default) | csv
 *     # delimiter: ";"                          # csv only: "\t", "," or ";" (default ";")
 *     mode: upsert                              # upsert (default) | update-only (never creates) |
 *                                               # insert-only (never changes an existing profile) |
 *                                               # mirror (upsert, and deletes what left the source)
 *     emptyValues: clear                        # clear (default): an empty source value blanks the field;
 *                                               # skip: it keeps Copernica's stored value
 *     # The same in Copernica's terms (write either; both only where they agree):
 *     # action: update or add                   # update or add | update | add | ignore or add
 *     # ignoreEmptyFields: false                # = emptyValues: skip when true
 *     # deleteMissing: false                    # = mode: mirror when true
 *     maxDeleteShare: 0.05                      # deletes at most this share of known profiles a run (default 5%)
 *
 * state: { sqlite: ./profilesync.db }           # default; or { postgres: { urlEnv: PROFILESYNC_STATE_URL } }
 * deadLetters: { maxAttempts: 3 }               # a row failing this many runs goes to the dead letters
 * rejects: { path: ./rejects.ndjson }           # rows that fail validation, with a reason per field
 * history: { keepDays: 90 }                    # row history kept this many days (0: none), pruned after a run
 * alerts:                                       # webhook alerts (JSON with a Slack-compatible `text`)
 *   webhook:
 *     urlEnv: PROFILESYNC_ALERT_URL             # or urlFile: /run/secrets/alert-url; the URL is a secret
 *     headers: { X-Api-Key: { tokenEnv: ALERT_KEY } }   # optional; values from tokenEnv or tokenFile
 *   on: [failed, partial, rejections, deadLetters, deleteRefused, missedRun]   # default: all of them
 *   maxRejectedShare: 0.05                      # `rejections` fires above this share of the rows read
 *   attempts: 4                                 # delivery attempts, with backoff (1 to 10)
 *   timeoutSeconds: 10                          # per attempt (1 to 60)
 * controlCharacters: reject                     # reject (default): a value holding NUL, ESC, ... refuses its field;
 *                                               # strip: they are removed (tab and line breaks are text, kept)
 * identityCollisions: reject                    # rows with different keys a vendor would merge into one profile
 *                                               # (same email; a phone Ocamba matches an email-less row on; same
 *                                               # Copernica keyFields): reject (default) refuses every row of such a
 *                                               # pair at that vendor, naming the other; keepFirst refuses the later
 * ```
 *
 * **Gotchas**
 *
 * - Credentials never live in this file: a `token`/`password`/`secret`-like key with a value, or a URL with a password,
 *   is refused. Name an environment variable (`tokenEnv`) or a file (`tokenFile`) instead; see {@link resolveCredential}.
 * - Unknown keys are errors (with "did you mean ...?"), so a typo never silently falls back to a default.
 * - Quote a cron expression: an unquoted `*` starts a YAML alias.
 * - `identityCollisions` follows the vendors' matching rule stated once in `@profilesync/contracts` (`Identity.ts`,
 *   partly inferred: Ocamba documents no rule). Finding them takes one extra pass over the source before the sync.
 *
 * @since 0.1.0
 */

import * as MappingConfig from "@profilesync/core/MappingConfig"
import type * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/syncConfig.ts"
import { SyncConfigError } from "./internal/syncConfig.ts"
import * as schema from "./internal/syncConfigSchema.ts"

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------

/**
 * See `MappingConfig.Credentials` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = MappingConfig.Credentials

/**
 * Where a database connection URL comes from: `urlEnv` or `urlFile` (exactly one).
 *
 * @since 0.1.0
 * @category models
 */
export type DatabaseConnection = typeof schema.DatabaseConnection.Type

/**
 * Anything {@link resolveCredential} reads: API credentials or a database connection.
 *
 * @since 0.1.0
 * @category models
 */
export type CredentialReference =
  | { readonly tokenEnv: string }
  | { readonly tokenFile: string }
  | { readonly urlEnv: string }
  | { readonly urlFile: string }
  | Credentials
  | DatabaseConnection

/**
 * The source of the rows, by `type`.
 *
 * **Details**
 *
 * - `csv`: `path`, `delimiter` (default `,`), `quote` (default `"`), `encoding` (default `utf-8`); the first row
 *   holds the column names.
 * - `ndjson`: one JSON object per line; `json`: one array of objects. Both: `path`, `encoding`.
 * - `parquet`: `path` of a Parquet file (read through DuckDB; install `@duckdb/node-api`).
 * - `postgres`: `query`, and the connection URL from `urlEnv` or `urlFile`.
 * - `mysql`: the same, for MySQL or MariaDB (`mysql://user:password@host:port/database`; install `mysql2`).
 *
 * After {@link load} or {@link parse}, `path` and `urlFile` are absolute.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = typeof schema.Source.Type

/**
 * See `MappingConfig.Field` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = MappingConfig.Field

/**
 * See `MappingConfig.FieldType` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type FieldType = MappingConfig.FieldType

/**
 * See `MappingConfig.OcambaProperty` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type OcambaProperty = MappingConfig.OcambaProperty

/**
 * See `MappingConfig.OcambaTarget` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type OcambaTarget = MappingConfig.OcambaTarget

/**
 * See `MappingConfig.CopernicaField` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaField = MappingConfig.CopernicaField

/**
 * See `MappingConfig.CopernicaFieldType` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaFieldType = MappingConfig.CopernicaFieldType

/**
 * See `MappingConfig.CopernicaTarget` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type CopernicaTarget = MappingConfig.CopernicaTarget

/**
 * See `MappingConfig.Targets` in `@profilesync/core`.
 *
 * @since 0.1.0
 * @category models
 */
export type Targets = MappingConfig.Targets

/**
 * The state store: `{ sqlite: path }` (default `./profilesync.db`) or `{ postgres: { urlEnv | urlFile } }`.
 *
 * @since 0.1.0
 * @category models
 */
export type State = typeof schema.State.Type

/**
 * Webhook alerts of a sync (`alerts` in the config).
 *
 * **Details**
 *
 * - `webhook`: the URL from `urlEnv` or `urlFile` (it is a secret: Slack's and most receivers' URLs carry their
 *   token), and optional `headers` whose values come from `tokenEnv` or `tokenFile`.
 * - `on`: what to alert on (default all): `failed` (a run failed), `partial` (a run finished partially),
 *   `rejections` (rejected rows over `maxRejectedShare` of the rows read, default 0.05), `deadLetters` (a run
 *   dead-lettered rows), `deleteRefused` (deletes held back by `maxDeleteShare`), `missedRun` (a scheduled tick did
 *   not run: `profilesync schedule` only).
 * - `attempts` (default 4, at most 10) and `timeoutSeconds` per attempt (default 10) bound a delivery.
 *
 * @since 0.2.0
 * @category models
 */
export type Alerts = typeof schema.Alerts.Type

/**
 * What an alert can be about: the values of `alerts.on`.
 *
 * @since 0.2.0
 * @category models
 */
export type AlertKind = "failed" | "partial" | "rejections" | "deadLetters" | "deleteRefused" | "missedRun"

/**
 * Every {@link AlertKind}, in the documented order.
 *
 * @since 0.2.0
 * @category models
 */
export const alertKinds: ReadonlyArray<AlertKind> = schema.alertKinds

/**
 * A decoded config.
 *
 * **Details**
 *
 * Defaults are filled in. After {@link load} or {@link parse} every file path (source, token and URL files, SQLite
 * file, rejects file) is absolute, resolved against the config file's directory; decoding with the
 * {@link SyncConfig} schema alone leaves them as written.
 *
 * @since 0.1.0
 * @category models
 */
export type SyncConfig = typeof schema.SyncConfig.Type

/**
 * The config as written in YAML (before defaults), for tools that generate configs.
 *
 * @since 0.1.0
 * @category models
 */
export type SyncConfigEncoded = typeof schema.SyncConfig.Encoded

// ---------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------

/**
 * The schema of a whole config file, cross-references included.
 *
 * **Details**
 *
 * Decode with `{ errors: "all", onExcessProperty: "error" }` to get the same strictness as {@link parse}; {@link parse}
 * is the better entry point for files, since it also locates problems in the YAML text and refuses credentials.
 * Rules across sections: `key` and every mapping name a defined canonical field; an Ocamba target maps `email` or
 * `mobile_phone_number` as a system property (from an `email` or `phone` field); Copernica `keyFields` are mapped
 * fields; two canonical fields never map to the same property or field; `credentials` is required when a target
 * talks to the vendor directly.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncConfig: Schema.Schema<SyncConfig, SyncConfigEncoded> = schema.SyncConfig

/**
 * The JSON Schema (draft-07) of a config file as written, derived from {@link SyncConfig}.
 *
 * **Details**
 *
 * For editors: with the YAML language server, a `# yaml-language-server: $schema=<file or URL>` first line gives
 * completion, descriptions and checks while typing. It holds the structure, the allowed values, patterns and
 * ranges; the rules across sections (every mapping names a defined field, ...) and the checks that need code (cron
 * syntax, time zones, country codes) are {@link parse}'s alone, so a file the schema accepts can still be refused.
 *
 * @since 0.1.0
 * @category schemas
 */
export const jsonSchema = (): JSONSchema.JsonSchema7Root => ({
  ...JSONSchema.make(schema.SyncConfig),
  title: "profilesync sync config"
})

/**
 * The Copernica field types that can hold each canonical type; the first is the type a missing field is created
 * with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const copernicaTypesFor: Readonly<Record<FieldType, ReadonlyArray<CopernicaFieldType>>> =
  MappingConfig.copernicaTypesFor

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * One problem in a config file.
 *
 * **Details**
 *
 * `path` is the YAML path (`targets.ocamba.properties.first_name.data_type`, `key[1]`; empty for syntax errors),
 * `segments` the same as a list, `line` and `column` are 1-based, and `message` says what is wrong and what is
 * expected. Messages never repeat a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ConfigIssue {
  readonly path: string
  readonly segments: ReadonlyArray<string | number>
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * Why a config could not be used.
 *
 * **Details**
 *
 * - `ReadFailed`: the file could not be read.
 * - `InvalidYaml`: the text is not valid YAML (duplicate keys included).
 * - `InvalidConfig`: the YAML does not describe a valid config; every problem is listed.
 * - `CredentialUnavailable`: {@link resolveCredential} found no usable secret; `source` names the variable or file.
 *
 * @since 0.1.0
 * @category errors
 */
export type SyncConfigErrorReason = Data.TaggedEnum<{
  ReadFailed: { readonly file: string; readonly detail: string }
  InvalidYaml: { readonly file: string; readonly issues: ReadonlyArray<ConfigIssue> }
  InvalidConfig: { readonly file: string; readonly issues: ReadonlyArray<ConfigIssue> }
  CredentialUnavailable: { readonly source: string; readonly detail: string }
}>

/**
 * Constructors and matchers for {@link SyncConfigErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export const SyncConfigErrorReason: Data.TaggedEnum.Constructor<SyncConfigErrorReason> = internal.SyncConfigErrorReason

export { SyncConfigError }

// ---------------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------------

/**
 * Options of {@link parse}.
 *
 * **Details**
 *
 * - `baseDirectory`: what relative paths are resolved against (default: the directory of `fileName`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  readonly baseDirectory?: string | undefined
}

/**
 * Parses and validates a config from its YAML text.
 *
 * **Details**
 *
 * `fileName` is used in messages and, unless `options.baseDirectory` is given, to resolve relative paths. Fails
 * with {@link SyncConfigError} (`InvalidYaml` or `InvalidConfig`) listing every problem at once.
 *
 * @example
 * ```ts
 * import { SyncConfig } from "@profilesync/sync"
 *
 * const config = yield* SyncConfig.parse(text, "customers.yaml")
 * // customers.yaml:7:3: source.delimitr: unknown key `delimitr`; did you mean `delimiter`?
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse: (
  text: string,
  fileName: string,
  options?: ParseOptions
) => Effect.Effect<SyncConfig, SyncConfigError> = internal.parse

/**
 * Reads a config file and {@link parse}s it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load: (path: string) => Effect.Effect<SyncConfig, SyncConfigError> = internal.load

/**
 * Reads a secret named by the config: an environment variable (`tokenEnv`/`urlEnv`) or a file
 * (`tokenFile`/`urlFile`).
 *
 * **Details**
 *
 * Environment variables are read through Effect's `Config`, so a custom `ConfigProvider` applies. Surrounding
 * whitespace (a file's trailing newline) is removed. The secret comes back `Redacted`, so logging it prints
 * `<redacted>`.
 *
 * **Gotchas**
 *
 * The error names the variable or file and what is wrong ("is not set", "is empty", "does not exist", "permission
 * denied"); it never holds the secret or any part of the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveCredential: (
  reference: CredentialReference
) => Effect.Effect<Redacted.Redacted<string>, SyncConfigError> = internal.resolveCredential
