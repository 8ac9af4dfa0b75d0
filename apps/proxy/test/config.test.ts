/**
 * @module
 * The configuration: defaults, one clear message per bad variable, secret files (the process exiting with code 2 on a
 * bad configuration is in main.test.ts, with the e2e tests).
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseConfig, parseLimits } from "../src/config.ts"

describe("parseConfig", () => {
  it("applies the documented defaults", () => {
    const parsed = parseConfig({ OCAMBA_TOKEN: "token-1" })
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.config).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      credentialsMode: "inject",
      redisUrl: undefined,
      replicas: 1,
      proxyKeys: [],
      defaultDeadlineMillis: 30_000,
      maxQueue: 1000,
      upstreamTimeoutMillis: 30_000,
      maxBodyBytes: 1_048_576,
      logLevel: "info",
      headersTimeoutMillis: 10_000,
      bodyTimeoutMillis: 10_000,
      maxConnectionsPerIp: 256,
      ocamba: {
        baseUrl: "https://api.ocamba.com/v1/hood",
        token: "token-1",
        account: "default",
        limits: [
          { limit: 10, windowMillis: 1000 },
          { limit: 150, windowMillis: 60_000 }
        ]
      },
      copernica: { baseUrl: "https://api.copernica.com/v3", token: undefined, limits: "adaptive" }
    })
  })

  it("names every bad variable once, with what it must be and what it was", () => {
    const parsed = parseConfig({
      PORT: "80000",
      HOST: "0.0.0.0",
      OCAMBA_BASE_URL: "ftp://example.com",
      COPERNICA_BASE_URL: "https://user:secret@api.copernica.com/v3",
      OCAMBA_TOKEN: "a",
      OCAMBA_TOKEN_FILE: "/nonexistent",
      OCAMBA_ACCOUNT: "acme corp",
      REDIS_URL: "http://localhost:6379",
      PROXY_REPLICAS: "0",
      PROXY_KEYS: "short",
      CREDENTIALS_MODE: "both",
      DEFAULT_DEADLINE_MS: "-5",
      MAX_QUEUE: "many",
      UPSTREAM_TIMEOUT_MS: "1.5",
      MAX_BODY_BYTES: "0",
      OCAMBA_LIMITS: "10 per second",
      COPERNICA_LIMITS: "5/1x",
      LOG_LEVEL: "chatty"
    })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    const byVariable = (name: string) => parsed.errors.filter((error) => error.startsWith(`${name}:`))
    expect(byVariable("PORT")).toEqual(['PORT: must be a whole number from 0 to 65535, got "80000"'])
    expect(byVariable("OCAMBA_BASE_URL")).toEqual([
      'OCAMBA_BASE_URL: must be an absolute http: or https: URL, got "ftp://example.com"'
    ])
    expect(byVariable("COPERNICA_BASE_URL")[0]).toMatch(/must not carry credentials/)
    expect(byVariable("OCAMBA_TOKEN and OCAMBA_TOKEN_FILE")).toHaveLength(1)
    expect(byVariable("OCAMBA_ACCOUNT")).toHaveLength(1)
    expect(byVariable("REDIS_URL")[0]).toMatch(/redis: or rediss: URL/)
    expect(byVariable("PROXY_REPLICAS")).toHaveLength(1)
    expect(byVariable("PROXY_KEYS")[0]).toMatch(/at least 16 characters/)
    expect(byVariable("CREDENTIALS_MODE")).toEqual([
      'CREDENTIALS_MODE: must be one of inject, pass-through, got "both"'
    ])
    expect(byVariable("DEFAULT_DEADLINE_MS")).toHaveLength(1)
    expect(byVariable("MAX_QUEUE")).toHaveLength(1)
    expect(byVariable("UPSTREAM_TIMEOUT_MS")).toHaveLength(1)
    expect(byVariable("MAX_BODY_BYTES")).toHaveLength(1)
    expect(byVariable("OCAMBA_LIMITS")[0]).toMatch(/"10 per second" is not a window/)
    expect(byVariable("COPERNICA_LIMITS")[0]).toMatch(/or adaptive/)
    expect(byVariable("LOG_LEVEL")).toHaveLength(1)
    // The secret value itself is never echoed.
    expect(parsed.errors.join("\n")).not.toContain("secret@")
  })

  it.each([
    "http://:S3cretRedisPass@x:6379",
    "redis://user:S3cretRedisPass@",
    "redis://:S3cretRedisPass@@bad host",
    "mongodb://:S3cretRedisPass@x/0"
  ])("never echoes the password of a bad REDIS_URL (%s)", (url) => {
    const parsed = parseConfig({ OCAMBA_TOKEN: "token-0123456789", REDIS_URL: url })
    expect(parsed.ok).toBe(false)
    const text = parsed.ok ? "" : parsed.errors.join("\n")
    expect(text).toMatch(/^REDIS_URL: /)
    expect(text).not.toContain("S3cretRedisPass")
    expect(text).toContain("REDACTED@")
  })

  it("reads tokens and proxy keys from files", () => {
    const directory = mkdtempSync(join(tmpdir(), "proxy-config-"))
    writeFileSync(join(directory, "ocamba"), "file-token\n")
    writeFileSync(join(directory, "keys"), "# callers\nkey-for-service-a-0001\n\nkey-for-service-b-0002\n")
    const parsed = parseConfig({
      OCAMBA_TOKEN_FILE: join(directory, "ocamba"),
      PROXY_KEYS_FILE: join(directory, "keys")
    })
    expect(parsed.ok && parsed.config.ocamba.token).toBe("file-token")
    expect(parsed.ok && parsed.config.proxyKeys).toEqual(["key-for-service-a-0001", "key-for-service-b-0002"])
  })

  it("requires credentials in inject mode and refuses them in pass-through mode", () => {
    expect(parseConfig({}).ok).toBe(false)
    expect(parseConfig({ CREDENTIALS_MODE: "pass-through" }).ok).toBe(true)
    expect(parseConfig({ CREDENTIALS_MODE: "pass-through", COPERNICA_TOKEN: "x" }).ok).toBe(false)
  })

  it("parses scaled-down windows", () => {
    expect(parseLimits("10/500ms,60/6s")).toEqual([
      { limit: 10, windowMillis: 500 },
      { limit: 60, windowMillis: 6000 }
    ])
    expect(parseLimits("150/1m,1000/1h")).toEqual([
      { limit: 150, windowMillis: 60_000 },
      { limit: 1000, windowMillis: 3_600_000 }
    ])
    expect(parseLimits("0/1s")).toMatch(/limit below 1/)
  })
})
