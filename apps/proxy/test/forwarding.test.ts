/**
 * @module
 * The proxy's behaviour in one process, against the sandbox: rate-limit headers, credentials (inject and
 * pass-through), proxy keys, the query rebuilt from the spec, deadlines and queue limits, vendor 429s (pause and
 * retry), 5xx and transport failures (retried only where the operation is safe), timeouts, the circuit breaker,
 * streamed uploads, the operational endpoints and the access log.
 */
import type { RequestLogEntry, Sandbox } from "@profilesync/sandbox"
import { freePort } from "@profilesync/test-support"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

const generous = { windows: [{ limit: 1000, windowMilliseconds: 1000 }], concurrency: 1000 }

let sandbox: Sandbox
let sandboxLog: Array<RequestLogEntry>
const proxies: Array<TestProxy> = []

beforeAll(async () => {
  sandboxLog = []
  sandbox = await startTestSandbox({
    ocamba: { rateLimits: generous, processing: { delayMilliseconds: 0 } },
    copernica: { processing: { delayMilliseconds: 0 } },
    log: (_line, entry) => sandboxLog.push(entry)
  })
})
afterAll(async () => {
  await sandbox?.close()
})
beforeEach(() => {
  sandbox.reset()
  sandboxLog.length = 0
})
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

/** A proxy in front of the sandbox, with generous windows unless the test sets its own. */
const proxyWith = async (env: Record<string, string> = {}) => {
  const proxy = await startTestProxy({ ...sandboxEnvironment(sandbox), OCAMBA_LIMITS: "1000/1s", ...env })
  proxies.push(proxy)
  return proxy
}

const get = (proxy: TestProxy, path: string, headers: Record<string, string> = {}) =>
  proxy.proxy.app.request(path, { headers })

const postJson = (proxy: TestProxy, path: string, body: unknown, headers: Record<string, string> = {}) =>
  proxy.proxy.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body)
  })

const metric = async (proxy: TestProxy, pattern: RegExp): Promise<number> => {
  const text = await (await get(proxy, "/metrics")).text()
  return text
    .split("\n")
    .filter((line) => pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0)
}

describe("rate-limit headers", () => {
  it("describe the shared budget in the IETF draft fields and the vendor's X-RateLimit style", async () => {
    const proxy = await proxyWith({ OCAMBA_LIMITS: "10/1s,150/60s" })
    const first = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(first.status).toBe(200)
    expect(first.headers.get("ratelimit-policy")).toBe('"burst";q=10;w=1, "steady";q=150;w=60')
    expect(first.headers.get("ratelimit")).toMatch(/^"burst";r=9;t=[12], "steady";r=149;t=6[01]$/)
    await get(proxy, "/ocamba/v1/hood/profile-properties")
    const third = await get(proxy, "/ocamba/v1/hood/profile-properties")
    // The tightest window: the burst, 7 left. The sandbox's own X-RateLimit-* (per its fixed window) are replaced.
    expect(third.headers.get("x-ratelimit-limit")).toBe("10")
    expect(third.headers.get("x-ratelimit-remaining")).toBe("7")
    expect(Number(third.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(1)
  })

  it("name the adaptive Copernica rate", async () => {
    const proxy = await proxyWith()
    const response = await get(proxy, "/copernica/v3/databases")
    expect(response.status).toBe(200)
    expect(response.headers.get("ratelimit-policy")).toBe('"adaptive";q=5;w=1')
  })

  it("print scaled windows as decimal seconds", async () => {
    const proxy = await proxyWith({ OCAMBA_LIMITS: "10/500ms,60/6s" })
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(response.headers.get("ratelimit-policy")).toBe('"burst";q=10;w=0.5, "steady";q=60;w=6')
  })
})

describe("credentials", () => {
  it("inject mode sends the proxy's token and never the caller's", async () => {
    const proxy = await proxyWith()
    const ocamba = await get(proxy, "/ocamba/v1/hood/profile-properties", { authorization: "Bearer caller-token" })
    expect(ocamba.status).toBe(200)
    const copernica = await get(proxy, "/copernica/v3/databases?access_token=caller-token")
    expect(copernica.status).toBe(200)
    expect(sandbox.counters().vendors.copernica.unauthorized).toBe(0)
    expect(sandbox.counters().vendors.ocamba.accounts["ocamba-account-1"]?.requests).toBe(1)
    const logged = JSON.stringify(proxy.logs)
    expect(logged).not.toContain("ocamba-sandbox-token")
    expect(logged).not.toContain("copernica-sandbox-token")
    expect(logged).toContain("access_token=REDACTED")
  })

  it("a vendor without credentials in inject mode answers 503 without calling it", async () => {
    const proxy = await startTestProxy({
      ...sandboxEnvironment(sandbox),
      COPERNICA_TOKEN: undefined,
      OCAMBA_LIMITS: "1000/1s"
    })
    proxies.push(proxy)
    const response = await get(proxy, "/copernica/v3/databases")
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ error: { message: "The proxy has no copernica credentials configured." } })
    expect(sandbox.counters().requests).toBe(0)
  })

  it("pass-through mode forwards the caller's token and keeps one budget per token", async () => {
    const proxy = await startTestProxy({
      OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
      COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
      CREDENTIALS_MODE: "pass-through",
      OCAMBA_LIMITS: "3/10s"
    })
    proxies.push(proxy)
    const one = { authorization: "Bearer ocamba-sandbox-token", "x-profilesync-deadline": "0" }
    const two = { authorization: "Bearer ocamba-sandbox-token-2", "x-profilesync-deadline": "0" }
    for (let index = 0; index < 3; index++) {
      expect((await get(proxy, "/ocamba/v1/hood/profile-properties", one)).status).toBe(200)
    }
    // The first token's budget is spent; the second token has its own.
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties", one)).status).toBe(429)
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties", two)).status).toBe(200)
    expect(sandbox.counters().vendors.ocamba.accounts["ocamba-account-2"]?.requests).toBe(1)
    const copernica = await get(proxy, "/copernica/v3/databases?access_token=copernica-sandbox-token")
    expect(copernica.status).toBe(200)
    // A wrong token is the vendor's business: its own answer is passed on.
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties", { authorization: "Bearer nope" })).status).toBe(401)
    const keys = proxy.logs.map((line) => line.throttleKey).filter((key) => key !== undefined)
    expect(new Set(keys).size).toBe(4)
    expect(JSON.stringify(proxy.logs)).not.toMatch(/ocamba-sandbox-token|copernica-sandbox-token/)
  })

  it("pass-through mode answers a missing credential as the vendor would, without calling it", async () => {
    const proxy = await startTestProxy({ OCAMBA_BASE_URL: sandbox.ocambaBaseUrl, CREDENTIALS_MODE: "pass-through" })
    proxies.push(proxy)
    const ocamba = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(ocamba.status).toBe(401)
    expect(await ocamba.json()).toMatchObject({ code: 401, title: "Unauthorized." })
    const copernica = await get(proxy, "/copernica/v3/databases")
    expect(copernica.status).toBe(400)
    expect(await copernica.json()).toEqual({ error: { message: "Invalid access token" } })
    expect(sandbox.counters().requests).toBe(0)
  })
})

describe("proxy keys", () => {
  it("are required on vendor routes when configured, and compared exactly", async () => {
    const proxy = await proxyWith({ PROXY_KEYS: "key-of-service-a-000,key-of-service-b-000" })
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties")).status).toBe(401)
    const wrong = await get(proxy, "/copernica/v3/databases", { "x-proxy-key": "key-of-service-a-001" })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toEqual({ error: { message: "Missing or unknown X-Proxy-Key." } })
    expect(
      (await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-proxy-key": "key-of-service-b-000" })).status
    ).toBe(200)
    expect(sandbox.counters().requests).toBe(1)
    expect((await get(proxy, "/healthz")).status).toBe(200)
    expect(JSON.stringify(proxy.logs)).not.toContain("key-of-service")
  })
})

describe("the upstream request", () => {
  it("is rebuilt from the spec: the template, the declared query in the spec's order, Copernica's literal fields[]", async () => {
    const proxy = await proxyWith()
    const response = await get(
      proxy,
      "/copernica/v3/database/1/profiles?fields%5B%5D=Email%3D%3Da%40example.com&fields[]=Firstname%3D~J%25&limit=10"
    )
    expect(response.status, await response.clone().text()).toBe(200)
    const path = sandboxLog.at(-1)!.path
    expect(path).toBe(
      "/v3/database/1/profiles?limit=10&fields[]=Email%3D%3Da@example.com&fields[]=Firstname%3D~J%25&access_token=REDACTED"
    )
  })

  it("keeps Ocamba's filter syntax readable", async () => {
    const proxy = await proxyWith()
    await get(proxy, "/ocamba/v1/hood/profile-properties?id=in:1000001,1000002&sort=-update_time&page=1,10")
    expect(sandboxLog.at(-1)!.path).toBe(
      "/v1/hood/profile-properties?page=1,10&sort=-update_time&id=in:1000001,1000002"
    )
  })

  it("accepts Copernica's form encoding", async () => {
    const proxy = await proxyWith()
    const response = await proxy.proxy.app.request("/copernica/v3/imports/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "database=1&keyFields[]=Email&action=update%20or%20add&source[0][Email]=a%40example.com"
    })
    expect(response.status, await response.clone().text()).toBe(201)
    expect(response.headers.get("x-created")).toMatch(/^[0-9]+$/)
  })

  it("keeps the caller's request id and echoes it", async () => {
    const proxy = await proxyWith()
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-request-id": "caller-id-123" })
    expect(response.headers.get("x-request-id")).toBe("caller-id-123")
    const line = proxy.logs.find((entry) => entry.msg === "request" && entry.requestId === "caller-id-123")
    expect(line).toMatchObject({
      method: "GET",
      status: 200,
      vendor: "ocamba",
      operation: "listProfileProperties",
      throttleKey: "ocamba:ocamba-account-1",
      attempts: 1,
      upstreamStatus: 200,
      source: "upstream"
    })
  })
})

describe("deadlines and the queue", () => {
  it("answer 429 with Retry-After only when no slot comes within the deadline", async () => {
    const proxy = await proxyWith({ OCAMBA_LIMITS: "2/1s,3/10s" })
    const noWait = { "x-profilesync-deadline": "0" }
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties", noWait)).status).toBe(200)
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties", noWait)).status).toBe(200)
    // The burst window is full for about a second: with 2 s to wait the call is served.
    const started = Date.now()
    const waited = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "2000" })
    expect(waited.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    // Now the steady window (3 per 10 s) is full: nothing within 1 s.
    const refused = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "1000" })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(8)
    expect(refused.headers.get("x-profilesync-source")).toBe("proxy")
    expect(refused.headers.get("ratelimit")).toMatch(/"steady";r=0;t=\d+/)
    expect(await refused.json()).toMatchObject({ code: 429, title: "Too many requests." })
    expect(sandbox.counters().requests).toBe(3)
  })

  it("refused requests spend no budget", async () => {
    const proxy = await proxyWith({ OCAMBA_LIMITS: "3/10s" })
    for (const body of [{ label: 5 }, { label: "x", pi_data: 2 }, ["not an object"], {}]) {
      expect((await postJson(proxy, "/ocamba/v1/hood/profile-properties", body)).status).toBe(400)
    }
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties?page=x")).status).toBe(400)
    expect((await get(proxy, "/ocamba/v1/hood/nothing-here")).status).toBe(404)
    const served = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(served.status).toBe(200)
    expect(served.headers.get("ratelimit")).toMatch(/^"default";r=2;t=\d+$/)
    expect(sandbox.counters().requests).toBe(1)
  })

  it("a malformed deadline is refused before any budget is spent", async () => {
    const proxy = await proxyWith()
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "soon" })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      message: "header /x-profilesync-deadline: must be a whole number of milliseconds"
    })
  })

  it("a full queue answers 429 at once", async () => {
    const proxy = await proxyWith({ OCAMBA_LIMITS: "1/1s", MAX_QUEUE: "1" })
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties")).status).toBe(200)
    const waiting = get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "5000" })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const refused = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "5000" })
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({ message: expect.stringMatching(/queue .* is full/) })
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    expect((await waiting).status).toBe(200)
  })
})

describe("vendor 429", () => {
  it("pauses the account and retries a safe operation within the deadline", async () => {
    const proxy = await proxyWith()
    sandbox.setFaults({ rateLimitStorm: { durationMilliseconds: 1000, retryAfterSeconds: 1 } })
    const started = Date.now()
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "5000" })
    expect(response.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(sandbox.counters().rateLimited).toBe(1)
    expect(await metric(proxy, /^profilesync_proxy_upstream_429_total\{vendor="ocamba"\}/)).toBeGreaterThanOrEqual(1)
    expect(
      await metric(proxy, /^profilesync_throttle_cooldowns_total\{key="ocamba:ocamba-account-1"\}/)
    ).toBeGreaterThanOrEqual(1)
  })

  it("also retries a check-first operation: a 429 is a refusal, the write did not happen", async () => {
    const proxy = await proxyWith()
    sandbox.setFaults({ rateLimitStorm: { durationMilliseconds: 500, retryAfterSeconds: 1 } })
    const response = await postJson(
      proxy,
      "/ocamba/v1/hood/profile-properties",
      { label: "after_storm" },
      {
        "x-profilesync-deadline": "5000"
      }
    )
    expect(response.status).toBe(201)
    expect(sandbox.state.ocamba.account("ocamba-account-1").findPropertyByLabel("after_storm")).toBeDefined()
  })

  it("is passed on with the vendor's Retry-After when the pause outlasts the deadline", async () => {
    const proxy = await proxyWith()
    sandbox.setFaults({ rateLimitStorm: { durationMilliseconds: 3000, retryAfterSeconds: 3 } })
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "500" })
    expect(response.status).toBe(429)
    expect(response.headers.get("retry-after")).toBe("3")
    expect(response.headers.get("x-profilesync-source")).toBe("upstream")
    // Everyone else is paused too: the next caller is refused by the proxy without reaching the sandbox.
    const next = await get(proxy, "/ocamba/v1/hood/profile-properties", { "x-profilesync-deadline": "0" })
    expect(next.status).toBe(429)
    expect(next.headers.get("x-profilesync-source")).toBe("proxy")
    expect(sandbox.counters().rateLimited).toBe(1)
    sandbox.setFaults({ rateLimitStorm: false })
  })
})

describe("server errors and transport failures", () => {
  it("retry a safe operation on 503 up to RETRY_MAX_ATTEMPTS, then pass the vendor's answer on", async () => {
    const proxy = await proxyWith({ RETRY_MAX_ATTEMPTS: "3" })
    const retries = /^profilesync_proxy_retries_total\{.*operation="listProfileProperties".*reason="ServerError"/
    const before = await metric(proxy, retries)
    sandbox.setFaults({ errorRate: 1, errorStatuses: [503] })
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ code: 503 })
    expect(sandbox.counters().requests).toBe(3)
    expect((await metric(proxy, retries)) - before).toBe(2)
    sandbox.setFaults({ errorRate: 0 })
  })

  it("never repeat a check-first operation after a 503: the caller decides", async () => {
    const proxy = await proxyWith({ RETRY_MAX_ATTEMPTS: "3" })
    sandbox.setFaults({ errorRate: 1, errorStatuses: [503] })
    const response = await postJson(proxy, "/ocamba/v1/hood/profile-properties", { label: "maybe_created" })
    expect(response.status).toBe(503)
    expect(sandbox.counters().requests).toBe(1)
    sandbox.setFaults({ errorRate: 0 })
  })

  it("do not retry a 500", async () => {
    const proxy = await proxyWith({ RETRY_MAX_ATTEMPTS: "3" })
    sandbox.setFaults({ errorRate: 1, errorStatuses: [500] })
    expect((await get(proxy, "/ocamba/v1/hood/profile-properties")).status).toBe(500)
    expect(sandbox.counters().requests).toBe(1)
    sandbox.setFaults({ errorRate: 0 })
  })

  it("a vendor that does not answer in time is 504 in the vendor's shape", async () => {
    const proxy = await proxyWith({ UPSTREAM_TIMEOUT_MS: "200", RETRY_MAX_ATTEMPTS: "1" })
    sandbox.setFaults({ latencyMilliseconds: 1000 })
    const response = await get(proxy, "/copernica/v3/databases")
    expect(response.status).toBe(504)
    expect(await response.json()).toEqual({ error: { message: "The vendor did not answer within 200 ms." } })
    sandbox.setFaults({ latencyMilliseconds: 0 })
  })

  it("an unreachable vendor is 502, and repeated failures open the breaker", async () => {
    const port = await freePort()
    const proxy = await proxyWith({ OCAMBA_BASE_URL: `http://127.0.0.1:${port}/v1/hood`, RETRY_MAX_ATTEMPTS: "1" })
    for (let index = 0; index < 5; index++) {
      const response = await get(proxy, "/ocamba/v1/hood/profile-properties")
      expect(response.status).toBe(502)
      expect(await response.json()).toMatchObject({ code: 502, title: "Bad gateway." })
    }
    const open = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(open.status).toBe(503)
    expect(Number(open.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    expect(await metric(proxy, /^profilesync_circuit_breaker_state\{circuit_breaker="ocamba"\}/)).toBe(2)
  })
})

describe("uploads", () => {
  it("are streamed to the vendor in one piece, far beyond the read-ahead", async () => {
    const proxy = await proxyWith()
    const rows = Array.from({ length: 40_000 }, (_, index) => `person${index}@example.com,Person ${index}`).join("\n")
    const csv = `email,full_name\n${rows}\n`
    expect(csv.length).toBeGreaterThan(1_000_000)
    const form = new FormData()
    form.append("file", new File([csv], "people.csv", { type: "text/csv" }))
    form.append("profile_lists[]", "1000000")
    const response = await fetch(`${proxy.url}/ocamba/v1/hood/profiles/imports`, { method: "POST", body: form })
    expect(response.status, await response.clone().text()).toBe(202)
    const id = ((await response.json()) as { id: string }).id
    const record = sandbox.state.ocamba.account("ocamba-account-1").imports.get(id)
    expect(record?.file.size).toBe(Buffer.byteLength(csv))
    expect(record?.rows).toHaveLength(40_000)
    expect(record?.profile_lists).toEqual(["1000000"])
  })
})

describe("operational endpoints", () => {
  it("/readyz is 503 while Redis is unreachable, and requests are still served on the local share", async () => {
    const port = await freePort()
    const proxy = await proxyWith({ REDIS_URL: `redis://127.0.0.1:${port}`, PROXY_REPLICAS: "2" })
    const ready = await get(proxy, "/readyz")
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: "redis unreachable" })
    const response = await get(proxy, "/ocamba/v1/hood/profile-properties")
    expect(response.status).toBe(200)
    // The fallback share: floor(1000 / 2 replicas) of the window.
    expect(response.headers.get("ratelimit-policy")).toBe('"default";q=500;w=1')
  })

  it("/healthz, /readyz and /metrics in Prometheus text", async () => {
    const proxy = await proxyWith()
    expect(await (await get(proxy, "/healthz")).json()).toEqual({ status: "ok" })
    expect(await (await get(proxy, "/readyz")).json()).toEqual({ status: "ready" })
    await get(proxy, "/ocamba/v1/hood/profile-properties")
    const response = await get(proxy, "/metrics")
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    for (const series of [
      /^# TYPE profilesync_proxy_requests_total counter$/m,
      /^profilesync_proxy_requests_total\{vendor="ocamba",operation="listProfileProperties",status="200"\} \d+$/m,
      /^profilesync_proxy_upstream_requests_total\{.*status="200".*\} \d+$/m,
      /^# TYPE profilesync_throttle_queue_depth gauge$/m,
      /^profilesync_throttle_queue_depth\{key="ocamba:ocamba-account-1"\} 0$/m,
      /^# TYPE profilesync_throttle_wait_seconds histogram$/m,
      /^profilesync_throttle_wait_seconds_bucket\{key="ocamba:ocamba-account-1",le="\+Inf"\} \d+$/m,
      /^profilesync_throttle_wait_seconds_count\{key="ocamba:ocamba-account-1"\} \d+$/m,
      /^# TYPE profilesync_proxy_upstream_429_total counter$/m,
      /^profilesync_circuit_breaker_state\{circuit_breaker="ocamba"\} \d$/m,
      /^profilesync_proxy_in_flight_requests \d+$/m
    ]) {
      expect(text).toMatch(series)
    }
  })
})
