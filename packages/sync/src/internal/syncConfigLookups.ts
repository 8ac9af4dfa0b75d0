/**
 * The lookup tables of `SyncConfig.ts`: reads each field's `{ lookup: { file } }` CSV (resolved against the config
 * file's directory) when the config is loaded, and hands core the table as data (`lookup.values`), so mapping never
 * touches the file system. Each problem names the file, the row and the YAML path of the `file` setting.
 *
 * @internal
 */
import * as FileSystem from "node:fs/promises"
import * as Path from "node:path"
import type * as MappingConfig from "@profilesync/core/MappingConfig"
import { parse as parseCsv } from "csv-parse/sync"
import * as Effect from "effect/Effect"
import type * as SyncConfigModule from "../SyncConfig.ts"
import type { PathIssue } from "./syncConfigIssues.ts"

/** Far more than a code table needs; a bigger file is a mistake (a whole export), not a lookup table. */
const maximumTableBytes = 10_000_000

const describeReadError = (error: unknown): string => {
  const code = (error as { code?: unknown }).code
  return code === "ENOENT"
    ? "the file does not exist"
    : code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EISDIR"
        ? "it is a directory"
        : typeof code === "string"
          ? code
          : "it could not be read"
}

/**
 * Parses a lookup table: a header row, then rows of exactly two cells, `from` and `to`, each `from` once. Returns
 * the table or the problem, naming the row (the header is row 1).
 *
 * @internal
 */
export const parseLookupTable = (text: string): Record<string, string> | string => {
  let records: Array<Array<string>>
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true })
  } catch (error) {
    return String((error as Error).message)
  }
  if (records.length === 0) return "is empty: a lookup table has a header row (from,to) and then its rows"
  const table: Record<string, string> = Object.create(null)
  const rowOf = new Map<string, number>()
  for (let index = 1; index < records.length; index++) {
    const record = records[index]!
    const row = index + 1
    if (record.length !== 2) return `row ${row} has ${record.length} cells; a lookup table has two (from,to)`
    const [from, to] = record as [string, string]
    const previous = rowOf.get(from)
    if (previous !== undefined) return `row ${row} repeats \`${from}\`, which row ${previous} has already`
    rowOf.set(from, row)
    table[from] = to
  }
  return table
}

const loadTable = (
  file: string,
  baseDirectory: string,
  path: ReadonlyArray<PropertyKey>
): Effect.Effect<Record<string, string>, PathIssue> => {
  const absolute = Path.resolve(baseDirectory, file)
  const issue = (detail: string): PathIssue => ({ path, atKey: false, message: `lookup table ${absolute}: ${detail}` })
  return Effect.tryPromise({
    try: async () => {
      const stat = await FileSystem.stat(absolute)
      if (stat.size > maximumTableBytes) return { tooLarge: stat.size } as const
      return { text: await FileSystem.readFile(absolute, "utf8") } as const
    },
    catch: (error) => issue(describeReadError(error))
  }).pipe(
    Effect.flatMap((read) => {
      if ("tooLarge" in read)
        return Effect.fail(issue(`${read.tooLarge} bytes is more than a lookup table may hold (${maximumTableBytes})`))
      const table = parseLookupTable(read.text)
      return typeof table === "string" ? Effect.fail(issue(table)) : Effect.succeed(table)
    })
  )
}

/**
 * Reads every lookup table a config's fields name into `lookup.values`; fails with every problem at once.
 *
 * @internal
 */
export const loadLookupTables = (
  config: SyncConfigModule.SyncConfig,
  baseDirectory: string
): Effect.Effect<SyncConfigModule.SyncConfig, ReadonlyArray<PathIssue>> =>
  Effect.gen(function* () {
    const issues: Array<PathIssue> = []
    const fields: Record<string, SyncConfigModule.Field> = {}
    for (const [name, field] of Object.entries(config.fields)) {
      if (field.transforms === undefined || !field.transforms.some((transform) => typeof transform !== "string")) {
        fields[name] = field
        continue
      }
      const transforms: Array<MappingConfig.Transform> = []
      for (const [index, transform] of field.transforms.entries()) {
        if (typeof transform === "string" || transform.lookup.file === undefined) {
          transforms.push(transform)
          continue
        }
        const path = ["fields", name, "transforms", index, "lookup"]
        if (transform.lookup.values !== undefined) {
          issues.push({ path, atKey: false, message: "give the table as `file` or as `values`, not both" })
          continue
        }
        const loaded = yield* Effect.either(loadTable(transform.lookup.file, baseDirectory, [...path, "file"]))
        if (loaded._tag === "Left") issues.push(loaded.left)
        else transforms.push({ lookup: { ...transform.lookup, values: loaded.right } })
      }
      fields[name] = { ...field, transforms }
    }
    return issues.length > 0 ? yield* Effect.fail(issues) : { ...config, fields }
  })
