/**
 * Ocamba chunks: an import file written to disk as rows arrive (so a 50 MB file never sits in memory), with its
 * rows' keys and hashes in file order, which is how the import's per-row report is matched back to keys.
 *
 * @internal
 */
import { type FileHandle, open } from "node:fs/promises"
import { join } from "node:path"
import * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import type * as SyncState from "../../../SyncState.ts"
import { fileFailed, type SyncError } from "../../syncError.ts"
import { removeFile } from "../job.ts"
import type { Chunk, Chunker, ChunkRow } from "../Target.ts"

/** A sealed Ocamba chunk. @internal */
export interface OcambaChunk {
  readonly number: number
  readonly rows: ReadonlyArray<ChunkRow>
  /** The import file; `undefined` in a dry run, which writes nothing. */
  readonly file: string | undefined
  readonly bytes: number
}

/**
 * The import file of an Ocamba chunk: named by run and chunk number, so a resumed job (which knows both from the
 * journal) finds the file of its predecessor's rows, for the payloads of rows that fail.
 *
 * @internal
 */
export const chunkFile = (directory: string, runId: string, chunk: number): string =>
  join(directory, `${runId}-ocamba-${chunk}.csv`)

/** Whether a file name is an Ocamba chunk file (see {@link chunkFile}). @internal */
export const isChunkFile = (name: string): boolean => /-ocamba-\d+\.csv$/.test(name)

/**
 * The most rows in one Ocamba import, whatever `maxFileBytes` allows: the journal keeps each job's keys in one
 * entry and the vendor answers the report in one response, so both stay a few megabytes.
 *
 * @internal
 */
export const maximumOcambaRows = 50_000

// Buffered import-file text written to disk once it reaches this size.
const ocambaWriteThreshold = 1024 * 1024

/**
 * An Ocamba chunk builder. `directory` is where import files go; `undefined` (a dry run) builds nothing but the
 * counts. `send` is what a sealed chunk's `send` does.
 *
 * @internal
 */
export const makeOcambaChunker = (options: {
  readonly mapper: Mapping.Mapper
  readonly directory: string | undefined
  readonly runId: string
  readonly maxFileBytes: number
  readonly send: (job: SyncState.Job, chunk: OcambaChunk) => Effect.Effect<void, SyncError>
}): Chunker => {
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
          return {
            _tag: "TooLarge",
            summary: "row too large for an Ocamba import file",
            reason: `the row needs ${result.bytes} bytes in an Ocamba import file, over maxFileBytes (${options.maxFileBytes})`
          }
      }
    },
    flush: Effect.suspend(() => (textLength >= ocambaWriteThreshold ? write : Effect.void)),
    seal: Effect.gen(function* () {
      if (rows.length === 0) return undefined
      yield* write
      yield* closeHandle
      const chunk: OcambaChunk = { number, rows, file: path(), bytes: file.bytes }
      rows = []
      number++
      file.startChunk()
      const sealed: Chunk = {
        number: chunk.number,
        rows: chunk.rows,
        send: (job) => options.send(job, chunk),
        drop: removeFile(chunk.file)
      }
      return sealed
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
