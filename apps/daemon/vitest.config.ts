import { mergeConfig } from "vitest/config"
import { sharedConfig } from "../../vitest.shared.ts"

// Two test files at a time: the tests mostly wait on child processes and on the sandbox's processing delay, so a
// second file overlaps that waiting (on a 2-core machine vitest would otherwise run one file at a time). The tests
// spawn the built CLI, so the global setup builds it first.
export default mergeConfig(sharedConfig(import.meta.dirname), {
  test: { maxWorkers: 2, globalSetup: ["./test/global-setup.ts"] }
})
