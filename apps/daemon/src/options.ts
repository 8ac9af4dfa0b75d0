/**
 * @module
 * The options several commands share, with their defaults and environment fallbacks.
 */
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"

/**
 * `--config`/`-c`: the sync's YAML file; default `$PROFILESYNC_CONFIG`, else `./profilesync.yaml`.
 *
 * @since 0.1.0
 * @category options
 */
export const config = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDescription("The sync's config file (default $PROFILESYNC_CONFIG, else ./profilesync.yaml)."),
  Options.withFallbackConfig(Config.string("PROFILESYNC_CONFIG")),
  Options.withDefault("./profilesync.yaml")
)

/**
 * `--json`: print the result as one JSON document on stdout instead of text.
 *
 * @since 0.1.0
 * @category options
 */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Print the result as JSON on stdout (one line) instead of text.")
)

/**
 * `--target`: limit to one target; repeat for both; default every configured target.
 *
 * @since 0.1.0
 * @category options
 */
export const targets = Options.choice("target", ["ocamba", "copernica"]).pipe(
  Options.withAlias("t"),
  Options.withDescription("Only this target (ocamba or copernica); repeat for both. Default: every configured one."),
  Options.repeated
)

/**
 * `--redis-url`: share the vendors' rate budget (and nothing else) with other processes; default `$REDIS_URL`.
 *
 * @since 0.1.0
 * @category options
 */
export const redisUrl = Options.text("redis-url").pipe(
  Options.withDescription(
    "Redis holding the shared rate budget, e.g. redis://127.0.0.1:6379 (default $REDIS_URL; none: in memory)."
  ),
  Options.withFallbackConfig(Config.string("REDIS_URL")),
  Options.optional
)

/**
 * `--dry-run`: read, validate and diff, and report what would change, without calling a vendor's write endpoints or
 * changing the state store's rows.
 *
 * @since 0.1.0
 * @category options
 */
export const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("Report what would change without writing to the vendors.")
)

/**
 * `--allow-mass-delete`: let `deleteMissing` delete more than the Copernica target's `maxDeleteShare` (5% of its
 * known profiles by default) in this run. Rows that could not be read or keyed still hold every delete back.
 *
 * @since 0.1.0
 * @category options
 */
export const allowMassDelete = Options.boolean("allow-mass-delete").pipe(
  Options.withDescription(
    "Let deleteMissing delete more than maxDeleteShare of the known profiles in this run (check --dry-run first)."
  )
)

/**
 * `--accept-schema-changes`: run even though a mapped column's type (PostgreSQL, MySQL, Parquet) changed since the
 * last successful run (which otherwise stops the run before anything is sent); the new types are what later runs
 * compare with.
 *
 * @since 0.2.0
 * @category options
 */
export const acceptSchemaChanges = Options.boolean("accept-schema-changes").pipe(
  Options.withDescription(
    "Run even though a mapped column of a PostgreSQL, MySQL or Parquet source changed type since the last successful run (check the mapping first)."
  )
)
