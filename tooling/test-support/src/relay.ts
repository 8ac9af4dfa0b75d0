/**
 * A TCP relay on 127.0.0.1 in front of another port, that a test can cut for the clients behind it only: "refuse"
 * drops every connection and refuses new ones (a dead link), "blackhole" keeps the connections open and silently
 * drops what either side sends (a stuck link, as a partition looks from the client). `restore` ends the cut; a
 * blackholed connection stays useless (its bytes are gone), so it is closed then and the client reconnects.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net"

/** A running relay. */
export interface Relay {
  readonly port: number
  readonly url: string
  readonly cut: (mode: "refuse" | "blackhole") => void
  readonly restore: () => void
  readonly close: () => Promise<void>
}

/** Starts a relay to `targetPort` on 127.0.0.1; the URL uses `scheme` (e.g. `redis`). */
export const startRelay = (targetPort: number, scheme: string): Promise<Relay> =>
  new Promise((resolve, reject) => {
    let state: "open" | "refuse" | "blackhole" = "open"
    const pairs = new Set<readonly [Socket, Socket]>()
    const server: Server = createServer((client) => {
      if (state === "refuse") return void client.destroy()
      const upstream = createConnection({ host: "127.0.0.1", port: targetPort })
      const pair = [client, upstream] as const
      pairs.add(pair)
      const forward = (from: Socket, to: Socket) =>
        from.on("data", (chunk: Buffer) => {
          if (state === "open") to.write(chunk)
        })
      forward(client, upstream)
      forward(upstream, client)
      const end = () => {
        pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      }
      client.on("close", end).on("error", end)
      upstream.on("close", end).on("error", end)
    })
    const dropAll = () => {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      pairs.clear()
    }
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        cut: (mode) => {
          state = mode
          if (mode === "refuse") dropAll()
        },
        restore: () => {
          if (state === "blackhole") dropAll()
          state = "open"
        },
        close: () =>
          new Promise((done) => {
            dropAll()
            server.close(() => done())
          })
      })
    })
  })
