/**
 * Test support for the source tests: input files written to a temporary directory (removed after the test file), and
 * helpers that collect a source's stream and split it into rows and rejections.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Source from "../../src/Source.ts"

const directory = mkdtempSync(join(tmpdir(), "profilesync-source-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

let fileCounter = 0
/** Writes `content` to a new file of the temporary directory and returns its path. */
export const file = (content: string | Buffer, extension = "csv"): string => {
  const path = join(directory, `input-${++fileCounter}.${extension}`)
  writeFileSync(path, content)
  return path
}

/** A path in the temporary directory, for a file that does not exist. */
export const missingFile = (name: string): string => join(directory, name)

/** Every item of one read of `source`. */
export const collect = (source: Source.Source) => Effect.map(Stream.runCollect(source.rows), Chunk.toReadonlyArray)

export const rowsOf = (items: ReadonlyArray<Source.SourceItem>): ReadonlyArray<Source.SourceRow> =>
  items.filter((item): item is Source.SourceRow => item._tag === "SourceRow")

export const rejectionsOf = (items: ReadonlyArray<Source.SourceItem>): ReadonlyArray<Source.SourceRowRejected> =>
  items.filter(Source.isRejected)

/** The error a read of `source` fails with (the test fails if it succeeds). */
export const failure = (source: Source.Source) => Effect.flip(collect(source))

export const reasonTag = (item: Source.SourceItem): string | undefined =>
  Source.isRejected(item) ? item.reason._tag : undefined
