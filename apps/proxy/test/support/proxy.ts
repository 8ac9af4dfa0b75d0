/**
 * @module
 * Test support: the proxy in this process (`startProxy` on a free port), configured through the same environment
 * variables as in production, with its log lines collected. Also the sandbox settings the tests share.
 */
import { type Sandbox, type StartSandboxOptions, startSandbox } from "@profilesync/sandbox"
import { parseConfig } from "../../src/config.ts"
import { type RunningProxy, startProxy } from "../../src/server.ts"

/** A proxy started in this process. */
export interface TestProxy {
  readonly proxy: RunningProxy
  readonly url: string
  /** Parsed log lines so far. */
  readonly logs: Array<Record<string, unknown>>
  readonly close: () => Promise<void>
}

/** The environment pointing a proxy at `sandbox` with the sandbox's default tokens. */
export const sandboxEnvironment = (sandbox: Sandbox): Record<string, string> => ({
  OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
  COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
  OCAMBA_TOKEN: "ocamba-sandbox-token",
  OCAMBA_ACCOUNT: "ocamba-account-1",
  COPERNICA_TOKEN: "copernica-sandbox-token",
  COPERNICA_ACCOUNT: "copernica-account-1"
})

/** Starts a proxy from environment variables (PORT defaults to 0, LOG_LEVEL to debug). */
export const startTestProxy = async (env: Record<string, string | undefined>): Promise<TestProxy> => {
  const parsed = parseConfig({ PORT: "0", LOG_LEVEL: "debug", ...env })
  if (!parsed.ok) throw new Error(`bad test configuration:\n${parsed.errors.join("\n")}`)
  const logs: Array<Record<string, unknown>> = []
  const proxy = await startProxy(parsed.config, {
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>)
  })
  return { proxy, url: proxy.url, logs, close: async () => void (await proxy.shutdown(1000)) }
}

/** Starts a quiet sandbox (no response validation noise is hidden: tests check `invalidResponses`). */
export const startTestSandbox = (options: StartSandboxOptions = {}): Promise<Sandbox> =>
  startSandbox({ seed: 7, ...options })
