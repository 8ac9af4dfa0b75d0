/**
 * @module
 * The frame of every page: title, breadcrumbs, a skip link for keyboard users, and whether values are masked. No
 * script anywhere: the pages are plain HTML and one stylesheet.
 */
import type { Child } from "hono/jsx"

/**
 * One step of the breadcrumbs; the last one is the page itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface Crumb {
  readonly label: string
  readonly href?: string
}

/**
 * A whole page.
 *
 * @since 0.1.0
 * @category components
 */
export const Layout = (props: {
  readonly title: string
  readonly crumbs: ReadonlyArray<Crumb>
  readonly showValues: boolean
  readonly children?: Child
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${props.title} · profilesync`}</title>
      <link rel="icon" href="/assets/icon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/assets/style.css" />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Breadcrumb">
          <ol>
            <li>
              <a href="/">profilesync</a>
            </li>
            {props.crumbs.map((crumb, index) => (
              <li>
                {crumb.href === undefined || index === props.crumbs.length - 1 ? (
                  <span aria-current="page">{crumb.label}</span>
                ) : (
                  <a href={crumb.href}>{crumb.label}</a>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <p class="mode">{props.showValues ? "Values shown in full (--show-values)" : "Values masked"}</p>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </body>
  </html>
)

/**
 * Previous and next links of a paged list.
 *
 * @since 0.1.0
 * @category components
 */
export const Pager = (props: {
  readonly label: string
  readonly previous: string | undefined
  readonly next: string | undefined
  readonly position: string
  /** The previous link's words (keyset-paged lists go back to their first page). */
  readonly previousLabel?: string
}) => (
  <nav class="pager" aria-label={props.label}>
    {props.previous === undefined ? (
      <span>First page</span>
    ) : (
      <a href={props.previous}>{props.previousLabel ?? "Previous page"}</a>
    )}
    <span>{props.position}</span>
    {props.next === undefined ? <span>Last page</span> : <a href={props.next}>Next page</a>}
  </nav>
)

/**
 * A run's status as a labelled badge (the word carries the meaning; the colour only repeats it).
 *
 * @since 0.1.0
 * @category components
 */
export const Status = (props: { readonly status: string; readonly dryRun?: boolean }) => (
  <span class={`status status-${props.status}`}>
    {props.status}
    {props.dryRun === true ? " (dry run)" : ""}
  </span>
)
