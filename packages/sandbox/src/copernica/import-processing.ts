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
import type { ImportFailureDecision } from "../faults/fault-injector.ts"
import { formatTimestamp } from "../time.ts"
import type { CopernicaAccountState, CopernicaDatabase, CopernicaImport } from "./state.ts"

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
    // Processing was the one hot reader of the rows; from now on only tests and dumps read them.
    job.source?.pack()
  }
  const database = account.databases.get(job.database)
  if (database === undefined) {
    finish("No database with supplied ID")
    return
  }
  const rows = job.source
  if (rows === undefined) {
    finish("The sandbox does not fetch import files from a location; send the rows in source instead")
    return
  }
  const columns: Array<ReadonlyArray<string>> = []
  const fieldNames: Array<string> = []
  // Columns are known from the rows: a source without rows has none.
  const sourceValues = rows.columns
  for (const [index, column] of (rows.length === 0 ? [] : rows.names).entries()) {
    const field = column.includes(".") ? undefined : account.findField(database, column)
    if (field === undefined) {
      job.outcome.ignoredColumns.push(column)
    } else {
      columns.push(sourceValues[index]!)
      fieldNames.push(field.name)
    }
  }
  const keyFields = job.keyFields
    .filter((key) => !key.includes("."))
    .map((key) => account.findField(database, key)?.name)
    .filter((name): name is string => name !== undefined)
  // Slots the job wrote or matched, kept only when the job removes the others.
  const touched = job.removeMissing && job.action !== "delete" ? new Set<number>() : undefined
  const failAt = failure === undefined ? rows.length : Math.floor(failure.failAfterShare * rows.length)
  // One values object for every row: the store copies what it keeps, so no row leaves an object behind.
  const values: Record<string, string> = {}

  for (let position = 0; position < rows.length; position++) {
    if (position >= failAt) {
      database.profiles.compactIfSparse()
      finish(`Import stopped at line ${position + 1} of ${rows.length} (sandbox fault injection)`)
      return
    }
    for (let index = 0; index < columns.length; index++) {
      values[fieldNames[index]!] = columns[index]![position] ?? ""
    }
    applyRow(account, database, job, values, keyFields, now, touched)
    job.processedlines++
  }
  if (touched !== undefined) {
    for (const slot of [...database.profiles.slots()]) {
      if (!touched.has(slot)) {
        account.removeProfile(database, slot, now)
        job.outcome.removed++
      }
    }
  }
  database.profiles.compactIfSparse()
  finish(undefined)
}

const applyRow = (
  account: CopernicaAccountState,
  database: CopernicaDatabase,
  job: CopernicaImport,
  values: Readonly<Record<string, string>>,
  keyFields: ReadonlyArray<string>,
  now: number,
  touched: Set<number> | undefined
): void => {
  const store = database.profiles
  // A copy: removing a profile changes the index's lists.
  const matches = [...store.matches(keyFields, values)]
  const update = (slot: number): void => {
    store.update(slot, values, job.ignoreEmptyFields, now)
    touched?.add(slot)
    job.outcome.updated++
  }
  const create = (): void => {
    const slot = account.createStoredProfile(database, values, now)
    touched?.add(slot)
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
        for (const slot of matches) {
          touched?.add(slot)
        }
        job.outcome.skipped++
      }
      return
    case "delete":
      if (job.deleteTarget === "subprofile" || matches.length === 0) {
        job.outcome.skipped++
        return
      }
      for (const slot of matches) {
        account.removeProfile(database, slot, now)
        job.outcome.removed++
      }
      return
  }
}
