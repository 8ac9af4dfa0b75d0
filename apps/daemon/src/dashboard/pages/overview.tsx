/**
 * @module
 * The overview: every sync with its targets, schedule, next and last run, last outcome, rows in state per target,
 * open dead letters, and whether a run is in progress (the lock's holder and since when).
 */
import * as Cron from "effect/Cron"
import * as Either from "effect/Either"
import type { SyncOverview } from "../queries.ts"
import type { PageContext, SyncInfo } from "./context.ts"
import { count, duration, time, urls } from "./format.ts"
import { Layout, Status } from "./layout.tsx"

/**
 * A sync and what its store says about it, or why the store could not be read.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewRow {
  readonly sync: SyncInfo
  readonly state: SyncOverview | { readonly unavailable: string }
}

const nextRun = (sync: SyncInfo): string => {
  if (sync.schedule === undefined) return "not scheduled"
  const cron = Cron.parse(sync.schedule, sync.timeZone ?? "UTC")
  return Either.isRight(cron) ? time(Cron.next(cron.right, new Date()).getTime()) : "invalid schedule"
}

const SyncRow = (props: { readonly row: OverviewRow }) => {
  const { sync, state } = props.row
  if ("unavailable" in state) {
    return (
      <tr>
        <th scope="row">
          <a href={urls.sync(sync.name)}>{sync.name}</a>
        </th>
        <td>{sync.targets.join(", ")}</td>
        <td>{sync.schedule ?? "–"}</td>
        <td colspan={6}>{state.unavailable}</td>
      </tr>
    )
  }
  const last = state.lastRun
  const finished = state.lastFinished
  const letters = Object.values(state.openDeadLetters).reduce((sum, value) => sum + value, 0)
  return (
    <tr>
      <th scope="row">
        <a href={urls.sync(sync.name)}>{sync.name}</a>
      </th>
      <td>{sync.targets.join(", ")}</td>
      <td>
        {sync.schedule ?? "–"}
        <br />
        <small>next: {nextRun(sync)}</small>
      </td>
      <td>{last === undefined ? "no runs yet" : <a href={urls.run(sync.name, last.id)}>{time(last.startedAt)}</a>}</td>
      <td>
        {finished === undefined ? (
          "–"
        ) : (
          <>
            <Status status={finished.status} dryRun={finished.dryRun} />{" "}
            <small>{duration((finished.finishedAt ?? finished.startedAt) - finished.startedAt)}</small>
          </>
        )}
      </td>
      <td>
        {sync.targets.map((target) => (
          <div>
            {target}: {count(state.rowsPerTarget[target])}
          </div>
        ))}
      </td>
      <td>{letters === 0 ? "none" : <a href={urls.deadLetters(sync.name)}>{count(letters)}</a>}</td>
      <td>
        {state.lock === undefined ? (
          "no"
        ) : (
          <span class="running">
            yes: {state.lock.owner}, since {time(state.lock.since)}
          </span>
        )}
      </td>
    </tr>
  )
}

/**
 * The overview page.
 *
 * @since 0.1.0
 * @category pages
 */
export const OverviewPage = (props: { readonly context: PageContext; readonly rows: ReadonlyArray<OverviewRow> }) => (
  <Layout title="Syncs" crumbs={[]} showValues={props.context.masker.showValues}>
    <table>
      <caption>Every sync this dashboard serves</caption>
      <thead>
        <tr>
          <th scope="col">Sync</th>
          <th scope="col">Targets</th>
          <th scope="col">Schedule</th>
          <th scope="col">Last run</th>
          <th scope="col">Last outcome</th>
          <th scope="col">Rows in state</th>
          <th scope="col">Open dead letters</th>
          <th scope="col">Running now</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <SyncRow row={row} />
        ))}
      </tbody>
    </table>
  </Layout>
)
