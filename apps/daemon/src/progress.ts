/**
 * @module
 * Shows a run's progress: a one-line bar on a terminal (phase, rows read and rejected, chunks done of total, time),
 * redrawn at most ten times a second; JSON log lines elsewhere, one per phase change and at most one every five
 * seconds in between, so a long run neither floods the journal nor goes silent.
 */
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type { LogFormat } from "./output.ts"
import { statusLine } from "./output.ts"

/**
 * What the engine reports while it runs (the shape of `Sync.Progress`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgressLike {
  readonly phase: string
  readonly target?: string | undefined
  readonly rowsRead: number
  readonly rowsRejected: number
  readonly chunksDone: number
  readonly chunksTotal?: number | undefined
}

/**
 * A progress display for one run.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgressDisplay {
  /** Give this to the engine as `onProgress`. */
  readonly onProgress: (progress: ProgressLike) => void
  /** Removes the bar (terminal) and stops the clock. */
  readonly stop: () => void
}

const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
const numberFormat = new Intl.NumberFormat("en-US")
const count = (value: number) => numberFormat.format(value)

/**
 * `m:ss` or `h:mm:ss`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatElapsed = (milliseconds: number): string => {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000))
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = String(seconds % 60).padStart(2, "0")
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`
}

/**
 * The text of the terminal progress line.
 *
 * @example
 * renderProgressLine("customers", { phase: "sending", target: "ocamba", rowsRead: 12345, rowsRejected: 12,
 *   chunksDone: 6, chunksTotal: 16 }, 42_000, 0)
 * // "⠋ customers sending ocamba [███████░░░░░░░░░░░░] 6/16 chunks · 12,345 read · 12 rejected · 0:42"
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderProgressLine = (
  sync: string,
  progress: ProgressLike,
  elapsedMilliseconds: number,
  frame: number
): string => {
  const width = 20
  const total = progress.chunksTotal
  const bar =
    total !== undefined && total > 0
      ? (() => {
          const filled = Math.min(width, Math.round((progress.chunksDone / total) * width))
          return ` [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${progress.chunksDone}/${total} chunks`
        })()
      : progress.chunksDone > 0
        ? ` ${progress.chunksDone} chunks`
        : ""
  const phase = progress.target === undefined ? progress.phase : `${progress.phase} ${progress.target}`
  const rejected = progress.rowsRejected > 0 ? ` · ${count(progress.rowsRejected)} rejected` : ""
  return (
    `${spinner[frame % spinner.length]} ${sync} ${phase}${bar} · ${count(progress.rowsRead)} read${rejected} · ` +
    formatElapsed(elapsedMilliseconds)
  )
}

/**
 * Makes the display for `format`; in `json` form the lines go through the current Effect logger.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProgressDisplay = (sync: string, format: LogFormat): Effect.Effect<ProgressDisplay> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const log = Runtime.runSync(runtime)
    const startedAt = Date.now()
    let latest: ProgressLike | undefined
    let frame = 0
    let lastDrawn = 0
    let lastLogged = 0
    let lastStage = ""

    if (format === "pretty") {
      const draw = () => {
        if (latest === undefined) return
        frame += 1
        lastDrawn = Date.now()
        statusLine.set(renderProgressLine(sync, latest, lastDrawn - startedAt, frame))
      }
      // Keeps the clock and the spinner moving while a phase waits (polling a vendor job, a rate-limit pause).
      const timer = setInterval(draw, 250)
      timer.unref()
      return {
        onProgress: (progress) => {
          const stage = `${progress.phase}:${progress.target ?? ""}`
          latest = progress
          if (stage !== lastStage || Date.now() - lastDrawn >= 100) draw()
          lastStage = stage
        },
        stop: () => {
          clearInterval(timer)
          statusLine.clear()
        }
      }
    }

    const emit = (progress: ProgressLike) => {
      lastLogged = Date.now()
      log(
        Effect.logInfo("progress").pipe(
          Effect.annotateLogs({
            sync,
            phase: progress.phase,
            ...(progress.target === undefined ? {} : { target: progress.target }),
            rowsRead: progress.rowsRead,
            rowsRejected: progress.rowsRejected,
            chunksDone: progress.chunksDone,
            ...(progress.chunksTotal === undefined ? {} : { chunksTotal: progress.chunksTotal }),
            elapsedMilliseconds: lastLogged - startedAt
          })
        )
      )
    }
    return {
      onProgress: (progress) => {
        const stage = `${progress.phase}:${progress.target ?? ""}`
        latest = progress
        if (stage !== lastStage || Date.now() - lastLogged >= 5000) emit(progress)
        lastStage = stage
      },
      stop: () => {}
    }
  })
