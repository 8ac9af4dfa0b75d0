/**
 * Runs a sync: reads the source as a stream, normalises and validates every row (bad rows go to an NDJSON rejects
 * file, each with its reason), diffs each row by key and content hash with the last state each target confirmed,
 * and sends only new and changed rows: to Ocamba as uploaded and committed import files, to Copernica as imports.
 * It polls every vendor job until it is done, records per-row results, commits state only for rows the vendor
 * confirmed, deletes profiles that left the source only where the config says so, and resyncs the configured Ocamba
 * integrations and conversions.
 *
 * **Crash safety**
 *
 * Every vendor job is journaled before it is started and its vendor id is recorded as soon as the vendor gives it.
 * A restarted run first resumes the jobs its predecessor left in flight: a submitted job is polled (an Ocamba import
 * still waiting for its commit is committed), never sent again. A job that was started but never got its vendor id
 * is in doubt and is not resent from the journal; its rows are simply not confirmed, so the diff sends them again:
 * - Ocamba: an upload without a commit writes nothing (the session expires), so sending the rows again is safe.
 * - Copernica with `update or add`, `update` or `ignore or add`: the import may have landed; repeating it converges
 *   to the same profiles. With `action: add` a repeat adds the profiles twice, which is why `update or add` is the
 *   default.
 * A job that was only planned never reached the vendor.
 *
 * **Failures**
 *
 * A row the vendor refuses (an Ocamba report code other than `SUCCESS`, a Copernica import that ends with
 * `lasterror`) counts one attempt; after `deadLetters.maxAttempts` attempts of the same version it moves to the dead
 * letters and is not sent again until it changes or is replayed. A job the vendor could not take (the vendor is
 * down, refuses the credentials) counts no attempt: its rows are simply sent again next run. When the vendor's
 * circuit breaker is open, a chunk waits for it to half-open and the target goes on with its chunks, as long as the
 * wait ends within `polling.timeout` of the run's start; a breaker still open past that, or refused credentials,
 * stop the target for the rest of this run. A run holds a lock in the state store (one run per config, also across
 * machines).
 *
 * @since 0.1.0
 */

import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import type * as Throttle from "@profilesync/core/Throttle"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import * as engine from "./internal/syncEngine.ts"
import { SyncError, SyncErrorReason } from "./internal/syncError.ts"
import * as layers from "./internal/syncLayer.ts"
import * as reports from "./internal/syncReport.ts"
import type * as Source from "./Source.ts"
import type * as SyncConfig from "./SyncConfig.ts"
import type * as SyncState from "./SyncState.ts"

// ---------------------------------------------------------------------------------------------------------------
// Options and progress
// ---------------------------------------------------------------------------------------------------------------

/**
 * A vendor a sync writes to.
 *
 * @since 0.1.0
 * @category models
 */
export type TargetName = "ocamba" | "copernica"

/**
 * How vendor jobs are polled until they are done.
 *
 * **Details**
 *
 * - `initialDelay`: the first wait after submitting (default 500 millis); each later wait doubles.
 * - `maxDelay`: the longest wait between two polls (default 15 seconds): at most 4 polls a minute per job, well
 *   inside Ocamba's 150 calls a minute.
 * - `timeout`: how long a run waits for one job (default 1 hour). A job still running then stays in the journal and
 *   the next run resumes it; its rows count as failed in this run's report.
 *   It is also how long after its start a run waits for a vendor's open circuit breaker to half-open.
 *
 * Waits are on Effect's `Clock`, so `TestClock` drives them.
 *
 * @since 0.1.0
 * @category models
 */
export interface PollingOptions {
  readonly initialDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Options of {@link run}.
 *
 * **Details**
 *
 * - `config`: the sync (see `SyncConfig`).
 * - `dryRun`: read, map, diff and plan, and report what would happen (creates, updates, deletes, properties and
 *   fields to create), without any vendor write and without any change to the state store (default `false`). The
 *   vendors are only read (property and field lists), to plan.
 * - `targets`: the targets to sync (default every target in the config); naming one the config lacks is an error.
 * - `progress`: consumes the run's progress as a `Stream` of {@link Progress} events (after each batch of about
 *   1,000 rows and at each job step), on its own fiber; the stream ends when the run does, and `run` returns once
 *   the consumer has read every event (so it has seen `done`).
 * - `onProgress`: called for each progress event, in order (a `progress` consumer that calls a function);
 *   exceptions it throws are ignored.
 * - `stopSignal`: completes when the process should stop (SIGTERM). The run stops reading, finishes the jobs
 *   already at the vendor, saves their state and returns a report with status `interrupted`. Rows of chunks not yet
 *   sent are sent by the next run.
 * - `replayDeadLetters`: hand every pending dead letter of the selected targets back for another try before reading
 *   (default `false`); the diff then sends those rows again.
 * - `polling`: see {@link PollingOptions}.
 * - `allowMassDelete`: let `deleteMissing` delete more than the target's `maxDeleteShare` of its known profiles in
 *   this run (default `false`: such a run deletes nothing and says why). Deletes are never made while a source row
 *   could not be read or keyed, whatever this says.
 * - `acceptSchemaChanges`: run even though a mapped column's type (PostgreSQL, MySQL, Parquet) changed since the last
 *   successful run (default `false`: the run stops before sending anything, with `ColumnTypeChanged`). A missing
 *   column always stops the run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  readonly config: SyncConfig.SyncConfig
  readonly dryRun?: boolean | undefined
  readonly targets?: ReadonlyArray<TargetName> | undefined
  readonly progress?: ((events: Stream.Stream<Progress>) => Effect.Effect<void>) | undefined
  readonly onProgress?: ((progress: Progress) => void) | undefined
  readonly stopSignal?: Effect.Effect<void> | undefined
  readonly replayDeadLetters?: boolean | undefined
  readonly polling?: PollingOptions | undefined
  readonly allowMassDelete?: boolean | undefined
  readonly acceptSchemaChanges?: boolean | undefined
}

/**
 * Where a run is, for a progress bar or a log line.
 *
 * **Details**
 *
 * - `phase`: `reading` (source rows are read, mapped and diffed; chunks are sent as they fill, so `sending`,
 *   `polling` and `confirming` events of a target interleave with it), `planning` (properties and fields are
 *   compared and created), `sending` (a job is uploaded or created), `polling` (a job is being waited for),
 *   `confirming` (a job's results are committed to the state), `resyncing` (Ocamba integrations), `done`.
 * - `target`: the target the event is about, when there is one.
 * - `rowsRead`, `rowsRejected`: source records so far, and those no selected target accepted.
 * - `chunksDone`: vendor jobs finished in this run (resumed ones included); `chunksTotal` is known once the whole
 *   source was read.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly phase: "reading" | "planning" | "sending" | "polling" | "confirming" | "resyncing" | "done"
  readonly target?: TargetName
  readonly rowsRead: number
  readonly rowsRejected: number
  readonly chunksDone: number
  readonly chunksTotal?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------------------------

/**
 * What a run did at one target. In a dry run every count is what the run would have done.
 *
 * **Details**
 *
 * - `created`, `updated`: rows the vendor confirmed that the target had never confirmed before, or had confirmed
 *   with other content.
 * - `unchanged`: rows whose content the target already confirmed; they cost no vendor call.
 * - `deleted`: profiles deleted because they left the source (Copernica with `mode: mirror`, which is `deleteMissing: true`).
 * - `failed`: rows due to be sent that the target did not confirm (refused, not processed, or not sent because the
 *   target stopped); they are sent again next run.
 * - `deadLettered`: rows that reached `maxAttempts` in this run; `skippedDeadLetters`: rows not sent because this
 *   version of them is a dead letter; `deadLettersReplayed`: dead letters handed back by `replayDeadLetters`.
 * - `rejected`: rows this target refused (bad values, no identifier, a row larger than an import file): the run's
 *   `rejected` (rows every selected target refused) plus `rejectedOnlyHere` (rows another target took);
 *   `rejectReasons` counts the latter by the kind of each row's first reason, so they add up to `rejectedOnlyHere`.
 * - For every target, `created + updated + unchanged + failed + rejected + skippedDeadLetters` is the rows read
 *   (`deleted` counts profiles that left the source, which are not rows read).
 * - `chunks`: vendor jobs sent (resumed ones not included: see `resumedJobs`); `vendorJobs`: their vendor ids
 *   (Ocamba import ids, Copernica import ids), resumed ones included.
 * - `propertiesCreated`, `propertiesUpdated`: Ocamba custom properties; `fieldsCreated`: Copernica fields.
 * - `pendingDeletes`: profiles that left the source and were not deleted, because the config does not ask for it
 *   (or Ocamba, which has no delete, or the run did not read the whole source, or a row could not be read or keyed,
 *   or the deletes were over `maxDeleteShare` without `allowMassDelete`: `errors` says which).
 * - `deletesRefused`: of `pendingDeletes`, those a real run held back because they were over `maxDeleteShare` (the
 *   safety threshold) without `allowMassDelete`.
 * - `resumedJobs`: jobs a previous run left in flight that this run ended.
 * - `neutralised`: values written into this target's CSV imports with a `'` in front because they started like a
 *   spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR; OWASP "CSV Injection"); text fields only, unless a field says
 *   `neutraliseFormulas: false`. Copernica imports in JSON are not CSV and are sent as they are.
 * - `errors`: what went wrong at this target, in words; empty when nothing did.
 * - `missingKeys` (dry run only): the keys of the profiles that left the source, the first 20 in key order; they are
 *   what `deleted` (would delete) or `pendingDeletes` (would leave) count.
 *
 * @since 0.1.0
 * @category models
 */
export interface TargetReport {
  readonly created: number
  readonly updated: number
  readonly unchanged: number
  readonly deleted: number
  readonly failed: number
  readonly deadLettered: number
  readonly chunks: number
  readonly vendorJobs: ReadonlyArray<string>
  readonly propertiesCreated: number
  readonly propertiesUpdated: number
  readonly fieldsCreated: number
  readonly pendingDeletes: number
  readonly rejected: number
  readonly rejectedOnlyHere: number
  readonly rejectReasons: Record<string, number>
  readonly skippedDeadLetters: number
  readonly deadLettersReplayed: number
  readonly resumedJobs: number
  readonly neutralised: number
  readonly deletesRefused: number
  readonly errors: ReadonlyArray<string>
  readonly missingKeys?: ReadonlyArray<string>
}

/**
 * The outcome of a run; `JSON.stringify` it for machines, {@link formatReport} it for people.
 *
 * **Details**
 *
 * - `status`: `succeeded` (every row that had to go was confirmed), `partial` (some rows or a target failed),
 *   `failed` (every selected target failed, or the run ended on an error: see {@link SyncError}), `interrupted`
 *   (the stop signal arrived).
 * - `read`: source records read; `rejected`: records no selected target accepted (unreadable records and duplicate
 *   keys included); `duplicates`: rows rejected because an earlier row had the same key; `rejectReasons`: those
 *   rejected rows by the kind of each row's first reason, so they add up to `rejected` (rows only one target refused
 *   are in that target's `rejectedOnlyHere` and `rejectReasons`); `rejectsFile`: the NDJSON file naming every reason
 *   of every bad row, when there was one.
 * - `vendorCalls`: HTTP requests sent to each vendor during the run, retries included (from the
 *   `profilesync_vendor_requests_total` metric).
 * - `throttleWaitMilliseconds`: how long those requests waited for the vendor's budget, added up (calls that ran side
 *   by side each count their own wait). Through the proxy sidecar, the wait is the proxy's and is not counted here.
 * - `statePath`: the SQLite file, or `postgres` with where its URL comes from.
 * - `sourceColumns`: the source's columns when the run started (with their types for a PostgreSQL or MySQL query or a Parquet file), which the
 *   next run compares with; `newColumns`: those the last successful run did not have (left out when there is no such
 *   run to compare with). New columns are not an error: the run goes on and the report names them.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunReport {
  readonly runId: string
  readonly sync: string
  readonly status: "succeeded" | "partial" | "failed" | "interrupted"
  readonly dryRun: boolean
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMilliseconds: number
  readonly read: number
  readonly rejected: number
  readonly rejectsFile?: string
  readonly rejectReasons: Record<string, number>
  readonly duplicates: number
  readonly targets: Partial<Record<TargetName, TargetReport>>
  readonly vendorCalls: Partial<Record<TargetName, number>>
  readonly throttleWaitMilliseconds: Partial<Record<TargetName, number>>
  readonly statePath: string
  readonly sourceColumns?: ReadonlyArray<Source.SourceColumn> | undefined
  readonly newColumns?: ReadonlyArray<string> | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

export { SyncError, SyncErrorReason }

// ---------------------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs a sync once and returns its report.
 *
 * **Details**
 *
 * In order:
 * 1. Takes the sync's lock in the state store (`profilesync-sync:<name>`; a dry run takes none, since it writes
 *    nothing), records the run, and resumes the jobs a previous run left in flight.
 * 2. Streams the source in batches of 1,000 rows: each row is mapped; a bad row is written to the rejects file and
 *    the others go on; a row whose key an earlier row had is rejected naming that row; every key is marked seen;
 *    the batch's keys are looked up in the state and each row is compared by content hash per target.
 * 3. New and changed rows fill chunks: an Ocamba import file (under `maxFileBytes`, and at most 50,000 rows so a
 *    job's journal entry and report stay small) or a Copernica import (`rowsPerImport`). Before a target's first
 *    chunk, its properties or fields are planned and created (so a run with nothing to send calls no vendor at
 *    all). Each chunk is journaled, sent, polled with backoff, and its per-row results committed in one
 *    transaction, while reading goes on (at most 2 Ocamba and 4 Copernica jobs in flight).
 * 4. After a complete read: Copernica profiles that left the source are deleted with `delete` imports when
 *    `deleteMissing: true` (never with `removeMissing`, since a diff's imports never hold every row).
 * 5. When Ocamba confirmed rows, the configured integrations and conversions are resynced.
 *
 * **Gotchas**
 *
 * - Duplicate keys are found with a map of every key read (about 100 bytes per key: 100 MB for ten million rows);
 *   everything else keeps memory flat, whatever the size of the source.
 * - A source that fails part way (invalid bytes at row 70,000) fails the run, but chunks already sent before the
 *   error are finished and kept: they hold rows read correctly.
 * - A row whose key field became invalid has no key, so its profile looks like it left the source: with
 *   `deleteMissing: true` it is deleted from Copernica. Check `rejectsFile` when deletes are enabled.
 * - The rejects file of a dry run is written next to the configured one, as `<name>.dry-run.ndjson`, and only when
 *   that directory exists: a dry run creates no directory (nor, with `layer`'s `readOnly`, a state store).
 * - Ocamba import files are written to `<os temp dir>/profilesync/<sync>-<store hash>/` and removed when their job
 *   ends; the next run removes what a crashed run left there. A resumed job on another machine (PostgreSQL state)
 *   does not find its file, so rows that job fails are dead-lettered without their payload.
 * - Vendor failures do not fail the Effect: they stop the target for this run, and `status` and the target's
 *   `errors` say why. The Effect fails only with {@link SyncError}.
 *
 * @example
 * ```ts
 * const config = yield* SyncConfig.load("customers.yaml")
 * const report = yield* Sync.run({ config }).pipe(Effect.provide(Sync.layer(config)))
 * console.log(Sync.formatReport(report))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run: (
  options: RunOptions
) => Effect.Effect<
  RunReport,
  SyncError,
  SyncState.SyncState | OcambaClient.OcambaClient | CopernicaClient.CopernicaClient
> = engine.run

/**
 * Options of {@link layer}.
 *
 * **Details**
 *
 * - `redisUrl`: share the vendors' rate budgets through Redis with every other process using it (default: a budget
 *   for this process alone).
 * - `replicas`: how many processes share the budget, for the per-process share while Redis is unreachable
 *   (default 1).
 * - `readOnly`: open the state store read-only, for a dry run (default `false`): nothing is created, migrated or
 *   written; a SQLite file that does not exist is an empty store. A PostgreSQL store must already be set up.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  readonly redisUrl?: string | undefined
  readonly replicas?: number | undefined
  readonly readOnly?: boolean | undefined
  /**
   * A throttle to share with the other syncs of this process (from {@link layerThrottle}): syncs into one vendor
   * account then spend one budget. Without it, the layer builds its own from `redisUrl`.
   */
  readonly throttle?: Throttle.ThrottleService | undefined
}

/**
 * The throttle {@link layer} builds for the vendor clients: in memory, or shared through Redis when `redisUrl` is
 * given. Build it once and pass it as `throttle` to several syncs' layers to make them share one budget per account.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerThrottle: (options?: Pick<LayerOptions, "redisUrl" | "replicas">) => Layer.Layer<Throttle.Throttle> =
  layers.layerThrottle

/**
 * Everything {@link run} needs, built from a config.
 *
 * **Details**
 *
 * - The state store from `config.state`: a SQLite file (its directory is created) or PostgreSQL (URL from
 *   `urlEnv`/`urlFile`).
 * - The vendor clients from `config.targets`: `baseUrl`, `account`, and the token from `credentials`. A target
 *   without `credentials` talks through the proxy sidecar, which holds the token and spends the shared budget, so
 *   its client takes no token and no local throttle.
 * - One `Throttle` for both clients: in memory, or through Redis when `redisUrl` is given.
 * - A target the config does not have gets a client that dies when used; {@link run} never uses it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (
  config: SyncConfig.SyncConfig,
  options?: LayerOptions
) => Layer.Layer<SyncState.SyncState | OcambaClient.OcambaClient | CopernicaClient.CopernicaClient, SyncError> =
  layers.layer

/**
 * The report as text for people: status, duration, rows read and rejected with the reasons, and one line per
 * target with its counts, jobs and errors.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatReport: (report: RunReport) => string = reports.formatReport

/**
 * The name of the lock in the state store that every run of the sync `name` takes, in every process and on every
 * machine sharing the store (what `SyncState.inspectLock` and a lock takeover look for).
 *
 * @since 0.2.0
 * @category running
 */
export const lockName: (name: string) => string = engine.lockName
