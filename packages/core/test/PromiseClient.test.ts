/** The Promise clients: the same guarantees as the Effect services, for users who do not use Effect. */
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
