import { sharedConfig } from "../../vitest.shared.ts"

// Two test files at a time: most of a sync test's time is spent waiting on the sandbox's imports and polling, so on
// two cores this halves the package's wall time (vitest's default is one worker fewer than the cores).
export default sharedConfig(import.meta.dirname, { unitOptions: { maxWorkers: 2 } })
