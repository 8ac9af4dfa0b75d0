/**
 * CPU of the passes a full sync makes over a CSV source, in one process (the sources of core and sync through tsx):
 * `Source.csv` counting rows, the identity-collision scan (internal to the sync package: `Source.csv` → `mapRow` →
 * the identity values), then `Source.csv` → `mapRow` → `contentHash` per target, as the read that sends does.
 * Config: examples/customers.yaml with the source path replaced. CPU seconds from `process.cpuUsage`, wall seconds
 * beside them. For a before/after comparison run it in two worktrees in turn (A B A B) and compare pairs.
 *
 * Usage: pnpm --filter @profilesync/bench csv-passes [--rows 1000000] [--passes count,scan,map+hash]
 *        [--json results/csv-passes.json]
 */
import * as Path from "node:path"
import { Mapping } from "@profilesync/core"
import { Source, SyncConfig } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Collisions from "../packages/sync/src/internal/syncCollisions.ts"
import { profilesFile } from "./support/data.ts"
import { emit, flag, listFlag, log, machine, round, table } from "./support/report.ts"
import { repoRoot } from "./support/services.ts"

const cpuSeconds = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

const measure = async (run: () => Promise<number>) => {
  const cpuBefore = cpuSeconds()
  const wallBefore = performance.now()
  const rows = await run()
  return {
    rows,
    cpuSeconds: round(cpuSeconds() - cpuBefore, 2),
    wallSeconds: round((performance.now() - wallBefore) / 1000, 2)
  }
}

const rowCount = Number(flag("rows") ?? "1000000")
const passes = listFlag("passes") ?? ["count", "scan", "map+hash"]
const file = profilesFile(rowCount)
const loaded = await Effect.runPromise(SyncConfig.load(Path.join(repoRoot, "examples/customers.yaml")))
const config: SyncConfig.SyncConfig = { ...loaded, source: { ...loaded.source, path: file } } as SyncConfig.SyncConfig
const mapper = Mapping.makeMapper(config)
const source = Source.csv({ path: file })
const results: Array<{ pass: string; rows: number; cpuSeconds: number; wallSeconds: number }> = []
for (const pass of passes) {
  const result = await measure(async () => {
    let rows = 0
    if (pass === "scan") {
      await Effect.runPromise(Collisions.scan(source, mapper, config, ["ocamba", "copernica"]))
      return rowCount
    }
    await Effect.runPromise(
      Stream.runForEachChunk(source.rows, (items) =>
        Effect.sync(() => {
          for (const item of items) {
            rows++
            if (pass !== "map+hash" || item._tag !== "SourceRow") continue
            const mapped = mapper.mapRow(item)
            if (mapped._tag === "Valid") for (const target of mapped.targets) mapper.contentHash(mapped.profile, target)
          }
        })
      )
    )
    return rows
  })
  results.push({ pass, ...result })
  log(`  ${pass.padEnd(9)} ${result.cpuSeconds} s CPU, ${result.wallSeconds} s wall`)
}
log(
  table(
    ["pass", "rows", "CPU s", "wall s", "CPU µs/row"],
    results.map((row) => [
      row.pass,
      row.rows,
      row.cpuSeconds,
      row.wallSeconds,
      round((row.cpuSeconds * 1e6) / row.rows, 1)
    ])
  )
)
emit({ benchmark: "csv-passes", machine: machine(), file, results })
process.exit(0)
