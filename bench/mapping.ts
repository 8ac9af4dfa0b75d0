/**
 * Mapping and diff pipeline benchmark: rows per second and peak memory of profilesync's source → mapping → hash →
 * diff path, for 100k and 1M generated profiles, against bare papaparse and csv-parse passes over the same file (what
 * JavaScript can do at all), all in one run.
 *
 * Cases, each in its own child process (so RSS does not carry over from one case to the next):
 * - `papaparse`: `fs.createReadStream` → papaparse `{ header: true, step }`, counting records. The anchor: the
 *   goal is stated as a share of this count.
 * - `csv-parse`: `fs.createReadStream` → csv-parse `{ columns: true }`, counting records. The baseline.
 * - `source`: `Source.csv` (profilesync's reader: encoding check, per-record recovery, row numbers), counting rows.
 * - `map+hash`: `Source.csv` → `Mapper.mapRow` (normalise and validate every field: email, phone via
 *   libphonenumber-js, dates, numbers, booleans) → `Mapper.contentHash` for each target the row is valid for
 *   (Ocamba and Copernica, SHA-256). The config is examples/customers.yaml with the source path replaced.
 * - `map+hash+confirm`: the same, then `SyncState.confirm` of every hash into a fresh SQLite state, in the engine's
 *   job sizes (Ocamba 50,000 rows, Copernica 1,000 rows per transaction: what a first full sync writes); every 100th row is stored with a stale hash so that the next case
 *   finds 1% changed. This also prepares the state for:
 * - `map+hash+diff`: the same as `map+hash`, then `SyncState.lookup` of each 1,000-row chunk's keys per target and a
 *   comparison of hashes (what every incremental sync does before sending anything).
 * - `confirm-only`: the state writes of `map+hash+confirm` alone, without reading or mapping the file: as many keys
 *   and SHA-256 hashes as the file has rows, made before the clock starts (keys shaped like the generated emails,
 *   `email:<first>.<last>.<row>@<domain>`, names drawn by a seeded generator, so that their order is not the file's),
 *   confirmed into a fresh SQLite state for both targets in the same job sizes and the same order.
 *
 * Memory: the child samples `process.memoryUsage().rss` every 50 ms and also reports `resourceUsage().maxRSS` (the
 * kernel's peak). Files are generated once with examples/generate-profiles.ts (seed 42) into the OS temp directory
 * and reused (`--data <dir>` to choose another place).
 *
 * Usage: pnpm --filter @profilesync/bench mapping [--rows 100000,1000000] [--cases csv-parse,map+hash]
 *        [--json results/mapping.json]
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Mapping as MappingModule } from "@profilesync/core"
import type { SyncConfig as SyncConfigModule } from "@profilesync/sync"
import { profilesFile } from "./support/data.ts"
import { emit, flag, hasFlag, listFlag, log, machine, round, table } from "./support/report.ts"
import { repoRoot } from "./support/services.ts"

const allCases = [
  "papaparse",
  "csv-parse",
  "source",
  "map+hash",
  "map+hash+confirm",
  "map+hash+diff",
  "confirm-only"
] as const
type CaseName = (typeof allCases)[number]
const syncName = "bench"
const chunkRows = 1_000

// ---------------------------------------------------------------------------------------------------------------------
// Child: one case
// ---------------------------------------------------------------------------------------------------------------------

interface CaseResult {
  readonly rows: number
  readonly valid: number
  readonly rejected: number
  readonly changed?: number
  readonly unchanged?: number
  readonly seconds: number
  readonly peakRssMiB: number
  readonly maxRssMiB: number
  readonly startRssMiB: number
  readonly cpuSeconds: number
}

// Loaded only by the cases that use them, so the csv-parse baseline's memory holds csv-parse alone.
type Core = typeof import("@profilesync/core") & typeof import("@profilesync/sync")
type EffectModules = {
  readonly Chunk: typeof import("effect/Chunk")
  readonly Effect: typeof import("effect/Effect")
  readonly Stream: typeof import("effect/Stream")
}
const loadCore = async (): Promise<Core & EffectModules> => ({
  ...(await import("@profilesync/core")),
  ...(await import("@profilesync/sync")),
  Chunk: await import("effect/Chunk"),
  Effect: await import("effect/Effect"),
  Stream: await import("effect/Stream")
})

const loadConfig = ({ Effect, SyncConfig }: Core & EffectModules, file: string) =>
  Effect.gen(function* () {
    const config = yield* SyncConfig.load(flag("config")!)
    return { ...config, source: { ...config.source, path: file } } as SyncConfigModule.SyncConfig
  })

/** Maps and hashes a stream of source items, handing each chunk's valid rows (with their hashes) to `onChunk`. */
const mapAndHash = <E, R>(
  core: Core & EffectModules,
  file: string,
  onChunk: (rows: ReadonlyArray<HashedRow>) => import("effect/Effect").Effect<void, E, R>
) => {
  const { Chunk, Effect, Mapping, Source, Stream } = core
  return Effect.gen(function* () {
    const config = yield* loadConfig(core, file)
    const mapper = Mapping.makeMapper(config)
    let rows = 0
    let valid = 0
    let rejected = 0
    yield* Source.csv({ path: file, delimiter: ",", encoding: "utf-8" }).rows.pipe(
      Stream.rechunk(chunkRows),
      Stream.runForEachChunk((chunk) => {
        const hashed: Array<HashedRow> = []
        for (const item of Chunk.toReadonlyArray(chunk)) {
          rows++
          if (Source.isRejected(item)) {
            rejected++
            continue
          }
          const mapped = mapper.mapRow(item)
          if (mapped._tag === "Rejected") {
            rejected++
            continue
          }
          valid++
          hashed.push({
            rowNumber: mapped.rowNumber,
            key: mapped.key,
            hashes: mapped.targets.map((target) => [target, mapper.contentHash(mapped.profile, target)] as const)
          })
        }
        return onChunk(hashed)
      })
    )
    return { rows, valid, rejected }
  })
}

interface HashedRow {
  readonly rowNumber: number
  readonly key: string
  readonly hashes: ReadonlyArray<readonly [MappingModule.TargetName, string]>
}

// Confirmed as the engine's jobs confirm them: an Ocamba import holds up to 50,000 rows, a Copernica one
// `rowsPerImport` (1,000 in the example).
const jobRows = { ocamba: 50_000, copernica: 1_000 } as const

/** `rows` keys shaped like the generated profiles' (see `confirm-only`) and a SHA-256 hash per key and target. */
const confirmRowsFor = (rows: number): ReadonlyArray<HashedRow> => {
  const names = ["zoe", "milan", "emma", "noah", "sophie", "daan", "julia", "lucas", "mila", "sem", "anna", "liam"]
  const surnames = ["peters", "smits", "jansen", "devries", "bakker", "visser", "muller", "dubois", "yilmaz"]
  const domains = ["example.nl", "example.org", "example.com", "example.de"]
  let seed = 42
  // mulberry32: a small seeded generator, so every run confirms the same keys.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let value = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
  const pick = <A>(list: ReadonlyArray<A>): A => list[Math.floor(random() * list.length)]!
  const result: Array<HashedRow> = []
  for (let row = 1; row <= rows; row++) {
    const key = `email:${pick(names)}.${pick(surnames)}.${row}@${pick(domains)}`
    result.push({
      rowNumber: row,
      key,
      hashes: (["ocamba", "copernica"] as const).map(
        (target) => [target, createHash("sha256").update(`${target}\n${key}`).digest("hex")] as const
      )
    })
  }
  return result
}

/** Hands `rows` to `confirm` per target in the engine's job sizes, as the rows of 1,000-row chunks arrive. */
const confirmInJobs = <E, R>(
  core: Core & EffectModules,
  confirm: (
    target: MappingModule.TargetName,
    rows: ReadonlyArray<{ key: string; hash: string }>
  ) => import("effect/Effect").Effect<void, E, R>
) => {
  const { Effect } = core
  const pending: Record<MappingModule.TargetName, Array<{ key: string; hash: string }>> = { ocamba: [], copernica: [] }
  const flush = (target: MappingModule.TargetName, all: boolean) =>
    Effect.gen(function* () {
      while (pending[target].length >= jobRows[target] || (all && pending[target].length > 0)) {
        yield* confirm(target, pending[target].splice(0, jobRows[target]))
      }
    })
  return {
    /** Adds a chunk's rows and confirms every job that is full. */
    add: (rows: ReadonlyArray<HashedRow>) =>
      Effect.gen(function* () {
        for (const row of rows) {
          for (const [target, hash] of row.hashes) {
            pending[target].push({ key: row.key, hash: row.rowNumber % 100 === 0 ? `stale-${hash}` : hash })
          }
        }
        yield* flush("ocamba", false)
        yield* flush("copernica", false)
      }),
    /** Confirms what is left. */
    finish: Effect.zipRight(flush("ocamba", true), flush("copernica", true))
  }
}

const removeState = (stateFile: string) => {
  for (const suffix of ["", "-wal", "-shm"]) FileSystem.rmSync(`${stateFile}${suffix}`, { force: true })
}

const runCase = async (name: CaseName, file: string, stateFile: string, size: number): Promise<CaseResult> => {
  // Code is loaded before the clock starts; the baselines load their parser only.
  const bare = name === "csv-parse" || name === "papaparse"
  const csvParse = name === "csv-parse" ? await import("csv-parse") : undefined
  const papaparse = name === "papaparse" ? (await import("papaparse")).default : undefined
  const core = bare ? undefined : await loadCore()
  const prepared = name === "confirm-only" ? confirmRowsFor(size) : undefined
  const startRss = process.memoryUsage().rss
  let peak = startRss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  let started = performance.now()
  let startCpu = process.cpuUsage()
  let counts: { rows: number; valid: number; rejected: number; changed?: number; unchanged?: number }
  switch (name) {
    case "csv-parse": {
      const { parse } = csvParse!
      let rows = 0
      const parser = FileSystem.createReadStream(file).pipe(parse({ columns: true }))
      for await (const _record of parser) rows++
      counts = { rows, valid: rows, rejected: 0 }
      break
    }
    case "papaparse": {
      let rows = 0
      await new Promise<void>((resolve, reject) => {
        papaparse!.parse(FileSystem.createReadStream(file), {
          header: true,
          step: () => {
            rows++
          },
          complete: () => resolve(),
          error: reject
        })
      })
      counts = { rows, valid: rows, rejected: 0 }
      break
    }
    case "source": {
      const { Chunk, Effect, Source, Stream } = core!
      let rows = 0
      let rejected = 0
      await Effect.runPromise(
        Source.csv({ path: file }).rows.pipe(
          Stream.runForEachChunk((chunk) =>
            Effect.sync(() => {
              for (const item of Chunk.toReadonlyArray(chunk)) {
                rows++
                if (Source.isRejected(item)) rejected++
              }
            })
          )
        )
      )
      counts = { rows, valid: rows - rejected, rejected }
      break
    }
    case "map+hash": {
      counts = await core!.Effect.runPromise(mapAndHash(core!, file, () => core!.Effect.void))
      break
    }
    case "map+hash+confirm": {
      const { Effect, SyncState } = core!
      removeState(stateFile)
      counts = await Effect.runPromise(
        Effect.gen(function* () {
          const state = yield* SyncState.SyncState
          const jobs = confirmInJobs(core!, (target, rows) => state.confirm(syncName, target, rows))
          const result = yield* mapAndHash(core!, file, jobs.add)
          yield* jobs.finish
          return result
        }).pipe(Effect.provide(SyncState.layerSqlite({ filename: stateFile })))
      )
      break
    }
    case "confirm-only": {
      const { Effect, SyncState } = core!
      const confirmFile = `${stateFile}-confirm-only`
      removeState(confirmFile)
      await Effect.runPromise(
        Effect.gen(function* () {
          const state = yield* SyncState.SyncState
          // The clock starts once the store is open (created and migrated): only the confirmations are timed.
          started = performance.now()
          startCpu = process.cpuUsage()
          const jobs = confirmInJobs(core!, (target, rows) => state.confirm(syncName, target, rows))
          for (let start = 0; start < prepared!.length; start += chunkRows) {
            yield* jobs.add(prepared!.slice(start, start + chunkRows))
          }
          yield* jobs.finish
        }).pipe(Effect.provide(SyncState.layerSqlite({ filename: confirmFile })))
      )
      counts = { rows: prepared!.length, valid: prepared!.length, rejected: 0 }
      removeState(confirmFile)
      break
    }
    case "map+hash+diff": {
      const { Effect, SyncState } = core!
      let changed = 0
      let unchanged = 0
      const result = await Effect.runPromise(
        Effect.gen(function* () {
          const state = yield* SyncState.SyncState
          return yield* mapAndHash(core!, file, (rows) =>
            Effect.forEach(
              ["ocamba", "copernica"] as const,
              (target) =>
                Effect.gen(function* () {
                  const forTarget = rows.flatMap((row) =>
                    row.hashes
                      .filter(([hashTarget]) => hashTarget === target)
                      .map(([, hash]) => ({ key: row.key, hash }))
                  )
                  const known = yield* state.lookup(
                    syncName,
                    target,
                    forTarget.map((row) => row.key)
                  )
                  for (const row of forTarget) {
                    const stored = known.get(row.key)
                    if (stored !== undefined && stored.hash._tag === "Some" && stored.hash.value === row.hash)
                      unchanged++
                    else changed++
                  }
                }),
              { discard: true }
            )
          )
        }).pipe(Effect.provide(SyncState.layerSqlite({ filename: stateFile })))
      )
      counts = { ...result, changed, unchanged }
      break
    }
  }
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(startCpu)
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)
  return {
    ...counts,
    seconds: round(seconds, 3),
    peakRssMiB: round(peak / 1024 / 1024, 1),
    maxRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    startRssMiB: round(startRss / 1024 / 1024, 1),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2)
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Parent: data, cases, report
// ---------------------------------------------------------------------------------------------------------------------

const runChild = (
  name: CaseName,
  file: string,
  stateFile: string,
  configFile: string,
  size: number
): Promise<CaseResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=@profilesync/source",
        "--import",
        "tsx",
        import.meta.filename,
        "--child",
        "--case",
        name,
        "--file",
        file,
        "--state",
        stateFile,
        "--config",
        configFile,
        "--size",
        String(size)
      ],
      { cwd: import.meta.dirname, stdio: ["ignore", "pipe", "inherit"] }
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`case ${name} exited with ${code}`))
      resolve(JSON.parse(output.trim().split("\n").at(-1)!) as CaseResult)
    })
  })

const main = async () => {
  const sizes = (listFlag("rows") ?? ["100000", "1000000"]).map(Number)
  const cases = (listFlag("cases") ?? allCases) as ReadonlyArray<CaseName>
  const started = Date.now()
  log(`mapping: ${sizes.join(", ")} rows; cases ${cases.join(", ")}`)
  const stateDirectory = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-bench-state-"))
  // One copy of the example config for every case: an edit to the example during the run cannot change the hashes
  // between the case that writes the state and the case that diffs against it.
  const configFile = Path.join(stateDirectory, "customers.yaml")
  FileSystem.copyFileSync(Path.join(repoRoot, "examples/customers.yaml"), configFile)
  const results: Array<CaseResult & { case: CaseName; size: number; fileMiB: number; rowsPerSecond: number }> = []
  try {
    for (const size of sizes) {
      const file = profilesFile(size)
      const bytes = FileSystem.statSync(file).size
      const stateFile = Path.join(stateDirectory, `state-${size}.db`)
      for (const name of cases) {
        if (name === "map+hash+diff" && !cases.includes("map+hash+confirm")) {
          throw new Error("map+hash+diff needs map+hash+confirm before it (it diffs against the state that one writes)")
        }
        const result = await runChild(name, file, stateFile, configFile, size)
        const row = {
          case: name,
          size,
          fileMiB: round(bytes / 1024 / 1024, 1),
          ...result,
          rowsPerSecond: round(result.rows / result.seconds, 0)
        }
        results.push(row)
        log(
          `  ${String(size).padStart(7)} ${name.padEnd(17)} ${String(row.rowsPerSecond).padStart(7)} rows/s  ${result.seconds.toFixed(1)} s (CPU ${result.cpuSeconds} s)  peak RSS ${result.peakRssMiB} MiB (maxRSS ${result.maxRssMiB})`
        )
      }
    }
  } finally {
    FileSystem.rmSync(stateDirectory, { recursive: true, force: true })
  }
  const ratio = (row: (typeof results)[number], baselineCase: CaseName) => {
    const baseline = results.find((other) => other.case === baselineCase && other.size === row.size)
    return baseline === undefined ? null : round(row.rowsPerSecond / baseline.rowsPerSecond, 3)
  }
  const withRatio = results.map((row) => ({
    ...row,
    vsPapaparse: ratio(row, "papaparse"),
    vsCsvParse: ratio(row, "csv-parse")
  }))
  log()
  log(
    table(
      [
        "case",
        "rows",
        "rows/s",
        "× papaparse",
        "× csv-parse",
        "seconds",
        "CPU s",
        "peak RSS MiB",
        "maxRSS MiB",
        "valid",
        "rejected",
        "changed"
      ],
      withRatio.map((row) => [
        row.case,
        row.size,
        row.rowsPerSecond,
        row.vsPapaparse,
        row.vsCsvParse,
        row.seconds,
        row.cpuSeconds,
        row.peakRssMiB,
        row.maxRssMiB,
        row.valid,
        row.rejected,
        row.changed
      ])
    )
  )
  emit({
    benchmark: "mapping",
    machine: machine(),
    durationSeconds: round((Date.now() - started) / 1000, 1),
    method: {
      data: "examples/generate-profiles.ts <rows> <file> 42 (1 bad row in 500)",
      config: "examples/customers.yaml (10 fields, Ocamba and Copernica targets), source path replaced",
      chunkRows,
      memory: "each case in its own process; peak of rss sampled every 50 ms, and resourceUsage().maxRSS",
      confirmOnly: "keys email:<first>.<last>.<row>@<domain> (seeded), SHA-256 hashes, made before the clock starts",
      diff: "state written by map+hash+confirm with every 100th row stale; lookup per 1,000-row chunk per target"
    },
    results: withRatio
  })
}

if (hasFlag("child")) {
  const result = await runCase(flag("case") as CaseName, flag("file")!, flag("state")!, Number(flag("size")))
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
} else {
  await main()
  process.exit(0)
}
