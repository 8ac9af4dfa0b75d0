import { sharedConfig } from "../../vitest.shared.ts"

// e2e: the package test packs the tarball and installs it with npm into a scratch project.
export default sharedConfig(import.meta.dirname, { e2e: ["test/package.test.ts"] })
