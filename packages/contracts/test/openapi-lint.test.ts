/** Both specs pass Redocly's OpenAPI linter with the committed config, and no rule is off without a written reason. */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"

const configPath = Path.resolve(import.meta.dirname, "../../../openapi/redocly.yaml")

describe("openapi/ specs", () => {
  it("pass redocly lint", () => {
    const cli = Path.join(
      Path.dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
      "bin/cli.js"
    )
    let output: string
    let status = 0
    try {
      output = execFileSync(process.execPath, [cli, "lint", "--config", configPath, "--format", "stylish"], {
        cwd: Path.dirname(configPath),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }
      })
    } catch (error) {
      status = (error as { status: number }).status
      output = `${(error as { stdout?: string }).stdout}${(error as { stderr?: string }).stderr}`
    }
    assert.strictEqual(status, 0, output)
    assert.notMatch(output, /warning/i, output)
  })

  it("switch no lint rule off without a comment giving the reason", () => {
    const lines = FileSystem.readFileSync(configPath, "utf8").split("\n")
    lines.forEach((line, index) => {
      if (!/^\s+[\w-]+:\s*off\b/.test(line)) return
      const reason = line.includes("#") || lines[index - 1]?.trim().startsWith("#") === true
      assert.isTrue(reason, `redocly.yaml line ${index + 1} turns a rule off without a reason: ${line.trim()}`)
    })
  })
})
