/**
 * @module
 * `/metrics` as Prometheus reads it: the proxy's real output, after forwarded requests, refusals and a vendor 429,
 * checked by Prometheus' own linter (`promtool check metrics`, Debian's `prometheus` package, installed by
 * scripts/install.sh), and every series the README documents is present under its documented name.
 */
import { spawn } from "node:child_process"
import type { Sandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

let sandbox: Sandbox
let proxy: TestProxy

beforeAll(async () => {
  sandbox = await startTestSandbox({
    ocamba: { rateLimits: { windows: [{ limit: 3, windowMilliseconds: 60_000 }], concurrency: 100 } },
    copernica: { processing: { delayMilliseconds: 0 } }
  })
  // The proxy allows more than the sandbox, so the sandbox answers 429 (a cooldown, a retry, the 429 counter).
  proxy = await startTestProxy({ ...sandboxEnvironment(sandbox), OCAMBA_LIMITS: "5/60s", RETRY_MAX_ATTEMPTS: "2" })
})
afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

/** Runs `promtool check metrics` on `text`; resolves with its exit code and everything it printed. */
const promtool = (text: string) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve, reject) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("error", (error) =>
      reject(new Error(`promtool could not run (install Debian's prometheus package): ${error.message}`))
    )
    child.on("close", (code) => resolve({ code, output }))
    child.stdin.end(text)
  })

describe("/metrics", () => {
  it("passes promtool check metrics after real traffic", async () => {
    const url = proxy.url
    for (let index = 0; index < 5; index++) {
      // The sandbox admits 3; then its 429 pauses the account and the proxy's deadline refuses the rest.
      await (
        await fetch(`${url}/ocamba/v1/hood/profile-properties`, { headers: { "x-profilesync-deadline": "0" } })
      ).arrayBuffer()
    }
    await (await fetch(`${url}/copernica/v3/databases`)).arrayBuffer()
    await (await fetch(`${url}/ocamba/v1/hood/no-such-thing`)).arrayBuffer()
    const response = await fetch(`${url}/metrics`)
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()

    const checked = await promtool(text)
    expect(checked.output).toBe("")
    expect(checked.code).toBe(0)

    // What the README lists is what is served, and the traffic above shows in it.
    for (const series of [
      /^profilesync_proxy_requests_total\{vendor="ocamba",operation="listProfileProperties",status="200"\} 3$/m,
      /^profilesync_proxy_requests_total\{vendor="ocamba",operation="-",status="404"\} 1$/m,
      /^profilesync_proxy_upstream_requests_total\{vendor="ocamba",operation="listProfileProperties",status="429"\} 1$/m,
      /^profilesync_proxy_upstream_429_total\{vendor="ocamba"\} 1$/m,
      /^profilesync_proxy_upstream_429_total\{vendor="copernica"\} 0$/m,
      /^profilesync_proxy_in_flight_requests 1$/m,
      /^profilesync_proxy_request_duration_seconds_bucket\{vendor="copernica",le="\+Inf"\} 1$/m,
      /^profilesync_proxy_request_duration_seconds_count\{vendor="ocamba"\} 6$/m,
      /^# TYPE profilesync_proxy_retries_total counter$/m,
      /^profilesync_throttle_wait_seconds_count\{key="ocamba:ocamba-account-1"\} \d+$/m,
      /^profilesync_throttle_admitted_total\{key="ocamba:ocamba-account-1"\} 4$/m,
      /^profilesync_throttle_refused_total\{key="ocamba:ocamba-account-1",reason="DeadlineExceeded"\} \d+$/m,
      /^profilesync_throttle_cooldowns_total\{key="ocamba:ocamba-account-1"\} 1$/m,
      /^profilesync_throttle_queue_depth\{key="copernica:copernica-account-1"\} 0$/m,
      /^profilesync_circuit_breaker_state\{circuit_breaker="ocamba"\} 0$/m
    ]) {
      expect(text).toMatch(series)
    }
    expect(text).not.toMatch(/^effect_/m)
    expect(text).not.toMatch(/millisecond/)
  })
})
