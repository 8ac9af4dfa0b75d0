/**
 * Copernica chunks: one `POST /imports` body each (CSV or JSON rows), named uniquely so an import in doubt can be
 * looked for, with each row as sent for the dead letters of rows the import fails.
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
  const source = Mapping.makeCopernicaSource(options.mapper)
  const keyFields = target.keyFields
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
      target,
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
    neutralised: () => source.neutralised
  }
}
