/**
 * Isolating the rows an Ocamba import refused when its report names none of them. The vendor documents report rows
 * with `event_date`, `event_time`, `profile_id`, `code: "SUCCESS"` and `update_time` only: a refused row is known by
 * its absence, and a `profile_id` (the vendor's id) cannot be tied back to a row of the file from anything the
 * vendor documents. So the chunk's rows are bisected: part of them is imported again, alone, and the count of its
 * successes says how many of the refused rows it holds; the rest's count follows from the chunk's.
 *
 * @internal
 */
import { openAsBlob } from "node:fs"
import { open } from "node:fs/promises"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { throughBreaker } from "../job.ts"
import { type OcambaEnv, pollImport } from "./poll.ts"

/**
 * At most this many extra imports isolate one chunk's refused rows. One refused row among n takes about log2(n)
 * imports (16 for 50,000 rows), each an upload, a commit, a few polls and a report; rows still undecided at the limit
 * are left unconfirmed and sent again next run, where isolation goes on among them alone.
 *
 * @internal
 */
export const isolationImportLimit = 24

/** What became of a chunk's rows, by position (0-based data row of the import file). @internal */
export interface ChunkOutcome {
  readonly confirmed: Array<{ readonly position: number; readonly vendorId: string | undefined }>
  readonly refused: Array<{ readonly position: number; readonly reason: string }>
  /** Rows the vendor may or may not have imported: left unconfirmed, without counting an attempt. */
  readonly unresolved: Array<number>
  readonly isolation?: Isolation | undefined
}

/** What isolating a chunk's refused rows cost and found. @internal */
export interface Isolation {
  /** The ids of the extra imports, in order. */
  readonly imports: ReadonlyArray<string>
  /** Rows sent again in them (each an upsert of the values already sent). */
  readonly rowsSent: number
  readonly imported: number
  readonly refused: number
  /** Whether {@link isolationImportLimit} stopped it with rows undecided. */
  readonly exhausted: boolean
  /** Why isolation could not start or go on, when it could not. */
  readonly problem?: string | undefined
}

/** An outcome with no rows placed yet. @internal */
export const emptyOutcome = (): {
  confirmed: ChunkOutcome["confirmed"]
  refused: ChunkOutcome["refused"]
  unresolved: Array<number>
} => ({ confirmed: [], refused: [], unresolved: [] })

/** The note a run report carries about an isolation. @internal */
export const describeIsolation = (importId: string, rows: number, isolation: Isolation): string =>
  [
    `Ocamba import ${importId} imported ${isolation.imported} of ${rows} rows and its report names no rows`,
    isolation.problem === undefined
      ? `${isolation.imports.length} smaller import(s) re-sent ${isolation.rowsSent} row(s) (an upsert of the values already sent) and isolated ${isolation.refused} refused row(s)`
      : isolation.problem,
    ...(isolation.exhausted
      ? [`the limit of ${isolationImportLimit} imports per chunk left rows undecided; they are sent again next run`]
      : [])
  ].join("; ")

/**
 * The byte offsets of an import file's rows: `ends[0]` is where the header ends, `ends[i]` where data row `i` ends.
 * The file is the sync's own RFC 4180 output: a line feed outside quotes ends a record.
 */
const recordEnds = (file: string): Promise<Array<number>> =>
  open(file, "r").then(async (handle) => {
    try {
      const ends: Array<number> = []
      let quoted = false
      let offset = 0
      for await (const piece of handle.createReadStream({ autoClose: false })) {
        const bytes = piece as Buffer
        for (let index = 0; index < bytes.length; index++) {
          const byte = bytes[index]
          if (byte === 0x22) quoted = !quoted
          else if (byte === 0x0a && !quoted) ends.push(offset + index + 1)
        }
        offset += bytes.length
      }
      return ends
    } finally {
      await handle.close()
    }
  })

/** A group of rows `[from, to)` of which `refused` were refused. */
interface Group {
  readonly from: number
  readonly to: number
  readonly refused: number
}

/**
 * Decides which of a `finished` import's rows it refused, when its report lists `imported` successes without saying
 * which rows they are.
 *
 * **Details**
 *
 * A group of rows with a known number of refused rows is confirmed when that number is 0, refused whole when it is
 * the group's size, and otherwise split: its first half is imported again alone, and the successes of that import
 * give the half's refused rows; the second half's are the group's minus those, so the second half is never sent
 * again. A row that succeeded may be sent again (in a first half): that is an upsert of the values already sent, the
 * only honest way to learn which rows failed. It rests on a refusal being the row's own (its values), as the only
 * documented refusal is ("At least one of email or mobile_phone_number is required"); counts that contradict it, a
 * smaller import that fails or cannot be seen through, or the limit of {@link isolationImportLimit} imports leave
 * the rows concerned unresolved: they are sent again next run. A crash part way leaves the chunk's job in the
 * journal; the next run isolates again from the start (the same upserts again, nothing lost).
 *
 * @internal
 */
export const isolateRefusedRows = (
  env: OcambaEnv,
  options: {
    readonly importId: string
    readonly file: string | undefined
    readonly rows: number
    readonly imported: number
  }
): Effect.Effect<ChunkOutcome> =>
  Effect.gen(function* () {
    const { file, importId, imported, rows } = options
    const outcome = emptyOutcome()
    const imports: Array<string> = []
    let rowsSent = 0
    let exhausted = false
    const summary = (problem?: string): ChunkOutcome => ({
      ...outcome,
      isolation: {
        imports,
        rowsSent,
        imported,
        refused: outcome.refused.length,
        exhausted,
        problem
      }
    })
    const unresolvedAll = (problem: string) => {
      for (let position = 0; position < rows; position++) outcome.unresolved.push(position)
      return summary(problem)
    }
    if (imported > rows) return unresolvedAll(`more successes than rows: which rows they are is not known`)
    if (file === undefined) return unresolvedAll("its import file is gone, so its rows cannot be sent apart")
    const ends = yield* Effect.promise(() => recordEnds(file).catch(() => [] as Array<number>))
    if (ends.length !== rows + 1) {
      return unresolvedAll(`its import file no longer holds its ${rows} rows, so they cannot be sent apart`)
    }
    const whole = yield* Effect.promise(() => openAsBlob(file, { type: "text/csv" }))

    // The number of successes of a new import of rows [from, to), or undefined when it cannot be known.
    const importSuccesses = (from: number, to: number): Effect.Effect<number | undefined> =>
      Effect.gen(function* () {
        const contents = new Blob([whole.slice(0, ends[0]), whole.slice(ends[from], ends[to])], { type: "text/csv" })
        const upload = yield* Effect.either(
          throughBreaker(
            env.context,
            env.client.uploadImport({
              contents,
              fileName: `profilesync-${env.context.config.name}-${importId}-${from}-${to}.csv`
            })
          )
        )
        if (Either.isLeft(upload)) return undefined
        imports.push(upload.right.id)
        rowsSent += to - from
        const polled = yield* pollImport(env, upload.right.id)
        if (polled._tag !== "Done" || polled.record.status !== "finished") return undefined
        const report = yield* Effect.either(env.client.importReport(upload.right.id))
        if (Either.isLeft(report)) return undefined
        return report.right.filter((entry) => entry.code === "SUCCESS").length
      })

    const refused: Array<number> = []
    const refuse = (group: Group) => {
      for (let position = group.from; position < group.to; position++) refused.push(position)
    }
    const confirm = (group: Group) => {
      for (let position = group.from; position < group.to; position++) {
        outcome.confirmed.push({ position, vendorId: undefined })
      }
    }
    const leave = (group: Group) => {
      for (let position = group.from; position < group.to; position++) outcome.unresolved.push(position)
    }
    const work: Array<Group> = [{ from: 0, to: rows, refused: rows - imported }]
    while (work.length > 0) {
      const group = work.pop()!
      const size = group.to - group.from
      if (group.refused === 0) confirm(group)
      else if (group.refused === size) refuse(group)
      else if (imports.length >= isolationImportLimit) {
        exhausted = true
        leave(group)
      } else {
        const middle = group.from + Math.floor(size / 2)
        const successes = yield* importSuccesses(group.from, middle)
        const first = successes === undefined ? undefined : middle - group.from - successes
        const second = first === undefined ? undefined : group.refused - first
        if (first === undefined || second === undefined || first < 0 || second < 0 || second > group.to - middle) {
          leave(group)
          continue
        }
        work.push({ from: middle, to: group.to, refused: second }, { from: group.from, to: middle, refused: first })
      }
    }
    const reason = `Ocamba did not import this row (its report lists only the rows it imported; imports of parts of the chunk, ${imports.join(", ")}, isolated it)`
    for (const position of refused) outcome.refused.push({ position, reason })
    return summary()
  })
