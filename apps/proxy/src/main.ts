/**
 * @module
 * The proxy process: reads the configuration from the environment (exit code 2 with one message per bad variable),
 * starts the server, and on SIGTERM or SIGINT stops accepting, drains in-flight requests for up to
 * `SHUTDOWN_GRACE_MS`, closes Redis and exits 0 (requests still running after the grace period are cut and logged).
 * A second signal exits at once with 1.
 *
 * Run the `profilesync-proxy` bin (this file, compiled) directly, never through a package manager's `start`: the
 * supervisor's SIGTERM must reach this process. Under `npx`, whose shell does not pass the signal on, the npx process
 * exiting stands for it (see `launcher.ts`).
 */
import { parseConfig } from "./config.ts"
import { watchLauncher } from "./launcher.ts"
import { startProxy } from "./server.ts"

const parsed = parseConfig(process.env)
if (!parsed.ok) {
  process.stderr.write(
    `profilesync proxy: invalid configuration (see apps/proxy/README.md):\n${parsed.errors.map((error) => `  - ${error}`).join("\n")}\n`
  )
  process.exit(2)
}

const proxy = await startProxy(parsed.config).catch((error: unknown) => {
  process.stderr.write(
    `profilesync proxy: could not start: ${error instanceof Error ? error.message : String(error)}\n`
  )
  process.exit(1)
})

let signalled = false
const stop = (signal: NodeJS.Signals) => {
  if (signalled) {
    proxy.logger.log("warn", "second signal: exiting without draining", { signal })
    process.exit(1)
  }
  signalled = true
  proxy.logger.log("info", "signal received", { signal })
  proxy.shutdown().then(
    () => process.exit(0),
    (error: unknown) => {
      proxy.logger.log("error", "shutdown failed", { error: String(error) })
      process.exit(1)
    }
  )
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
watchLauncher(() => {
  if (signalled) return
  proxy.logger.log("info", "npx exited: stopping as on SIGTERM", {})
  stop("SIGTERM")
})
