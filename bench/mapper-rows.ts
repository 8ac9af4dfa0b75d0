/**
 * Mapper micro-benchmark: CPU microseconds per row of `Mapper.mapRow` and of `Mapper.contentHash` (each target the
 * row is valid for), on generated rows parsed once into memory (so the reader's cost is out of the figure), mapped and
 * hashed in chunks of 1,000 rows as the engine does (so garbage is as short-lived as there). With
 * `--against <dir>` (a copy of packages/core/src, e.g. the version before a change) both versions run in the same
 * process, alternately (A B A B ...), each round with a fresh mapper (so caches start empty, as in a sync), and the
 * output gives the medians and the pairwise ratios. Both versions must map every row to the same outcome and hash;
 * the benchmark checks that and stops when they differ.
 *
 * `--this <dir>` replaces this checkout's packages/core/src (e.g. with packages/core/dist, for a CPU profile with line
 * numbers); `--no-check` skips the comparison.
 *
 * Usage: pnpm --filter @profilesync/bench mapper-rows [--rows 100000] [--rounds 7] [--against ../packages/core/.base/src]
 *        [--config ../examples/customers.yaml] [--json results/mapper-rows.json]
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import type { Mapping as MappingModule } from "@profilesync/core"
import { SyncConfig } from "@profilesync/sync"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { profilesFile } from "./support/data.ts"
import { emit, flag, hasFlag, log, machine, round, table } from "./support/report.ts"
import { repoRoot } from "./support/services.ts"

type MappingApi = typeof MappingModule

const rowCount = Number(flag("rows") ?? "100000")
const rounds = Number(flag("rounds") ?? "7")
const configPath = flag("config") ?? Path.join(repoRoot, "examples/customers.yaml")
const against = flag("against")

/** `Mapping.ts` of a source directory, or `Mapping.js` of a build (whose line numbers a CPU profile keeps). */
const loadMapping = async (directory: string): Promise<MappingApi> => {
  const source = Path.resolve(directory, "Mapping.ts")
  const module = FileSystem.existsSync(source) ? source : Path.resolve(directory, "Mapping.js")
  return (await import(pathToFileURL(module).href)) as MappingApi
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((left, right) => left - right)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const cpuMicroseconds = () => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

interface Pass {
  readonly mapMicroseconds: number
  readonly hashMicroseconds: number
  readonly outcomes: ReadonlyArray<string>
}

/** Rows per chunk, as the engine maps them: each chunk's rows are mapped, then hashed, then dropped. */
const chunkRows = 1_000

const describeRow = (row: MappingModule.MappedRow) =>
  row._tag === "Valid"
    ? `${row.key} ${row.targets.join(",")} ${JSON.stringify(row.profile)} ${row.rejections.map((reason) => reason.message).join("|")}`
    : `rejected ${row.reasons.map((reason) => `${reason.field}: ${reason.message}`).join("|")}`

/** One pass: a fresh mapper maps every row and hashes every valid row for its targets, a chunk at a time. */
const pass = (
  mapping: MappingApi,
  config: Parameters<MappingApi["makeMapper"]>[0],
  rows: ReadonlyArray<MappingModule.RawRow>,
  keep: boolean
): Pass => {
  const mapper = mapping.makeMapper(config)
  const outcomes: Array<string> = []
  const mapped = new Array<MappingModule.MappedRow>(chunkRows)
  let mapMicroseconds = 0
  let hashMicroseconds = 0
  for (let start = 0; start < rows.length; start += chunkRows) {
    const end = Math.min(rows.length, start + chunkRows)
    const mapStart = cpuMicroseconds()
    for (let index = start; index < end; index++) mapped[index - start] = mapper.mapRow(rows[index]!)
    const hashStart = cpuMicroseconds()
    mapMicroseconds += hashStart - mapStart
    let hashes = ""
    for (let index = 0; index < end - start; index++) {
      const row = mapped[index]!
      if (row._tag !== "Valid") continue
      for (const target of row.targets) hashes = mapper.contentHash(row.profile, target)
    }
    hashMicroseconds += cpuMicroseconds() - hashStart
    if (keep) {
      for (let index = 0; index < end - start; index++) {
        const row = mapped[index]!
        outcomes.push(describeRow(row))
        if (row._tag === "Valid")
          for (const target of row.targets) outcomes.push(mapper.contentHash(row.profile, target))
      }
    } else if (hashes === "x") outcomes.push(hashes)
  }
  return { mapMicroseconds, hashMicroseconds, outcomes }
}

const main = async () => {
  const file = profilesFile(rowCount)
  const config = await Effect.runPromise(SyncConfig.load(configPath))
  const records = parse(FileSystem.readFileSync(file), { columns: true }) as Array<Record<string, string>>
  const rows = records.map((values, index) => ({ rowNumber: index + 2, values }))
  const variants: Array<{ readonly name: string; readonly mapping: MappingApi }> = [
    { name: "this", mapping: await loadMapping(flag("this") ?? Path.join(repoRoot, "packages/core/src")) }
  ]
  if (against !== undefined) variants.unshift({ name: "against", mapping: await loadMapping(against) })

  // Same outcomes and hashes, row by row, before any figure counts (`--no-check` skips this, e.g. for a CPU profile).
  const reference = hasFlag("no-check")
    ? []
    : variants.map((variant) => pass(variant.mapping, config, rows, true).outcomes)
  for (let index = 1; index < reference.length; index++) {
    const differing = reference[0]!.findIndex((outcome, position) => reference[index]![position] !== outcome)
    if (differing !== -1 || reference[0]!.length !== reference[index]!.length) {
      log(`outcome ${differing} differs:\n  ${reference[0]![differing]}\n  ${reference[index]![differing]}`)
      process.exit(1)
    }
  }
  if (reference.length > 0)
    log(`${rows.length} rows; ${reference[0]!.length - rows.length} hashes; outcomes identical across versions`)

  const samples = variants.map(() => ({ map: [] as Array<number>, hash: [] as Array<number> }))
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    variants.forEach((variant, index) => {
      const result = pass(variant.mapping, config, rows, false)
      samples[index]!.map.push(result.mapMicroseconds / rows.length)
      samples[index]!.hash.push(result.hashMicroseconds / rows.length)
      log(
        `round ${roundIndex + 1} ${variant.name}: mapRow ${result.mapMicroseconds / rows.length} µs, contentHash ${result.hashMicroseconds / rows.length} µs per row`
      )
    })
  }
  const ratios = (part: "map" | "hash") =>
    samples.length === 2 ? samples[1]![part].map((value, index) => value / samples[0]![part][index]!) : []
  const results = variants.map((variant, index) => ({
    version: variant.name,
    mapRowMicroseconds: round(median(samples[index]!.map), 2),
    contentHashMicroseconds: round(median(samples[index]!.hash), 2),
    samples: samples[index]
  }))
  log(
    table(
      ["version", "mapRow µs/row", "contentHash µs/row (both targets)", "sum"],
      results.map((result) => [
        result.version,
        result.mapRowMicroseconds,
        result.contentHashMicroseconds,
        round(result.mapRowMicroseconds + result.contentHashMicroseconds, 2)
      ])
    )
  )
  if (samples.length === 2) {
    log(
      `pairwise ratios this/against, mapRow: ${ratios("map")
        .map((value) => value.toFixed(2))
        .join(" ")}`
    )
    log(
      `pairwise ratios this/against, contentHash: ${ratios("hash")
        .map((value) => value.toFixed(2))
        .join(" ")}`
    )
  }
  emit({
    benchmark: "mapper-rows",
    machine: machine(),
    rows: rows.length,
    rounds,
    results,
    ratios: { mapRow: ratios("map"), contentHash: ratios("hash") }
  })
}

await main()
