import { mergeConfig } from "vitest/config"
import { sharedConfig } from "../../vitest.shared.ts"

// One test file at a time: the multi-process tests measure timing (rate windows, jitter) and must not share the
// machine's cores with another file's load.
export default mergeConfig(sharedConfig(import.meta.dirname), { test: { fileParallelism: false } })
