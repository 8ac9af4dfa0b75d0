/**
 * The checks of a CSV header: every column named once, and a one-column header that looks like another delimiter.
 *
 * @internal
 */
import { Fatal, SourceErrorReason } from "./sourceError.ts"

export const delimiterCandidates = [",", ";", "\t", "|"]

// The most frequent usual delimiter, other than `delimiter`, outside quotes in a one-column header (if any).
export const suggestDelimiter = (headerLine: string, delimiter: string): string | undefined => {
  const unquoted = headerLine.replace(/"(?:[^"]|"")*"/g, "")
  let best: string | undefined
  let bestCount = 0
  for (const candidate of delimiterCandidates) {
    if (candidate === delimiter) continue
    const count = unquoted.split(candidate).length - 1
    if (count > bestCount) {
      best = candidate
      bestCount = count
    }
  }
  return best
}

export const validateHeader = (source: string, names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const positions = new Map<string, Array<number>>()
  names.forEach((name, index) => {
    if (name === "") throw new Fatal(SourceErrorReason.EmptyColumnName({ source, position: index + 1 }))
    const seen = positions.get(name)
    if (seen === undefined) positions.set(name, [index + 1])
    else seen.push(index + 1)
  })
  for (const [column, at] of positions) {
    if (at.length > 1) throw new Fatal(SourceErrorReason.DuplicateColumn({ source, column, positions: at }))
  }
  return names
}
