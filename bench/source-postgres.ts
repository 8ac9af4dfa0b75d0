/**
 * PostgreSQL source benchmark: reading a 200,000-row query through `Source.postgres` (our `DECLARE … CURSOR` /
 * `FETCH FORWARD n` loop on a reserved connection, in a read-only `REPEATABLE READ` transaction) against
 * `@effect/sql-pg`'s own streaming (`executeStream`, a `pg-cursor` read 128 rows at a time), both in one run: rows/s
 * and the reading process's peak RSS.
 *
 * Setup:
 * - A PostgreSQL server started for the run (`packages/sync/test/support/PostgresServer.ts`: `initdb`, 127.0.0.1,
 *   `fsync=off`), one table of `--rows` rows (id bigint, email, name, city text, score numeric, active boolean,
 *   seen timestamptz, data jsonb, note text NULL): the shape of a customer export.
 * - Each approach reads the whole query in its own child process (so peak RSS is that read's alone), rows converted
 *   to `SourceRow`s the same way and counted; the rounds are interleaved so drift hits all approaches alike.
 * - Approaches:
 *   - `declare-1000`: `Source.postgres` as shipped (`batchSize` 1,000, the default).
 *   - `declare-128`: `Source.postgres` with `batchSize: 128` (the batch `@effect/sql-pg` uses).
 *   - `sql-pg-cursor`: the same transaction on a reserved connection, rows from `connection.executeStream` (what
 *     `sql…stream` runs inside a transaction).
 *   - `sql-pg-stream`: `sql.unsafe(query).stream` as a user would write it (no transaction: no snapshot, not read-only).
 * - Also checked: what each does with two result columns of the same name (`SELECT 1 AS a, 2 AS a`).
 *
 * Usage: pnpm --filter @profilesync/bench source-postgres [--rows 200000] [--rounds 3] [--json results/source-postgres.json]
 */
import { spawnSync } from "node:child_process"
import * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Source from "@profilesync/sync/Source"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PostgresServer from "../packages/sync/test/support/PostgresServer.ts"
import { emit, flag, log, machine, round, table } from "./support/report.ts"

const approaches = ["declare-1000", "declare-128", "sql-pg-cursor", "sql-pg-stream"] as const
type Approach = (typeof approaches)[number]

const query = "SELECT * FROM profiles ORDER BY id"

// The conversion `Source.postgres` applies (src/Source/Postgres.ts), so both sides do the same work per row.
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

const client = (url: string) =>
  PgClient.make({ url: Redacted.make(url), applicationName: "profilesync bench" }).pipe(
    Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make)
  )

/** The rows of `sql` through `@effect/sql-pg`, in the transaction `Source.postgres` uses, or as a plain statement. */
const libraryRows = (url: string, sql: string, inTransaction: boolean): Stream.Stream<Source.SourceItem, unknown> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const pg = yield* client(url)
      if (!inTransaction) return Stream.map(pg.unsafe<Record<string, unknown>>(sql).stream, toRow())
      const connection: SqlConnection.Connection = yield* pg.reserve
      yield* connection.executeRaw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])
      yield* Effect.addFinalizer(() => Effect.ignore(connection.executeRaw("ROLLBACK", [])))
      return Stream.map(
        connection.executeStream(sql, [], undefined) as Stream.Stream<Record<string, unknown>, unknown>,
        toRow()
      )
    })
  )

const rowsOf = (approach: Approach, url: string, sql: string): Stream.Stream<Source.SourceItem, unknown> => {
  switch (approach) {
    case "declare-1000":
      return Source.postgres({ url, query: sql }).rows
    case "declare-128":
      return Source.postgres({ url, query: sql, batchSize: 128 }).rows
    case "sql-pg-cursor":
      return libraryRows(url, sql, true)
    case "sql-pg-stream":
      return libraryRows(url, sql, false)
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
  await Effect.runPromise(Effect.scoped(Effect.flatMap(client(url), (pg) => pg`SELECT 1`)))
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
  const scope = Effect.runSync(Scope.make())
  const started = performance.now()
  try {
    const server = await Effect.runPromise(Scope.extend(PostgresServer.make, scope))
    log(`PostgreSQL on port ${server.port}; loading ${rows} rows`)
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const pg = yield* client(server.url)
          yield* pg`CREATE TABLE profiles (id bigint PRIMARY KEY, email text, name text, city text, score numeric,
            active boolean, seen timestamptz, data jsonb, note text)`
          yield* pg`INSERT INTO profiles SELECT n, 'user' || n || '@example.com', 'Name ' || n, 'Köln', n / 4.0,
            n % 2 = 0, timestamptz '2024-01-02T03:04:05Z' + n * interval '1 second', jsonb_build_object('n', n, 'tags',
            jsonb_build_array('a', 'b')), NULL FROM generate_series(1, ${rows}) AS n`
          yield* pg`ANALYZE profiles`
        })
      )
    )
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
      benchmark: "source-postgres",
      rows,
      rounds,
      seconds: round((performance.now() - started) / 1000, 1),
      machine: machine(),
      summary,
      runs: results
    })
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const childApproach = flag("child") as Approach | undefined
if (childApproach !== undefined) await child(childApproach, flag("url")!)
else await parent()
