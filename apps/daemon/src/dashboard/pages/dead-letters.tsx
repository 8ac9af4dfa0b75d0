/**
 * @module
 * A sync's dead letters per target, with reason, attempts and first and last failure, and the exact command that
 * replays them.
 */
import { pageSize } from "../queries.ts"
import type { PageContext, SyncInfo } from "./context.ts"
import { count, time, urls } from "./format.ts"
import { Layout, Pager } from "./layout.tsx"

/**
 * A dead letter as listed.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetterView {
  readonly target: string
  readonly key: string
  readonly payload: unknown
  readonly reason: string
  readonly attempts: number
  readonly firstFailedAt: number
  readonly lastFailedAt: number
}

/** A shell word: quoted when it holds anything but safe characters. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`

/**
 * The command that hands a sync's dead letters back and sends them at once.
 *
 * @since 0.1.0
 * @category formatting
 */
export const replayCommand = (configPath: string, target: string | undefined, keys: ReadonlyArray<string> = []) =>
  [
    "profilesync dead-letters replay",
    `--config ${shellWord(configPath)}`,
    ...(target === undefined ? [] : [`--target ${target}`]),
    "--run",
    ...keys.map(shellWord)
  ].join(" ")

const Payload = (props: { readonly payload: unknown; readonly context: PageContext }) => {
  if (typeof props.payload !== "object" || props.payload === null) return <span>–</span>
  return (
    <dl class="payload">
      {Object.entries(props.payload as Record<string, unknown>).map(([field, value]) => (
        <>
          <dt>{field}</dt>
          <dd>
            <code>
              {props.context.masker.value(
                value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)
              )}
            </code>
          </dd>
        </>
      ))}
    </dl>
  )
}

/**
 * The dead letters page.
 *
 * @since 0.1.0
 * @category pages
 */
export const DeadLettersPage = (props: {
  readonly context: PageContext
  readonly sync: SyncInfo
  readonly target: string | undefined
  readonly page: number
  readonly total: number
  readonly letters: ReadonlyArray<DeadLetterView>
}) => {
  const { context, sync, target, page, total, letters } = props
  const pages = Math.max(1, Math.ceil(total / pageSize))
  return (
    <Layout
      title={`Dead letters of ${sync.name}`}
      crumbs={[{ label: sync.name, href: urls.sync(sync.name) }, { label: "dead letters" }]}
      showValues={context.masker.showValues}
    >
      <nav aria-label="Targets" class="tabs">
        <a href={urls.deadLetters(sync.name)} aria-current={target === undefined ? "page" : undefined}>
          all targets
        </a>
        {sync.targets.map((name) => (
          <a href={urls.deadLetters(sync.name, { target: name })} aria-current={target === name ? "page" : undefined}>
            {name}
          </a>
        ))}
      </nav>
      <p>
        {count(total)} open dead letter(s){target === undefined ? "" : ` at ${target}`}: rows the target refused as many
        times in a row as <code>deadLetters.maxAttempts</code> allows. They are not sent again until replayed or
        changed.
      </p>
      {total > 0 ? (
        <>
          <p>To send them again now (under the run lock, like a run):</p>
          <pre>
            <code data-command="replay">{replayCommand(sync.configPath, target)}</code>
          </pre>
          <p>
            Add row keys after <code>--run</code> to replay only those; leave out <code>--run</code> to let the next
            scheduled run send them.
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Key</th>
                <th scope="col">Reason</th>
                <th scope="col">Attempts</th>
                <th scope="col">First failure</th>
                <th scope="col">Last failure</th>
                <th scope="col">What was sent</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr>
                  <td>{letter.target}</td>
                  <td>
                    <a href={urls.history(sync.name, { ref: context.references.seal(letter.key) })}>
                      {context.masker.value(letter.key)}
                    </a>
                    {context.masker.showValues ? (
                      <pre>
                        <code>{replayCommand(sync.configPath, letter.target, [letter.key])}</code>
                      </pre>
                    ) : null}
                  </td>
                  <td>{context.masker.text(letter.reason)}</td>
                  <td>{letter.attempts}</td>
                  <td>{time(letter.firstFailedAt)}</td>
                  <td>{time(letter.lastFailedAt)}</td>
                  <td>
                    <Payload payload={letter.payload} context={context} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Dead letters"
            previous={page > 0 ? urls.deadLetters(sync.name, { target, page: page - 1 }) : undefined}
            next={page + 1 < pages ? urls.deadLetters(sync.name, { target, page: page + 1 }) : undefined}
            position={`page ${page + 1} of ${pages}`}
          />
        </>
      ) : null}
    </Layout>
  )
}
