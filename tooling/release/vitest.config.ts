import { sharedConfig } from "../../vitest.shared.ts"

// Unit: the import-boundary check alone. Every other file is e2e (packs, installs, publishes or runs the tarballs),
// so a new release test lands there. The tarballs are built and packed once for every e2e file (global-setup.ts);
// the files run one at a time, since the install test compiles and spawns processes.
export default sharedConfig(import.meta.dirname, {
  unit: ["test/boundaries.test.ts"],
  e2e: ["test/**/*.test.ts"],
  e2eOptions: { globalSetup: ["test/global-setup.ts"], fileParallelism: false }
})
