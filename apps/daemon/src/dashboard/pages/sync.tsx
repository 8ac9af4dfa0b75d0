/**
 * @module
 * A sync: its runs, newest first and paged, with charts of rows per run by outcome and of run duration, and each
 * run's vendor calls; links to its dead letters and to the history of a key.
 */
import { pageSize, type RunSummary } from "../queries.ts"
import { DurationChart, OutcomeChart } from "./charts.tsx"
import type { PageContext, SyncInfo } from "./context.ts"
import { count, duration, targetTotal, time, urls } from "./format.ts"

/** The run's wait for the vendors' budgets; runs recorded before it was counted show a dash. */
const throttleWait = (counts: Readonly<Record<string, number>>): string =>
  Object.keys(counts).some((name) => name.endsWith(".throttleWaitMilliseconds"))
    ? duration(targetTotal(counts, "throttleWaitMilliseconds"))
    : "–"

import { Layout, Pager, Status } from "./layout.tsx"

/**
 * The form that opens a key's history (GET, so it works without script and the result has a URL).
 *
 * @since 0.1.0
 * @category components
 */
export const HistoryForm = (props: { readonly sync: string }) => (
  <form method="get" action={urls.history(props.sync)} class="inline">
    <label for="history-key">Key</label> <input id="history-key" name="key" type="search" required autocomplete="off" />{" "}
    <button type="submit">Show history</button>
  </form>
)

/**
 * The sync page.
 *
 * @since 0.1.0
 * @category pages
 */
export const SyncPage = (props: {
  readonly context: PageContext
  readonly sync: SyncInfo
  readonly page: number
  readonly total: number
  readonly runs: ReadonlyArray<RunSummary>
}) => {
  const { sync, page, total, runs } = props
  const pages = Math.max(1, Math.ceil(total / pageSize))
  return (
    <Layout title={`Sync ${sync.name}`} crumbs={[{ label: sync.name }]} showValues={props.context.masker.showValues}>
      <dl class="facts">
        <dt>Targets</dt>
        <dd>{sync.targets.join(", ")}</dd>
        <dt>Schedule</dt>
        <dd>{sync.schedule === undefined ? "not scheduled" : `${sync.schedule} (${sync.timeZone ?? "UTC"})`}</dd>
        <dt>State</dt>
        <dd>{sync.store}</dd>
        <dt>Runs</dt>
        <dd>{count(total)}</dd>
      </dl>
      <p>
        <a href={urls.deadLetters(sync.name)}>Dead letters</a>
      </p>
      <HistoryForm sync={sync.name} />
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <>
          <h2>Runs on this page</h2>
          <div class="charts">
            <OutcomeChart runs={runs} />
            <DurationChart runs={runs} />
          </div>
          <table>
            <caption>Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Read</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
                <th scope="col">Unchanged</th>
                <th scope="col">Rejected</th>
                <th scope="col">Failed</th>
                <th scope="col">Deleted</th>
                <th scope="col">Vendor calls</th>
                <th scope="col">Rate-limit wait</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr>
                  <th scope="row">
                    <a href={urls.run(sync.name, run.id)}>{time(run.startedAt)}</a>
                  </th>
                  <td>
                    <Status status={run.status} dryRun={run.dryRun} />
                  </td>
                  <td>{run.finishedAt === null ? "running" : duration(run.finishedAt - run.startedAt)}</td>
                  <td>{count(run.counts.read)}</td>
                  <td>{count(targetTotal(run.counts, "created"))}</td>
                  <td>{count(targetTotal(run.counts, "updated"))}</td>
                  <td>{count(targetTotal(run.counts, "unchanged"))}</td>
                  <td>{count(run.counts.rejected)}</td>
                  <td>{count(targetTotal(run.counts, "failed"))}</td>
                  <td>{count(targetTotal(run.counts, "deleted"))}</td>
                  <td>{count(targetTotal(run.counts, "vendorCalls"))}</td>
                  <td>{throttleWait(run.counts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Runs"
            previous={page > 0 ? urls.sync(sync.name, page - 1) : undefined}
            next={page + 1 < pages ? urls.sync(sync.name, page + 1) : undefined}
            position={`page ${page + 1} of ${pages}`}
          />
        </>
      )}
    </Layout>
  )
}
