import { sharedConfig } from "../../vitest.shared.ts"

// e2e: everything but the import-boundary check. The tarballs are built and packed once for every e2e file
// (global-setup.ts); the files run one at a time, since the install test compiles and spawns processes.
export default sharedConfig(import.meta.dirname, {
  e2e: ["test/consumer.test.ts", "test/deploy.test.ts", "test/install.test.ts", "test/publish.test.ts"],
  e2eOptions: { globalSetup: ["test/global-setup.ts"], fileParallelism: false }
})
