/**
 * MySQL/MariaDB source benchmark: reading a 200,000-row query through `Source.mysql` (`mysql2`'s own result-set
 * stream in a read-only consistent-snapshot transaction, rows as arrays with the result's column types) against
 * `@effect/sql-mysql2`'s streaming (`sql.unsafe(query).stream`, which runs `mysql2`'s query stream and hands over row
 * objects), both in one run: rows/s and the reading process's peak RSS.
 *
 * Setup:
 * - A MariaDB server started for the run (`@profilesync/test-support`'s `startMariaDbServer`: `mariadb-install-db`
 *   into a scratch directory, 127.0.0.1), one table of `--rows` rows (id bigint, email, name, city varchar, score
 *   decimal, active tinyint, seen timestamp, data json, note text NULL): the shape of a customer export.
 * - Each approach reads the whole query in its own child process (so peak RSS is that read's alone), rows converted
 *   to `SourceRow`s and counted; the rounds are interleaved so drift hits all approaches alike.
 * - Approaches:
 *   - `mysql2-1000`: `Source.mysql` as shipped (`batchSize` 1,000, the default).
 *   - `mysql2-128`: `Source.mysql` with `batchSize: 128`.
 *   - `sql-mysql2-stream`: `@effect/sql-mysql2`'s `sql.unsafe(query).stream` as a user would write it (no
 *     transaction), values converted the way `Source.mysql` converts them where the row objects allow it.
 * - Also checked: what each does with two result columns of the same name (`SELECT 1 AS a, 2 AS a`).
 *
 * Usage: pnpm --filter @profilesync/bench source-mysql [--rows 200000] [--rounds 3] [--json results/source-mysql.json]
 */
import { spawnSync } from "node:child_process"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as MysqlClient from "@effect/sql-mysql2/MysqlClient"
import * as Source from "@profilesync/sync/Source"
import { startMariaDbServer } from "@profilesync/test-support"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Mysql from "mysql2/promise"
import { emit, flag, log, machine, round, table } from "./support/report.ts"

const approaches = ["mysql2-1000", "mysql2-128", "sql-mysql2-stream"] as const
type Approach = (typeof approaches)[number]

const query = "SELECT * FROM profiles ORDER BY id"

// What `Source.mysql` does per value where a row object lets one tell (it also uses the column's type).
const sourceValue = (value: unknown): Source.SourceValue => {
  if (value === null || value === undefined) return null
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString()
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`
  return JSON.stringify(value)
}

const toRow = () => {
  let rowNumber = 0
  return (row: Record<string, unknown>): Source.SourceRow => {
    rowNumber++
    const values: Record<string, Source.SourceValue> = {}
    for (const name of Object.keys(row)) values[name] = sourceValue(row[name])
    return { _tag: "SourceRow", rowNumber, line: rowNumber, values }
  }
}

const libraryRows = (url: string, sql: string): Stream.Stream<Source.SourceItem, unknown> =>
  Stream.unwrapScoped(
    Effect.map(
      MysqlClient.make({ url: Redacted.make(url) }).pipe(
        Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make)
      ),
      (client) => Stream.map(client.unsafe<Record<string, unknown>>(sql).stream, toRow())
    )
  )

const rowsOf = (approach: Approach, url: string, sql: string): Stream.Stream<Source.SourceItem, unknown> => {
  switch (approach) {
    case "mysql2-1000":
      return Source.mysql({ url, query: sql }).rows
    case "mysql2-128":
      return Source.mysql({ url, query: sql, batchSize: 128 }).rows
    case "sql-mysql2-stream":
      return libraryRows(url, sql)
  }
}

interface ChildResult {
  readonly approach: Approach
  readonly rows: number
  readonly seconds: number
  readonly rowsPerSecond: number
  readonly peakRssMiB: number
  readonly rssBeforeMiB: number
  readonly duplicateColumns: string
}

const maxRssMiB = () => process.resourceUsage().maxRSS / 1024

/** In the child: one full read, then the duplicate-column check (after the peak was taken). */
const child = async (approach: Approach, url: string): Promise<void> => {
  // Load every module first so the peak measures the read, not the imports.
  await Effect.runPromise(Stream.runDrain(rowsOf(approach, url, "SELECT 1 AS x")))
  const rssBeforeMiB = maxRssMiB()
  const start = performance.now()
  let checksum = 0
  const rows = await Effect.runPromise(
    Stream.runFold(rowsOf(approach, url, query), 0, (count, item) => {
      if (item._tag === "SourceRow") checksum += String(item.values.email).length
      return count + 1
    })
  )
  const seconds = (performance.now() - start) / 1000
  const peakRssMiB = maxRssMiB()
  if (checksum === 0) throw new Error("no values read")
  const duplicate = await Effect.runPromise(
    Effect.either(Stream.runCollect(rowsOf(approach, url, "SELECT 1 AS a, 2 AS a")))
  )
  const duplicateColumns =
    duplicate._tag === "Left"
      ? `error: ${(duplicate.left as { reason?: { _tag?: string } }).reason?._tag ?? String(duplicate.left)}`
      : `row ${JSON.stringify([...duplicate.right].map((item) => (item._tag === "SourceRow" ? item.values : item))[0])}`
  const result: ChildResult = {
    approach,
    rows,
    seconds: round(seconds, 3),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMiB: round(peakRssMiB, 1),
    rssBeforeMiB: round(rssBeforeMiB, 1),
    duplicateColumns
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

const parent = async (): Promise<void> => {
  const rows = Number(flag("rows") ?? 200_000)
  const rounds = Number(flag("rounds") ?? 3)
  const started = performance.now()
  const server = await startMariaDbServer()
  try {
    log(`MariaDB on port ${server.port}; loading ${rows} rows`)
    const connection = await Mysql.createConnection({ uri: server.url })
    await connection.query(`CREATE TABLE profiles (id BIGINT PRIMARY KEY, email VARCHAR(200), name VARCHAR(200),
      city VARCHAR(100), score DECIMAL(12, 2), active TINYINT(1), seen TIMESTAMP NULL, data JSON, note TEXT)`)
    await connection.query(`INSERT INTO profiles SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('Name ', seq),
      'Köln', seq / 4, seq % 2, FROM_UNIXTIME(1704164645 + seq), JSON_OBJECT('n', seq, 'tags', JSON_ARRAY('a', 'b')),
      NULL FROM seq_1_to_${rows}`)
    await connection.end()
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
            "--url",
            server.url
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
    const summary = approaches.map((approach) => {
      const runs = results.filter((result) => result.approach === approach)
      const rates = runs.map((result) => result.rowsPerSecond).sort((a, b) => a - b)
      const peaks = runs.map((result) => result.peakRssMiB).sort((a, b) => a - b)
      const growth = runs.map((result) => result.peakRssMiB - result.rssBeforeMiB).sort((a, b) => a - b)
      return {
        approach,
        medianRowsPerSecond: rates[Math.floor(rates.length / 2)]!,
        bestRowsPerSecond: rates.at(-1)!,
        medianPeakRssMiB: peaks[Math.floor(peaks.length / 2)]!,
        medianRssGrowthMiB: round(growth[Math.floor(growth.length / 2)]!, 1),
        duplicateColumns: runs[0]!.duplicateColumns
      }
    })
    log()
    log(
      table(
        ["approach", "rows/s (median)", "rows/s (best)", "peak RSS MiB", "RSS growth MiB", "SELECT 1 AS a, 2 AS a"],
        summary.map((entry) => [
          entry.approach,
          entry.medianRowsPerSecond,
          entry.bestRowsPerSecond,
          entry.medianPeakRssMiB,
          entry.medianRssGrowthMiB,
          entry.duplicateColumns
        ])
      )
    )
    emit({
      benchmark: "source-mysql",
      rows,
      rounds,
      seconds: round((performance.now() - started) / 1000, 1),
      machine: machine(),
      summary,
      runs: results
    })
  } finally {
    await server.close()
  }
}

const childApproach = flag("child") as Approach | undefined
if (childApproach !== undefined) await child(childApproach, flag("url")!)
else await parent()
