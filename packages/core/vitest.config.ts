import { sharedConfig } from "../../vitest.shared.ts"

// e2e: the shared-budget test spawns worker processes that run the built package; the global setup builds it first.
export default sharedConfig(import.meta.dirname, {
  e2e: ["test/SharedBudget.test.ts"],
  e2eOptions: { globalSetup: ["../../vitest.build-setup.ts"] }
})
