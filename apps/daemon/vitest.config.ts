import { sharedConfig } from "../../vitest.shared.ts"

// Unit: the files that test modules in-process. Every other file is e2e: it spawns the built CLI (and, for some, the
// proxy, Chromium or Prometheus), which the e2e global setup builds first. Two e2e files at a time: those tests mostly
// wait on child processes and on the sandbox's processing delay, so a second file overlaps that waiting (on a 2-core
// machine vitest would otherwise run one file at a time).
export default sharedConfig(import.meta.dirname, {
  unit: [
    "test/dashboard-mask.test.ts",
    "test/drivers.test.ts",
    "test/help.test.ts",
    "test/status.test.ts",
    "test/units.test.ts"
  ],
  e2e: ["test/**/*.test.ts", "src/**/*.test.ts"],
  e2eOptions: { maxWorkers: 2, globalSetup: ["./test/global-setup.ts"] }
})
