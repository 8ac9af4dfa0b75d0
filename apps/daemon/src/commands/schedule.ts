/**
 * @module
 * `profilesync schedule`: runs a sync (`--config`) or every sync of a directory (`--configs`) on its cron `schedule`, in
 * its `timeZone`, until SIGTERM.
 *
 * **Details**
 *
 * - Runs of one sync never overlap: in this process they run one after the other, and across processes and machines
 *   the run lock in the state store refuses a second one (that tick is skipped with a warning).
 * - One run per tick across replicas: before a tick's run, a replica claims the tick with a second lock in the state
 *   store (`profilesync-tick:<sync>`), and holds it until shortly before the next tick, so a replica whose clock or
 *   load makes it late does not run the same tick again after another finished it. With PostgreSQL state, several
 *   daemons on several machines can serve the same directory: each tick of each sync runs on one of them, the others
 *   skip it, and a replica that dies leaves its claims to expire before the next tick.
 * - The syncs of a directory run side by side, each on its own cron, sharing one throttle per vendor account (in this
 *   process, or through Redis with `--redis-url` across processes): several syncs into one account spend one budget.
 * - A run that outlasts the interval skips the ticks it missed rather than catching up in a burst: the next run is
 *   the next cron time after the previous run ended.
 * - A failed run is logged and the schedule goes on; the next tick retries (rows are confirmed per chunk, so nothing
 *   done is redone).
 * - SIGTERM while waiting: exit 0 at once. SIGTERM during a run: the run finishes its current chunk, saves state,
 *   reports "interrupted", and the process exits 0.
 * - The config is read once at start: restart the service to apply changes.
 * - With `alerts` in the config, each run's alerts are sent in the background (the schedule does not wait for a slow
 *   receiver; a stop waits for deliveries under way, each bounded by its attempts and timeout), and a tick that did
 *   not run on schedule gives one `missedRun` alert: at start, when the last run in the state store is older than a
 *   tick that has passed (the daemon was down); on waking for a tick well after it was due (the machine slept, the
 *   process was stopped); or when a tick's run could not start (another run held the lock). Further missed ticks
 *   give no further alert until a tick runs on time again. A tick another replica ran is not missed.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Throttle from "@profilesync/core/Throttle"
import { Sync, type SyncConfig, SyncState } from "@profilesync/sync"
import * as Context from "effect/Context"
import * as Cron from "effect/Cron"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as AlertDelivery from "../alert-delivery.ts"
import { type Alert, alertOfMissedRun, alertsOfExit, type MissedReason } from "../alerts.ts"
import { configsIn, configuredTargets, loadConfig, selectTargets, type TargetName } from "../config.ts"
import { toCliFailure } from "../errors.ts"
import { CliFailure, ExitCode } from "../exit-code.ts"
import * as Metrics from "../metrics-output.ts"
import * as CommonOptions from "../options.ts"
import { detectLogFormat } from "../output.ts"
import { requireUsablePaths } from "../path-checks.ts"
import { problemSummary, runAndReport } from "../run-sync.ts"
import { Shutdown } from "../shutdown.ts"
import { ensureStoreDirectory } from "../state-store.ts"
import { layerOptions } from "./run.ts"

const configDirectory = Options.directory("configs").pipe(
  Options.withDescription(
    "Serve every sync config of this directory (each .yaml and .yml file), each on its own cron; instead of --config."
  ),
  Options.optional
)

const now = Options.boolean("now").pipe(Options.withDescription("Also run once right away, before the first tick."))

/**
 * The config's cron, parsed in its time zone (UTC when absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const cronOf = (config: SyncConfig.SyncConfig, configPath: string): Either.Either<Cron.Cron, CliFailure> => {
  if (config.schedule === undefined) {
    return Either.left(
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `${configPath}: no \`schedule\` is set; add one (e.g. schedule: "*/15 * * * *") or use \`profilesync run\``
      })
    )
  }
  return Either.mapLeft(
    Cron.parse(config.schedule, config.timeZone ?? "UTC"),
    (error) =>
      new CliFailure({
        exitCode: ExitCode.configError,
        message: `${configPath}: schedule: \`${config.schedule}\` cannot be used: ${error.message}`
      })
  )
}

// Effect treats a sleep longer than a JavaScript timer holds (2^31 - 1 ms, about 24.8 days) as endless and sets no
// timer, so nothing kept the process alive: a monthly or yearly schedule exited at once, with 0, without a run. Sleep
// at most a day at a time instead.
const longestSleep = 24 * 60 * 60 * 1000

const sleepFor = (milliseconds: number): Effect.Effect<void> => {
  const until = Date.now() + milliseconds
  const step: Effect.Effect<void> = Effect.suspend(() => {
    const remaining = until - Date.now()
    return remaining <= 0
      ? Effect.void
      : Effect.sleep(Duration.millis(Math.min(remaining, longestSleep))).pipe(Effect.zipRight(step))
  })
  return step
}

/** One sync of the schedule, ready to run. */
interface ScheduledSync {
  readonly path: string
  readonly config: SyncConfig.SyncConfig
  readonly cron: Cron.Cron
  readonly targets: ReadonlyArray<TargetName> | undefined
  readonly alerts: Option.Option<AlertDelivery.AlertSender>
}

/**
 * The name of the lock that claims a tick of the sync `name` for one replica.
 *
 * @since 0.2.0
 * @category constructors
 */
export const tickLockName = (name: string): string => `profilesync-tick:${name}`

/** Loads one config and checks everything a run of it needs before the schedule starts. */
const prepare = (path: string, requestedTargets: ReadonlyArray<TargetName>, dryRun: boolean) =>
  Effect.gen(function* () {
    const config = yield* loadConfig(path)
    const cron = yield* cronOf(config, path)
    const targets = yield* selectTargets(config, path, requestedTargets)
    yield* requireUsablePaths(config, path, dryRun)
    if (!dryRun) yield* ensureStoreDirectory(config)
    // A dry run changes nothing and alerts on nothing.
    const alerts = dryRun ? Option.none() : yield* AlertDelivery.make(config)
    return { path, config, cron, targets, alerts } satisfies ScheduledSync
  })

const configFailure = (message: string) => new CliFailure({ exitCode: ExitCode.configError, message })

/**
 * Two configs of one name would share their state, locks and metrics, and two runs writing one rejects file at once
 * would lose one of them: refuse both, naming the two files.
 */
const requireSeparateSyncs = (syncs: ReadonlyArray<ScheduledSync>) => {
  const names = new Map<string, string>()
  const rejects = new Map<string, string>()
  for (const sync of syncs) {
    const sameName = names.get(sync.config.name)
    if (sameName !== undefined) {
      return Effect.fail(configFailure(`${sync.path}: name "${sync.config.name}" is also the name of ${sameName}`))
    }
    const sameRejects = rejects.get(sync.config.rejects.path)
    if (sameRejects !== undefined) {
      return Effect.fail(
        configFailure(
          `${sync.path}: rejects.path ${sync.config.rejects.path} is also the rejects file of ${sameRejects}; ` +
            "give each sync its own (rejects: { path: ./<name>-rejects.ndjson })"
        )
      )
    }
    names.set(sync.config.name, sync.path)
    rejects.set(sync.config.rejects.path, sync.path)
  }
  return Effect.void
}

/**
 * Claims a tick for this replica: the tick lock, held in a scope of its own until {@link releaseBefore} lets it go.
 * `None` when another replica holds it. A store that cannot be asked does not stop the run: the engine's run lock
 * still keeps runs from overlapping, and the run reports the store's failure itself.
 */
const claimTick = (name: string, interval: number) =>
  Effect.gen(function* () {
    const state = yield* SyncState.SyncState
    const scope = yield* Scope.make()
    // Short enough that a replica killed while holding it is gone by the next tick, long enough for heartbeats.
    const ttl = Duration.millis(Math.max(1000, Math.min(60_000, interval / 2)))
    const claimed = yield* state.acquireLock(tickLockName(name), { ttl }).pipe(Scope.extend(scope), Effect.either)
    if (Either.isRight(claimed)) return Option.some(scope)
    yield* Scope.close(scope, Exit.void)
    if (claimed.left.reason._tag === "Locked") {
      yield* Effect.logInfo("tick skipped: another replica runs it").pipe(
        Effect.annotateLogs({ sync: name, holder: claimed.left.reason.owner })
      )
      return Option.none<Scope.CloseableScope>()
    }
    yield* Effect.logWarning("tick not claimed; running anyway").pipe(
      Effect.annotateLogs({ sync: name, detail: claimed.left.message })
    )
    return Option.some(yield* Scope.make())
  })

/** How long before the next tick a claim is let go: enough for clocks a little apart, a small share of the interval. */
const releaseMargin = (interval: number) => Math.min(5000, interval / 4)

/**
 * How late a tick may start and still count as on time: half the interval, at most a minute (a busy machine wakes a
 * little late; a sleeping one, much later).
 */
const lateness = (interval: number) => Math.min(60_000, interval / 2)

/** The ticks of `cron` from `due` up to `now` (at most 1000: beyond that the number says nothing more). */
const ticksBetween = (cron: Cron.Cron, due: Date, now: Date) => {
  let count = 0
  for (let tick = due; tick.getTime() <= now.getTime() && count < 1000; tick = Cron.next(cron, tick)) count++
  return count
}

/**
 * The tick the store's last run should have been followed by, when it is overdue: the daemon was not running (or
 * not running this sync) when it was due. `None` when the sync never ran, or a run started since.
 */
const overdueTick = (name: string, cron: Cron.Cron, now: Date) =>
  Effect.gen(function* () {
    const state = yield* SyncState.SyncState
    const runs = yield* state.recentRuns({ sync: name, limit: 20 })
    const last = runs.find((run) => !run.dryRun)
    if (last === undefined) return Option.none<Date>()
    const due = Cron.next(cron, last.startedAt)
    const interval = Cron.next(cron, due).getTime() - due.getTime()
    return now.getTime() - due.getTime() > lateness(interval) ? Option.some(due) : Option.none<Date>()
  })

/** The schedule of one sync: wait for a tick, claim it, run, and hold the claim until just before the next tick. */
const scheduleOne = (
  sync: ScheduledSync,
  runOptions: { readonly dryRun: boolean; readonly json: boolean; readonly now: boolean },
  observe: Metrics.MetricsRecorder["observe"]
) =>
  Effect.gen(function* () {
    const { config, cron } = sync
    const shutdown = yield* Shutdown
    const zone = config.timeZone ?? "UTC"
    const format = detectLogFormat()

    const waitUntil = (at: Date) =>
      // `true` when a stop was requested first.
      Effect.raceFirst(Effect.as(sleepFor(at.getTime() - Date.now()), false), Effect.as(shutdown.requested, true))

    // Alerts go out in the background, so a slow receiver never holds up a tick; the schedule waits for them at its end.
    const deliveries = yield* FiberSet.make()
    const notify = (alerts: ReadonlyArray<Alert>) =>
      Option.match(sync.alerts, {
        onNone: () => Effect.void,
        onSome: (sender) => (alerts.length === 0 ? Effect.void : FiberSet.run(deliveries, sender.send(alerts)))
      })
    // Set once a missed tick was alerted on; cleared when a tick runs on time, so one outage gives one alert.
    let missedAlerted = false
    const missed = (reason: MissedReason) =>
      Effect.gen(function* () {
        yield* Effect.logWarning("tick missed").pipe(
          Effect.annotateLogs({ sync: config.name, due: reason.due.toISOString(), reason: reason._tag })
        )
        if (missedAlerted || Option.isNone(sync.alerts)) return
        missedAlerted = true
        yield* notify(alertOfMissedRun(config.name, reason, sync.alerts.value.settings))
      })

    const oneRun = runAndReport(
      { config, targets: sync.targets, dryRun: runOptions.dryRun, replayDeadLetters: false, format },
      runOptions.json
    ).pipe(
      observe(config.name),
      Effect.onExit((exit) =>
        Option.match(sync.alerts, {
          onNone: () => Effect.void,
          onSome: (sender) => notify(alertsOfExit(config.name, exit, sender.settings))
        })
      ),
      Effect.flatMap((report) => {
        const problem = problemSummary(report)
        if (problem === undefined) return Effect.void
        const log = report.status === "failed" ? Effect.logError : Effect.logWarning
        return log(problem).pipe(Effect.annotateLogs({ sync: config.name, status: report.status }))
      }),
      Effect.as(Option.none<string>()),
      Effect.catchAll((error) => {
        const failure = toCliFailure(error)
        return failure.exitCode === ExitCode.locked
          ? Effect.logWarning("tick skipped: another run holds the lock").pipe(
              Effect.annotateLogs({ sync: config.name, detail: failure.message }),
              // The tick's run could not start: what a missed-run alert says.
              Effect.as(Option.some(failure.message))
            )
          : Effect.logError("run failed").pipe(
              Effect.annotateLogs({ sync: config.name, detail: failure.message }),
              Effect.as(Option.none<string>())
            )
      })
    )

    /**
     * Runs the tick that fired at `tick`, claimed against other replicas (a dry run writes no claim). `late` is set
     * when the tick was noticed well after it was due.
     */
    const runTick = (tick: Date, late: boolean) =>
      Effect.gen(function* () {
        const next = Cron.next(cron, tick)
        const interval = next.getTime() - tick.getTime()
        const claim = runOptions.dryRun ? Option.some(yield* Scope.make()) : yield* claimTick(config.name, interval)
        if (Option.isNone(claim)) return
        const release = Scope.close(claim.value, Exit.void)
        const notStarted = yield* oneRun.pipe(Effect.onInterrupt(() => release))
        if (Option.isSome(notStarted)) yield* missed({ _tag: "NotStarted", due: tick, detail: notStarted.value })
        else if (!late) missedAlerted = false
        // The claim outlives the run, in the background, so the schedule goes on waiting for the next tick.
        yield* Effect.forkScoped(
          waitUntil(new Date(next.getTime() - releaseMargin(interval))).pipe(Effect.ensuring(release))
        )
      }).pipe(Effect.annotateLogs({ tick: tick.toISOString() }))

    yield* Effect.logInfo("schedule started").pipe(
      Effect.annotateLogs({ sync: config.name, schedule: config.schedule, timeZone: zone })
    )
    // A tick that passed while this daemon was down: the store's last run is older than it.
    if (!runOptions.dryRun && Option.isSome(sync.alerts)) {
      const started = new Date()
      const overdue = yield* overdueTick(config.name, cron, started).pipe(
        Effect.catchAll((error) =>
          Effect.logWarning("could not tell whether a tick was missed").pipe(
            Effect.annotateLogs({ sync: config.name, detail: toCliFailure(error).message }),
            Effect.as(Option.none<Date>())
          )
        )
      )
      // Replicas started together each find the same overdue tick: only the one that claims it tells it.
      const next = Cron.next(cron, started)
      const claim = Option.isSome(overdue)
        ? yield* claimTick(`${config.name}:missed`, next.getTime() - started.getTime())
        : Option.none<Scope.CloseableScope>()
      if (Option.isSome(overdue) && Option.isSome(claim)) {
        const release = Scope.close(claim.value, Exit.void)
        // Held until the next tick, when a run (on one replica) makes the store's last run recent again.
        yield* Effect.forkScoped(waitUntil(next).pipe(Effect.ensuring(release)))
        const due = overdue.value
        yield* missed({
          _tag: "Late",
          due,
          missed: ticksBetween(cron, due, started),
          noticedAt: started,
          runsNow: runOptions.now
        })
      }
    }
    if (runOptions.now) yield* runTick(new Date(), false)
    while (!(yield* shutdown.isRequested)) {
      const next = Cron.next(cron, new Date())
      yield* Effect.logInfo("next run scheduled").pipe(
        Effect.annotateLogs({ sync: config.name, at: next.toISOString(), schedule: config.schedule, timeZone: zone })
      )
      if (yield* waitUntil(next)) break
      // Timers do not run while the machine sleeps or the process is stopped: waking long after the tick means the
      // ticks in between did not run here. Another replica may have run them: then they are not missed.
      const woke = new Date()
      const interval = Cron.next(cron, next).getTime() - next.getTime()
      const late = woke.getTime() - next.getTime() > lateness(interval)
      if (late && !runOptions.dryRun) {
        const ranElsewhere = yield* SyncState.SyncState.pipe(
          Effect.flatMap((state) => state.recentRuns({ sync: config.name, limit: 1 })),
          Effect.map((runs) => runs.some((run) => run.startedAt.getTime() >= next.getTime())),
          Effect.orElseSucceed(() => false)
        )
        if (!ranElsewhere) {
          yield* missed({
            _tag: "Late",
            due: next,
            missed: ticksBetween(cron, next, woke),
            noticedAt: woke,
            runsNow: true
          })
        }
      }
      yield* runTick(next, late)
    }
    yield* Effect.logInfo("schedule stopped").pipe(Effect.annotateLogs({ sync: config.name }))
    // Alerts under way are delivered (each bounded by its attempts and timeout) before the process exits.
    yield* FiberSet.awaitEmpty(deliveries)
  })

/**
 * `profilesync schedule [--config F | --configs DIR] [--now] [--target T] [--json] [--redis-url U]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const schedule = Command.make(
  "schedule",
  {
    config: CommonOptions.config,
    configDirectory,
    now,
    dryRun: CommonOptions.dryRun,
    targets: CommonOptions.targets,
    json: CommonOptions.json,
    redisUrl: CommonOptions.redisUrl,
    metricsTextfile: Metrics.textfileOption,
    metricsPort: Metrics.portOption,
    metricsHost: Metrics.hostOption
  },
  (options) =>
    Effect.gen(function* () {
      const paths = Option.isSome(options.configDirectory)
        ? yield* configsIn(options.configDirectory.value)
        : [options.config]
      if (paths.length > 1 && options.targets.length > 0) {
        return yield* configFailure("--target selects targets of one sync: use it with --config, not --configs")
      }
      const syncs = yield* Effect.forEach(paths, (path) => prepare(path, options.targets, options.dryRun))
      yield* requireSeparateSyncs(syncs)
      const shutdown = yield* Shutdown
      const metrics = yield* Metrics.make(
        syncs.map((sync) => ({ name: sync.config.name, targets: sync.targets ?? configuredTargets(sync.config) })),
        {
          // A dry run writes no file but its rejects preview, and counts nothing.
          textfile: options.dryRun ? Option.none() : options.metricsTextfile,
          port: options.metricsPort,
          host: options.metricsHost
        }
      )
      // One throttle for every sync of this process: syncs into one account share its budget.
      const redisUrl = Option.getOrUndefined(options.redisUrl)
      const throttle = Context.get(
        yield* Layer.build(Sync.layerThrottle(redisUrl === undefined ? {} : { redisUrl })),
        Throttle.Throttle
      )
      const runOptions = { dryRun: options.dryRun, json: options.json, now: options.now }
      yield* shutdown.graceful(
        Effect.forEach(
          syncs,
          (sync) =>
            scheduleOne(sync, runOptions, metrics.observe).pipe(
              // The claims held in the background end before the sync's state store closes.
              Effect.scoped,
              Effect.provide(Sync.layer(sync.config, { ...layerOptions(options.redisUrl, options.dryRun), throttle }))
            ),
          { concurrency: "unbounded", discard: true }
        )
      )
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run a sync (--config) or every sync of a directory (--configs) on its cron `schedule` (in its `timeZone`) " +
      "until SIGTERM; runs of a sync never overlap, and each tick runs on one replica. " +
      "Exit codes: 0 stopped by a signal, 1 could not start, 2 config error."
  )
)
