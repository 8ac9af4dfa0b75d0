/**
 * @module
 * Slow and greedy callers on real loopback sockets: connections that send headers or a body too slowly are closed,
 * one address cannot hold more than `MAX_CONNECTIONS_PER_IP`, and a request that waits on a slow vendor is not cut.
 * Every wait is on a socket event; the test's own timeout is the only bound in time.
 */
import { createServer, type Server } from "node:http"
import { type AddressInfo, connect, type Socket } from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { startTestProxy, type TestProxy } from "./support/proxy.ts"

let vendor: Server
let vendorBase: string
const proxies: Array<TestProxy> = []
const sockets: Array<Socket> = []

beforeAll(async () => {
  // A vendor that answers after 600 ms: longer than the body timeout the tests set.
  vendor = createServer((_request, response) => {
    setTimeout(() => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end('{"data":[]}')
    }, 600)
  })
  await new Promise<void>((resolve) => vendor.listen(0, "127.0.0.1", resolve))
  vendorBase = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => vendor?.close(() => resolve()))
})
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

const proxyWith = async (env: Record<string, string>) => {
  const proxy = await startTestProxy({
    OCAMBA_BASE_URL: `${vendorBase}/v1/hood`,
    OCAMBA_TOKEN: "slow-callers-token",
    OCAMBA_LIMITS: "1000/1s",
    LOG_LEVEL: "warn",
    ...env
  })
  proxies.push(proxy)
  return proxy
}

/** Opens a socket to `url`, writes `text`, and resolves once connected. */
const open = (url: string, text: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname, () => {
      socket.write(text)
      resolve(socket)
    })
    socket.on("error", () => {})
    socket.once("error", reject)
    sockets.push(socket)
  })

const closed = (socket: Socket): Promise<void> =>
  socket.destroyed || socket.closed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once("close", () => resolve()))

describe("slow callers", () => {
  it("closes 60 connections that trickle headers or stall in a body", async () => {
    const proxy = await proxyWith({ BODY_TIMEOUT_MS: "200", HEADERS_TIMEOUT_MS: "1000" })
    const slowHeaders = "GET /ocamba/v1/hood/profile-properties HTTP/1.1\r\nHost: proxy\r\nX-Slow: "
    const stalledBody =
      "POST /ocamba/v1/hood/profile-properties HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n" +
      'Content-Length: 100\r\n\r\n{"label":'
    const held = await Promise.all(
      Array.from({ length: 60 }, (_, index) => open(proxy.url, index % 2 === 0 ? slowHeaders : stalledBody))
    )
    await Promise.all(held.map(closed))
    expect(held.every((socket) => socket.destroyed || socket.closed)).toBe(true)
  }, 20_000)

  it("closes a connection whose body trickles in below BODY_MIN_RATE although it is never silent", async () => {
    const proxy = await proxyWith({ BODY_TIMEOUT_MS: "1000", BODY_MIN_RATE: "100" })
    const socket = await open(
      proxy.url,
      "POST /ocamba/v1/hood/profile-properties HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n" +
        "Content-Length: 1000\r\n\r\n{"
    )
    // A byte every 200 ms: never silent for the 1 s body timeout, but 5 bytes a second against a floor of 100.
    let sent = 0
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < 500) socket.write(" ", () => {})
      sent++
    }, 200)
    await closed(socket)
    clearInterval(trickle)
    // Cut long before the body could have finished at this pace (1000 bytes would take 200 s).
    expect(sent).toBeLessThan(500)
  }, 60_000)

  it("lets a slow body through when it keeps above BODY_MIN_RATE", async () => {
    const proxy = await proxyWith({ BODY_TIMEOUT_MS: "1000", BODY_MIN_RATE: "100" })
    const body = `{"label":"slow upload","data_type":"text"${" ".repeat(1158)}}`
    const socket = await open(
      proxy.url,
      "POST /ocamba/v1/hood/profile-properties HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n" +
        `Connection: close\r\nContent-Length: ${body.length}\r\n\r\n`
    )
    let answer = ""
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1")
    })
    // 100 bytes every 250 ms: 400 bytes a second, four times the floor, for about three seconds.
    for (let offset = 0; offset < body.length; offset += 100) {
      socket.write(body.slice(offset, offset + 100))
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    await closed(socket)
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
  }, 60_000)

  it("closes connections beyond MAX_CONNECTIONS_PER_IP at once and accepts again when they are gone", async () => {
    const proxy = await proxyWith({ BODY_TIMEOUT_MS: "60000", MAX_CONNECTIONS_PER_IP: "5" })
    const first = await Promise.all(Array.from({ length: 5 }, () => open(proxy.url, "GET /healthz HTTP/1.1\r\n")))
    const extra = await Promise.all(Array.from({ length: 3 }, () => open(proxy.url, "GET /healthz HTTP/1.1\r\n")))
    await Promise.all(extra.map(closed))
    expect(first.every((socket) => !socket.destroyed)).toBe(true)
    for (const socket of first) socket.destroy()
    // The proxy sees the closes a moment later: the next connection is accepted once it has.
    let answered = false
    for (let attempt = 0; attempt < 200 && !answered; attempt++) {
      answered = await fetch(`${proxy.url}/healthz`, { headers: { connection: "close" } }).then(
        (response) => response.ok,
        () => false
      )
    }
    expect(answered).toBe(true)
  }, 20_000)

  it("does not cut a request whose answer takes longer than the body timeout", async () => {
    const proxy = await proxyWith({ BODY_TIMEOUT_MS: "200" })
    const response = await fetch(`${proxy.url}/ocamba/v1/hood/profile-properties`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: [] })
  }, 20_000)
})
