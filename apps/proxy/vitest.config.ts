import { sharedConfig } from "../../vitest.shared.ts"

// e2e: the tests that spawn processes: the built proxy itself (replicas, a bad configuration's exit; the global
// setup builds it first), the real clients (php, curl) and Prometheus' linter. One e2e file at a time: the
// multi-process tests measure timing (rate windows, jitter) and must not share the machine's cores with another
// file's load.
export default sharedConfig(import.meta.dirname, {
  e2e: [
    "test/replicas.test.ts",
    "test/readme.test.ts",
    "test/main.test.ts",
    "test/client-habits.test.ts",
    "test/metrics.test.ts",
    "test/tracing.test.ts"
  ],
  e2eOptions: { fileParallelism: false, globalSetup: ["../../vitest.build-setup.ts"] }
})
