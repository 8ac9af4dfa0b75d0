import { sharedConfig } from "../../vitest.shared.ts"

// e2e: the CLI test spawns the built `profilesync-sandbox` as a process; the global setup builds it first.
export default sharedConfig(import.meta.dirname, {
  e2e: ["test/cli.test.ts"],
  e2eOptions: { globalSetup: ["../../vitest.build-setup.ts"] }
})
