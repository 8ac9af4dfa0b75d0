/** The Promise clients: the same guarantees as the Effect services, for users who do not use Effect. */
import { createServer as createHttpServer } from "node:http"
import { type AddressInfo, createServer as createNetServer } from "node:net"
import { startSandbox } from "@profilesync/sandbox"
import { assert, describe, it } from "vitest"
import { CopernicaError, createCopernicaClient, createOcambaClient, OcambaError } from "../src/index.ts"

describe("createOcambaClient", () => {
  it("creates, lists and resyncs, and rejects with a typed OcambaError", async () => {
    const sandbox = await startSandbox()
    const ocamba = await createOcambaClient({ token: "ocamba-sandbox-token", baseUrl: sandbox.ocambaBaseUrl })
    try {
      const property = await ocamba.createProperty({ label: "promise_region", data_type: "text" })
      assert.strictEqual(property.label, "promise_region")
      const all = await ocamba.allProperties()
      assert.isTrue(all.some((item) => item.label === "promise_region"))
      await ocamba.resync({ integration: ["1628"] })
      assert.strictEqual(sandbox.state.ocamba.account("ocamba-account-1").resyncs.length, 1)

      const refused = await ocamba.createProperty({ label: "promise_region", data_type: "text" }).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(refused, OcambaError)
      assert.strictEqual((refused as OcambaError).reason._tag, "BadRequest")
    } finally {
      await ocamba.close()
      await sandbox.close()
    }
  })
})

describe("createCopernicaClient", () => {
  it("lists databases and keeps the token out of its errors", async () => {
    const sandbox = await startSandbox()
    const copernica = await createCopernicaClient({
      accessToken: "copernica-sandbox-token",
      baseUrl: sandbox.copernicaBaseUrl
    })
    const wrong = await createCopernicaClient({ accessToken: "leaky-secret-token", baseUrl: sandbox.copernicaBaseUrl })
    try {
      const databases = await copernica.listDatabases()
      assert.isAtLeast(databases.data.length, 1)
      const refused = await wrong.listDatabases().then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(refused, CopernicaError)
      assert.notInclude(`${(refused as Error).message} ${(refused as Error).stack}`, "leaky-secret-token")
    } finally {
      await Promise.all([copernica.close(), wrong.close()])
      await sandbox.close()
    }
  })
})

describe("errors name the caller's own call and keep its cause", () => {
  // A port nothing listens on: bound once to learn a free one, then closed.
  const closedPort = () =>
    new Promise<number>((resolve) => {
      const server = createNetServer().listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        server.close(() => resolve(port))
      })
    })
  const fast = { retry: { maxAttempts: 2, baseDelay: "1 millis", maxDelay: "5 millis" } } as const

  it("createProperty against an unreachable base URL: the connection refused, then the breaker that it opened", async () => {
    const ocamba = await createOcambaClient({
      token: "ocamba-sandbox-token",
      baseUrl: `http://127.0.0.1:${await closedPort()}/v1/hood`,
      ...fast,
      circuitBreaker: { failureThreshold: 2, resetAfter: "1 minute" }
    })
    try {
      const refused = await ocamba.createProperty({ label: "region", data_type: "text" }).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(refused, OcambaError)
      const error = refused as OcambaError
      assert.strictEqual(error.operation, "createProfileProperty")
      assert.strictEqual(error.reason._tag, "Transport")
      assert.match(error.message, /createProfileProperty failed \(Transport: .*ECONNREFUSED/)
      assert.notInclude(error.message, "listProfileProperties")
      // Refused before anything was sent: safe to repeat, so it was repeated, and nothing had to be looked up.
      assert.strictEqual(error.attempts, 2)
      assert.strictEqual((error.cause as { code?: string }).code, "ECONNREFUSED")

      const open = await ocamba.createProperty({ label: "region", data_type: "text" }).then(
        () => undefined,
        (error: unknown) => error as OcambaError
      )
      assert.strictEqual(open?.operation, "createProfileProperty")
      assert.strictEqual(open?.reason._tag, "CircuitOpen")
      assert.match(
        open?.message ?? "",
        /CircuitOpen: the circuit breaker opened after failures such as: .*ECONNREFUSED/
      )
      assert.notInclude(`${open?.message} ${String(open?.cause)}`, "ocamba-sandbox-token")
    } finally {
      await ocamba.close()
    }
  })

  it("a write in doubt whose lookup fails too: the caller's call and its reason, the lookup beside it", async () => {
    // Every request gets a 503: the POST may have landed, and the lookup cannot tell.
    const server = createHttpServer((_request, response) => {
      response.writeHead(503, { "content-type": "application/json" })
      response.end(JSON.stringify({ message: "unavailable" }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const ocamba = await createOcambaClient({
      token: "ocamba-sandbox-token",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/hood`,
      ...fast,
      circuitBreaker: { failureThreshold: 100 }
    })
    try {
      const error = await ocamba.createProperty({ label: "region", data_type: "text" }).then(
        () => undefined,
        (error: unknown) => error as OcambaError
      )
      assert.instanceOf(error, OcambaError)
      assert.strictEqual(error?.operation, "createProfileProperty")
      assert.strictEqual(error?.reason._tag, "ServerError")
      assert.strictEqual(error?.checkFailure?.operation, "listProfileProperties")
      assert.strictEqual(error?.checkFailure?.reason._tag, "ServerError")
      assert.match(
        error?.message ?? "",
        /^Ocamba createProfileProperty failed \(ServerError: unavailable\) after 1 attempt\(s\), request \S+; looking up whether it took effect \(listProfileProperties\) failed too \(ServerError\)$/
      )
    } finally {
      await ocamba.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
