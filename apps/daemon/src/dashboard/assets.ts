/**
 * @module
 * The dashboard's stylesheet and icon, served from the process itself (nothing from a CDN: it runs where there is
 * no internet). Readable without them; focus is always visible for keyboard users.
 */

/**
 * The stylesheet, at `/assets/style.css`.
 *
 * @since 0.1.0
 * @category constants
 */
export const stylesheet = `
:root { color-scheme: light; --ink: #1d2329; --muted: #5b6670; --line: #d7dde2; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
header { display: flex; justify-content: space-between; align-items: center; padding: 8px 24px;
  border-bottom: 1px solid var(--line); background: #f6f8fa; }
header ol { list-style: none; display: flex; gap: 6px; margin: 0; padding: 0; }
header li + li::before { content: "/"; margin-right: 6px; color: var(--muted); }
.mode { margin: 0; color: var(--muted); }
main { padding: 16px 24px 48px; max-width: 1400px; }
main:focus { outline: none; }
h1 { font-size: 22px; margin: 8px 0 16px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid #f9a825; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px 10px; z-index: 1; }
table { border-collapse: collapse; margin: 8px 0 12px; width: 100%; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; font-weight: 600; }
td, tbody th { font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 12px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.payload { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0; }
.payload dd { margin: 0; }
.status { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid var(--line); }
.status-succeeded { background: #e6f4ea; }
.status-partial { background: #fff4e5; }
.status-failed, .status-interrupted { background: #fdecea; }
.status-running, .running { background: #e8f0fe; }
.inline { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 8px 0; }
.pager { display: flex; gap: 16px; margin: 8px 0; color: var(--muted); }
.tabs { display: flex; gap: 12px; margin-bottom: 8px; }
.tabs a[aria-current="page"] { font-weight: 600; color: var(--ink); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
.chart { margin: 0; }
.chart svg { width: 100%; height: auto; border: 1px solid var(--line); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; padding: 0; margin: 4px 0; }
.legend svg { width: 10px; height: 10px; border: 0; }
.note { color: var(--muted); }
`

/**
 * The icon, at `/assets/icon.svg` (so the browser does not ask for a missing favicon).
 *
 * @since 0.1.0
 * @category constants
 */
export const icon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b57d0"/>' +
  '<path d="M4 11V5h4a2 2 0 010 4H4" stroke="#fff" stroke-width="1.6" fill="none"/></svg>'
