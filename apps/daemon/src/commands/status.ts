/**
 * @module
 * `profilesync status`: what the state store holds about a sync: its recent runs with their counts, the vendor jobs
 * a crashed run left in flight (the next run resumes them), and the dead letters waiting for a replay.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { type SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { loadConfig } from "../config.ts"
import * as CommonOptions from "../options.ts"
import { printResult } from "../output.ts"
import { formatElapsed } from "../progress.ts"
import { describeStore, layerFromConfig, storeExists } from "../state-store.ts"
import { count, formatTime, renderFittedTable, renderTable } from "../table.ts"

const limit = Options.integer("limit").pipe(
  Options.withAlias("n"),
  Options.withDescription("How many recent runs to show (default 10)."),
  Options.withDefault(10)
)

// Dead letters are counted by listing them; past this many, status says "more than".
const deadLetterCountLimit = 10_000

/**
 * What `status` shows, also its `--json` form.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusView {
  readonly sync: string
  readonly store: string
  readonly runs: ReadonlyArray<{
    readonly id: string
    readonly status: SyncState.RunStatus
    readonly dryRun: boolean
    readonly targets: ReadonlyArray<string>
    readonly startedAt: string
    readonly finishedAt: string | null
    readonly durationMilliseconds: number | null
    readonly counts: Readonly<Record<string, number>>
  }>
  readonly inFlightJobs: ReadonlyArray<{
    readonly target: string
    readonly runId: string
    readonly chunk: number
    readonly status: SyncState.JobStatus
    readonly vendorJobId: string | null
    readonly rows: number
  }>
  readonly deadLetters: {
    readonly total: number
    readonly more: boolean
    readonly byTarget: Readonly<Record<string, number>>
  }
}

/**
 * Reads the {@link StatusView} of a sync from its store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readStatus = (config: SyncConfig.SyncConfig, runLimit: number) =>
  Effect.gen(function* () {
    const state = yield* SyncState.SyncState
    const runs = yield* state.recentRuns({ sync: config.name, limit: runLimit })
    const jobs = yield* state.inFlightJobs(config.name)
    const letters = yield* state.deadLetters(config.name, { limit: deadLetterCountLimit + 1 })
    const byTarget: Record<string, number> = {}
    for (const letter of letters.slice(0, deadLetterCountLimit))
      byTarget[letter.target] = (byTarget[letter.target] ?? 0) + 1
    const view: StatusView = {
      sync: config.name,
      store: describeStore(config),
      runs: runs.map((run) => {
        const finishedAt = Option.getOrNull(run.finishedAt)
        return {
          id: run.id,
          status: run.status,
          dryRun: run.dryRun,
          targets: run.targets,
          startedAt: run.startedAt.toISOString(),
          finishedAt: finishedAt?.toISOString() ?? null,
          durationMilliseconds: finishedAt === null ? null : finishedAt.getTime() - run.startedAt.getTime(),
          counts: run.counts
        }
      }),
      inFlightJobs: jobs.map((job) => ({
        target: job.target,
        runId: job.runId,
        chunk: job.chunk,
        status: job.status,
        vendorJobId: Option.getOrNull(job.vendorJobId),
        rows: job.rows.length
      })),
      deadLetters: {
        total: Math.min(letters.length, deadLetterCountLimit),
        more: letters.length > deadLetterCountLimit,
        byTarget
      }
    }
    return view
  })

// The columns the runs table leaves out first when the terminal is narrow.
const droppedFirst = ["UNCHANGED", "DEAD", "TIME", "DELETED", "REJECTED", "RUN"]

/** The terminal's width, or 80 when stdout is not a terminal. */
const terminalWidth = (): number =>
  process.stdout.isTTY === true && (process.stdout.columns ?? 0) > 0 ? process.stdout.columns : 80

// The per-target counters a run records (`<target>.<counter>`), as columns.
const targetCounters = [
  ["created", "CREATED"],
  ["updated", "UPDATED"],
  ["unchanged", "UNCHANGED"],
  ["deleted", "DELETED"],
  ["failed", "FAILED"],
  ["deadLettered", "DEAD"]
] as const

/**
 * A counter of a run at one target: `<target>.<counter>` as the engine records it, or the bare `<counter>` in a run
 * that recorded no per-target counters.
 */
const counterOf = (counts: Readonly<Record<string, number>>, target: string, counter: string): number => {
  const perTarget = counts[`${target}.${counter}`]
  if (perTarget !== undefined) return perTarget
  const anyPerTarget = Object.keys(counts).some((key) => key.includes("."))
  return anyPerTarget ? 0 : (counts[counter] ?? 0)
}

/**
 * The text form of a {@link StatusView}.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatStatus = (view: StatusView, width: number = terminalWidth()): string => {
  const lines = [`Sync ${view.sync} (state: ${view.store})`]
  const last = view.runs[0]
  if (last === undefined) {
    lines.push("No runs yet.")
  } else {
    const took =
      last.durationMilliseconds === null ? "still running or crashed" : formatElapsed(last.durationMilliseconds)
    lines.push(
      `Last run: ${last.status}${last.dryRun ? " (dry run)" : ""}, started ${formatTime(new Date(last.startedAt))}, ` +
        `took ${took} (run ${last.id})`
    )
  }
  if (view.inFlightJobs.length > 0) {
    lines.push(
      `In flight: ${view.inFlightJobs.length} vendor job(s) left by an interrupted run; the next run resumes them.`
    )
  }
  const letters = view.deadLetters
  if (letters.total === 0) {
    lines.push("Dead letters: none.")
  } else {
    const parts = Object.entries(letters.byTarget).map(([target, total]) => `${target} ${count(total)}`)
    lines.push(
      `Dead letters: ${letters.more ? "more than " : ""}${count(letters.total)} (${parts.join(", ")}); ` +
        "see `profilesync dead-letters list`, resend with `profilesync dead-letters replay`."
    )
  }
  if (view.runs.length > 0) {
    // One line per run and target; the run's own columns only on its first line.
    const rows = view.runs.flatMap((run) =>
      (run.targets.length === 0 ? ["-"] : run.targets).map((target, index) => [
        ...(index === 0
          ? [
              run.id.slice(0, 8),
              // To the minute: the seconds are in --json, and the table must fit 80 columns.
              `${formatTime(new Date(run.startedAt)).slice(0, 16)}Z`,
              run.durationMilliseconds === null ? "-" : formatElapsed(run.durationMilliseconds),
              `${run.status}${run.dryRun ? " (dry)" : ""}`,
              count(run.counts.read ?? 0),
              count(run.counts.rejected ?? 0)
            ]
          : ["", "", "", "", "", ""]),
        target,
        ...targetCounters.map(([counter]) => count(counterOf(run.counts, target, counter)))
      ])
    )
    const table = renderFittedTable(
      ["RUN", "STARTED", "TIME", "STATUS", "READ", "REJECTED", "TARGET", ...targetCounters.map(([, title]) => title)],
      rows,
      width,
      droppedFirst
    )
    lines.push("", table.text)
    if (table.dropped.length > 0) {
      lines.push(`(left out to fit ${width} columns: ${table.dropped.join(", ")}; --json has every count)`)
    }
  }
  if (view.inFlightJobs.length > 0) {
    lines.push(
      "",
      renderTable(
        ["TARGET", "RUN", "CHUNK", "JOB STATUS", "VENDOR JOB", "ROWS"],
        view.inFlightJobs.map((job) => [
          job.target,
          job.runId.slice(0, 8),
          job.chunk,
          job.status,
          job.vendorJobId ?? "-",
          job.rows
        ])
      )
    )
  }
  return lines.join("\n")
}

/**
 * `profilesync status [--config F] [--limit N] [--json]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const status = Command.make(
  "status",
  { config: CommonOptions.config, limit, json: CommonOptions.json },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      const view: StatusView = storeExists(config)
        ? yield* readStatus(config, Math.max(1, options.limit)).pipe(Effect.provide(layerFromConfig(config)))
        : {
            sync: config.name,
            store: describeStore(config),
            runs: [],
            inFlightJobs: [],
            deadLetters: { total: 0, more: false, byTarget: {} }
          }
      printResult(options.json ? JSON.stringify(view) : formatStatus(view))
    })
).pipe(
  Command.withDescription(
    "Show what the state store holds: recent runs and their counts, jobs left in flight, dead letters."
  )
)
