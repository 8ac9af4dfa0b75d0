/**
 * @module
 * Reads the part headers of a `multipart/form-data` body (RFC 7578) from its first bytes, without buffering the file:
 * enough to validate the form's fields against the spec before the upload is streamed to the vendor.
 *
 * Text parts are read whole; a file part (one with a `filename`) is recorded as an empty binary value and, unless the
 * whole body is already at hand, reading stops there: the file's bytes and any part after it are streamed unread.
 */

/** The fields found, as the contracts' validators take them: text as strings, files as (empty) bytes. */
export interface MultipartFields {
  readonly fields: Record<string, unknown>
  /** Whether the closing delimiter was reached, i.e. every part was seen. */
  readonly complete: boolean
}

const crlf = Buffer.from("\r\n")
const headerEnd = Buffer.from("\r\n\r\n")

/** The `boundary` parameter of a multipart Content-Type, or `undefined`. */
export const boundaryOf = (contentType: string): string | undefined => {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

const parameterOf = (header: string, name: string): string | undefined => {
  const match = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, "i").exec(header)
  const value = match?.[1] ?? match?.[2]
  return value?.replace(/\\(.)/g, "$1")
}

// As the sandbox (and PHP) read forms: `name[]` and repeated names become lists.
const addField = (fields: Record<string, unknown>, rawName: string, value: unknown) => {
  const listName = rawName.endsWith("[]") ? rawName.slice(0, -2) : undefined
  const name = listName ?? rawName
  const existing = fields[name]
  if (existing === undefined) fields[name] = listName === undefined ? value : [value]
  else fields[name] = [...(Array.isArray(existing) ? existing : [existing]), value]
}

/**
 * Reads the parts in `bytes`. `ended` says whether `bytes` is the whole body. Returns a message naming the problem
 * when the body is malformed, or when (not `ended`) the text parts before the first file do not fit in `bytes`.
 */
export const readMultipartFields = (bytes: Buffer, boundary: string, ended: boolean): MultipartFields | string => {
  const delimiter = Buffer.from(`--${boundary}`)
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`)
  const fields: Record<string, unknown> = {}
  const truncated = ended
    ? "request body: the multipart body ends before its closing delimiter"
    : "request body: the multipart parts before the file are larger than the proxy reads ahead (64 KiB)"
  let position = bytes.indexOf(delimiter)
  if (position === -1) return `request body: no multipart delimiter --${boundary}`
  for (;;) {
    const after = position + delimiter.length
    if (bytes.length < after + 2) return truncated
    if (bytes[after] === 0x2d && bytes[after + 1] === 0x2d) return { fields, complete: true }
    let lineEnd = bytes.indexOf(crlf, after)
    if (lineEnd === -1) return truncated
    // Transport padding (spaces or tabs) may follow a delimiter (RFC 2046 §5.1.1).
    if (!/^[ \t]*$/.test(bytes.toString("latin1", after, lineEnd))) {
      return "request body: malformed multipart delimiter line"
    }
    lineEnd += 2
    const headersEnd = bytes.indexOf(headerEnd, lineEnd - 2)
    if (headersEnd === -1) return truncated
    const headers = bytes.toString("utf8", lineEnd, headersEnd).split("\r\n")
    const disposition = headers.find((line) => /^content-disposition\s*:/i.test(line))
    if (disposition === undefined || !/:\s*form-data\b/i.test(disposition)) {
      return "request body: a multipart part has no Content-Disposition: form-data header"
    }
    const name = parameterOf(disposition, "name")
    if (name === undefined || name === "") return "request body: a multipart part has no name"
    const isFile = parameterOf(disposition, "filename") !== undefined
    const dataStart = headersEnd + headerEnd.length
    const dataEnd = bytes.indexOf(nextDelimiter, dataStart)
    if (isFile) {
      addField(fields, name, new Uint8Array(0))
      if (dataEnd === -1) return ended ? truncated : { fields, complete: false }
    } else {
      if (dataEnd === -1) return truncated
      addField(fields, name, bytes.toString("utf8", dataStart, dataEnd))
    }
    position = dataEnd + 2
  }
}
