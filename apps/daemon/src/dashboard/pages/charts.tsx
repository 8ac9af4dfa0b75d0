/**
 * @module
 * Charts drawn on the server as SVG: no script, no library, nothing fetched. Each chart has a title and a text
 * summary for screen readers, a tooltip per mark, and a legend; the table beside it holds every number.
 */
import type { RunSummary } from "../queries.ts"
import { duration, targetTotal, time } from "./format.ts"

const outcomes = [
  { name: "created", colour: "#2f7d32" },
  { name: "updated", colour: "#1565c0" },
  { name: "unchanged", colour: "#9e9e9e" },
  { name: "rejected", colour: "#ef6c00" },
  { name: "failed", colour: "#c62828" },
  { name: "deleted", colour: "#6a1b9a" }
] as const

const width = 720
const height = 220
const left = 56
const bottom = 24
const top = 12

/** Rows of a run by outcome: the targets' counters summed; rejected are the run's rows no target took. */
const outcomeCounts = (run: RunSummary): ReadonlyArray<number> =>
  outcomes.map(({ name }) => (name === "rejected" ? (run.counts.rejected ?? 0) : targetTotal(run.counts, name)))

const axis = (maximum: number, format: (value: number) => string) => {
  const plotHeight = height - bottom - top
  return [0, 0.5, 1].map((share) => {
    const y = top + plotHeight * (1 - share)
    return (
      <g>
        <line x1={left} x2={width} y1={y} y2={y} stroke="#ddd" />
        <text x={left - 6} y={y + 4} text-anchor="end" font-size="11">
          {format(maximum * share)}
        </text>
      </g>
    )
  })
}

/**
 * Rows per run by outcome, oldest run on the left, as stacked bars.
 *
 * @since 0.1.0
 * @category components
 */
export const OutcomeChart = (props: { readonly runs: ReadonlyArray<RunSummary> }) => {
  const runs = [...props.runs].reverse()
  const totals = runs.map((run) => outcomeCounts(run).reduce((sum, value) => sum + value, 0))
  const maximum = Math.max(1, ...totals)
  const plotHeight = height - bottom - top
  const slot = (width - left) / Math.max(1, runs.length)
  const barWidth = Math.max(2, slot * 0.7)
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby="outcome-title outcome-summary"
        data-chart="outcomes"
      >
        <title id="outcome-title">Rows per run by outcome</title>
        <desc id="outcome-summary">
          {`${runs.length} runs; at most ${maximum.toLocaleString("en-US")} rows in one run.`}
        </desc>
        {axis(maximum, (value) => Math.round(value).toLocaleString("en-US"))}
        {runs.map((run, index) => {
          const values = outcomeCounts(run)
          let y = top + plotHeight
          return (
            <g>
              {values.map((value, outcome) => {
                const barHeight = (value / maximum) * plotHeight
                y -= barHeight
                return value === 0 ? null : (
                  <rect
                    x={left + index * slot + (slot - barWidth) / 2}
                    y={y}
                    width={barWidth}
                    height={Math.max(barHeight, 0.5)}
                    fill={outcomes[outcome]!.colour}
                  >
                    <title>{`${time(run.startedAt)}: ${value.toLocaleString("en-US")} ${outcomes[outcome]!.name}`}</title>
                  </rect>
                )
              })}
            </g>
          )
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {outcomes.map((outcome) => (
            <li>
              <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" fill={outcome.colour} />
              </svg>{" "}
              {outcome.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  )
}

/**
 * Run duration over time, oldest on the left, as a line with a point per run.
 *
 * @since 0.1.0
 * @category components
 */
export const DurationChart = (props: { readonly runs: ReadonlyArray<RunSummary> }) => {
  const runs = [...props.runs].reverse().filter((run) => run.finishedAt !== null)
  const durations = runs.map((run) => (run.finishedAt ?? run.startedAt) - run.startedAt)
  const maximum = Math.max(1, ...durations)
  const plotHeight = height - bottom - top
  const slot = (width - left) / Math.max(1, runs.length)
  const points = durations.map(
    (value, index) => [left + index * slot + slot / 2, top + plotHeight * (1 - value / maximum)] as const
  )
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby="duration-title duration-summary"
        data-chart="durations"
      >
        <title id="duration-title">Run duration</title>
        <desc id="duration-summary">{`${runs.length} finished runs; the longest took ${duration(maximum)}.`}</desc>
        {axis(maximum, (value) => duration(value))}
        <polyline
          points={points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}
          fill="none"
          stroke="#1565c0"
          stroke-width="2"
        />
        {points.map(([x, y], index) => (
          <circle cx={x} cy={y} r="3" fill="#1565c0">
            <title>{`${time(runs[index]!.startedAt)}: ${duration(durations[index])}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  )
}
