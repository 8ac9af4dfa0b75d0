/**
 * @module
 * A run: its report per target in numbers that reconcile (every row read is counted once), its vendor jobs, and its
 * rejects grouped by reason and field, filterable, paged and downloadable as CSV.
 */
import type { Sync } from "@profilesync/sync"
import { pageSize, type Reject, type RejectCursor, type RejectFilter, type RunSummary } from "../queries.ts"
import type { PageContext, SyncInfo } from "./context.ts"
import { count, duration, time, urls } from "./format.ts"
import { Layout, Pager, Status } from "./layout.tsx"

/** The `field` query value that selects rejects of no one field. */
export const noField = "(none)"

/**
 * A vendor job as listed.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobView {
  readonly target: string
  readonly chunk: number
  readonly status: string
  readonly vendorJobId: string | null
  readonly rows: number
  readonly error: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

const reportOf = (report: unknown): Sync.RunReport | undefined =>
  typeof report === "object" && report !== null && "targets" in report ? (report as Sync.RunReport) : undefined

const Reconciliation = (props: { readonly report: Sync.RunReport }) => {
  const { report } = props
  const targets = Object.entries(report.targets) as ReadonlyArray<[string, Sync.TargetReport]>
  return (
    <table>
      <caption>
        Every row read ({count(report.read)}) counted once per target: sent (created, updated), unchanged, rejected,
        failed (dead-lettered among them), or skipped as a dead letter
      </caption>
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">Created</th>
          <th scope="col">Updated</th>
          <th scope="col">Unchanged</th>
          <th scope="col">Rejected</th>
          <th scope="col">Failed</th>
          <th scope="col">of which dead-lettered</th>
          <th scope="col">Skipped dead letters</th>
          <th scope="col">Sum</th>
          <th scope="col">Reconciles</th>
          <th scope="col">Deleted</th>
          <th scope="col">Vendor calls</th>
          <th scope="col">Rate-limit wait</th>
        </tr>
      </thead>
      <tbody>
        {targets.map(([name, target]) => {
          const sum =
            target.created +
            target.updated +
            target.unchanged +
            target.rejected +
            target.failed +
            target.skippedDeadLetters
          return (
            <tr>
              <th scope="row">{name}</th>
              <td>{count(target.created)}</td>
              <td>{count(target.updated)}</td>
              <td>{count(target.unchanged)}</td>
              <td>{count(target.rejected)}</td>
              <td>{count(target.failed)}</td>
              <td>{count(target.deadLettered)}</td>
              <td>{count(target.skippedDeadLetters)}</td>
              <td>{count(sum)}</td>
              <td>{sum === report.read ? "yes" : `no: ${count(sum - report.read)} off the rows read`}</td>
              <td>{count(target.deleted)}</td>
              <td>{count(report.vendorCalls[name as Sync.TargetName])}</td>
              <td>{duration(report.throttleWaitMilliseconds?.[name as Sync.TargetName])}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

const TargetErrors = (props: { readonly report: Sync.RunReport; readonly context: PageContext }) => {
  const errors = Object.entries(props.report.targets).flatMap(([name, target]) =>
    (target?.errors ?? []).map((error) => `${name}: ${error}`)
  )
  return errors.length === 0 ? null : (
    <>
      <h3>What went wrong</h3>
      <ul>
        {errors.map((error) => (
          <li>{props.context.masker.text(error)}</li>
        ))}
      </ul>
    </>
  )
}

const Jobs = (props: {
  readonly sync: string
  readonly run: RunSummary
  readonly jobs: ReadonlyArray<JobView>
  readonly total: number
  readonly page: number
  readonly query: Readonly<Record<string, string | number | undefined>>
  readonly context: PageContext
}) => {
  const pages = Math.max(1, Math.ceil(props.total / pageSize))
  return (
    <section aria-labelledby="jobs">
      <h2 id="jobs">Vendor jobs ({count(props.total)})</h2>
      {props.jobs.length === 0 ? (
        <p>No vendor job was sent (nothing to send, a dry run, or jobs pruned since).</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Chunk</th>
                <th scope="col">Vendor job</th>
                <th scope="col">State</th>
                <th scope="col">Rows</th>
                <th scope="col">Journaled</th>
                <th scope="col">Last change</th>
                <th scope="col">Took</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {props.jobs.map((job) => (
                <tr>
                  <td>{job.target}</td>
                  <td>{job.chunk}</td>
                  <td>
                    <code>{job.vendorJobId ?? "–"}</code>
                  </td>
                  <td>{job.status}</td>
                  <td>{count(job.rows)}</td>
                  <td>{time(job.createdAt)}</td>
                  <td>{time(job.updatedAt)}</td>
                  <td>{duration(job.updatedAt - job.createdAt)}</td>
                  <td>{props.context.masker.text(job.error)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Vendor jobs"
            previous={
              props.page > 0
                ? `${urls.run(props.sync, props.run.id, { ...props.query, jobs: props.page - 1 })}#jobs`
                : undefined
            }
            next={
              props.page + 1 < pages
                ? `${urls.run(props.sync, props.run.id, { ...props.query, jobs: props.page + 1 })}#jobs`
                : undefined
            }
            position={`page ${props.page + 1} of ${pages}`}
          />
        </>
      )}
    </section>
  )
}

const fieldLabel = (field: string | null): string => field ?? noField

const Rejects = (props: {
  readonly sync: string
  readonly run: RunSummary
  readonly groups: ReadonlyArray<{ readonly code: string; readonly field: string | null; readonly count: number }>
  readonly filter: RejectFilter
  readonly rejects: ReadonlyArray<Reject>
  readonly hasPrevious: boolean
  readonly hasNext: boolean
  readonly context: PageContext
}) => {
  const { sync, run, groups, filter, rejects, context } = props
  const total = groups.reduce((sum, group) => sum + group.count, 0)
  const codes = [...new Set(groups.map((group) => group.code))]
  const fields = [...new Set(groups.map((group) => fieldLabel(group.field)))]
  const filterQuery = {
    code: filter.code,
    field: filter.field === undefined ? undefined : fieldLabel(filter.field)
  }
  const first = rejects.at(0)
  const last = rejects.at(-1)
  return (
    <section aria-labelledby="rejects">
      <h2 id="rejects">Rejects ({count(total)})</h2>
      {total === 0 ? (
        <p>No row was rejected in this run.</p>
      ) : (
        <>
          <table>
            <caption>By reason and field: choose one to see its rows</caption>
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Field</th>
                <th scope="col">Rows</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr>
                  <td>
                    <a href={`${urls.run(sync, run.id, { code: group.code, field: fieldLabel(group.field) })}#rejects`}>
                      {group.code}
                    </a>
                  </td>
                  <td>{fieldLabel(group.field)}</td>
                  <td>{count(group.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form method="get" action={`${urls.run(sync, run.id)}#rejects`} class="inline" aria-label="Filter rejects">
            <label for="reject-code">Reason</label>{" "}
            <select id="reject-code" name="code">
              <option value="">any</option>
              {codes.map((code) => (
                <option value={code} selected={filter.code === code}>
                  {code}
                </option>
              ))}
            </select>{" "}
            <label for="reject-field">Field</label>{" "}
            <select id="reject-field" name="field">
              <option value="">any</option>
              {fields.map((field) => (
                <option value={field} selected={filterQuery.field === field}>
                  {field}
                </option>
              ))}
            </select>{" "}
            <button type="submit">Filter</button> <a href={`${urls.run(sync, run.id)}#rejects`}>Clear</a>{" "}
            <a href={urls.rejectsCsv(sync, run.id, filterQuery)} download>
              Download these rejects as CSV
            </a>
          </form>
          <table data-table="rejects">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Line</th>
                <th scope="col">Key</th>
                <th scope="col">Reason</th>
                <th scope="col">Field</th>
                <th scope="col">Column</th>
                <th scope="col">Value</th>
                <th scope="col">Message</th>
                <th scope="col">Targets</th>
              </tr>
            </thead>
            <tbody>
              {rejects.map((reject) => (
                <tr>
                  <td>{reject.row}</td>
                  <td>{reject.line}</td>
                  <td>
                    {reject.key === null ? (
                      "–"
                    ) : (
                      <a href={urls.history(sync, { ref: context.references.seal(reject.key) })}>
                        {context.masker.value(reject.key)}
                      </a>
                    )}
                  </td>
                  <td>{reject.code}</td>
                  <td>{fieldLabel(reject.field)}</td>
                  <td>{reject.column ?? "–"}</td>
                  <td>
                    <code>{context.masker.value(reject.value)}</code>
                  </td>
                  <td>{context.masker.text(reject.reason)}</td>
                  <td>{reject.targets.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Rejects"
            previous={
              props.hasPrevious && first !== undefined
                ? `${urls.run(sync, run.id, { ...filterQuery, before: first.position })}#rejects`
                : undefined
            }
            next={
              props.hasNext && last !== undefined
                ? `${urls.run(sync, run.id, { ...filterQuery, after: last.position })}#rejects`
                : undefined
            }
            position={rejects.length === 0 ? "no rows" : `rows ${count(rejects.length)} shown`}
          />
        </>
      )}
    </section>
  )
}

/**
 * The run page.
 *
 * @since 0.1.0
 * @category pages
 */
export const RunPage = (props: {
  readonly context: PageContext
  readonly sync: SyncInfo
  readonly run: RunSummary & { readonly report: unknown }
  readonly jobs: { readonly total: number; readonly jobs: ReadonlyArray<JobView> }
  readonly jobsPage: number
  readonly groups: ReadonlyArray<{ readonly code: string; readonly field: string | null; readonly count: number }>
  readonly filter: RejectFilter
  readonly rejects: ReadonlyArray<Reject>
  readonly cursor: RejectCursor
  readonly hasPrevious: boolean
  readonly hasNext: boolean
}) => {
  const { context, sync, run } = props
  const report = reportOf(run.report)
  const query = {
    code: props.filter.code,
    field: props.filter.field === undefined ? undefined : fieldLabel(props.filter.field),
    // The jobs' pager keeps the rejects on the page they are on.
    [props.cursor.direction]: props.cursor.position >= 0 ? props.cursor.position : undefined
  }
  return (
    <Layout
      title={`Run of ${time(run.startedAt)}`}
      crumbs={[{ label: sync.name, href: urls.sync(sync.name) }, { label: `run ${run.id.slice(0, 8)}` }]}
      showValues={context.masker.showValues}
    >
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Status status={run.status} dryRun={run.dryRun} />
        </dd>
        <dt>Run</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Started</dt>
        <dd>{time(run.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt === null ? "still running" : time(run.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>{run.finishedAt === null ? "–" : duration(run.finishedAt - run.startedAt)}</dd>
        <dt>Targets</dt>
        <dd>{run.targets.join(", ")}</dd>
      </dl>
      <section aria-labelledby="report">
        <h2 id="report">Report</h2>
        {report === undefined ? (
          <p>
            {run.status === "running"
              ? "The run is in progress: its report is written when it ends."
              : "This run left no report (it ended before it could write one)."}
          </p>
        ) : (
          <>
            <p>
              Read {count(report.read)} rows; {count(report.rejected)} rejected for every target
              {report.duplicates > 0 ? ` (${count(report.duplicates)} duplicate keys)` : ""}.
            </p>
            <Reconciliation report={report} />
            <TargetErrors report={report} context={context} />
          </>
        )}
      </section>
      <Jobs
        sync={sync.name}
        run={run}
        jobs={props.jobs.jobs}
        total={props.jobs.total}
        page={props.jobsPage}
        query={query}
        context={context}
      />
      <Rejects
        sync={sync.name}
        run={run}
        groups={props.groups}
        filter={props.filter}
        rejects={props.rejects}
        hasPrevious={props.hasPrevious}
        hasNext={props.hasNext}
        context={context}
      />
    </Layout>
  )
}
