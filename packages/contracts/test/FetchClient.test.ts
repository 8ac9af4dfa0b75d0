/** The typed clients speak each vendor's auth habit, and the Copernica token never leaks into errors or response URLs. */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { copernicaQuery, createCopernicaFetchClient, createOcambaFetchClient, redactUrl } from "../src/index.ts"

interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly body: string
}

const seen: Array<Seen> = []
let server: Http.Server
let baseUrl: string

beforeAll(async () => {
  server = Http.createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => {
      body += chunk
    })
    request.on("end", () => {
      seen.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, body })
      if (request.url!.startsWith("/v3/imports")) {
        response.writeHead(201, { "X-Created": "42" }).end()
      } else if (request.url!.startsWith("/v3/database/1/profiles")) {
        response.writeHead(200, { "Content-Type": "application/json" })
        response.end(JSON.stringify({ start: 0, limit: 100, count: 0, total: 0, data: [] }))
      } else {
        response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ total: 0, items: [] }))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("createOcambaFetchClient", () => {
  it("sends the token as a Bearer header and the query as given", async () => {
    const client = createOcambaFetchClient({ baseUrl: `${baseUrl}/v1/hood`, token: "ocamba-secret-token" })
    const { data } = await client.GET("/profile-properties", { params: { query: { q: "region", page: "1,50" } } })
    assert.deepStrictEqual(data, { total: 0, items: [] })
    const last = seen.at(-1)!
    assert.strictEqual(last.authorization, "Bearer ocamba-secret-token")
    assert.strictEqual(last.url, "/v1/hood/profile-properties?q=region&page=1%2C50")
  })
})

describe("createCopernicaFetchClient", () => {
  it("puts the access token in the query, keeps fields[] brackets literal, and reads X-Created", async () => {
    const client = createCopernicaFetchClient({ baseUrl: `${baseUrl}/v3`, accessToken: "copernica-secret-token" })
    const { response } = await client.POST("/imports", {
      body: {
        database: 1,
        name: "TestImport",
        action: "update or add",
        keyFields: ["Email"],
        source: [{ Email: "a@b.c" }]
      }
    })
    assert.strictEqual(response.status, 201)
    assert.strictEqual(response.headers.get("X-Created"), "42")
    assert.strictEqual(response.url, "", "the token-bearing URL must not travel with the response")
    assert.strictEqual(seen.at(-1)!.url, "/v3/imports?access_token=copernica-secret-token")
    assert.deepStrictEqual(JSON.parse(seen.at(-1)!.body).keyFields, ["Email"])

    await client.GET("/database/{id}/profiles", {
      params: { path: { id: "1" }, query: { "fields[]": ["Email==a@b.c", "Age>16"], limit: 10 } }
    })
    assert.strictEqual(
      seen.at(-1)!.url,
      "/v3/database/1/profiles?fields[]=Email%3D%3Da%40b.c&fields[]=Age%3E16&limit=10&access_token=copernica-secret-token"
    )
  })

  it("never puts the token in a transport error", async () => {
    const closed = Http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const client = createCopernicaFetchClient({
      baseUrl: `http://127.0.0.1:${port}/v3`,
      accessToken: "copernica-secret-token"
    })
    const error = await client.GET("/databases").then(
      () => undefined,
      (caught: unknown) => caught as Error
    )
    assert.instanceOf(error, Error)
    const everything = `${error!.message} ${String(error!.cause)} ${JSON.stringify(error)} ${error!.stack}`
    assert.notInclude(everything, "copernica-secret-token")
    assert.include(error!.message, "access_token=REDACTED")
  })
})

describe("copernicaQuery", () => {
  it("serialises booleans, arrays and the token last", () => {
    assert.strictEqual(
      copernicaQuery({ total: false, "fields[]": ["a==1"], skip: undefined }, "t"),
      "total=false&fields[]=a%3D%3D1&access_token=t"
    )
  })
})

describe("redactUrl", () => {
  it("redacts access tokens anywhere in a text and Bearer tokens", () => {
    assert.strictEqual(
      redactUrl("GET https://x/v3/a?b=1&access_token=abc123&c=2 and Bearer abc.def"),
      "GET https://x/v3/a?b=1&access_token=REDACTED&c=2 and Bearer REDACTED"
    )
  })
})
