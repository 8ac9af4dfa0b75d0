import { sharedConfig } from "../../vitest.shared.ts"

// Unit: the import-boundary and package-metadata checks. Every other file is e2e (packs, installs, publishes or runs
// the tarballs), so a new release test lands there. The tarballs are built and packed once for every e2e file
// (global-setup.ts); the files run one at a time, since the install test compiles and spawns processes. Within a file,
// the runs marked concurrent run side by side (readme-shell.test.ts has seven, more than vitest's default of five).
export default sharedConfig(import.meta.dirname, {
  unit: ["test/boundaries.test.ts", "test/metadata.test.ts"],
  e2e: ["test/**/*.test.ts"],
  e2eOptions: { globalSetup: ["test/global-setup.ts"], fileParallelism: false, maxConcurrency: 8 }
})
