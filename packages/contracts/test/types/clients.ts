/**
 * Compile-time checks: the generated types reject a wrong body, a wrong path and a wrong parameter. Each
 * `@ts-expect-error` must be needed, or `tsc` fails ("Unused '@ts-expect-error' directive"); test/types.test.ts runs it.
 */
import { createCopernicaFetchClient, createOcambaFetchClient, Ocamba, type OcambaTypes } from "../../src/index.ts"

const ocamba = createOcambaFetchClient({ token: "t" })
const copernica = createCopernicaFetchClient({ accessToken: "t" })

export const checks = async () => {
  // A correct commit compiles.
  await ocamba.POST("/profiles/imports/{id}/commit", {
    params: { path: { id: "c50f31e8-35a9-456a-b44a-e87d60c5570c" } },
    body: { mapping: [{ label: "email", property: { label: "email", data_type: "text", system: 1 } }] }
  })
  // @ts-expect-error a path the spec does not have
  await ocamba.POST("/profiles/import-everything", { body: {} })
  await ocamba.POST("/profiles/imports/{id}/commit", {
    params: { path: { id: "x" } },
    // @ts-expect-error `mapping` must be an array of items
    body: { mapping: "email" }
  })
  // @ts-expect-error the path parameter is required
  await ocamba.POST("/profiles/imports/{id}/commit", { body: { mapping: [] } })
  await ocamba.PATCH("/profile-properties/{id}", {
    params: { path: { id: "1" } },
    // @ts-expect-error `pi_data` is 0 or 1, not a boolean
    body: { pi_data: true }
  })
  await copernica.POST("/imports", {
    // @ts-expect-error an action the vendor does not know
    body: { database: 1, action: "upsert", source: [] }
  })
  // @ts-expect-error Copernica has no DELETE /imports
  await copernica.DELETE("/imports", {})

  // The metadata is typed literal data.
  const policy: "check-first" = Ocamba.operations.commitProfileImport.retry.policy
  // @ts-expect-error createResync is safe to repeat, not check-first
  const wrong: "check-first" = Ocamba.operations.createResync.retry.policy
  const property: OcambaTypes.components["schemas"]["ProfileProperty"]["label"] = "my_region"

  // Operation names are a union: a typo does not compile.
  const valid = Ocamba.validateRequest("createResync", { body: { resync: {} } })
  // @ts-expect-error no operation is called createResyncc
  const typo = Ocamba.validateRequest("createResyncc", { body: {} })
  // @ts-expect-error listDatabases is Copernica's, not Ocamba's
  const otherVendor = Ocamba.validateResponse("listDatabases", 200, {})
  return [policy, wrong, property, valid, typo, otherVendor]
}
