/**
 * @module
 * Plain text tables and small formatting helpers for `status` and `dead-letters`.
 */

/**
 * Renders rows under a header with columns padded to their widest cell; numbers are right-aligned.
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>
): string => renderFittedTable(header, rows).text

/**
 * {@link renderTable} within `width` characters: while a line is wider, the columns named in `dropOrder` are left
 * out, first one first. Returns the text and the columns it left out (for a note saying so).
 *
 * @since 0.1.0
 * @category formatting
 */
export const renderFittedTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  width = Number.POSITIVE_INFINITY,
  dropOrder: ReadonlyArray<string> = []
): { readonly text: string; readonly dropped: ReadonlyArray<string> } => {
  const dropped: Array<string> = []
  for (;;) {
    const keep = header.map((title) => !dropped.includes(title))
    const text = renderAll(
      header.filter((_, index) => keep[index]),
      rows.map((row) => row.filter((_, index) => keep[index]))
    )
    const next = dropOrder.find((title) => header.includes(title) && !dropped.includes(title))
    if (next === undefined || Math.max(...text.split("\n").map((line) => line.length)) <= width) {
      return { text, dropped }
    }
    dropped.push(next)
  }
}

const renderAll = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? count(cell) : cell)))
  // Right-aligned: columns of numbers, or of formatted counts ("1,234") and blanks.
  const numeric = header.map(
    (_, index) =>
      rows.length > 0 &&
      rows.every((row) => typeof row[index] === "number" || /^(\d{1,3}(,\d{3})*)?$/.test(String(row[index] ?? "")))
  )
  const widths = header.map((title, index) => Math.max(title.length, ...cells.map((row) => (row[index] ?? "").length)))
  const line = (row: ReadonlyArray<string>) =>
    row
      .map((cell, index) => (numeric[index] ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
      .join("  ")
      .trimEnd()
  return [line(header), ...cells.map(line)].join("\n")
}

const numberFormat = new Intl.NumberFormat("en-US")

/**
 * `12,345`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const count = (value: number): string => numberFormat.format(value)

/**
 * `2026-05-01 10:00:00Z` (UTC, to the second).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTime = (date: Date): string => `${date.toISOString().slice(0, 19).replace("T", " ")}Z`

/**
 * Cuts text to `length` characters, ending with `…` when cut, on one line.
 *
 * @since 0.1.0
 * @category formatting
 */
export const truncate = (text: string, length: number): string => {
  const oneLine = text.replace(/\s+/g, " ").trim()
  return oneLine.length > length ? `${oneLine.slice(0, length - 1)}…` : oneLine
}
