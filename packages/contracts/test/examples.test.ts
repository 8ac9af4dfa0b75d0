/** Every example in both specs validates against its own schema, and every example on the vendor pages validates. */
import { vendorDocExamples } from "@profilesync/vendor-docs"
import { assert, describe, it } from "vitest"
import { Copernica, Ocamba, type OperationMetadata, type AnyVendorContract as VendorContract } from "../src/index.ts"

interface SpecExample {
  readonly where: string
  readonly operationId: string
  readonly kind: "request" | "response"
  readonly status: number
  readonly mediaType: string
  readonly value: unknown
}

const resolve = (contract: VendorContract, value: any): any => {
  while (value?.$ref !== undefined) {
    value = value.$ref
      .slice(2)
      .split("/")
      .map((part: string) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((node: any, part: string) => node?.[part], contract.document)
  }
  return value
}

const examplesOf = (contract: VendorContract, media: any): Array<unknown> => [
  ...Object.values<any>(media?.examples ?? {}).map((example) => resolve(contract, example).value),
  ...(media?.example === undefined ? [] : [media.example])
]

const specExamples = (contract: VendorContract): Array<SpecExample> => {
  const found: Array<SpecExample> = []
  for (const operation of Object.values<OperationMetadata>(contract.operations)) {
    const raw = (contract.document.paths as any)[operation.path][operation.method]
    const where = `${contract.name} ${operation.method.toUpperCase()} ${operation.path}`
    const requestBody = resolve(contract, raw.requestBody)
    for (const [mediaType, media] of Object.entries<any>(requestBody?.content ?? {})) {
      for (const value of examplesOf(contract, media)) {
        found.push({ where, operationId: operation.operationId, kind: "request", status: 0, mediaType, value })
      }
    }
    for (const [status, response] of Object.entries<any>(raw.responses ?? {})) {
      for (const [mediaType, media] of Object.entries<any>(resolve(contract, response).content ?? {})) {
        for (const value of examplesOf(contract, media)) {
          const numeric = status === "default" ? 400 : Number(status.replace("XX", "00"))
          found.push({ where, operationId: operation.operationId, kind: "response", status: numeric, mediaType, value })
        }
      }
    }
  }
  return found
}

const pathParamsFor = (contract: VendorContract, operationId: string): Record<string, string> => {
  const operation = Object.values<OperationMetadata>(contract.operations).find(
    (candidate) => candidate.operationId === operationId
  )!
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)
  // Ids as the vendor examples show them: Ocamba imports are UUIDs, properties numeric strings, Copernica numbers.
  const sample = operation.path.includes("imports") ? "c50f31e8-35a9-456a-b44a-e87d60c5570c" : "1000105"
  return Object.fromEntries(
    names.map((name) => [name, operation.path.startsWith("/reports") ? "c50f31e8-35a9-456a-b44a-e87d60c5570c" : sample])
  )
}

describe("spec examples", () => {
  for (const contract of [Ocamba, Copernica] as Array<VendorContract>) {
    const examples = specExamples(contract)
    it(`${contract.name} has examples for every operation with a body`, () => {
      const withExamples = new Set(examples.map((example) => example.operationId))
      const withBodies = Object.values<OperationMetadata>(contract.operations).filter((operation) => {
        const raw = (contract.document.paths as any)[operation.path][operation.method]
        return raw.requestBody !== undefined
      })
      for (const operation of withBodies) assert.isTrue(withExamples.has(operation.operationId), operation.operationId)
    })
    for (const example of examples) {
      it(`${example.where} ${example.kind} ${example.kind === "response" ? example.status : example.mediaType} example validates`, () => {
        const outcome =
          example.kind === "request"
            ? contract.validateRequest(example.operationId, {
                pathParams: pathParamsFor(contract, example.operationId),
                contentType: example.mediaType,
                body: example.value
              })
            : contract.validateResponse(example.operationId, example.status, example.value)
        assert.deepStrictEqual(outcome, { ok: true })
      })
    }
  }
})

describe("vendor page examples, verbatim", () => {
  const examples = vendorDocExamples()
  it("finds the examples of all five pages", () => {
    assert.sameMembers(
      [...new Set(examples.map((example) => example.operationId))],
      ["commitProfileImport", "createProfileProperty", "updateProfileProperty", "createResync", "createImport"]
    )
    assert.isAtLeast(examples.filter((example) => example.kind === "request").length, 10)
  })
  for (const [index, example] of examples.entries()) {
    it(`${example.file} ${example.kind} ${example.status} #${index} validates against ${example.operationId}`, () => {
      const contract: VendorContract = example.vendor === "ocamba" ? Ocamba : Copernica
      const outcome =
        example.kind === "request"
          ? contract.validateRequest(example.operationId, {
              pathParams: pathParamsFor(contract, example.operationId),
              body: example.body
            })
          : contract.validateResponse(example.operationId, example.status, example.body)
      assert.deepStrictEqual(outcome, { ok: true })
    })
  }
})
