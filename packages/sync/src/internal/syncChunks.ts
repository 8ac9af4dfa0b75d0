/**
 * Chunk builders of the sync engine: the rows to send to one target, cut into vendor jobs. An Ocamba chunk is an
 * import file written to disk as rows arrive (so a 50 MB file never sits in memory); a Copernica chunk is one
 * import's rows. Each chunk keeps its rows' keys and hashes in file order, which is how per-row results are matched
 * back to keys.
 *
 * @internal
 */
import { type FileHandle, open, rm } from "node:fs/promises"
import { join } from "node:path"
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import { importName } from "./syncDoubt.ts"
import { fileFailed, type SyncError } from "./syncError.ts"

/**
 * A row of a chunk: its key, the content hash sent, whether the target never confirmed it before, and (Copernica)
 * the JSON of the key field values the profile is matched on, kept as its vendor id so it can be deleted later.
 *
 * @internal
 */
export interface ChunkRow {
  readonly key: string
  readonly hash: string
  readonly created: boolean
  readonly identity?: string | undefined
}

/** @internal */
export interface OcambaChunk {
  readonly target: "ocamba"
  readonly number: number
  readonly rows: ReadonlyArray<ChunkRow>
  /** The import file; `undefined` in a dry run, which writes nothing. */
  readonly file: string | undefined
  readonly bytes: number
}

/** @internal */
export interface CopernicaChunk {
  readonly target: "copernica"
  readonly number: number
  readonly rows: ReadonlyArray<ChunkRow>
  readonly body: CopernicaClient.CreateImportRequest
  /** Each row as sent, for the dead letters of rows the import fails. */
  readonly payloads: ReadonlyArray<Readonly<Record<string, string>>>
}

/** @internal */
export type Chunk = OcambaChunk | CopernicaChunk

/**
 * The import file of an Ocamba chunk: named by run and chunk number, so a resumed job (which knows both from the
 * journal) finds the file of its predecessor's rows, for the payloads of rows that fail.
 *
 * @internal
 */
export const chunkFile = (directory: string, runId: string, chunk: number): string =>
  join(directory, `${runId}-ocamba-${chunk}.csv`)

/** @internal */
export const removeFile = (file: string | undefined): Effect.Effect<void> =>
  file === undefined ? Effect.void : Effect.promise(() => rm(file, { force: true }).catch(() => undefined))

/**
 * The most rows in one Ocamba import, whatever `maxFileBytes` allows: the journal keeps each job's keys in one
 * entry and the vendor answers the report in one response, so both stay a few megabytes.
 *
 * @internal
 */
export const maximumOcambaRows = 50_000

// Buffered import-file text written to disk once it reaches this size.
const ocambaWriteThreshold = 1024 * 1024

/** @internal */
export type AddResult = "Added" | "Full" | { readonly _tag: "TooLarge"; readonly bytes: number }

/** @internal */
export interface OcambaChunker {
  /** Adds a row to the current chunk; on `Full`, `seal` and add it again. */
  readonly add: (row: ChunkRow, profile: Mapping.CanonicalProfile) => AddResult
  /** Writes what is buffered once it is large. */
  readonly flush: Effect.Effect<void, SyncError>
  /** Ends the current chunk (`undefined` when it holds no row) and starts the next. */
  readonly seal: Effect.Effect<OcambaChunk | undefined, SyncError>
  /** Closes and removes an unsent chunk file (a run that stops before sending it); its rows, counted. */
  readonly discard: Effect.Effect<number>
  /** Values neutralised against spreadsheet formulas so far. */
  readonly neutralised: () => number
}

/**
 * An Ocamba chunk builder. `directory` is where import files go; `undefined` (a dry run) builds nothing but the
 * counts.
 *
 * @internal
 */
export const makeOcambaChunker = (options: {
  readonly mapper: Mapping.Mapper
  readonly directory: string | undefined
  readonly runId: string
}): OcambaChunker => {
  const file = Mapping.makeOcambaImportFile(options.mapper)
  let number = 1
  let rows: Array<ChunkRow> = []
  let texts: Array<string> = []
  let textLength = 0
  let handle: FileHandle | undefined
  const path = () => (options.directory === undefined ? undefined : chunkFile(options.directory, options.runId, number))

  const write = Effect.suspend(() => {
    const target = path()
    if (target === undefined || texts.length === 0) return Effect.void
    const text = texts.join("")
    texts = []
    textLength = 0
    return Effect.tryPromise({
      try: async () => {
        handle ??= await open(target, "w")
        await handle.write(text)
      },
      catch: fileFailed(target)
    })
  })

  const closeHandle = Effect.promise(async () => {
    const current = handle
    handle = undefined
    await current?.close().catch(() => undefined)
  })

  return {
    add: (row, profile) => {
      if (rows.length >= maximumOcambaRows) return "Full"
      const result = file.append(profile)
      switch (result._tag) {
        case "Appended":
          rows.push(row)
          if (options.directory !== undefined) {
            texts.push(result.text)
            textLength += result.text.length
          }
          return "Added"
        case "ChunkFull":
          return "Full"
        case "RowTooLarge":
          return { _tag: "TooLarge", bytes: result.bytes }
      }
    },
    flush: Effect.suspend(() => (textLength >= ocambaWriteThreshold ? write : Effect.void)),
    seal: Effect.gen(function* () {
      if (rows.length === 0) return undefined
      yield* write
      yield* closeHandle
      const chunk: OcambaChunk = { target: "ocamba", number, rows, file: path(), bytes: file.bytes }
      rows = []
      number++
      file.startChunk()
      return chunk
    }),
    discard: Effect.suspend(() => {
      const target = path()
      const discarded = rows.length
      rows = []
      texts = []
      textLength = 0
      return Effect.zipRight(closeHandle, removeFile(target)).pipe(Effect.as(discarded))
    }),
    neutralised: () => file.neutralised
  }
}

/** @internal */
export interface CopernicaChunker {
  readonly add: (row: ChunkRow, profile: Mapping.CanonicalProfile) => "Added" | "Full"
  /** Ends the current chunk (`undefined` when it holds no row) and starts the next. */
  readonly take: () => CopernicaChunk | undefined
  /** Values neutralised against spreadsheet formulas so far (CSV imports only). */
  readonly neutralised: () => number
}

/** A Copernica chunk builder; each chunk is one `POST /imports` body. @internal */
export const makeCopernicaChunker = (options: {
  readonly mapper: Mapping.Mapper
  readonly sync: string
  readonly runId: string
}): CopernicaChunker => {
  const target = options.mapper.config.targets.copernica
  if (target === undefined) throw new Error("the config has no copernica target")
  const source = Mapping.makeCopernicaSource(options.mapper)
  const keyFields = target.keyFields
  let number = 1
  let rows: Array<ChunkRow> = []
  // CSV chunks keep the rows as objects too, for payloads; JSON chunks already hold them as the import's source.
  let objects: Array<Readonly<Record<string, string>>> = []

  return {
    add: (row, profile) => {
      if (source.add(profile) === "ChunkFull") return "Full"
      rows.push(row)
      if (source.format === "csv") objects.push(source.toRow(profile))
      return "Added"
    },
    neutralised: () => source.neutralised,
    take: () => {
      const chunk = source.take()
      if (chunk === undefined) return undefined
      const payloads = chunk.format === "json" ? chunk.source : objects
      // A diff's import never holds every row, so `removeMissing` is never set (holdsEveryRow: false).
      const body = Mapping.createImportBody(chunk, {
        target,
        name: importName(options.sync, options.runId, number, rows)
      })
      const taken: CopernicaChunk = {
        target: "copernica",
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
  }
}
