/**
 * Builds the daemon (and the packages it imports) before the tests, which spawn the built `profilesync`, never the
 * TypeScript sources, and the proxy, which the Grafana dashboards' test scrapes: turbo's cache makes this a no-op when
 * nothing changed.
 */
import { execFileSync } from "node:child_process"
import { repositoryDirectory } from "./support.ts"

export default function setup(): void {
  execFileSync(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--filter=@profilesync/daemon",
      "--filter=@profilesync/proxy",
      "--output-logs=errors-only"
    ],
    {
      cwd: repositoryDirectory,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" }
    }
  )
}
