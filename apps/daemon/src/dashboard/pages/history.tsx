/**
 * @module
 * A key's history: what the state store knows of one row at each target (the version last confirmed, when, by which
 * run and vendor job; failures and dead letters) and the runs that rejected it. The store keeps the current state
 * per target, not every version ever sent: earlier sends of a row are not recorded.
 */
import type { KeyState } from "../queries.ts"
import type { PageContext, SyncInfo } from "./context.ts"
import { time, urls } from "./format.ts"
import { Layout } from "./layout.tsx"
import { HistoryForm } from "./sync.tsx"

/**
 * What the history page shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryView {
  readonly states: ReadonlyArray<KeyState>
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
        view.rejects.length === 0 &&
        view.deadLetters.length === 0 ? (
        <p>The state store knows nothing of this key in {sync.name}.</p>
      ) : (
        <>
          <h2>At each target</h2>
          <table>
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
            The state store keeps the version each target last confirmed, not every version sent before it: earlier
            sends of this row are not recorded.
          </p>
        </>
      )}
    </Layout>
  )
}
