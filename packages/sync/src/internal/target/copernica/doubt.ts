/**
 * Evidence about a Copernica import whose creation is in doubt: the answer to `POST /imports` was lost, or the
 * process stopped during it. Copernica lists no imports, and a repeat is a second import job whatever the action, so
 * the import is looked for instead: by its unique name among the ids after the highest one known before the attempt
 * (import ids are sequential per account: an inference, marked as one in the spec), and by reading the chunk's
 * profiles back. Only a scan that reached the end of the ids without finding the name proves that the attempt
 * created nothing; anything less keeps the chunk in doubt.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as SyncState from "../../../SyncState.ts"

/**
 * The name a chunk's import is given: sync, run, chunk number and a hash of the chunk's keys and content, so two
 * different chunks never share one and a resumed run derives it again from the journal.
 *
 * @internal
 */
export const importName = (
  sync: string,
  runId: string,
  chunk: number,
  rows: ReadonlyArray<SyncState.JobRow>
): string => {
  const digest = createHash("sha256")
  for (const row of rows) digest.update(`${row.key}\u0000${row.hash}\n`)
  return `profilesync ${sync} ${runId.slice(0, 8)} #${chunk} ${digest.digest("hex").slice(0, 12)}`
}

/** What a job records when it starts: enough for a later run to look for its import. @internal */
export interface StartNote {
  readonly importName: string
  /** The highest import id known before the attempt; the import, if created, has a higher one. */
  readonly afterImportId: number | null
}

/** @internal */
export const startNoteOf = (job: SyncState.Job): StartNote | undefined => {
  if (job.result._tag === "None") return undefined
  const note = job.result.value as Partial<StartNote> | null
  return typeof note?.importName === "string"
    ? { importName: note.importName, afterImportId: typeof note.afterImportId === "number" ? note.afterImportId : null }
    : undefined
}

/** Missing ids in a row after which no later import is taken to exist (an import may have been deleted). */
const missingInARow = 3

/** The most ids one scan reads: beyond that the scan is inconclusive (bounded cost on a busy account). */
const maximumProbes = 2000

type Probe = "Missing" | { readonly name: string } | "Unreadable"

const probe = (copernica: CopernicaClient.CopernicaClientService, id: number): Effect.Effect<Probe> =>
  Effect.either(copernica.getImport(String(id))).pipe(
    Effect.map(
      Either.match({
        onLeft: (error): Probe => (error.reason._tag === "NotFound" ? "Missing" : "Unreadable"),
        onRight: (record): Probe => ({ name: record.name })
      })
    )
  )

/**
 * The highest import id of the account, found by doubling from `from` (an id known to exist, or 0) until an id is
 * missing, then halving the gap; `undefined` when the vendor could not be read. About two reads per doubling.
 *
 * @internal
 */
export const highestImportId = (
  copernica: CopernicaClient.CopernicaClientService,
  from = 0
): Effect.Effect<number | undefined> =>
  Effect.gen(function* () {
    let low = from
    let step = 1
    let high = low + step
    for (;;) {
      const found = yield* probe(copernica, high)
      if (found === "Unreadable") return undefined
      if (found === "Missing") break
      low = high
      step *= 2
      high = low + step
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2)
      const found = yield* probe(copernica, middle)
      if (found === "Unreadable") return undefined
      if (found === "Missing") high = middle
      else low = middle
    }
    return low
  })

/**
 * What a scan for an import's name found: its id, proof that it does not exist (`Absent`: the ids ran out), or
 * nothing certain (`Unknown`: a read failed, or the scan hit its bound).
 *
 * @internal
 */
export type ScanResult =
  | { readonly _tag: "Found"; readonly importId: string }
  | { readonly _tag: "Absent"; readonly highest: number }
  | { readonly _tag: "Unknown"; readonly why: string }

/** @internal */
export const findImport = (
  copernica: CopernicaClient.CopernicaClientService,
  name: string,
  afterImportId: number | null
): Effect.Effect<ScanResult> =>
  Effect.gen(function* () {
    // Without a known floor (the ids could not be read before the attempt) the scan starts at the first id.
    const from = afterImportId ?? 0
    let missing = 0
    let highest = from
    for (let id = from + 1; id <= from + maximumProbes; id++) {
      const found = yield* probe(copernica, id)
      if (found === "Unreadable") return { _tag: "Unknown", why: `import ${id} could not be read` }
      if (found === "Missing") {
        missing++
        if (missing >= missingInARow) return { _tag: "Absent", highest }
        continue
      }
      missing = 0
      highest = id
      if (found.name === name) return { _tag: "Found", importId: String(id) }
    }
    return { _tag: "Unknown", why: `no end of the import ids within ${maximumProbes} after ${from}` }
  })

/**
 * Whether every row of a chunk already holds the values sent, read back one key at a time with a `fields[]` filter.
 * Every returned profile is checked field by field: the live API ignores a condition it cannot apply and answers
 * the list unfiltered, so a filter's result proves nothing by its count. `false` as soon as one row does not match
 * (or cannot be read), which proves nothing either way; only `true` is evidence (the rows are as the import would
 * leave them, so sending it again is pointless).
 *
 * @internal
 */
export const rowsHoldValues = (
  copernica: CopernicaClient.CopernicaClientService,
  database: string | number,
  keyField: string,
  payloads: ReadonlyArray<Readonly<Record<string, string>>>
): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    if (payloads.length === 0) return false
    for (const payload of payloads) {
      const key = payload[keyField]
      if (key === undefined || key === "") return false
      const page = yield* Effect.either(copernica.listProfiles(database, { "fields[]": [`${keyField}==${key}`] }))
      if (Either.isLeft(page)) return false
      if (!page.right.data.some((profile) => profileHolds(profile, payload))) return false
    }
    return true
  })

/** Whether a profile holds every value of `payload`, the key field included. @internal */
export const profileHolds = (profile: CopernicaClient.Profile, payload: Readonly<Record<string, string>>): boolean =>
  Object.entries(payload).every(([field, value]) => (profile.fields[field] ?? "") === value)

/**
 * The highest Copernica import id a run knows: looked up once, before the run's first import, then raised by every
 * id the vendor answers. Each import records it as its scan floor before it is sent.
 *
 * @internal
 */
export interface ImportIds {
  /** The highest id known now; `null` when the vendor's ids could not be read. */
  readonly floor: Effect.Effect<number | null>
  readonly note: (importId: string) => void
}

/** @internal */
export const makeImportIds = (copernica: CopernicaClient.CopernicaClientService): Effect.Effect<ImportIds> =>
  Effect.map(Effect.cached(highestImportId(copernica)), (lookUp) => {
    let highest: number | null | undefined
    return {
      floor: Effect.map(lookUp, (found) => {
        if (highest === undefined) highest = found ?? null
        return highest
      }),
      note: (importId) => {
        const id = Number(importId)
        if (highest !== undefined && Number.isSafeInteger(id) && id > (highest ?? 0)) highest = id
      }
    }
  })
