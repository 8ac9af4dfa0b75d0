/**
 * The vitest settings every package shares: sources are resolved through the `@profilesync/source` export condition
 * (no build needed), tests run from `src`/`test` only (never `dist`), each package's tests are split into a `unit`
 * and an `e2e` project, and each run writes a JSON report to `.test-results/` that `scripts/test.sh` totals into the
 * `N passed, N failed` line CI reads.
 *
 * The `e2e` project holds the tests that spawn processes (the built CLIs and bins, worker processes, a browser,
 * Prometheus), pack or install tarballs: they are the slow ones and the ones a loaded machine hurts, so CI runs them
 * after every unit test (`pnpm test` = `turbo run test`, then `turbo run test:e2e` with the packages built first).
 * A package names its e2e files by glob in its `vitest.config.ts` (every other test file is a unit test), or, when
 * most are e2e, its unit files.
 */
import * as Path from "node:path"
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config"

const root = import.meta.dirname

const include = ["test/**/*.test.ts", "src/**/*.test.ts"]
const exclude = ["**/node_modules/**", "**/dist/**"]

/** Test options of one project (`include` is set by the split). */
type ProjectOptions = Omit<NonNullable<TestProjectInlineConfiguration["test"]>, "name" | "include">

export interface SplitOptions {
  /** Globs (relative to the package) of the e2e test files; none: the package has unit tests only. */
  readonly e2e?: ReadonlyArray<string>
  /**
   * Globs of the unit test files, for a package whose tests are mostly e2e (the daemon's): the unit project runs
   * only these, and the e2e project every other file its globs match, so a new test file lands in e2e.
   */
  readonly unit?: ReadonlyArray<string>
  /** Options of the unit project only. */
  readonly unitOptions?: ProjectOptions
  /** Options of the e2e project only (its global setup that builds, its parallelism). */
  readonly e2eOptions?: ProjectOptions
}

/**
 * The projects `--project` selects on this command line (`--project e2e`, `--project=unit`), so a unit run and an
 * e2e run of the same package write different reports instead of overwriting each other's.
 */
const selectedProjects = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.flatMap((argument, index) =>
    argument === "--project"
      ? [argv[index + 1] ?? ""]
      : argument.startsWith("--project=")
        ? [argument.slice("--project=".length)]
        : []
  )

/** `<package>-<project>.json` for a run of one project (what the scripts do), `<package>.json` for a run of all. */
const reportName = (packageDirectory: string, argv: ReadonlyArray<string>): string =>
  `${[Path.basename(packageDirectory), ...selectedProjects(argv).toSorted()].join("-")}.json`

export const sharedConfig = (packageDirectory: string, options: SplitOptions = {}) => {
  const e2e = options.e2e ?? []
  const unit = options.unit
  const projects: Array<TestProjectInlineConfiguration> = [
    {
      extends: true,
      test: unit
        ? { ...options.unitOptions, name: "unit", include: [...unit], exclude }
        : { ...options.unitOptions, name: "unit", include, exclude: [...exclude, ...e2e] }
    }
  ]
  if (e2e.length > 0) {
    projects.push({
      extends: true,
      test: { ...options.e2eOptions, name: "e2e", include: [...e2e], exclude: [...exclude, ...(unit ?? [])] }
    })
  }
  return defineConfig({
    resolve: { conditions: ["@profilesync/source"] },
    ssr: { resolve: { conditions: ["@profilesync/source"] } },
    // No `include`/`exclude` here: `extends: true` concatenates arrays, so the projects would inherit every file.
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: [
        "default",
        ["json", { outputFile: Path.join(root, ".test-results", reportName(packageDirectory, process.argv)) }]
      ],
      projects
    }
  })
}
