import { mergeConfig } from "vitest/config"
import { sharedConfig } from "../../vitest.shared.ts"

// The tarballs are built and packed once for every file (global-setup.ts); the files run one at a time, since the
// install test compiles and spawns processes.
export default mergeConfig(sharedConfig(import.meta.dirname), {
  test: { globalSetup: ["test/global-setup.ts"], fileParallelism: false }
})
