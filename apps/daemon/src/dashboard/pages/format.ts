/**
 * @module
 * How the pages write times, durations and numbers, and build their links: one place, so every page says it alike.
 */

/** `2026-12-05 17:13:48 UTC`. */
export const time = (epochMilliseconds: number | null | undefined): string =>
  epochMilliseconds === null || epochMilliseconds === undefined
    ? "–"
    : `${new Date(epochMilliseconds).toISOString().slice(0, 19).replace("T", " ")} UTC`

/** `850 ms`, `12.4 s`, `3 min 5 s`, `2 h 10 min`. */
export const duration = (milliseconds: number | null | undefined): string => {
  if (milliseconds === null || milliseconds === undefined) return "–"
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`
  const minutes = Math.floor(milliseconds / 60_000)
  if (minutes < 60) return `${minutes} min ${Math.round((milliseconds % 60_000) / 1000)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** `1,234,567`. */
export const count = (value: number | null | undefined): string => (value ?? 0).toLocaleString("en-US")

/** A path with query parameters; parameters that are `undefined` are left out. */
export const link = (path: string, query: Readonly<Record<string, string | number | undefined>> = {}): string => {
  const parameters = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) parameters.set(name, String(value))
  const search = parameters.toString()
  return search === "" ? path : `${path}?${search}`
}

/** The stable URLs of the dashboard's pages. */
export const urls = {
  overview: () => "/",
  sync: (sync: string, page?: number) => link(`/syncs/${encodeURIComponent(sync)}`, { page }),
  run: (sync: string, runId: string, query: Readonly<Record<string, string | number | undefined>> = {}) =>
    link(`/syncs/${encodeURIComponent(sync)}/runs/${encodeURIComponent(runId)}`, query),
  rejectsCsv: (sync: string, runId: string, query: Readonly<Record<string, string | undefined>> = {}) =>
    link(`/syncs/${encodeURIComponent(sync)}/runs/${encodeURIComponent(runId)}/rejects.csv`, query),
  deadLetters: (sync: string, query: Readonly<Record<string, string | number | undefined>> = {}) =>
    link(`/syncs/${encodeURIComponent(sync)}/dead-letters`, query),
  history: (sync: string, query: Readonly<Record<string, string | undefined>> = {}) =>
    link(`/syncs/${encodeURIComponent(sync)}/history`, query)
}

/** The per-target counters of a run's counts (`ocamba.created`), summed over its targets. */
export const targetTotal = (counts: Readonly<Record<string, number>>, counter: string): number =>
  Object.entries(counts).reduce((sum, [name, value]) => (name.endsWith(`.${counter}`) ? sum + value : sum), 0)
