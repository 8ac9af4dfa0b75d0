/**
 * Copernica chunks: one `POST /imports` body each (CSV or JSON rows), named uniquely so an import in doubt can be
 * looked for, with each row as sent for the dead letters of rows the import fails.
 *
 * A field's own `emptyValues` that differs from the target's cannot be said to Copernica, whose `ignoreEmptyFields`
 * is per import and whose rows must all hold the same fields. So, when fields disagree, every import is sent with
 * `ignoreEmptyFields: false` and without the columns of the `skip` fields that are empty in its rows: an empty
 * `clear` field is sent empty (Copernica blanks it), an empty `skip` field is not sent (Copernica keeps its value).
 * Rows are grouped by which `skip` fields they leave out; a row of another group than the chunk's seals the chunk,
 * so a source whose `skip` fields are empty here and there makes more, smaller imports.
 *
 * @internal
 */
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import type * as SyncConfig from "../../../SyncConfig.ts"
import type * as SyncState from "../../../SyncState.ts"
import type { SyncError } from "../../syncError.ts"
import type { Chunk, Chunker, ChunkRow } from "../Target.ts"
import { importName } from "./doubt.ts"

/** A sealed Copernica chunk. @internal */
export interface CopernicaChunk {
  readonly number: number
  readonly rows: ReadonlyArray<ChunkRow>
  readonly body: CopernicaClient.CreateImportRequest
  /** Each row as sent, for the dead letters of rows the import fails. */
  readonly payloads: ReadonlyArray<Readonly<Record<string, string>>>
}

/** A Copernica chunk builder; `send` is what a sealed chunk's `send` does. @internal */
export const makeCopernicaChunker = (options: {
  readonly mapper: Mapping.Mapper
  readonly target: SyncConfig.CopernicaTarget
  readonly sync: string
  readonly runId: string
  readonly send: (job: SyncState.Job, chunk: CopernicaChunk) => Effect.Effect<void, SyncError>
}): Chunker => {
  const target = options.target
  const keyFields = target.keyFields
  const groups = emptyValueGroups(options.mapper, target)
  // Every field's own `emptyValues` the same: the import's `ignoreEmptyFields` says it.
  const uniform = Object.values(target.fields).map((mapping) => mapping.emptyValues)
  const ignoreEmptyFields =
    groups !== undefined
      ? false
      : uniform.length > 0 && uniform[0] !== undefined && uniform.every((policy) => policy === uniform[0])
        ? uniform[0] === "skip"
        : target.ignoreEmptyFields
  let source = groups === undefined ? Mapping.makeCopernicaSource(options.mapper) : groups.sourceFor("")
  let group = ""
  let number = 1
  let rows: Array<ChunkRow> = []
  // CSV chunks keep the rows as objects too, for payloads; JSON chunks already hold them as the import's source.
  let objects: Array<Readonly<Record<string, string>>> = []

  const take = (): CopernicaChunk | undefined => {
    const chunk = source.take()
    if (chunk === undefined) return undefined
    const payloads = chunk.format === "json" ? chunk.source : objects
    // A diff's import never holds every row, so `removeMissing` is never set (holdsEveryRow: false).
    const body = Mapping.createImportBody(chunk, {
      // Grouped imports leave the empty `skip` fields out; every value they hold is meant, empty or not.
      target: ignoreEmptyFields === target.ignoreEmptyFields ? target : { ...target, ignoreEmptyFields },
      name: importName(options.sync, options.runId, number, rows)
    })
    const taken: CopernicaChunk = {
      number,
      rows: rows.map((row, index) => {
        const payload = payloads[index] ?? {}
        const identity: Record<string, string> = {}
        for (const field of keyFields) identity[field] = payload[field] ?? ""
        return { ...row, identity: JSON.stringify(identity) }
      }),
      body,
      payloads
    }
    rows = []
    objects = []
    number++
    return taken
  }

  return {
    add: (row, profile) => {
      if (groups !== undefined) {
        const wanted = groups.groupOf(profile)
        if (wanted !== group) {
          if (rows.length > 0) return "Full"
          source = groups.sourceFor(wanted)
          group = wanted
        }
      }
      if (source.add(profile) === "ChunkFull") return "Full"
      rows.push(row)
      if (source.format === "csv") objects.push(source.toRow(profile))
      return "Added"
    },
    flush: Effect.void,
    seal: Effect.sync(() => {
      const chunk = take()
      if (chunk === undefined) return undefined
      const sealed: Chunk = {
        number: chunk.number,
        rows: chunk.rows,
        send: (job) => options.send(job, chunk),
        drop: Effect.void
      }
      return sealed
    }),
    discard: Effect.sync(() => take()?.rows.length ?? 0),
    // Each group's source counts its own.
    neutralised: () => (groups === undefined ? source.neutralised : groups.neutralised())
  }
}

/**
 * When the target's fields disagree on `emptyValues`: the group of a profile (the `skip` fields it leaves out, as a
 * key) and a Copernica source without those columns for each group. `undefined` when they all agree: then the
 * import's `ignoreEmptyFields` says it for every field.
 */
const emptyValueGroups = (mapper: Mapping.Mapper, target: SyncConfig.CopernicaTarget) => {
  const targetPolicy = target.ignoreEmptyFields ? "skip" : "clear"
  const policies = Object.entries(target.fields).map(([name, mapping]) => ({
    name,
    column: mapping.field ?? name,
    policy: mapping.emptyValues ?? targetPolicy
  }))
  // All agree (with the target, or with each other against it): the import's one setting says it for every field.
  if (policies.every((field) => field.policy === (policies[0]?.policy ?? targetPolicy))) return undefined
  // Key fields always go: Copernica matches profiles on them.
  const skipped = policies.filter((field) => field.policy === "skip" && !target.keyFields.includes(field.column))
  const full = Mapping.makeCopernicaSource(mapper)
  const sources = new Map<string, Mapping.CopernicaSource>()
  return {
    groupOf: (profile: Mapping.CanonicalProfile): string => {
      const row = full.toRow(profile)
      return skipped
        .filter((field) => (row[field.column] ?? "") === "")
        .map((field) => field.name)
        .join(",")
    },
    sourceFor: (key: string): Mapping.CopernicaSource => {
      const existing = sources.get(key)
      if (existing !== undefined) return existing
      const leftOut = new Set(key === "" ? [] : key.split(","))
      const fields = Object.fromEntries(Object.entries(target.fields).filter(([name]) => !leftOut.has(name)))
      const config = mapper.config
      const narrowed = Mapping.makeMapper({
        ...config,
        targets: { ...config.targets, copernica: { ...target, fields } }
      })
      const made = Mapping.makeCopernicaSource(narrowed)
      sources.set(key, made)
      return made
    },
    neutralised: () => [...sources.values()].reduce((sum, made) => sum + made.neutralised, 0)
  }
}
