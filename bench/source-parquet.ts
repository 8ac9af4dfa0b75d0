/**
 * Parquet source benchmark: reading a 1,000,000-row Parquet file through `Source.parquet` (DuckDB's streaming result,
 * one 2,048-row chunk at a time) against reading the same file whole (`runAndReadAll`, every row in memory before the
 * first is handed on, as `@duckdb/node-api`'s simplest call does), both in one run: rows/s and the reading process's
 * peak RSS, to show the streaming read stays flat where the whole read grows with the file.
 *
 * Setup:
 * - One file written by DuckDB (`COPY … TO … (FORMAT parquet)`, default row groups of 122,880 rows) with the shape of
 *   a customer export: id bigint, email, name, city varchar, score decimal, active boolean, seen timestamptz.
 * - Each approach reads the whole file in its own child process (so peak RSS is that read's alone), rows converted to
 *   `SourceRow`s and counted; the rounds are interleaved so drift hits both approaches alike.
 *
 * Usage: pnpm --filter @profilesync/bench source-parquet [--rows 1000000] [--rounds 3] [--json results/source-parquet.json]
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import * as Source from "@profilesync/sync/Source"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { emit, flag, log, machine, round, table } from "./support/report.ts"

const approaches = ["source-parquet", "read-all"] as const
type Approach = (typeof approaches)[number]

interface ChildResult {
  readonly approach: Approach
  readonly rows: number
  readonly rowsPerSecond: number
  readonly peakRssMiB: number
  readonly rssBeforeMiB: number
}

const maxRssMiB = () => process.resourceUsage().maxRSS / 1024

const readAll = async (path: string): Promise<number> => {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" })
  const connection = await instance.connect()
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)
  let count = 0
  for (const row of reader.getRowObjectsJson()) if (String(row.email).length > 0) count++
  connection.closeSync()
  instance.closeSync()
  return count
}

const child = async (approach: Approach, path: string): Promise<void> => {
  // Load DuckDB first so the peak measures the read, not the imports.
  await (await DuckDBInstance.create(":memory:")).connect()
  const rssBeforeMiB = maxRssMiB()
  const start = performance.now()
  const rows =
    approach === "read-all"
      ? await readAll(path)
      : await Effect.runPromise(
          Stream.runFold(Source.parquet({ path }).rows, 0, (count, item) =>
            item._tag === "SourceRow" && String(item.values.email).length > 0 ? count + 1 : count
          )
        )
  const seconds = (performance.now() - start) / 1000
  const result: ChildResult = {
    approach,
    rows,
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMiB: round(maxRssMiB(), 1),
    rssBeforeMiB: round(rssBeforeMiB, 1)
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

const parent = async (): Promise<void> => {
  const rows = Number(flag("rows") ?? 1_000_000)
  const rounds = Number(flag("rounds") ?? 3)
  const started = performance.now()
  const directory = mkdtempSync(join(tmpdir(), "profilesync-parquet-bench-"))
  try {
    const path = join(directory, "profiles.parquet")
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    await connection.run(`COPY (SELECT i::BIGINT AS id, 'user' || i || '@example.com' AS email, 'Name ' || i AS name,
      'Köln' AS city, (i / 4)::DECIMAL(12, 2) AS score, i % 2 = 0 AS active,
      TIMESTAMPTZ '2024-01-02 03:04:05+00' + i * INTERVAL 1 SECOND AS seen FROM range(1, ${rows + 1}) AS t(i))
      TO '${path}' (FORMAT parquet)`)
    connection.closeSync()
    instance.closeSync()
    const fileMiB = round(statSync(path).size / 1024 / 1024, 1)
    log(`${rows} rows in ${fileMiB} MiB of Parquet`)
    const results: Array<ChildResult> = []
    for (let index = 0; index < rounds; index++) {
      for (const approach of approaches) {
        const run = spawnSync(
          process.execPath,
          [
            "--conditions=@profilesync/source",
            "--import",
            "tsx",
            import.meta.filename,
            "--child",
            approach,
            "--path",
            path
          ],
          { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }
        )
        if (run.status !== 0) throw new Error(`${approach} failed:\n${run.stderr}`)
        const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ChildResult
        if (result.rows !== rows) throw new Error(`${approach} read ${result.rows} rows, not ${rows}`)
        log(`round ${index + 1} ${approach}: ${result.rowsPerSecond} rows/s, peak RSS ${result.peakRssMiB} MiB`)
        results.push(result)
      }
    }
    const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    const summary = approaches.map((approach) => {
      const runs = results.filter((result) => result.approach === approach)
      return {
        approach,
        medianRowsPerSecond: median(runs.map((result) => result.rowsPerSecond)),
        medianPeakRssMiB: median(runs.map((result) => result.peakRssMiB)),
        medianRssGrowthMiB: round(median(runs.map((result) => result.peakRssMiB - result.rssBeforeMiB)), 1)
      }
    })
    log()
    log(
      table(
        ["approach", "rows/s (median)", "peak RSS MiB", "RSS growth MiB"],
        summary.map((entry) => [
          entry.approach,
          entry.medianRowsPerSecond,
          entry.medianPeakRssMiB,
          entry.medianRssGrowthMiB
        ])
      )
    )
    emit({
      benchmark: "source-parquet",
      rows,
      rounds,
      fileMiB,
      seconds: round((performance.now() - started) / 1000, 1),
      machine: machine(),
      summary,
      runs: results
    })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

const childApproach = flag("child") as Approach | undefined
if (childApproach !== undefined) await child(childApproach, flag("path")!)
else await parent()
