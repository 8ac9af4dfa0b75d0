/**
 * @module
 * The proxy process exiting with code 2 and one line per bad variable on a bad configuration (an e2e test: it spawns
 * the proxy).
 */
import { describe, expect, it } from "vitest"
import { runProxyProcess } from "./support/proxy-process.ts"

describe("main", () => {
  it("exits with code 2 and one line per bad variable", async () => {
    const child = runProxyProcess({ PORT: "x", LOG_LEVEL: "loud" })
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    // `close`, not `exit`: the lines can still be in the pipe when the process has exited.
    const code = await new Promise<number | null>((resolve) => child.once("close", (exitCode) => resolve(exitCode)))
    expect(code).toBe(2)
    expect(stderr).toContain('  - PORT: must be a whole number from 0 to 65535, got "x"')
    expect(stderr).toContain('  - LOG_LEVEL: must be one of debug, info, warn, error, silent, got "loud"')
    expect(stderr).toContain("  - OCAMBA_TOKEN / COPERNICA_TOKEN:")
  })
})
