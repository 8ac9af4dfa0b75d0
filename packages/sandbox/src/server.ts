/**
 * @module
 * Starts the sandbox on a real port (127.0.0.1 and a free port by default) and closes it cleanly.
 */
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createAdaptorServer } from "@hono/node-server"
import { createSandboxApp, type SandboxApp } from "./app.ts"
import type { CountersSnapshot } from "./counters.ts"
import type { FaultOptions } from "./faults/fault-injector.ts"
import type { SandboxOptions } from "./options.ts"
import type { SandboxState } from "./runtime.ts"

/**
 * Options of {@link startSandbox}: the app's options plus where to listen.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export interface StartSandboxOptions extends SandboxOptions {
  /** Default `127.0.0.1`: the sandbox holds test tokens and should not be reachable from elsewhere. */
  readonly host?: string | undefined
  /** Default 0: a free port chosen by the system. */
  readonly port?: number | undefined
}

/**
 * A running sandbox.
 *
 * @category Sandbox
 * @since 0.0.0
 */
export interface Sandbox {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  /** `url + "/v1/hood"`. */
  readonly ocambaBaseUrl: string
  /** `url + "/v3"`. */
  readonly copernicaBaseUrl: string
  /** Both vendors' state (read-only use; replaced on reset, so read it again after `reset()`). */
  readonly state: SandboxState
  /** The Hono app behind the server. */
  readonly app: SandboxApp
  /** The same counters as `GET /_sandbox/counters`. */
  readonly counters: () => CountersSnapshot
  /** Changes fault options at run time; returns the options now in force. */
  readonly setFaults: (faults: FaultOptions) => FaultOptions
  /**
   * Holds import processing at both vendors (imports stay in progress, as when a vendor's queue stalls) until the
   * returned function is called; `reset()` and `close()` end the hold too.
   */
  readonly holdProcessing: () => () => void
  /** Back to the starting state, counters, windows, faults and seed. */
  readonly reset: () => void
  /** Stops listening, ends open connections and abandons pending import processing. */
  readonly close: () => Promise<void>
}

/**
 * Starts the sandbox.
 *
 * @example
 * const sandbox = await startSandbox({ seed: 42 })
 * await fetch(`${sandbox.ocambaBaseUrl}/profile-properties`, {
 *   headers: { Authorization: "Bearer ocamba-sandbox-token" }
 * })
 * await sandbox.close()
 * @category Sandbox
 * @since 0.0.0
 */
export const startSandbox = async (options: StartSandboxOptions = {}): Promise<Sandbox> => {
  const { host = "127.0.0.1", port = 0, ...appOptions } = options
  const app = createSandboxApp(appOptions)
  // overrideGlobalObjects: false keeps the host process's own Request/Response (tests share the process).
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const hostInUrl = address.address.includes(":") ? `[${address.address}]` : address.address
  const url = `http://${hostInUrl}:${address.port}`
  const runtime = app.runtime
  let closing: Promise<void> | undefined
  return {
    url,
    ocambaBaseUrl: `${url}/v1/hood`,
    copernicaBaseUrl: `${url}/v3`,
    get state() {
      return runtime.state
    },
    app,
    counters: () => runtime.countersSnapshot(),
    setFaults: (faults) => runtime.setFaults(faults),
    holdProcessing: () => runtime.tasks.hold(),
    reset: () => runtime.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        runtime.dispose()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })
      return closing
    }
  }
}
