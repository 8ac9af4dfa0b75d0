/**
 * Sandbox benchmark: how fast the sandbox processes the imports of a large sync, and how much memory it holds, for
 * 100,000 and 1,000,000 generated profiles, so that a full sync of a million rows is bound by the client, not by
 * the vendors' stand-in.
 *
 * Setup:
 * - Source: examples/generate-profiles.ts, seed 42 (cached; one bad row in 500), read once with csv-parse.
 * - Sandbox (its own process, from source): rate limits lifted (the windows are not what is measured), import
 *   processing delay 0, response validation as by default (on) unless `--no-validate`.
 * - Ocamba: the rows in imports of 50,000 (the engine's largest), each uploaded as CSV, committed with a mapping of
 *   all ten columns (four custom properties created first), polled until finished, and its full report read.
 * - Copernica: the rows in imports of 1,000 (the engine's default `rowsPerImport`), JSON source, action
 *   `update or add` on key field Email, 8 in flight, each polled until finished.
 * - Figures per vendor: rows, wall seconds, rows/s (wall), the sandbox's CPU seconds and rows per CPU second, from
 *   /proc; and the sandbox's peak RSS (VmHWM) and RSS at the end of the vendor's phase (the second vendor's peak is
 *   that of the whole run, since the first vendor's state stays).
 * - The client (this process) builds every request body before it starts the clock, so the figures are the
 *   sandbox's work plus loopback HTTP.
 *
 * Usage: pnpm --filter @profilesync/bench sandbox [--rows 100000,1000000] [--vendors ocamba,copernica]
 *        [--no-validate] [--json results/sandbox.json]
 */
import * as FileSystem from "node:fs"
import { parse } from "csv-parse/sync"
import { profilesFile } from "./support/data.ts"
import { emit, hasFlag, listFlag, log, machine, round, sleep, table } from "./support/report.ts"
import { cpuSeconds, type SandboxProcess, sandboxTokens, startSandbox } from "./support/services.ts"

const rowCounts = (listFlag("rows") ?? ["100000", "1000000"]).map(Number)
const vendors = listFlag("vendors") ?? ["ocamba", "copernica"]
const validateResponses = !hasFlag("no-validate")
const ocambaRowsPerImport = 50_000
const copernicaRowsPerImport = 1_000
const copernicaInFlight = 8

const memory = (pid: number): { peakMiB: number; currentMiB: number } => {
  const status = FileSystem.readFileSync(`/proc/${pid}/status`, "utf8")
  const read = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
  return { peakMiB: round(read("VmHWM"), 0), currentMiB: round(read("VmRSS"), 0) }
}

const quote = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

const check = async (response: Response, what: string): Promise<Response> => {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`)
  return response
}

interface Phase {
  readonly vendor: string
  readonly rows: number
  readonly imports: number
  readonly wallSeconds: number
  readonly cpuSeconds: number
  readonly rowsPerSecond: number
  readonly rowsPerCpuSecond: number
  readonly succeeded: number
}

const measure = async (
  vendor: string,
  sandbox: SandboxProcess,
  rows: number,
  imports: number,
  work: () => Promise<number>
): Promise<Phase> => {
  const pid = sandbox.service.child.pid!
  const cpuBefore = cpuSeconds(pid)
  const started = performance.now()
  const succeeded = await work()
  const wallSeconds = (performance.now() - started) / 1000
  const cpu = cpuSeconds(pid) - cpuBefore
  return {
    vendor,
    rows,
    imports,
    wallSeconds: round(wallSeconds, 1),
    cpuSeconds: round(cpu, 1),
    rowsPerSecond: Math.round(rows / wallSeconds),
    rowsPerCpuSecond: Math.round(rows / Math.max(cpu, 0.01)),
    succeeded
  }
}

const ocambaProperties = ["customer_id", "birth_date", "vip", "lifetime_value"]
const ocambaTargets: Record<string, string> = { phone: "mobile_phone_number" }

const runOcamba = async (sandbox: SandboxProcess, header: ReadonlyArray<string>, data: Array<Array<string>>) => {
  const headers = { Authorization: `Bearer ${sandboxTokens.ocamba}` }
  const base = sandbox.ocambaBaseUrl
  for (const label of ocambaProperties) {
    await check(
      await fetch(`${base}/profile-properties`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ label, data_type: "text" })
      }),
      `create property ${label}`
    )
  }
  const mapping = header.map((label) => ({
    label,
    property: {
      label: ocambaTargets[label] ?? label,
      data_type: "text",
      system: ocambaProperties.includes(label) ? 0 : 1
    }
  }))
  const files: Array<string> = []
  for (let start = 0; start < data.length; start += ocambaRowsPerImport) {
    const lines = [header.join(",")]
    for (const row of data.slice(start, start + ocambaRowsPerImport)) lines.push(row.map(quote).join(","))
    files.push(`${lines.join("\n")}\n`)
  }
  return measure("ocamba", sandbox, data.length, files.length, async () => {
    let succeeded = 0
    for (const [index, text] of files.entries()) {
      const form = new FormData()
      form.append("file", new Blob([text], { type: "text/csv" }), `chunk-${index}.csv`)
      const upload = (await (
        await check(await fetch(`${base}/profiles/imports`, { method: "POST", headers, body: form }), "upload")
      ).json()) as { id: string }
      await check(
        await fetch(`${base}/profiles/imports/${upload.id}/commit`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify({ mapping })
        }),
        "commit"
      )
      for (;;) {
        const record = (await (
          await check(await fetch(`${base}/profiles/imports/${upload.id}`, { headers }), "read import")
        ).json()) as { status: string }
        if (record.status === "finished" || record.status === "failed") break
        await sleep(20)
      }
      const report = (await (
        await check(await fetch(`${base}/reports/profiles/import/${upload.id}/full`, { headers }), "report")
      ).json()) as Array<{ code: string }>
      succeeded += report.filter((entry) => entry.code === "SUCCESS").length
    }
    return succeeded
  })
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

const runCopernica = async (sandbox: SandboxProcess, header: ReadonlyArray<string>, data: Array<Array<string>>) => {
  const base = sandbox.copernicaBaseUrl
  const token = `access_token=${sandboxTokens.copernica}`
  const columns = header.flatMap((label, index) =>
    copernicaColumns[label] === undefined ? [] : [[copernicaColumns[label], index] as const]
  )
  const bodies: Array<string> = []
  for (let start = 0; start < data.length; start += copernicaRowsPerImport) {
    const source = data
      .slice(start, start + copernicaRowsPerImport)
      .map((row) => Object.fromEntries(columns.map(([name, index]) => [name, row[index] ?? ""])))
    bodies.push(JSON.stringify({ database: 1, action: "update or add", keyFields: ["Email"], source }))
  }
  return measure("copernica", sandbox, data.length, bodies.length, async () => {
    let next = 0
    let succeeded = 0
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!
        const created = await check(
          await fetch(`${base}/imports?${token}`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body
          }),
          "create import"
        )
        await created.arrayBuffer()
        const id = created.headers.get("X-Created")
        for (;;) {
          const job = (await (await check(await fetch(`${base}/import/${id}?${token}`), "read import")).json()) as {
            status: string
            processedLines: string
          }
          if (job.status === "finished" || job.status === "failed") {
            succeeded += Number(job.processedLines)
            break
          }
          await sleep(20)
        }
      }
    }
    await Promise.all(Array.from({ length: copernicaInFlight }, worker))
    return succeeded
  })
}

const sandboxOptions = {
  validateResponses,
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
}

const results: Array<Phase & { peakRssMiB: number; endRssMiB: number }> = []
for (const rows of rowCounts) {
  const [header, ...data] = parse(FileSystem.readFileSync(profilesFile(rows), "utf8"), {
    relax_column_count: true
  }) as Array<Array<string>>
  log(`${rows} rows: sandbox started, ${vendors.join(" and ")}`)
  const sandbox = await startSandbox([], sandboxOptions)
  try {
    // The peak is read after each vendor's phase, so the first vendor's figure is its own and the second's is the
    // peak of both (the sandbox keeps the first vendor's state while the second runs).
    const pid = sandbox.service.child.pid!
    const run = async (phase: Promise<Phase>) => {
      const result = await phase
      const { peakMiB, currentMiB } = memory(pid)
      results.push({ ...result, peakRssMiB: peakMiB, endRssMiB: currentMiB })
      log(`  ${result.vendor}: ${result.rowsPerSecond} rows/s, ${result.cpuSeconds} s CPU, peak RSS ${peakMiB} MiB`)
    }
    if (vendors.includes("ocamba")) await run(runOcamba(sandbox, header!, data))
    if (vendors.includes("copernica")) await run(runCopernica(sandbox, header!, data))
  } finally {
    await sandbox.stop()
  }
}

log()
log(
  table(
    ["vendor", "rows", "imports", "wall s", "rows/s", "sandbox CPU s", "rows/CPU s", "succeeded", "peak RSS MiB"],
    results.map((result) => [
      result.vendor,
      result.rows,
      result.imports,
      result.wallSeconds,
      result.rowsPerSecond,
      result.cpuSeconds,
      result.rowsPerCpuSecond,
      result.succeeded,
      result.peakRssMiB
    ])
  )
)
emit({ benchmark: "sandbox", machine: machine(), validateResponses, results })
