/**
 * @module
 * A key's history: the row history the state store keeps (what happened to the row at each target, when, in which
 * run and vendor job, with the hash of the version sent), newest first and paged, and what the store knows of the row
 * now at each target (the version last confirmed; failures and dead letters) and the runs that rejected it. The store
 * keeps hashes, never values: there is nothing in the history to mask.
 */
import type { KeyState } from "../queries.ts"
import type { PageContext, SyncInfo } from "./context.ts"
import { time, urls } from "./format.ts"
import { Layout, Pager } from "./layout.tsx"
import { HistoryForm } from "./sync.tsx"

/**
 * What the history page shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryView {
  readonly states: ReadonlyArray<KeyState>
  /** The row history's entries on this page, newest first. */
  readonly entries: ReadonlyArray<{
    readonly target: string
    readonly runId: string | null
    readonly vendorJobId: string | null
    readonly at: number
    readonly outcome: string
    readonly hash: string | null
    readonly reason: string | null
  }>
  readonly page: number
  readonly morePages: boolean
  readonly rejects: ReadonlyArray<{
    readonly runId: string
    readonly startedAt: number
    readonly code: string
    readonly field: string | null
    readonly reason: string
  }>
  readonly deadLetters: ReadonlyArray<{
    readonly target: string
    readonly reason: string
    readonly attempts: number
    readonly firstFailedAt: number
    readonly lastFailedAt: number
    readonly replayedAt: number | null
  }>
}

const shortHash = (hash: string | null): string => (hash === null ? "–" : hash.slice(0, 12))

/**
 * The history page; `view` is absent until a key is asked for.
 *
 * @since 0.1.0
 * @category pages
 */
export const HistoryPage = (props: {
  readonly context: PageContext
  readonly sync: SyncInfo
  /** The key asked for (not `key`, which JSX keeps for itself). */
  readonly recordKey: string | undefined
  readonly view: HistoryView | undefined
  readonly problem?: string | undefined
  /** The link to another page of the history. */
  readonly pageLink?: ((page: number) => string) | undefined
}) => {
  const { context, sync, recordKey: key, view } = props
  return (
    <Layout
      title={key === undefined ? `History of a key in ${sync.name}` : `History of ${context.masker.value(key)}`}
      crumbs={[{ label: sync.name, href: urls.sync(sync.name) }, { label: "key history" }]}
      showValues={context.masker.showValues}
    >
      <HistoryForm sync={sync.name} />
      {props.problem === undefined ? null : <p role="alert">{props.problem}</p>}
      {view === undefined ? null : view.states.length === 0 &&
        view.entries.length === 0 &&
        view.page === 0 &&
        view.rejects.length === 0 &&
        view.deadLetters.length === 0 ? (
        <p>The state store knows nothing of this key in {sync.name}.</p>
      ) : (
        <>
          <h2>What happened, newest first</h2>
          {view.entries.length === 0 ? (
            <p>No history is kept for this key (history.keepDays, or it predates the history).</p>
          ) : (
            <table id="key-history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Run</th>
                  <th scope="col">Vendor job</th>
                  <th scope="col">Version</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {view.entries.map((entry) => (
                  <tr>
                    <td>{time(entry.at)}</td>
                    <th scope="row">{entry.target}</th>
                    <td>{entry.outcome}</td>
                    <td>
                      {entry.runId === null ? (
                        "–"
                      ) : (
                        <a href={urls.run(sync.name, entry.runId)}>run {entry.runId.slice(0, 8)}</a>
                      )}
                    </td>
                    <td>{entry.vendorJobId ?? "–"}</td>
                    <td>
                      <code>{shortHash(entry.hash)}</code>
                    </td>
                    <td>{entry.reason === null ? "" : context.masker.text(entry.reason)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {props.pageLink === undefined || (view.page === 0 && !view.morePages) ? null : (
            <Pager
              label="History pages"
              previous={view.page > 0 ? props.pageLink(view.page - 1) : undefined}
              next={view.morePages ? props.pageLink(view.page + 1) : undefined}
              position={`page ${view.page + 1}`}
            />
          )}
          <h2>At each target now</h2>
          <table id="key-states">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Confirmed version</th>
                <th scope="col">Confirmed</th>
                <th scope="col">Sent in</th>
                <th scope="col">Vendor job</th>
                <th scope="col">Vendor id</th>
                <th scope="col">Last seen in</th>
                <th scope="col">Failing</th>
              </tr>
            </thead>
            <tbody>
              {view.states.map((state) => (
                <tr>
                  <th scope="row">{state.target}</th>
                  <td>
                    <code>{shortHash(state.hash)}</code>
                  </td>
                  <td>{time(state.confirmedAt)}</td>
                  <td>
                    {state.sentBy === undefined ? (
                      "–"
                    ) : (
                      <a href={urls.run(sync.name, state.sentBy.runId)}>run {state.sentBy.runId.slice(0, 8)}</a>
                    )}
                  </td>
                  <td>
                    {state.sentBy?.chunk === undefined
                      ? "–"
                      : `chunk ${state.sentBy.chunk}, ${state.sentBy.vendorJobId ?? "no vendor id"} (${state.sentBy.status})`}
                  </td>
                  <td>{state.vendorId === null ? "–" : context.masker.text(state.vendorId)}</td>
                  <td>
                    {state.lastSeenRun === null ? (
                      "–"
                    ) : (
                      <a href={urls.run(sync.name, state.lastSeenRun)}>run {state.lastSeenRun.slice(0, 8)}</a>
                    )}
                  </td>
                  <td>
                    {state.attempts === 0
                      ? "no"
                      : `${state.attempts} attempt(s) of version ${shortHash(state.failedHash)}` +
                        `${state.deadLettered ? ", dead-lettered" : ""}: ${context.masker.text(state.lastError)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.deadLetters.length === 0 ? null : (
            <>
              <h2>Dead letters</h2>
              <ul>
                {view.deadLetters.map((letter) => (
                  <li>
                    {letter.target}: {context.masker.text(letter.reason)} ({letter.attempts} attempts, first{" "}
                    {time(letter.firstFailedAt)}, last {time(letter.lastFailedAt)}
                    {letter.replayedAt === null ? "" : `, replayed ${time(letter.replayedAt)}`})
                  </li>
                ))}
              </ul>
            </>
          )}
          {view.rejects.length === 0 ? null : (
            <>
              <h2>Rejected in</h2>
              <ul>
                {view.rejects.map((reject) => (
                  <li>
                    <a href={urls.run(sync.name, reject.runId)}>{time(reject.startedAt)}</a>: {reject.code}
                    {reject.field === null ? "" : ` (${reject.field})`}: {context.masker.text(reject.reason)}
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="note">
            The history keeps the hash of each version sent, never its values, for the sync's history.keepDays; rows a
            run found unchanged are not recorded.
          </p>
        </>
      )}
    </Layout>
  )
}
