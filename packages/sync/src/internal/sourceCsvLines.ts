/**
 * Line breaks in UTF-8 bytes, for the CSV reader: where the complete lines of a block end, and how many line breaks
 * a block holds (CRLF, LF and a lone CR each end one line, as an editor counts them), with native searches for the
 * common case.
 *
 * @internal
 */

const lineFeed = 0x0a
const carriageReturn = 0x0d

/**
 * The length of the complete lines at the start of `bytes`: up to and including its last line break, or 0 if there
 * is none. A carriage return as the very last byte does not count: a line feed may follow in the next chunk, and a
 * CRLF cut in two would otherwise count as two line breaks.
 */
export const completeLinesLength = (bytes: Uint8Array): number => {
  const lastFeed = bytes.lastIndexOf(lineFeed)
  const lastReturn = bytes.lastIndexOf(carriageReturn)
  if (lastReturn > lastFeed) {
    if (lastReturn < bytes.length - 1) return lastReturn + 1
    // (A negative offset would search from the end again.)
    const returnBefore = lastReturn === 0 ? -1 : bytes.lastIndexOf(carriageReturn, lastReturn - 1)
    return Math.max(lastFeed, returnBefore) + 1
  }
  return lastFeed + 1
}

/** The number of line breaks in `bytes` (a CRLF is one). */
export const countByteLineBreaks = (bytes: Uint8Array): number => {
  let count = 0
  if (bytes.indexOf(carriageReturn) === -1) {
    let index = bytes.indexOf(lineFeed)
    while (index !== -1) {
      count++
      index = bytes.indexOf(lineFeed, index + 1)
    }
    return count
  }
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]
    if (byte === lineFeed) count++
    else if (byte === carriageReturn) {
      count++
      if (bytes[index + 1] === lineFeed) index++
    }
  }
  return count
}

/**
 * The number of line breaks before the first other byte of `buffers` (read as one), from `offset` on: the empty lines
 * before a record. Counted from the bytes because csv-parse's raw text of a record drops the line feed of a skipped
 * CRLF empty line, so that the CR and the next empty line's LF would read as one CRLF.
 */
export const leadingLineBreaks = (buffers: ReadonlyArray<Uint8Array>, offset: number): number => {
  let count = 0
  let afterCarriageReturn = false
  let skip = offset
  for (const bytes of buffers) {
    if (skip >= bytes.length) {
      skip -= bytes.length
      continue
    }
    for (let index = skip; index < bytes.length; index++) {
      const byte = bytes[index]
      if (byte === lineFeed) {
        if (!afterCarriageReturn) count++
        afterCarriageReturn = false
      } else if (byte === carriageReturn) {
        count++
        afterCarriageReturn = true
      } else return count
    }
    skip = 0
  }
  return count
}
