/**
 * The Effect Schema of a sync's YAML config: the mapping sections from `@profilesync/core/MappingConfig` plus the
 * source, the schedule and the bookkeeping sections, with their defaults. Descriptions double as the "what is
 * expected" half of every config error message.
 *
 * @internal
 */
import * as MappingConfig from "@profilesync/core/MappingConfig"
import * as Cron from "effect/Cron"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { csvEncodings } from "../Source.ts"

const { EnvironmentVariableName, FilePath, exactlyOne, integerBetween, nonEmptyString } = MappingConfig.schemaParts

/** @internal */
export const DatabaseConnection = Schema.Struct({
  urlEnv: Schema.optional(EnvironmentVariableName),
  urlFile: Schema.optional(FilePath)
}).pipe(
  Schema.filter(exactlyOne(["urlEnv", "urlFile"], "where the connection URL comes from")),
  Schema.annotations({
    description: "`{ urlEnv: VARIABLE }` or `{ urlFile: /path/to/file }`",
    jsonSchema: { minProperties: 1, maxProperties: 1 }
  })
)

// ---------------------------------------------------------------------------------------------------------------
// Source
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const Encoding = Schema.Literal(...csvEncodings)

const SingleCharacter = (expected: string) =>
  Schema.String.pipe(
    Schema.filter((text) =>
      text.length !== 1
        ? "must be exactly one character"
        : text === "\r" || text === "\n"
          ? "must not be a line break"
          : undefined
    ),
    Schema.annotations({ description: expected, jsonSchema: { minLength: 1, maxLength: 1 } })
  )

/** @internal */
export const CsvSource = Schema.Struct({
  type: Schema.Literal("csv"),
  path: FilePath,
  delimiter: Schema.optionalWith(SingleCharacter('one character, like "," or ";" or "\\t"'), { default: () => "," }),
  quote: Schema.optionalWith(SingleCharacter("one character"), { default: () => '"' }),
  encoding: Schema.optionalWith(Encoding, { default: () => "utf-8" as const })
}).pipe(
  Schema.filter((source) =>
    source.delimiter === source.quote ? { path: ["quote"], message: "must differ from `delimiter`" } : undefined
  )
)

/** @internal */
export const NdjsonSource = Schema.Struct({
  type: Schema.Literal("ndjson"),
  path: FilePath,
  encoding: Schema.optionalWith(Encoding, { default: () => "utf-8" as const })
})

/** @internal */
export const JsonSource = Schema.Struct({
  type: Schema.Literal("json"),
  path: FilePath,
  encoding: Schema.optionalWith(Encoding, { default: () => "utf-8" as const })
})

/** A database source: a query, and the connection URL from an environment variable or a file (exactly one). */
const querySource = <Type extends string>(type: Type) =>
  Schema.Struct({
    type: Schema.Literal(type),
    query: nonEmptyString("an SQL query"),
    urlEnv: Schema.optional(EnvironmentVariableName),
    urlFile: Schema.optional(FilePath)
  }).pipe(
    Schema.filter(exactlyOne(["urlEnv", "urlFile"], "where the connection URL comes from")),
    Schema.annotations({
      jsonSchema: {
        allOf: [
          { anyOf: [{ required: ["urlEnv"] }, { required: ["urlFile"] }] },
          { not: { required: ["urlEnv", "urlFile"] } }
        ]
      }
    })
  )

/** @internal */
export const PostgresSource = querySource("postgres")

/** @internal */
export const MysqlSource = querySource("mysql")

/** @internal */
export const ParquetSource = Schema.Struct({
  type: Schema.Literal("parquet"),
  path: FilePath
})

/** @internal */
export const Source = Schema.Union(
  CsvSource,
  NdjsonSource,
  JsonSource,
  PostgresSource,
  MysqlSource,
  ParquetSource
).annotations({
  description: "a source with `type: csv`, `ndjson`, `json`, `postgres`, `mysql` or `parquet`"
})

// ---------------------------------------------------------------------------------------------------------------
// Bookkeeping
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const State = Schema.Struct({
  sqlite: Schema.optional(FilePath),
  postgres: Schema.optional(DatabaseConnection)
}).pipe(
  Schema.filter(exactlyOne(["sqlite", "postgres"], "the state store")),
  Schema.annotations({
    description: "`{ sqlite: ./file.db }` or `{ postgres: { urlEnv: VARIABLE } }`",
    jsonSchema: { minProperties: 1, maxProperties: 1 }
  })
)

/** @internal */
export const DeadLetters = Schema.Struct({
  maxAttempts: Schema.optionalWith(integerBetween(1, 1000, "a whole number from 1 to 1000"), { default: () => 3 })
})

/** @internal */
export const History = Schema.Struct({
  keepDays: Schema.optionalWith(integerBetween(0, 36_500, "a whole number of days from 0 to 36500"), {
    default: () => 90
  })
})

/** @internal */
export const Rejects = Schema.Struct({
  path: Schema.optionalWith(FilePath, { default: () => "./rejects.ndjson" })
})

// ---------------------------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------------------------

/**
 * What an alert can be about, in the order the docs list them.
 *
 * @internal
 */
export const alertKinds = ["failed", "partial", "rejections", "deadLetters", "deleteRefused", "missedRun"] as const

/** A header's value is a secret like a token: from an environment variable or a file, never written in the config. */
const HeaderValue = Schema.Struct({
  tokenEnv: Schema.optional(EnvironmentVariableName),
  tokenFile: Schema.optional(FilePath)
}).pipe(
  Schema.filter(exactlyOne(["tokenEnv", "tokenFile"], "where the header's value comes from")),
  Schema.annotations({
    description: "`{ tokenEnv: VARIABLE }` or `{ tokenFile: /path/to/file }`",
    jsonSchema: { minProperties: 1, maxProperties: 1 }
  })
)

const HeaderName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/),
  Schema.annotations({ description: "an HTTP header name, like X-Api-Key" })
)

/** Headers a request gets from profilesync itself: configuring them would send a wrong or second value. */
const reservedHeaders = ["content-type", "content-length", "host", "transfer-encoding"]

/** @internal */
export const AlertWebhook = Schema.Struct({
  urlEnv: Schema.optional(EnvironmentVariableName),
  urlFile: Schema.optional(FilePath),
  headers: Schema.optional(Schema.Record({ key: HeaderName, value: HeaderValue }))
}).pipe(
  Schema.filter(exactlyOne(["urlEnv", "urlFile"], "where the webhook URL comes from")),
  Schema.filter((webhook) =>
    Object.keys(webhook.headers ?? {})
      .filter((name) => reservedHeaders.includes(name.toLowerCase()))
      .map((name) => ({ path: ["headers", name], message: "is set by profilesync itself and cannot be configured" }))
  ),
  Schema.annotations({
    description:
      "`{ urlEnv: VARIABLE }` or `{ urlFile: /path/to/file }` (the URL is a secret: Slack's carries its token), " +
      "and optional `headers` whose values come from `tokenEnv` or `tokenFile`"
  })
)

const Share = Schema.Number.pipe(
  Schema.filter((value) => value >= 0 && value <= 1),
  Schema.annotations({ description: "a share from 0 to 1, like 0.05 for 5%", jsonSchema: { minimum: 0, maximum: 1 } })
)

/** @internal */
export const Alerts = Schema.Struct({
  webhook: AlertWebhook,
  on: Schema.optionalWith(
    Schema.Array(Schema.Literal(...alertKinds)).pipe(
      Schema.minItems(1),
      Schema.annotations({ description: `a list of ${alertKinds.join(", ")}` })
    ),
    { default: () => [...alertKinds] }
  ),
  maxRejectedShare: Schema.optionalWith(Share, { default: () => 0.05 }),
  attempts: Schema.optionalWith(integerBetween(1, 10, "a whole number of delivery attempts from 1 to 10"), {
    default: () => 4
  }),
  timeoutSeconds: Schema.optionalWith(integerBetween(1, 60, "a whole number of seconds from 1 to 60"), {
    default: () => 10
  })
}).annotations({ description: "where and when to send alerts: `{ webhook: { urlEnv: VARIABLE } }` at least" })

const CronExpression = Schema.String.pipe(
  Schema.filter((text) => {
    const parsed = Cron.parse(text)
    return Either.isRight(parsed) ? undefined : `\`${text}\` is not a valid cron expression: ${parsed.left.message}`
  }),
  Schema.annotations({ description: 'a cron expression, like "*/15 * * * *"', jsonSchema: {} })
)

const TimeZone = Schema.String.pipe(
  Schema.filter((text) =>
    Either.isRight(Cron.parse("* * * * *", text)) ? undefined : `\`${text}\` is not a known IANA time zone`
  ),
  Schema.annotations({ description: "an IANA time zone, like Europe/Amsterdam", jsonSchema: {} })
)

// ---------------------------------------------------------------------------------------------------------------
// The whole file and its cross-references
// ---------------------------------------------------------------------------------------------------------------

/** The structure alone, before the cross-reference rules. */
const SyncConfigStructure = Schema.Struct({
  version: Schema.Literal(1),
  name: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
    Schema.annotations({
      description:
        "a name of letters, digits, `_`, `.` and `-`, starting with a letter or digit (at most 64 characters)"
    })
  ),
  schedule: Schema.optional(CronExpression),
  timeZone: Schema.optional(TimeZone),
  source: Source,
  ...MappingConfig.schemaParts.mappingFields,
  state: Schema.optionalWith(State, { default: () => ({ sqlite: "./profilesync.db" }) }),
  deadLetters: Schema.optionalWith(DeadLetters, { default: () => ({ maxAttempts: 3 }) }),
  rejects: Schema.optionalWith(Rejects, { default: () => ({ path: "./rejects.ndjson" }) }),
  history: Schema.optionalWith(History, { default: () => ({ keepDays: 90 }) }),
  alerts: Schema.optional(Alerts)
}).annotations({ description: "a sync config (a YAML mapping with `version: 1`)" })

/**
 * The whole config file.
 *
 * @internal
 */
export const SyncConfig = SyncConfigStructure.pipe(
  Schema.filter((config) => {
    const issues = MappingConfig.schemaParts.crossReferenceIssues(config)
    return issues.length === 0 ? undefined : issues.map((issue) => ({ path: issue.path, message: issue.message }))
  })
)
