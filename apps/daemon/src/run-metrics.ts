/**
 * @module
 * The daemon's run metrics (the list is in README.md, "Metrics"): what each run reported, kept as Prometheus series
 * and rendered in the text exposition format (0.0.4) that `/metrics` serves and node_exporter's textfile collector
 * reads. A previous textfile can be loaded back, so that counters keep counting across `profilesync run` processes.
 */
import type { Sync } from "@profilesync/sync"

type Kind = "counter" | "gauge" | "histogram"

interface Family {
  readonly name: string
  readonly kind: Kind
  readonly help: string
}

const family = (name: string, kind: Kind, help: string): Family => ({ name, kind, help })

/**
 * The daemon's metric families, in the order they are rendered.
 *
 * @since 0.2.0
 * @category constants
 */
export const families = {
  runs: family("profilesync_sync_runs_total", "counter", "Runs finished, by sync and status"),
  rows: family("profilesync_sync_rows_total", "counter", "Rows of finished runs, by sync, target and outcome"),
  rowsRead: family("profilesync_sync_rows_read_total", "counter", "Source rows read by finished runs, by sync"),
  vendorCalls: family(
    "profilesync_sync_vendor_calls_total",
    "counter",
    "HTTP requests sent to a vendor by finished runs (retries included), by sync and target"
  ),
  duration: family("profilesync_sync_run_duration_seconds", "histogram", "Run duration, by sync"),
  lastRun: family(
    "profilesync_sync_last_run_timestamp_seconds",
    "gauge",
    "When the last run of a sync finished (Unix time), whatever its status"
  ),
  lastSuccess: family(
    "profilesync_sync_last_success_timestamp_seconds",
    "gauge",
    "When the last run of a sync that succeeded finished (Unix time)"
  ),
  deadLetters: family(
    "profilesync_sync_dead_letters",
    "gauge",
    "Dead letters waiting for a replay, by sync and target, as of the last run"
  )
} as const

/** The run statuses, each a `status` label value of `profilesync_sync_runs_total` from the start. */
const statuses: ReadonlyArray<Sync.RunReport["status"]> = ["succeeded", "partial", "failed", "interrupted"]

/** The `outcome` label values of `profilesync_sync_rows_total`, with the report field each counts. */
const rowOutcomes = [
  ["created", "created"],
  ["updated", "updated"],
  ["unchanged", "unchanged"],
  ["deleted", "deleted"],
  ["rejected", "rejected"],
  ["failed", "failed"],
  ["dead_lettered", "deadLettered"]
] as const satisfies ReadonlyArray<readonly [string, keyof Sync.TargetReport]>

/** Upper bounds of the run-duration buckets, in seconds (a second to two hours). */
const durationBuckets = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200] as const

type Labels = Readonly<Record<string, string>>

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const unescapeLabel = (value: string) =>
  value.replace(/\\(.)/g, (_, character: string) => (character === "n" ? "\n" : character))

const renderLabels = (labels: Labels): string => {
  const entries = Object.entries(labels)
  return entries.length === 0 ? "" : `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`
}

const renderNumber = (value: number): string => (value === Number.POSITIVE_INFINITY ? "+Inf" : String(value))

/**
 * The series of every family, keyed by sample name and labels as rendered (`name{a="b"}`), so a loaded textfile and
 * new observations land on the same entries.
 *
 * @since 0.2.0
 * @category models
 */
export class RunMetrics {
  private readonly samples = new Map<string, { readonly family: Family; value: number }>()

  private add(family: Family, sample: string, labels: Labels, amount: number): void {
    const key = `${sample}${renderLabels(labels)}`
    const entry = this.samples.get(key)
    if (entry === undefined) this.samples.set(key, { family, value: amount })
    else entry.value += amount
  }

  private set(family: Family, labels: Labels, value: number): void {
    this.samples.set(`${family.name}${renderLabels(labels)}`, { family, value })
  }

  private observeDuration(sync: string, seconds: number): void {
    const name = families.duration.name
    for (const bound of [...durationBuckets, Number.POSITIVE_INFINITY]) {
      this.add(families.duration, `${name}_bucket`, { sync, le: renderNumber(bound) }, seconds <= bound ? 1 : 0)
    }
    this.add(families.duration, `${name}_sum`, { sync }, seconds)
    this.add(families.duration, `${name}_count`, { sync }, 1)
  }

  /** Makes every series of a sync exist at zero, so that dashboards and alerts see them before the first run. */
  declare(sync: string, targets: ReadonlyArray<string>): void {
    for (const status of statuses) this.add(families.runs, families.runs.name, { sync, status }, 0)
    this.add(families.rowsRead, families.rowsRead.name, { sync }, 0)
    for (const target of targets) {
      for (const [outcome] of rowOutcomes) this.add(families.rows, families.rows.name, { sync, target, outcome }, 0)
      this.add(families.vendorCalls, families.vendorCalls.name, { sync, target }, 0)
      if (!this.samples.has(`${families.deadLetters.name}${renderLabels({ sync, target })}`)) {
        this.set(families.deadLetters, { sync, target }, 0)
      }
    }
  }

  /** Counts a finished run from its report. */
  recordReport(report: Sync.RunReport): void {
    const sync = report.sync
    this.add(families.runs, families.runs.name, { sync, status: report.status }, 1)
    this.add(families.rowsRead, families.rowsRead.name, { sync }, report.read)
    for (const [target, counts] of Object.entries(report.targets)) {
      if (counts === undefined) continue
      for (const [outcome, field] of rowOutcomes) {
        this.add(families.rows, families.rows.name, { sync, target, outcome }, counts[field] as number)
      }
    }
    for (const [target, calls] of Object.entries(report.vendorCalls)) {
      this.add(families.vendorCalls, families.vendorCalls.name, { sync, target }, calls ?? 0)
    }
    this.observeDuration(sync, report.durationMilliseconds / 1000)
    const finished = Date.parse(report.finishedAt) / 1000
    this.set(families.lastRun, { sync }, finished)
    if (report.status === "succeeded") this.set(families.lastSuccess, { sync }, finished)
  }

  /** Counts a run that failed without a report (it could not start, or its state store failed). */
  recordFailure(sync: string, at: Date): void {
    this.add(families.runs, families.runs.name, { sync, status: "failed" }, 1)
    this.set(families.lastRun, { sync }, at.getTime() / 1000)
  }

  /** The dead letters waiting in the state store, per target. */
  setDeadLetters(sync: string, byTarget: Readonly<Record<string, number>>): void {
    for (const [target, count] of Object.entries(byTarget)) this.set(families.deadLetters, { sync, target }, count)
  }

  /**
   * Takes the counters and histograms of a previous exposition of these families (a textfile this process or an
   * earlier one wrote) as the starting point; lines it does not recognise are ignored. Gauges are taken as they were.
   */
  load(text: string): void {
    const byName = new Map<string, Family>()
    for (const entry of Object.values(families)) {
      byName.set(entry.name, entry)
      if (entry.kind === "histogram") {
        for (const suffix of ["_bucket", "_sum", "_count"]) byName.set(`${entry.name}${suffix}`, entry)
      }
    }
    for (const line of text.split("\n")) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
      if (match === null) continue
      const [, sample, labelText, valueText] = match
      const entry = byName.get(sample!)
      const value = Number(valueText)
      if (entry === undefined || !Number.isFinite(value)) continue
      const labels: Record<string, string> = {}
      for (const pair of (labelText ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]!] = unescapeLabel(pair[2]!)
      }
      if (entry.kind === "gauge") this.set(entry, labels, value)
      else this.add(entry, sample!, labels, value)
    }
  }

  /** The exposition: one `# HELP`/`# TYPE` block per family that has series, series sorted for stable output. */
  render(): string {
    const blocks: Array<string> = []
    for (const entry of Object.values(families)) {
      const lines = [...this.samples.entries()]
        .filter(([, sample]) => sample.family === entry)
        .sort(([left], [right]) => sortKey(left).localeCompare(sortKey(right)))
        .map(([key, sample]) => `${key} ${renderNumber(sample.value)}`)
      if (lines.length === 0) continue
      blocks.push([`# HELP ${entry.name} ${entry.help}`, `# TYPE ${entry.name} ${entry.kind}`, ...lines].join("\n"))
    }
    return `${blocks.join("\n")}\n`
  }
}

// Histogram buckets sort by their bound, numerically, so `le="10"` follows `le="5"`; `_sum` and `_count` come last.
const sortKey = (key: string): string =>
  key
    .replace(/le="([^"]+)"/, (_, bound: string) =>
      bound === "+Inf" ? "le=~" : `le=${Number(bound).toFixed(3).padStart(12, "0")}`
    )
    .replace(/_sum\{/, "_~sum{")
    .replace(/_count\{/, "_~~count{")
