/**
 * @module
 * Test support: sends bytes exactly as written to a server (no URL normalisation, any request target), and reads
 * back the status, headers and body of one answer (`Connection: close`).
 */
import { connect } from "node:net"

/** One parsed answer. */
export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Sends `head` (the request line and headers, without the final blank line) and optionally a body. */
export const rawRequest = (url: string, head: string, body = ""): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    const chunks: Array<Buffer> = []
    socket.setTimeout(10_000, () => socket.destroy(new Error("raw request timed out")))
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", reject)
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      const [headText = "", ...rest] = text.split("\r\n\r\n")
      const [statusLine = "", ...headerLines] = headText.split("\r\n")
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const colon = line.indexOf(":")
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") })
    })
    socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`)
  })
