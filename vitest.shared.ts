/**
 * The vitest settings every package shares: sources are resolved through the `@profilesync/source` export condition
 * (no build needed), tests run from `src`/`test` only (never `dist`), and each run writes a JSON report to
 * `.test-results/` that `scripts/test.sh` totals into the `N passed, N failed` line CI reads.
 */
import * as Path from "node:path"
import { defineConfig } from "vitest/config"

const root = import.meta.dirname

export const sharedConfig = (packageDirectory: string) =>
  defineConfig({
    resolve: { conditions: ["@profilesync/source"] },
    ssr: { resolve: { conditions: ["@profilesync/source"] } },
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      exclude: ["**/node_modules/**", "**/dist/**"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: [
        "default",
        ["json", { outputFile: Path.join(root, ".test-results", `${Path.basename(packageDirectory)}.json`) }]
      ]
    }
  })
