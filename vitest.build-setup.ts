/**
 * The global setup of an e2e project whose tests spawn the package's own built bin: builds the package (and the
 * packages it imports) with turbo first, so the tests run `dist/` as a user does, never the TypeScript sources
 * through a loader (a process that compiles its sources on start took more than 30 s to listen on a loaded 2-core
 * machine). turbo's cache makes this a no-op when nothing changed, as after `pnpm test:e2e`, which builds first.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"

export default function setup(project: TestProject): void {
  const manifest = JSON.parse(FileSystem.readFileSync(Path.join(project.config.root, "package.json"), "utf8"))
  execFileSync("pnpm", ["exec", "turbo", "run", "build", `--filter=${manifest.name}`, "--output-logs=errors-only"], {
    cwd: import.meta.dirname,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" }
  })
}
