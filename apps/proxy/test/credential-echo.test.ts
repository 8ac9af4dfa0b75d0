/**
 * @module
 * A vendor that echoes the request's credentials back (in error bodies, success bodies, headers, compressed, streamed
 * in small pieces with the token split between them, percent-encoded and JSON-escaped): in inject mode no answer to the
 * caller, log line or metric may hold the token the proxy injected. The vendor here is a small loopback server, so
 * the echo is not something the sandbox (the vendors' stand-in) would ever do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestProxy, type TestProxy } from "./support/proxy.ts"

const ocambaToken = "oc-Secret/Token+42=="
const copernicaToken = "cp_secret_token_0123456789"
const proxyKey = "proxy-key-0123456789abcdef"
const redisPassword = "redis-pass-w0rd"

/** Every form in which a token could be read back. */
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/")
]
const forbidden = [ocambaToken, copernicaToken, proxyKey, redisPassword].flatMap(formsOf)
const leaksIn = (text: string) => forbidden.filter((form) => text.includes(form))

/** What the echoing vendor saw: the credential it was sent, from the header or the query. */
const credentialOf = (request: IncomingMessage) => {
  const url = new URL(request.url ?? "/", "http://vendor")
  return url.searchParams.get("access_token") ?? request.headers.authorization ?? ""
}

/** How the vendor answers the next request. */
let echoMode = "error"

const echo = (request: IncomingMessage, response: ServerResponse) => {
  const credential = credentialOf(request)
  const bare = credential.replace(/^Bearer /, "")
  switch (echoMode) {
    case "error":
      response.writeHead(401, { "content-type": "application/json", "x-seen-credential": credential })
      // Written by hand as PHP's json_encode writes it: slashes escaped.
      response.end(
        `{"code":401,"title":"Unauthorized","message":${JSON.stringify(`token ${bare} (sent as ${credential}) is not valid for ${request.url}`)},` +
          `"escaped":"${bare.replaceAll("/", "\\/")}","encoded":"${encodeURIComponent(bare)}"}`
      )
      return
    case "server":
      response.writeHead(500, { "content-type": "text/plain" })
      response.end(`internal error while handling ${request.url} with ${credential}`)
      return
    case "gzip":
      response.writeHead(400, { "content-type": "application/json", "content-encoding": "gzip" })
      response.end(gzipSync(JSON.stringify({ error: { message: `bad token ${bare}` } })))
      return
    case "stream": {
      // More than 64 KiB, so the proxy streams it; the token is cut into pieces written separately.
      response.writeHead(200, { "content-type": "application/json" })
      const filler = "x".repeat(70_000)
      const text = JSON.stringify({ data: [], filler, echo: `${bare} ${encodeURIComponent(bare)} ${bare}` })
      // The end, where the tokens are, goes out in 7-byte writes.
      const tail = text.slice(-700).match(/[\s\S]{1,7}/g) ?? []
      response.write(text.slice(0, -700))
      const writeMore = (): void => {
        for (let piece = tail.shift(); piece !== undefined; piece = tail.shift()) {
          if (!response.write(piece)) {
            response.once("drain", writeMore)
            return
          }
        }
        response.end()
      }
      writeMore()
      return
    }
    default:
      response.writeHead(302, { location: `http://vendor/login?access_token=${encodeURIComponent(bare)}` })
      response.end()
  }
}

let vendor: Server
let proxy: TestProxy

beforeAll(async () => {
  vendor = createServer(echo)
  await new Promise<void>((resolve) => vendor.listen(0, "127.0.0.1", resolve))
  const base = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`
  proxy = await startTestProxy({
    OCAMBA_BASE_URL: `${base}/v1/hood`,
    COPERNICA_BASE_URL: `${base}/v3`,
    OCAMBA_TOKEN: ocambaToken,
    COPERNICA_TOKEN: copernicaToken,
    PROXY_KEYS: proxyKey,
    OCAMBA_LIMITS: "1000/1s",
    COPERNICA_LIMITS: "1000/1s",
    RETRY_MAX_ATTEMPTS: "1"
  })
  // The Redis URL's password is registered like every other secret, even when the proxy holds no Redis connection.
  const { Redact } = await import("@profilesync/core")
  Redact.registerUrlPassword(`redis://:${redisPassword}@127.0.0.1:1`)
})
afterAll(async () => {
  await proxy?.close()
  await new Promise<void>((resolve) => vendor?.close(() => resolve()))
})

const call = async (path: string, mode: string) => {
  echoMode = mode
  const response = await fetch(`${proxy.url}${path}`, {
    headers: { "x-proxy-key": proxyKey, "accept-encoding": "gzip, br" },
    redirect: "manual"
  })
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")
  return { status: response.status, text: `${headers}\n\n${await response.text()}` }
}

describe("a vendor that echoes credentials, behind the proxy in inject mode", () => {
  it.each([
    ["Ocamba", "/ocamba/v1/hood/profile-properties"],
    ["Copernica", "/copernica/v3/databases"]
  ])("%s: error bodies, headers, 5xx, compressed and streamed answers hold no token", async (_name, path) => {
    for (const mode of ["error", "server", "gzip", "stream", "redirect"]) {
      const answer = await call(path, mode)
      expect(leaksIn(answer.text), `${mode}: ${answer.text.slice(0, 300)}`).toEqual([])
      expect(answer.text, mode).toContain(mode === "redirect" ? "access_token=REDACTED" : "REDACTED")
    }
  })

  it("keeps the streamed answer whole apart from the token", async () => {
    const answer = await call("/copernica/v3/databases", "stream")
    expect(answer.status).toBe(200)
    const body = JSON.parse(answer.text.split("\n\n")[1]!) as { filler: string; echo: string }
    expect(body.filler).toHaveLength(70_000)
    expect(body.echo).toBe("REDACTED REDACTED REDACTED")
  })

  it("writes no token in any log line or metric", async () => {
    await call("/ocamba/v1/hood/profile-properties", "error")
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text()
    expect(leaksIn(metrics)).toEqual([])
    expect(leaksIn(proxy.logs.map((line) => JSON.stringify(line)).join("\n"))).toEqual([])
    expect(proxy.logs.length).toBeGreaterThan(0)
  })
})
