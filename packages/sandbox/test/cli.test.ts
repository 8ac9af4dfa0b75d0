/**
 * @module
 * The `profilesync-sandbox` command: argument parsing, and a real process (the built bin; the e2e global setup
 * builds it) that prints its URLs, logs each request with the token redacted, and exits cleanly on SIGTERM.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parseCommandLine, parseWindows } from "../src/cli-options.ts"

const packageDirectory = fileURLToPath(new URL("..", import.meta.url))

describe("parseCommandLine", () => {
  it("applies the documented defaults", () => {
    expect(parseCommandLine([])).toMatchObject({
      help: false,
      quiet: false,
      options: { port: 4010, host: "127.0.0.1" }
    })
  })

  it("reads limits, faults and the seed", () => {
    const parsed = parseCommandLine([
      "--port=0",
      "--ocamba-limits",
      "5/1s,100/1m",
      "--copernica-limits",
      "20/500ms",
      "--ocamba-concurrency",
      "4",
      "--error-rate",
      "0.1",
      "--latency",
      "10-50",
      "--drop-rate",
      "0.05",
      "--import-failure-rate",
      "0.5",
      "--rate-limit-storm",
      "30",
      "--seed",
      "demo",
      "--strict",
      "--rich-import-report",
      "--quiet"
    ])
    expect(parsed).toMatchObject({
      help: false,
      quiet: true,
      options: {
        port: 0,
        seed: "demo",
        strict: true,
        ocamba: {
          richImportReport: true,
          rateLimits: {
            concurrency: 4,
            windows: [
              { limit: 5, windowMilliseconds: 1000 },
              { limit: 100, windowMilliseconds: 60_000 }
            ]
          }
        },
        copernica: { rateLimits: { windows: [{ limit: 20, windowMilliseconds: 500 }] } },
        faults: {
          errorRate: 0.1,
          latencyMilliseconds: { min: 10, max: 50 },
          dropRate: 0.05,
          importFailureRate: 0.5,
          rateLimitStorm: { durationMilliseconds: 30_000 }
        }
      }
    })
  })

  it("merges a config file under the flags", () => {
    const config = JSON.stringify({ port: 5000, seed: 9, faults: { errorRate: 0.2, dropRate: 0.1 } })
    const parsed = parseCommandLine(["--config", "sandbox.json", "--error-rate", "0"], () => config)
    expect(parsed).toMatchObject({ options: { port: 5000, seed: 9, faults: { errorRate: 0, dropRate: 0.1 } } })
  })

  it("refuses bad values with a readable message", () => {
    expect(() => parseCommandLine(["--error-rate", "2"])).toThrow(/--error-rate must be a share/)
    expect(() => parseCommandLine(["--ocamba-limits", "ten per second"])).toThrow(/Cannot read the window/)
    expect(() => parseCommandLine(["--unknown"])).toThrow()
    expect(() => parseCommandLine(["--config", "missing.json"], () => "{")).toThrow(/Cannot read --config/)
    expect(parseWindows("none")).toEqual([])
    expect(parseCommandLine(["--help"])).toEqual({ help: true })
    expect(parseCommandLine(["--", "--port", "1"])).toMatchObject({ options: { port: 1 } })
  })
})

const waitForOutput = (child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMilliseconds = 20_000) =>
  new Promise<RegExpExecArray>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => {
      child.stdout.off("data", listen)
      reject(new Error(`No output matching ${pattern} within ${timeoutMilliseconds} ms; got:\n${output}`))
    }, timeoutMilliseconds)
    const listen = (chunk: Buffer) => {
      output += chunk.toString()
      const match = pattern.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        child.stdout.off("data", listen)
        resolve(match)
      }
    }
    child.stdout.on("data", listen)
  })

describe("profilesync-sandbox process", () => {
  it("prints its URLs and tokens, logs requests with the token redacted, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, ["bin/profilesync-sandbox.js", "--port", "0", "--seed", "7"], {
      cwd: packageDirectory,
      stdio: "pipe"
    })
    try {
      const banner = await waitForOutput(child, /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*seed 7/)
      const url = banner[1]!
      const logged = waitForOutput(
        child,
        /GET \/v3\/databases\?access_token=REDACTED 200 \d+ms account=copernica-account-1/
      )
      const response = await fetch(`${url}/v3/databases?access_token=copernica-sandbox-token`)
      expect(response.status).toBe(200)
      await logged
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      child.kill("SIGTERM")
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  })
})
