#!/usr/bin/env node
// The `profilesync` command. Runs the built dist/main.js when it exists (`pnpm build`); in the workspace, without a
// build, it runs the TypeScript sources through tsx, resolving workspace packages to their sources (the
// `@profilesync/source` export condition), like `node --conditions=@profilesync/source --import tsx src/main.ts`.
// PROFILESYNC_FROM_SOURCE=1 runs the sources even when a build exists (the tests do, so they never run a stale dist).
import { existsSync } from "node:fs"
import { register } from "node:module"

const built = new URL("../dist/main.js", import.meta.url)
if (existsSync(built) && process.env.PROFILESYNC_FROM_SOURCE !== "1") {
  await import(built.href)
} else {
  // Adds the export condition to every resolution (what --conditions does, which cannot be set from inside).
  register(
    "data:text/javascript," +
      encodeURIComponent(
        "export async function resolve(specifier, context, next) {" +
          " return next(specifier, { ...context, conditions: [...(context.conditions ?? []), '@profilesync/source'] }) }"
      )
  )
  const { register: registerTsx } = await import("tsx/esm/api")
  registerTsx()
  await import(new URL("../src/main.ts", import.meta.url).href)
}
