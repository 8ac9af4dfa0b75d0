/**
 * @module
 * W3C trace context and OpenTelemetry through the proxy process (the build, started as in production; an e2e test).
 * With `OTEL_EXPORTER_OTLP_ENDPOINT` set, a request carrying a caller's `traceparent` becomes a server span in the
 * caller's trace, the child of the caller's span, sent by OTLP/HTTP (with `OTEL_EXPORTER_OTLP_HEADERS`) to an
 * in-process receiver; the vendor sees the proxy span's `traceparent` and the caller's `tracestate`. Without the
 * variables, the caller's headers reach the vendor unchanged and nothing is exported.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type { Sandbox } from "@profilesync/sandbox"
import { type OtlpReceiver, startOtlpReceiver } from "@profilesync/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestSandbox } from "./support/proxy.ts"
import { type ProxyProcess, startProxyProcess } from "./support/proxy-process.ts"

const token = "ocamba-sandbox-token"
const exporterSecret = "otel-collector-secret"
const callerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736"
const callerSpanId = "00f067aa0ba902b7"
const callerTraceparent = `00-${callerTraceId}-${callerSpanId}-01`
const callerTracestate = "caller=t61rcWkgMzE"

/** An upstream in front of the sandbox that records the headers of every request it passes on. */
const startRecordingUpstream = async (sandbox: Sandbox) => {
  const seen: Array<Http.IncomingHttpHeaders> = []
  const origin = new URL(sandbox.ocambaBaseUrl).origin
  const server = Http.createServer((request, response) => {
    seen.push(request.headers)
    fetch(`${origin}${request.url}`, {
      method: request.method ?? "GET",
      headers: { authorization: request.headers.authorization ?? "" }
    }).then(
      async (answer) => {
        response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" })
        response.end(Buffer.from(await answer.arrayBuffer()))
      },
      () => response.writeHead(502).end()
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    baseUrl: `http://127.0.0.1:${port}${new URL(sandbox.ocambaBaseUrl).pathname}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

let sandbox: Sandbox
let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>
let receiver: OtlpReceiver
const proxies: Array<ProxyProcess> = []

beforeAll(async () => {
  sandbox = await startTestSandbox()
  upstream = await startRecordingUpstream(sandbox)
  receiver = await startOtlpReceiver()
})

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop("SIGKILL")))
  await receiver?.close()
  await upstream?.close()
  await sandbox?.close()
})

const startProxy = async (env: Record<string, string>) => {
  const proxy = await startProxyProcess({
    OCAMBA_BASE_URL: upstream.baseUrl,
    OCAMBA_TOKEN: token,
    OCAMBA_ACCOUNT: "ocamba-account-1",
    LOG_LEVEL: "warn",
    ...env
  })
  proxies.push(proxy)
  return proxy
}

const get = (proxy: ProxyProcess, headers: Record<string, string>) =>
  fetch(`${proxy.url}/ocamba/v1/hood/profile-properties`, { headers })

describe("tracing", () => {
  it("continues a caller's trace: the proxy's span is the caller span's child, and upstream carries it", async () => {
    const proxy = await startProxy({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${exporterSecret}`,
      OTEL_SERVICE_NAME: "proxy-under-test",
      // Export at once rather than after the default 5 s (the test also stops the proxy, which flushes).
      OTEL_BSP_SCHEDULE_DELAY: "50"
    })
    const seenBefore = upstream.seen.length
    const response = await get(proxy, { traceparent: callerTraceparent, tracestate: callerTracestate })
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    // Stopping flushes what is buffered: the span is in the receiver once the process has exited.
    expect((await proxy.stop("SIGTERM")).code).toBe(0)

    expect(receiver.problems).toEqual([])
    const spans = receiver.spans.filter((span) => span.resource["service.name"] === "proxy-under-test")
    expect(spans).toHaveLength(1)
    const span = spans[0]!
    expect(span.traceId).toBe(callerTraceId)
    expect(span.parentSpanId).toBe(callerSpanId)
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(span.spanId).not.toBe(callerSpanId)
    expect(span.kind).toBe(2)
    expect(span.name).toBe("ocamba.listProfileProperties")
    expect(span.traceState).toBe(callerTracestate)
    expect(span.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "profilesync.vendor": "ocamba",
      "profilesync.operation": "listProfileProperties",
      "profilesync.account": "ocamba:ocamba-account-1",
      "profilesync.retries": 0,
      "profilesync.attempts": 1,
      "profilesync.upstream_status": "200",
      "profilesync.outcome": "ok"
    })
    expect(span.attributes["profilesync.throttle_wait_seconds"]).toBeGreaterThanOrEqual(0)
    for (const [name, value] of Object.entries(span.attributes)) {
      expect(JSON.stringify(value), name).not.toContain(token)
    }
    // The exporter sent OTEL_EXPORTER_OTLP_HEADERS.
    expect(receiver.requests.some((request) => request.headers.authorization === `Bearer ${exporterSecret}`)).toBe(true)

    // The vendor saw the proxy span's trace context: the caller's trace, the proxy's span as the parent.
    const seen = upstream.seen.slice(seenBefore)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.traceparent).toBe(`00-${callerTraceId}-${span.spanId}-01`)
    expect(seen[0]!.tracestate).toBe(callerTracestate)
  })

  it("off by default: the caller's traceparent and tracestate reach the vendor unchanged, nothing is exported", async () => {
    const proxy = await startProxy({})
    const spansBefore = receiver.spans.length
    const requestsBefore = receiver.requests.length
    const seenBefore = upstream.seen.length
    const response = await get(proxy, { traceparent: callerTraceparent, tracestate: callerTracestate })
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    const untraced = await get(proxy, {})
    expect(untraced.status).toBe(200)
    await untraced.arrayBuffer()
    expect((await proxy.stop("SIGTERM")).code).toBe(0)

    const seen = upstream.seen.slice(seenBefore)
    expect(seen).toHaveLength(2)
    expect(seen[0]!.traceparent).toBe(callerTraceparent)
    expect(seen[0]!.tracestate).toBe(callerTracestate)
    expect(seen[1]!.traceparent).toBeUndefined()
    expect(receiver.spans.length).toBe(spansBefore)
    expect(receiver.requests.length).toBe(requestsBefore)
  })
})
