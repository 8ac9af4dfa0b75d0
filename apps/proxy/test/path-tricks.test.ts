/**
 * @module
 * Requests that try to make the proxy send something the spec does not describe never reach the vendor: dot
 * segments (plain and encoded), encoded slashes and backslashes, asterisk-form targets, unknown operations and
 * methods, undeclared (Ocamba) or repeated query parameters, oversized bodies (declared and streamed) and malformed JSON or
 * multipart. Each is answered by the proxy itself, in the vendor's error shape; the sandbox's request counter does
 * not move.
 */
import type { Sandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"
import { rawRequest } from "./support/raw-http.ts"

let sandbox: Sandbox
let proxy: TestProxy
let host: string

beforeAll(async () => {
  sandbox = await startTestSandbox()
  proxy = await startTestProxy({ ...sandboxEnvironment(sandbox), MAX_BODY_BYTES: "4096" })
  host = new URL(proxy.url).host
})
afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const neverReachesUpstream = async <A>(send: () => Promise<A>): Promise<A> => {
  const before = sandbox.counters().requests
  const answer = await send()
  expect(sandbox.counters().requests, "the request reached the sandbox").toBe(before)
  return answer
}

const raw = (method: string, target: string, headers: Record<string, string> = {}, body = "") =>
  neverReachesUpstream(() =>
    rawRequest(
      proxy.url,
      [`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join(
        "\r\n"
      ),
      body
    )
  )

describe("path tricks", () => {
  it.each([
    ["POST", "/ocamba/v1/hood/profile-properties/../resync"],
    ["POST", "/ocamba/v1/hood/profile-properties/%2e%2e/resync"],
    ["POST", "/ocamba/v1/hood/profile-properties/%2E%2e/resync"],
    ["GET", "/ocamba/v1/hood/profile-properties/.%2E/profile-properties"],
    ["GET", "/ocamba/v1/hood/./profile-properties"],
    ["GET", "/ocamba/v1/hood/../../_sandbox/state"],
    ["GET", "/ocamba/v1/hood/profiles/imports/abc%2Fdef"],
    ["GET", "/ocamba/v1/hood/profiles/imports/..%2f..%2f_sandbox"],
    ["GET", "/ocamba/v1/hood/profiles/imports/abc%5Cdef"],
    ["GET", "/copernica/v3/database/1%2F..%2F2/fields"],
    ["GET", "/copernica/v3/database/%2e%2e/fields"]
  ])("%s %s is 404 in the vendor's shape", async (method, target) => {
    const answer = await raw(method, target)
    expect(answer.status).toBe(404)
    expect(answer.headers["x-profilesync-source"]).toBe("proxy")
    const body = JSON.parse(answer.body) as Record<string, unknown>
    if (target.startsWith("/ocamba")) expect(body).toMatchObject({ code: 404, title: "Not found." })
    else expect(body).toEqual({ error: { message: "Invalid method" } })
  })

  it("an asterisk target is refused", async () => {
    const answer = await raw("OPTIONS", "*")
    expect(answer.status).toBe(400)
  })

  it("an absolute URL naming the sandbox itself is read as its path, which is no proxy route", async () => {
    const answer = await raw("GET", `${sandbox.ocambaBaseUrl}/profile-properties`)
    expect(answer.status).toBe(404)
  })

  it("an absolute URL with dot segments is refused like the path", async () => {
    const answer = await raw("POST", "http://evil.example/ocamba/v1/hood/profile-properties/../resync")
    expect(answer.status).toBe(404)
  })

  it("a scheme-relative target is just an unknown path", async () => {
    const answer = await raw("GET", "//evil.example/v1/hood/profile-properties")
    expect(answer.status).toBe(404)
  })

  it("a raw backslash is refused (Node's URL parsing would turn it into a slash)", async () => {
    expect([400, 404]).toContain((await raw("GET", "/ocamba/v1/hood/profiles/imports/abc\\..\\x")).status)
  })

  it("control characters in the path are refused", async () => {
    expect((await raw("GET", "/ocamba/v1/hood/profiles/imports/a%00b")).status).toBe(400)
  })
})

describe("operations the spec does not have", () => {
  it.each([
    ["GET", "/_sandbox/state"],
    ["GET", "/v1/hood/profile-properties"],
    ["GET", "/ocamba/v1/hood/profile-properties/1000105/secret"],
    ["GET", "/ocamba/v2/ocamba/personal-api-keys"],
    ["GET", "/copernica/v3/identity"],
    ["DELETE", "/copernica/v3/database/1"],
    ["GET", "/copernica/v4/databases"]
  ])("%s %s is 404", async (method, target) => {
    const answer = await raw(method, target)
    expect(answer.status).toBe(404)
  })

  it.each([
    ["DELETE", "/ocamba/v1/hood/profile-properties/1000105", 405, "PATCH"],
    ["PUT", "/ocamba/v1/hood/profile-properties/1000105", 405, "PATCH"],
    ["OPTIONS", "/ocamba/v1/hood/profile-properties", 405, "GET, HEAD, POST"],
    // Copernica answers a wrong method with its 400 "Invalid method" (rmuit/copernica-api ApiBehaviorTest).
    ["DELETE", "/copernica/v3/databases", 400, "GET, HEAD"]
  ])("%s %s, a path without that method, is %s with Allow: %s", async (method, target, status, allow) => {
    const answer = await raw(method, target)
    expect(answer.status).toBe(status)
    expect(answer.headers.allow?.split(", ").sort()).toEqual(allow.split(", ").sort())
  })
})

describe("query parameters", () => {
  it("an undeclared parameter is refused rather than dropped on Ocamba (which documents no such habit)", async () => {
    const answer = await raw("GET", "/ocamba/v1/hood/profile-properties?label=x&admin=1")
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ message: "query /admin: is not a parameter of this operation" })
  })

  it("a single-valued parameter given twice is refused", async () => {
    const answer = await raw("GET", "/ocamba/v1/hood/profile-properties?page=1&page=2")
    expect(JSON.parse(answer.body)).toMatchObject({ message: "query /page: must be given once" })
  })

  it("a value the spec refuses is refused", async () => {
    const answer = await raw("GET", "/ocamba/v1/hood/profile-properties?page=0")
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).message).toMatch(/^query \/page: /)
  })
})

describe("bodies", () => {
  const json = { "Content-Type": "application/json" }

  it("a declared body over MAX_BODY_BYTES is 413 before it is read", async () => {
    const answer = await raw("POST", "/ocamba/v1/hood/profile-properties", { ...json, "Content-Length": "5000" })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 413, title: "Payload too large." })
  })

  it("a chunked body that grows over MAX_BODY_BYTES is 413", async () => {
    const chunk = `{"label":"${"x".repeat(5000)}"}`
    const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`
    const answer = await raw(
      "POST",
      "/ocamba/v1/hood/profile-properties",
      { ...json, "Transfer-Encoding": "chunked" },
      body
    )
    expect(answer.status).toBe(413)
  })

  it("an upload declared over 50 MB is 413 before it is read", async () => {
    const answer = await raw("POST", "/ocamba/v1/hood/profiles/imports", {
      "Content-Type": "multipart/form-data; boundary=b",
      "Content-Length": String(52_428_800 + 70_000)
    })
    expect(answer.status).toBe(413)
  })

  it("malformed JSON is 400 naming the problem", async () => {
    const body = '{"label": "x",'
    const answer = await raw(
      "POST",
      "/ocamba/v1/hood/profile-properties",
      { ...json, "Content-Length": String(body.length) },
      body
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).message).toMatch(/^request body: not valid JSON/)
  })

  it("malformed JSON to Copernica is 400 in Copernica's shape", async () => {
    const body = "{nope"
    const answer = await raw("POST", "/copernica/v3/imports", { ...json, "Content-Length": "5" }, body)
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).error.message).toMatch(/^Invalid data provided: request body: not valid JSON/)
  })

  it("an upload without a file part is 400 naming /file", async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="profile_lists[]"\r\n\r\n1000000\r\n--b--\r\n'
    const answer = await raw(
      "POST",
      "/ocamba/v1/hood/profiles/imports",
      { "Content-Type": "multipart/form-data; boundary=b", "Content-Length": String(body.length) },
      body
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).message).toBe("request body /file: is required")
  })

  it("a multipart body without a boundary is 400", async () => {
    const answer = await raw(
      "POST",
      "/ocamba/v1/hood/profiles/imports",
      {
        "Content-Type": "multipart/form-data",
        "Content-Length": "4"
      },
      "abcd"
    )
    expect(answer.status).toBe(400)
  })

  it("a JSON operation refuses another media type", async () => {
    const answer = await raw(
      "POST",
      "/ocamba/v1/hood/profile-properties",
      { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "7" },
      "label=x"
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).message).toMatch(/^header \/content-type: must be one of application\/json/)
  })

  it("an upload streamed past 50 MB is cut off with 413", async () => {
    // Chunked, so the size is only known while streaming: the proxy has already started sending it upstream.
    const before = sandbox.counters().requests
    const response = await fetch(`${proxy.url}/ocamba/v1/hood/profiles/imports`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=b" },
      duplex: "half",
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(
            new TextEncoder().encode(
              '--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\nemail\r\n'
            )
          )
        },
        pull: (() => {
          let sent = 0
          const block = new Uint8Array(1024 * 1024).fill(0x61)
          return (controller: ReadableStreamDefaultController<Uint8Array>) => {
            if (sent > 60) return controller.close()
            sent++
            controller.enqueue(block)
          }
        })()
      })
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ code: 413 })
    // The upload had reached the sandbox (streaming started) but was aborted: it created no import.
    expect(sandbox.counters().requests - before).toBeLessThanOrEqual(1)
    expect([...sandbox.state.ocamba.account("ocamba-account-1").imports.values()]).toHaveLength(0)
  })
})
