import { sharedConfig } from "../../vitest.shared.ts"

// e2e: the CLI test spawns `profilesync-sandbox` as a process.
export default sharedConfig(import.meta.dirname, { e2e: ["test/cli.test.ts"] })
