/**
 * Output of every benchmark: a human table on stderr, one JSON document on stdout (or in the file given with
 * `--json <file>`), and the facts about the machine that make a figure readable later (date, cores, CPU, Node).
 */
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const loadAtStart = Os.loadavg()
if (loadAtStart[0]! > 1 && !process.argv.includes("--child")) {
  process.stderr.write(
    `note: the 1-minute load average is ${loadAtStart[0]!.toFixed(2)} before this benchmark started; other work on the machine will show in the figures\n`
  )
}

/** Facts about the machine and the run, stored with every result. */
export const machine = () => ({
  loadAverageAtStart: loadAtStart.map((value) => round(value, 2)),
  loadAverageAtEnd: Os.loadavg().map((value) => round(value, 2)),
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${Os.release()}`,
  cpus: Os.cpus().length,
  cpuModel: Os.cpus()[0]?.model ?? "unknown",
  totalMemoryMiB: Math.round(Os.totalmem() / 1024 / 1024)
})

/** The value after `--name` on the command line, if any. */
export const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  if (index === -1) return undefined
  const value = process.argv[index + 1]
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`)
  return value
}

/** Whether `--name` is on the command line. */
export const hasFlag = (name: string): boolean => process.argv.includes(`--${name}`)

/** A comma-separated list flag, e.g. `--callers 1,10`. */
export const listFlag = (name: string): ReadonlyArray<string> | undefined =>
  flag(name)
    ?.split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")

/** Writes a line to stderr (progress and tables never go to stdout, which carries the JSON). */
export const log = (line = ""): void => {
  process.stderr.write(`${line}\n`)
}

type Cell = string | number | undefined | null

const format = (cell: Cell): string =>
  cell === undefined || cell === null
    ? "–"
    : typeof cell === "number"
      ? Number.isInteger(cell)
        ? String(cell)
        : cell.toFixed(Math.abs(cell) >= 100 ? 0 : Math.abs(cell) >= 10 ? 1 : 2)
      : cell

/** A Markdown table (readable in a terminal, pasteable into the README). */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const cells = rows.map((row) => row.map(format))
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((row) => row[index]?.length ?? 0)))
  const line = (values: ReadonlyArray<string>) =>
    `| ${values.map((value, index) => (index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!))).join(" | ")} |`
  return [
    line(headers),
    `| ${widths.map((width, index) => (index === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`,
    ...cells.map(line)
  ].join("\n")
}

/** Prints the JSON document: to the `--json` file when given, else to stdout. */
export const emit = (document: unknown): void => {
  const text = `${JSON.stringify(document, null, 2)}\n`
  const file = flag("json")
  if (file === undefined) process.stdout.write(text)
  else {
    FileSystem.mkdirSync(Path.dirname(Path.resolve(file)), { recursive: true })
    FileSystem.writeFileSync(file, text)
    log(`results written to ${file}`)
  }
}

/** Percentile (nearest rank) of a sorted array. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))
