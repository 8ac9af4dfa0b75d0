/**
 * What every target's vendor jobs share: state writes made only under the run's lock, the ways a job ends without
 * results (given up, left in flight for the next run), counting a completed job's rows once, and polling with
 * backoff. Order per chunk, whatever the vendor: journal (planned, by the engine) → started → vendor call →
 * submitted (vendor id recorded) → poll → per-row results → confirmed rows, failed rows and the job's end in one
 * transaction.
 *
 * @internal
 */
import { rm } from "node:fs/promises"
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as SyncState from "../../SyncState.ts"
import { type SyncError, stateFailed } from "../syncError.ts"
import type { ChunkRow, Polling, RunContext } from "./Target.ts"
import type { Tally } from "./tally.ts"

/**
 * A state write, made only while the run still holds its lock: a run that lost it (a heartbeat failed past the
 * lock's lifetime, another process took over) must not commit anything more.
 *
 * @internal
 */
export const write = <A>(
  context: Pick<RunContext, "lock">,
  effect: Effect.Effect<A, SyncState.SyncStateError>
): Effect.Effect<A, SyncError> => context.lock.ensureHeld.pipe(Effect.zipRight(effect), Effect.mapError(stateFailed))

/**
 * The span of a vendor job (`profilesync.sync.vendor_job`): from the vendor's id being recorded to the job's end
 * (polling, results, the state's commit), under its chunk's span. Free when no tracer is installed.
 *
 * @internal
 */
export const vendorJobSpan =
  (job: SyncState.Job, vendorJobId: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(effect, "profilesync.sync.vendor_job", {
      attributes: {
        "profilesync.sync": job.sync,
        "profilesync.target": job.target,
        "profilesync.chunk": job.chunk,
        "profilesync.job": job.id,
        "profilesync.vendor_job": vendorJobId,
        "profilesync.rows": job.rows.length
      }
    })

/** @internal */
export const removeFile = (file: string | undefined): Effect.Effect<void> =>
  file === undefined ? Effect.void : Effect.promise(() => rm(file, { force: true }).catch(() => undefined))

/** The content-hash prefix of a delete job's rows, which tells a resumed run what kind of job it holds. @internal */
export const deleteHashPrefix = "delete:"

/** @internal */
export const isDeleteJob = (job: SyncState.Job): boolean =>
  job.rows.length > 0 && job.rows.every((row) => row.hash.startsWith(deleteHashPrefix))

type VendorError = OcambaClient.OcambaError | CopernicaClient.CopernicaError

/** The vendor answered and refused: repeating the same request cannot help. @internal */
export const isRefusal = (error: VendorError): boolean =>
  error.reason._tag === "BadRequest" || error.reason._tag === "Unauthorized" || error.reason._tag === "NotFound"

/**
 * Whether a failure makes every further chunk of the target pointless: the vendor stayed out of reach (the breaker
 * was still open at the end of the run's budget, see {@link throughBreaker}) or refuses the credentials. Anything else fails one chunk, and the chunks after it still go.
 *
 * @internal
 */
export const stopsTarget = (error: VendorError): boolean =>
  error.reason._tag === "CircuitOpen" || error.reason._tag === "Unauthorized"

/** The wait for a breaker whose half-open time is not known (its probes are in flight). */
const breakerPause = Duration.seconds(1)

/**
 * Runs a vendor call; while it fails because the vendor's circuit breaker is open (the call was not sent), waits
 * for the breaker to half-open and runs it again, as long as the wait ends within the run's budget
 * (`RunContext.deadline`). An open breaker thus pauses a target instead of stopping it for the rest of the run; past
 * the budget, or once the run was told to stop, the call fails with `CircuitOpen`, which stops the target (see
 * {@link stopsTarget}).
 *
 * @internal
 */
export const throughBreaker = <A, E extends VendorError, R>(
  context: Pick<RunContext, "deadline" | "stopped">,
  call: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    for (;;) {
      const result = yield* Effect.either(call)
      if (Either.isRight(result)) return result.right
      const reason = result.left.reason
      if (reason._tag !== "CircuitOpen") return yield* Effect.fail(result.left)
      // A little past the half-open time, so the next call finds the breaker ready for a probe.
      const wait = Duration.toMillis(Option.getOrElse(reason.retryAfter, () => breakerPause)) + 10
      if ((yield* Clock.currentTimeMillis) + wait > context.deadline) return yield* Effect.fail(result.left)
      // A run told to stop does not wait: the chunk's rows go next run.
      const waited = yield* Effect.raceFirst(
        Effect.as(Effect.sleep(Duration.millis(wait)), true),
        Effect.as(context.stopped, false)
      )
      if (!waited) return yield* Effect.fail(result.left)
    }
  })

/** @internal */
export const describeDuration = (milliseconds: number): string => Duration.format(Duration.millis(milliseconds))

/**
 * Ends a job the vendor will never process (refused, or never reached): its rows are not confirmed and count no
 * attempt (the row is not at fault), so the diff sends them again next run. `stop` also stops the target for this
 * run (a problem every chunk would meet).
 *
 * @internal
 */
export const giveUp = (
  context: RunContext,
  tally: Tally,
  job: SyncState.Job,
  rows: number,
  message: string,
  options: { readonly file?: string | undefined; readonly stop: boolean }
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    yield* write(context, context.state.markJobFailed(job.id, message))
    yield* removeFile(options.file)
    yield* tally.add({ failed: rows })
    yield* options.stop ? tally.stop(message) : tally.note(message)
    yield* context.jobDone
  })

/**
 * Leaves a submitted job in the journal: the vendor has it, but this run cannot see it through (a status read kept
 * failing, or the job outlasted the poll timeout). The next run resumes it; sending its rows again would do the
 * work twice. The target's other chunks go on: one job's trouble says nothing about theirs.
 *
 * @internal
 */
export const leaveInFlight = (context: RunContext, tally: Tally, rows: number, message: string): Effect.Effect<void> =>
  Effect.all([
    tally.add({ failed: rows }),
    tally.note(`${message}; the job stays in the journal and the next run resumes it`),
    context.jobDone
  ])

/**
 * Commits a job's per-row results and its end in one transaction, then counts its rows: confirmed rows as created
 * or updated (or, in a resumption, handed to the diff), `unprocessed` and refused rows as failed.
 *
 * @internal
 */
export const complete = (
  context: RunContext,
  tally: Tally,
  job: SyncState.Job,
  rows: ReadonlyArray<ChunkRow>,
  results: {
    readonly confirmed: ReadonlyArray<SyncState.ConfirmedRow>
    readonly failed: ReadonlyArray<SyncState.FailedRow>
    readonly unprocessed: number
    readonly result: unknown
  }
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const outcome = yield* write(
      context,
      context.state.completeJob(job.id, {
        confirmed: [...results.confirmed],
        failed: [...results.failed],
        maxAttempts: context.config.deadLetters.maxAttempts,
        result: results.result
      })
    )
    const confirmedKeys = new Set(results.confirmed.map((row) => row.key))
    let created = 0
    let updated = 0
    for (const row of rows) {
      if (!confirmedKeys.has(row.key)) continue
      if (tally.resumption) tally.resumedRows.set(row.key, row.created)
      else if (row.created) created++
      else updated++
    }
    yield* tally.add({
      created,
      updated,
      confirmed: confirmedKeys.size,
      failed: results.failed.length + results.unprocessed,
      deadLettered: outcome.deadLettered.length
    })
  })

/**
 * Polls until `isDone`, waiting `initialDelay`, then twice as long each time up to `maxDelay`, for `timeout`.
 *
 * @internal
 */
export const poll = <A, E>(
  polling: Polling,
  read: Effect.Effect<A, E>,
  isDone: (value: A) => boolean
): Effect.Effect<Option.Option<A>, E> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    let delay = polling.initialDelay
    for (;;) {
      yield* Effect.sleep(Duration.millis(delay))
      const value = yield* read
      if (isDone(value)) return Option.some(value)
      if ((yield* Clock.currentTimeMillis) - started >= polling.timeout) return Option.none()
      delay = Math.min(delay * 2, polling.maxDelay)
    }
  })

/**
 * Whether each of a resumed job's rows is new to the target, for the report: what the state held before the job
 * completes.
 *
 * @internal
 */
export const resumedRowsOf = (
  context: RunContext,
  job: SyncState.Job
): Effect.Effect<ReadonlyArray<ChunkRow>, SyncError> =>
  Effect.map(
    write(
      context,
      context.state.lookup(
        context.config.name,
        job.target,
        job.rows.map((row) => row.key)
      )
    ),
    (known) =>
      job.rows.map((row) => ({
        key: row.key,
        hash: row.hash,
        created: Option.isNone(Option.flatMap(Option.fromNullable(known.get(row.key)), (record) => record.hash))
      }))
  )

/**
 * Ends a journaled job that never got its vendor id and that the target cannot look for: `planned` never reached
 * the vendor; `started` is in doubt, and nothing is resent from the journal: the diff sends the rows again.
 *
 * @internal
 */
export const failUnsubmitted = (
  context: RunContext,
  job: SyncState.Job,
  file?: string | undefined,
  inDoubt = "in doubt: its run stopped while sending it; nothing is resent from the journal, the diff sends the rows again"
): Effect.Effect<void, SyncError> =>
  Effect.gen(function* () {
    const why =
      job.status === "planned" ? "never sent: its run stopped before sending it; the rows are sent again" : inDoubt
    yield* write(context, context.state.markJobFailed(job.id, why))
    yield* removeFile(file)
  })
