/**
 * Sandbox memory by part: where the heap of a sandbox that took a full sync goes, measured in one process (the
 * sandbox app driven in-process, no HTTP), as the heap after a full garbage collection between stages, plus the
 * memory outside the heap that it holds (`external`: buffers, such as the packed rows of processed imports).
 *
 * Setup:
 * - The same generated profiles, imports and options as `sandbox.ts` (Ocamba in imports of 50,000 rows with the full
 *   report read; Copernica in JSON imports of 1,000 rows, `update or add` on Email), run one after the other; each
 *   request body is built just before it is sent and dropped after, so the client holds only the parsed file.
 * - Stages: the heap after each vendor's imports; then the parts are dropped one by one (Ocamba's kept import rows
 *   and reports, Ocamba's profiles, Copernica's kept import rows, Copernica's profiles) and the heap measured after
 *   each, so each part's figure is what dropping it freed.
 *
 * Usage: pnpm --filter @profilesync/bench sandbox-memory [--rows 100000] [--json results/sandbox-memory.json]
 * (needs `node --expose-gc`, which the package script passes).
 */
import * as FileSystem from "node:fs"
import { createSandboxApp } from "@profilesync/sandbox"
import { parse } from "csv-parse/sync"
import { profilesFile } from "./support/data.ts"
import { emit, flag, log, machine, round, table } from "./support/report.ts"

const rows = Number(flag("rows") ?? "100000")
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("Run with node --expose-gc (the package script does)")

const measureMiB = (): { heapMiB: number; externalMiB: number } => {
  gc()
  gc()
  const usage = process.memoryUsage()
  return { heapMiB: round(usage.heapUsed / 1024 / 1024, 0), externalMiB: round(usage.external / 1024 / 1024, 0) }
}

const quote = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

const [header, ...data] = parse(FileSystem.readFileSync(profilesFile(rows), "utf8"), {
  relax_column_count: true
}) as Array<Array<string>>

const app = createSandboxApp({
  ocamba: { rateLimits: { windows: [], concurrency: 1000 }, processing: { delayMilliseconds: 0 } },
  copernica: {
    processing: { delayMilliseconds: 0 },
    databases: [
      {
        name: "Customers",
        fields: [
          { name: "Email", type: "email", length: 100, index: true },
          { name: "Firstname", type: "text" },
          { name: "Lastname", type: "text" },
          { name: "Phone", type: "phone_gsm", length: 50 },
          { name: "City", type: "text" },
          { name: "Vip", type: "text" },
          { name: "LifetimeValue", type: "float" }
        ]
      }
    ]
  }
})

const settle = async (read: () => Promise<string>): Promise<void> => {
  for (;;) {
    const status = await read()
    if (status === "finished" || status === "failed") return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const ocamba = async (): Promise<void> => {
  const headers = { Authorization: "Bearer ocamba-sandbox-token" }
  const json = { ...headers, "Content-Type": "application/json" }
  const properties = ["customer_id", "birth_date", "vip", "lifetime_value"]
  for (const label of properties) {
    await app.request("/v1/hood/profile-properties", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ label, data_type: "text" })
    })
  }
  const mapping = header!.map((label) => ({
    label,
    property: {
      label: label === "phone" ? "mobile_phone_number" : label,
      data_type: "text",
      system: properties.includes(label) ? 0 : 1
    }
  }))
  for (let start = 0; start < data.length; start += 50_000) {
    const lines = [header!.join(",")]
    for (const row of data.slice(start, start + 50_000)) lines.push(row.map(quote).join(","))
    const form = new FormData()
    form.append("file", new Blob([`${lines.join("\n")}\n`], { type: "text/csv" }), "chunk.csv")
    const upload = (await (
      await app.request("/v1/hood/profiles/imports", { method: "POST", headers, body: form })
    ).json()) as { id: string }
    await app.request(`/v1/hood/profiles/imports/${upload.id}/commit`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ mapping })
    })
    await settle(
      async () =>
        (
          (await (await app.request(`/v1/hood/profiles/imports/${upload.id}`, { headers })).json()) as {
            status: string
          }
        ).status
    )
    await (await app.request(`/v1/hood/reports/profiles/import/${upload.id}/full`, { headers })).arrayBuffer()
  }
}

const copernicaColumns: Record<string, string> = {
  email: "Email",
  first_name: "Firstname",
  last_name: "Lastname",
  phone: "Phone",
  city: "City",
  vip: "Vip",
  lifetime_value: "LifetimeValue"
}

const copernica = async (): Promise<void> => {
  const token = "access_token=copernica-sandbox-token"
  const columns = header!.flatMap((label, index) =>
    copernicaColumns[label] === undefined ? [] : [[copernicaColumns[label], index] as const]
  )
  for (let start = 0; start < data.length; start += 1_000) {
    const source = data
      .slice(start, start + 1_000)
      .map((row) => Object.fromEntries(columns.map(([name, index]) => [name, row[index] ?? ""])))
    const created = await app.request(`/v3/imports?${token}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ database: 1, action: "update or add", keyFields: ["Email"], source })
    })
    const id = created.headers.get("X-Created")
    await settle(
      async () => ((await (await app.request(`/v3/import/${id}?${token}`)).json()) as { status: string }).status
    )
  }
}

const stages: Array<{ stage: string; heapMiB: number; externalMiB: number; freedMiB?: number }> = []
const stage = (name: string): void => {
  const { heapMiB, externalMiB } = measureMiB()
  const previous = stages.at(-1)
  const freed =
    previous === undefined ? {} : { freedMiB: previous.heapMiB + previous.externalMiB - heapMiB - externalMiB }
  stages.push({ stage: name, heapMiB, externalMiB, ...freed })
  log(`  ${name}: heap ${heapMiB} MiB, external ${externalMiB} MiB`)
}

log(`${rows} rows, in one process`)
stage("client data parsed, sandbox empty")
await ocamba()
stage("after Ocamba imports")
await copernica()
stage("after Copernica imports")
// No reference to an account is held here, so dropping one frees its profiles and their key indexes.
app.runtime.state.ocamba.account("ocamba-account-1").imports.clear()
stage("Ocamba import records dropped (kept rows, reports)")
app.runtime.state.ocamba.accounts.delete("ocamba-account-1")
stage("Ocamba profiles dropped")
app.runtime.state.copernica.account("copernica-account-1").imports.clear()
stage("Copernica import records dropped (kept rows)")
app.runtime.state.copernica.accounts.delete("copernica-account-1")
stage("Copernica profiles dropped")

log()
log(
  table(
    ["stage", "heap MiB", "external MiB", "freed MiB"],
    stages.map((entry) => [entry.stage, entry.heapMiB, entry.externalMiB, entry.freedMiB ?? ""])
  )
)
emit({ benchmark: "sandbox-memory", machine: machine(), rows, stages })
