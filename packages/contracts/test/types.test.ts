/** Runs the compiler over test/types: the generated types must reject wrong bodies, paths and parameters. */
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"

const typescriptCompiler = createRequire(import.meta.url).resolve("typescript/bin/tsc")

describe("generated types", () => {
  it("reject a wrong body, path or parameter at compile time", () => {
    const project = Path.join(import.meta.dirname, "types/tsconfig.json")
    let output = ""
    try {
      output = execFileSync(process.execPath, [typescriptCompiler, "-p", project], { encoding: "utf8" })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error)
    }
    assert.strictEqual(output.trim(), "", output)
  })
})
