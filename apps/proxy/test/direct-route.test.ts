/**
 * @module
 * The direct route (`src/direct-route.ts`): which requests `node:http` serves itself, and that for those it answers and
 * logs exactly as the Hono app does (the same request sent over HTTP, where the direct route serves it, and through
 * `app.request`, which is always the app).
 */
import type { Sandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { directTarget } from "../src/direct-route.ts"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

describe("directTarget", () => {
  const table = [{ prefix: "/ocamba/v1/hood/" }, { prefix: "/copernica/v3/" }]
  const request = (method: string, url: string, headers: Record<string, string> = {}) => ({
    method,
    url,
    headers: { host: "127.0.0.1:8787", ...headers }
  })

  it("takes a plain GET or HEAD under a vendor's prefix, with its URL", () => {
    const taken = directTarget(request("GET", "/copernica/v3/databases?limit=10"), table)
    expect(taken?.entry).toBe(table[1])
    expect(taken?.url.href).toBe("http://127.0.0.1:8787/copernica/v3/databases?limit=10")
    expect(directTarget(request("HEAD", "/ocamba/v1/hood/profile-properties"), table)?.entry).toBe(table[0])
    expect(directTarget(request("GET", "/ocamba/v1/hood/x", { "content-length": "0" }), table)).toBeDefined()
  })

  it("leaves to the app requests with a body, other methods, other paths, unusual targets and hosts", () => {
    const left = [
      request("POST", "/ocamba/v1/hood/profile-properties"),
      request("GET", "/ocamba/v1/hood/x", { "content-length": "2" }),
      request("GET", "/ocamba/v1/hood/x", { "transfer-encoding": "chunked" }),
      request("GET", "/ocamba/v1/hoodx"),
      request("GET", "/ocamba/v1/hood"),
      request("GET", "/healthz"),
      request("GET", "/ocamba/v1/hood/../hood/x"),
      request("GET", "/ocamba/v1/hood/%2e%2e/x"),
      request("GET", "/ocamba/v1/hood/a%2Fb"),
      request("GET", "http://127.0.0.1:8787/ocamba/v1/hood/x"),
      request("GET", "/ocamba/v1/hood/x", { host: "Proxy.Example:8787" }),
      { method: "GET", url: "/ocamba/v1/hood/x", headers: {} }
    ]
    for (const candidate of left) expect(directTarget(candidate, table), JSON.stringify(candidate)).toBeUndefined()
  })
})

describe("the direct route answers and logs as the app does", () => {
  const key = "caller-key-number-1"
  let sandbox: Sandbox
  let proxy: TestProxy
  beforeAll(async () => {
    sandbox = await startTestSandbox()
    proxy = await startTestProxy({ ...sandboxEnvironment(sandbox), OCAMBA_LIMITS: "100000/1s", PROXY_KEYS: key })
  })
  afterAll(async () => {
    await proxy?.close()
    await sandbox?.close()
  })

  // What may differ between two answers to the same request: the time, the connection, the budget left, and the
  // length, which `app.request` leaves out where the server writes it (checked against the body below).
  const varying = new Set([
    "date",
    "connection",
    "keep-alive",
    "ratelimit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "content-length"
  ])
  const comparable = async (response: Response) => {
    const body = await response.text()
    const length = response.headers.get("content-length")
    if (length !== null && body !== "") expect(Number(length)).toBe(Buffer.byteLength(body))
    return {
      status: response.status,
      headers: [...response.headers].filter(([name]) => !varying.has(name)),
      body
    }
  }
  const logLine = (requestId: string) => {
    const line = proxy.logs.find((entry) => entry.msg === "request" && entry.requestId === requestId)
    if (line === undefined) return undefined
    const { time: _time, durationMs: _duration, waitedMs: _waited, ...rest } = line
    return rest
  }

  const cases: ReadonlyArray<readonly [string, string, string, Record<string, string>]> = [
    ["a read", "GET", "/ocamba/v1/hood/profile-properties", { "x-proxy-key": key }],
    ["a read without its body", "HEAD", "/ocamba/v1/hood/profile-properties", { "x-proxy-key": key }],
    ["no proxy key", "GET", "/ocamba/v1/hood/profile-properties", {}],
    ["a wrong proxy key", "GET", "/copernica/v3/databases", { "x-proxy-key": "caller-key-number-2" }],
    ["dropped query parameters", "GET", "/copernica/v3/databases?foo=1&limit=10&bar=2", { "x-proxy-key": key }],
    ["an undeclared query parameter", "GET", "/ocamba/v1/hood/profile-properties?x=1", { "x-proxy-key": key }],
    ["an unknown operation", "GET", "/ocamba/v1/hood/no-such-thing", { "x-proxy-key": key }],
    ["a method the path does not take", "GET", "/ocamba/v1/hood/resync", { "x-proxy-key": key }],
    ["a vendor 404", "GET", "/copernica/v3/database/999999", { "x-proxy-key": key }]
  ]

  it.each(cases)("%s", async (label, method, path, headers) => {
    const overHttp = `direct-${label.replace(/\W+/g, "-")}`
    const throughApp = `app-${label.replace(/\W+/g, "-")}`
    const direct = await fetch(`${proxy.url}${path}`, { method, headers: { ...headers, "x-request-id": overHttp } })
    const app = await proxy.proxy.app.request(path, { method, headers: { ...headers, "x-request-id": throughApp } })
    const [directAnswer, appAnswer] = [await comparable(direct), await comparable(app)]
    expect(directAnswer.headers).toContainEqual(["x-request-id", overHttp])
    const sameId = (answer: typeof directAnswer, id: string) => ({
      ...answer,
      headers: answer.headers.filter(([name]) => name !== "x-request-id"),
      body: answer.body.replaceAll(id, "ID")
    })
    expect(sameId(directAnswer, overHttp)).toEqual(sameId(appAnswer, throughApp))
    expect({ ...logLine(overHttp), requestId: "ID" }).toEqual({ ...logLine(throughApp), requestId: "ID" })
  })
})
