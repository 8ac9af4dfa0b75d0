/**
 * Checks the vendor contracts end to end and prints what was validated: each spec's operations with their provenance,
 * rate limits and retry safety, and every example on the vendors' own pages validated against the specs. Exits 1 when
 * anything does not validate.
 */
import { vendorDocExamples } from "@profilesync/vendor-docs"
import { type AnyVendorContract, Copernica, Ocamba, type OperationMetadata } from "../src/index.ts"

let failures = 0
const line = (text = "") => console.log(text)

for (const contract of [Ocamba, Copernica] as ReadonlyArray<AnyVendorContract>) {
  const operations = Object.values<OperationMetadata>(contract.operations)
  const limits =
    contract.rateLimits.status === "documented"
      ? contract.rateLimits.windows.map((window) => `${window.limit} per ${window.windowSeconds} s`).join(" and ")
      : "unpublished (adaptive throttling)"
  line(
    `${contract.document.info.title} (${contract.serverUrl}): ${operations.length} operations, limits ${limits} per ${contract.rateLimits.scope}`
  )
  for (const operation of operations) {
    const provenance = operation.provenance.status === "inferred" ? "inferred  " : "documented"
    line(
      `  ${operation.method.toUpperCase().padEnd(6)} ${operation.path.padEnd(38)} ${provenance}  retry: ${operation.retry.policy}`
    )
  }
}

line()
line("Examples on the vendors' pages (../shared/vendor-docs), validated against the specs:")
for (const example of vendorDocExamples()) {
  const contract: AnyVendorContract = example.vendor === "ocamba" ? Ocamba : Copernica
  const pathParams = example.path.includes("{id}")
    ? { id: example.path.includes("imports") ? "c50f31e8-35a9-456a-b44a-e87d60c5570c" : "1000105" }
    : {}
  const outcome =
    example.kind === "request"
      ? contract.validateRequest(example.operationId, { pathParams, body: example.body })
      : contract.validateResponse(example.operationId, example.status, example.body)
  if (!outcome.ok) failures++
  line(
    `  ${outcome.ok ? "ok  " : "FAIL"} ${example.file} ${example.operationId} ${example.kind} ${example.status}${outcome.ok ? "" : `: ${outcome.message}`}`
  )
}

line()
line("Bad requests the validators refuse, with the JSON path:")
const refusals: ReadonlyArray<[AnyVendorContract, string, Parameters<AnyVendorContract["validateRequest"]>[1]]> = [
  [
    Ocamba,
    "commitProfileImport",
    {
      pathParams: { id: "c50f31e8-35a9-456a-b44a-e87d60c5570c" },
      body: { mapping: [{ label: "name", property: { label: "full_name", data_type: "text", system: 1 } }] }
    }
  ],
  [Ocamba, "updateProfileProperty", { pathParams: { id: "1000105" }, body: {} }],
  [Ocamba, "createResync", { body: { resync: {} } }],
  [Copernica, "createImport", { body: { database: 1, action: "upsert", source: [{ Email: "a@example.com" }] } }]
]
for (const [contract, operationId, input] of refusals) {
  const outcome = contract.validateRequest(operationId, input)
  if (outcome.ok) failures++
  line(`  ${outcome.ok ? "FAIL (accepted)" : "refused"} ${operationId}: ${outcome.ok ? "" : outcome.message}`)
}

line()
line(failures === 0 ? "All contract checks passed." : `${failures} contract check(s) failed.`)
process.exitCode = failures === 0 ? 0 : 1
