/**
 * A TCP relay on 127.0.0.1 in front of another port, that a test can cut for the clients behind it only: "refuse"
 * drops every connection and refuses new ones (a dead link), "blackhole" keeps the connections open and silently
 * drops what either side sends (a stuck link, as a partition looks from the client). `restore` ends the cut; a
 * blackholed connection stays useless (its bytes are gone), so it is closed then and the client reconnects. `slow`
 * delays every chunk by a fixed time, in order (a slow link or a starved server that still answers).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net"

/** A running relay. */
export interface Relay {
  readonly port: number
  readonly url: string
  readonly cut: (mode: "refuse" | "blackhole") => void
  readonly restore: () => void
  /** From now on, every chunk either side sends arrives `millis` later (0: at once again). */
  readonly slow: (millis: number) => void
  readonly close: () => Promise<void>
}

/** Starts a relay to `targetPort` on 127.0.0.1; the URL uses `scheme` (e.g. `redis`). */
export const startRelay = (targetPort: number, scheme: string): Promise<Relay> =>
  new Promise((resolve, reject) => {
    let state: "open" | "refuse" | "blackhole" = "open"
    let delayMillis = 0
    const pairs = new Set<readonly [Socket, Socket]>()
    const server: Server = createServer((client) => {
      if (state === "refuse") return void client.destroy()
      const upstream = createConnection({ host: "127.0.0.1", port: targetPort })
      const pair = [client, upstream] as const
      pairs.add(pair)
      const forward = (from: Socket, to: Socket) => {
        // Delayed chunks go through one chain per direction, so they keep their order when the delay changes.
        let chain = Promise.resolve()
        let pending = 0
        from.on("data", (chunk: Buffer) => {
          if (state !== "open") return
          if (delayMillis === 0 && pending === 0) return void to.write(chunk)
          const due = Date.now() + delayMillis
          pending++
          chain = chain
            .then(() => new Promise<void>((done) => setTimeout(done, Math.max(0, due - Date.now()))))
            .then(() => {
              pending--
              if (state === "open" && !to.destroyed) to.write(chunk)
            })
        })
      }
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
        slow: (millis) => {
          delayMillis = millis
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
