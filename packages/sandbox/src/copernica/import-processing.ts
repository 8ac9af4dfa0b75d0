/**
 * @module
 * Processing of a Copernica import job, honouring `action`, `keyFields`, `ignoreEmptyFields`, `removeMissing` and
 * `deleteTarget`.
 *
 * Rules the documentation leaves open, decided here:
 * - Key fields match without regard to case and surrounding spaces, as MySQL's default collation (behind Copernica)
 *   compares text. All profile key fields must match; a row with an empty key value matches nothing.
 * - `update` and `update or add` update every matching profile; `ignore or add` leaves matches alone.
 * - Columns that name no field of the database are ignored; so are subprofile columns (`Collection.Field`): the
 *   sandbox simulates no collections. Both are listed in the job's `outcome.ignoredColumns` (state dump only).
 * - `removeMissing` removes the database's profiles that no row matched or created.
 */
import { copernicaIdentity } from "@profilesync/contracts"
import type { ImportFailureDecision } from "../faults/fault-injector.ts"
import { formatTimestamp } from "../time.ts"
import type { CopernicaAccountState, CopernicaDatabase, CopernicaImport, CopernicaProfile } from "./state.ts"

/**
 * Runs a started import job to its end (`finished`, or `failed` with `lasterror`).
 *
 * @category Copernica
 * @since 0.0.0
 */
export const processCopernicaImport = (
  account: CopernicaAccountState,
  job: CopernicaImport,
  now: number,
  failure: ImportFailureDecision | undefined
): void => {
  const timestamp = formatTimestamp(now)
  const finish = (error: string | undefined): void => {
    job.lastrun = timestamp
    job.lasterror = error ?? false
    job.status = error === undefined ? "finished" : "failed"
  }
  const database = account.databases.get(job.database)
  if (database === undefined) {
    finish("No database with supplied ID")
    return
  }
  if (job.rows === undefined) {
    finish("The sandbox does not fetch import files from a location; send the rows in source instead")
    return
  }
  const rows = job.rows
  const columnFields = new Map<string, string>()
  for (const column of Object.keys(rows[0] ?? {})) {
    const field = column.includes(".") ? undefined : account.findField(database, column)
    if (field === undefined) {
      job.outcome.ignoredColumns.push(column)
    } else {
      columnFields.set(column, field.name)
    }
  }
  const keyFields = job.keyFields
    .filter((key) => !key.includes("."))
    .map((key) => account.findField(database, key)?.name)
    .filter((name): name is string => name !== undefined)
  const touched = new Set<number>()
  const index = new KeyIndex(database, keyFields)
  const failAt = failure === undefined ? rows.length : Math.floor(failure.failAfterShare * rows.length)

  for (const [position, row] of rows.entries()) {
    if (position >= failAt) {
      finish(`Import stopped at line ${position + 1} of ${rows.length} (sandbox fault injection)`)
      return
    }
    const values: Record<string, string> = {}
    for (const [column, fieldName] of columnFields) {
      values[fieldName] = row[column] ?? ""
    }
    applyRow(account, database, job, values, index, now, touched)
    job.processedlines++
  }
  if (job.removeMissing && job.action !== "delete") {
    for (const profile of [...database.profiles.values()]) {
      if (!touched.has(profile.ID)) {
        account.removeProfile(database, profile, now)
        job.outcome.removed++
      }
    }
  }
  finish(undefined)
}

/**
 * Profiles by the normalised values of the key fields, so each row finds its matches without scanning the database
 * (benchmarks import hundreds of thousands of rows). Kept current as rows create and remove profiles; an update never
 * changes a profile's key, since it matched on it.
 */
class KeyIndex {
  readonly #keyFields: ReadonlyArray<string>
  readonly #profiles = new Map<string, Array<CopernicaProfile>>()

  constructor(database: CopernicaDatabase, keyFields: ReadonlyArray<string>) {
    this.#keyFields = keyFields
    if (keyFields.length > 0) {
      for (const profile of database.profiles.values()) {
        this.add(profile)
      }
    }
  }

  /** The key of a set of values, or undefined when a key field is empty (such a row matches nothing). */
  keyOf(values: Readonly<Record<string, string>>): string | undefined {
    if (this.#keyFields.length === 0) {
      return undefined
    }
    if (this.#keyFields.some((field) => (values[field] ?? "").trim() === "")) {
      return undefined
    }
    return copernicaIdentity(values, this.#keyFields)
  }

  matches(values: Readonly<Record<string, string>>): ReadonlyArray<CopernicaProfile> {
    const key = this.keyOf(values)
    return key === undefined ? [] : [...(this.#profiles.get(key) ?? [])]
  }

  add(profile: CopernicaProfile): void {
    const key = this.keyOf(profile.fields)
    if (key !== undefined) {
      const list = this.#profiles.get(key)
      if (list === undefined) {
        this.#profiles.set(key, [profile])
      } else {
        list.push(profile)
      }
    }
  }

  remove(profile: CopernicaProfile): void {
    const key = this.keyOf(profile.fields)
    const list = key === undefined ? undefined : this.#profiles.get(key)
    if (key !== undefined && list !== undefined) {
      const remaining = list.filter((candidate) => candidate.ID !== profile.ID)
      if (remaining.length === 0) {
        this.#profiles.delete(key)
      } else {
        this.#profiles.set(key, remaining)
      }
    }
  }
}

const applyRow = (
  account: CopernicaAccountState,
  database: CopernicaDatabase,
  job: CopernicaImport,
  values: Readonly<Record<string, string>>,
  index: KeyIndex,
  now: number,
  touched: Set<number>
): void => {
  const matches = index.matches(values)
  const update = (profile: CopernicaProfile): void => {
    for (const [name, value] of Object.entries(values)) {
      if (!(job.ignoreEmptyFields && value === "")) {
        profile.fields[name] = value
      }
    }
    profile.modified = formatTimestamp(now)
    touched.add(profile.ID)
    job.outcome.updated++
  }
  const create = (): void => {
    const profile = account.createProfile(database, values, now)
    index.add(profile)
    touched.add(profile.ID)
    job.outcome.created++
  }
  switch (job.action) {
    case "add":
      create()
      return
    case "update":
      if (matches.length === 0) {
        job.outcome.skipped++
      }
      matches.forEach(update)
      return
    case "update or add":
      if (matches.length === 0) {
        create()
      } else {
        matches.forEach(update)
      }
      return
    case "ignore or add":
      if (matches.length === 0) {
        create()
      } else {
        for (const profile of matches) {
          touched.add(profile.ID)
        }
        job.outcome.skipped++
      }
      return
    case "delete":
      if (job.deleteTarget === "subprofile" || matches.length === 0) {
        job.outcome.skipped++
        return
      }
      for (const profile of matches) {
        index.remove(profile)
        account.removeProfile(database, profile, now)
        job.outcome.removed++
      }
      return
  }
}
