/**
 * @module
 * What a simulated Copernica account holds: databases with their fields and profiles, and import jobs.
 *
 * Ids are account-wide counters like Copernica's own (a field id is unique across databases). Answers write every
 * number as a string; the state keeps real numbers and the handlers convert.
 */
import type { CopernicaDatabaseSeed, ResolvedSandboxOptions } from "../options.ts"
import type { RandomSource } from "../random.ts"
import { formatTimestamp } from "../time.ts"
import type { SourceRows } from "./import-source.ts"
import { type CopernicaProfile, CopernicaProfileStore } from "./profile-store.ts"

export type { CopernicaProfile } from "./profile-store.ts"

/**
 * A profile field of a database.
 *
 * @category Copernica
 * @since 0.0.0
 */
export interface CopernicaField {
  readonly ID: number
  readonly name: string
  readonly type: string
  readonly value: string
  readonly displayed: boolean
  readonly ordered: boolean
  readonly length: number
  readonly textlines: number
  readonly hidden: boolean
  readonly index: boolean
  readonly lock: boolean
}

/**
 * A database with its fields and live profiles; removed profiles are kept apart for inspection.
 *
 * @category Copernica
 * @since 0.0.0
 */
export interface CopernicaDatabase {
  readonly ID: number
  readonly name: string
  readonly description: string
  readonly archived: boolean
  readonly created: string
  readonly fields: Array<CopernicaField>
  /** Field defaults by field name, for new profiles. */
  readonly defaults: Map<string, string>
  readonly profiles: CopernicaProfileStore
  readonly removedProfiles: Array<CopernicaProfile & { readonly removed: string }>
}

/**
 * The import actions Copernica documents.
 *
 * @category Copernica
 * @since 0.0.0
 */
export type CopernicaImportAction = "add" | "update" | "update or add" | "ignore or add" | "delete"

/**
 * The status of an import job. Only `ready for start` is documented; the others are inferred.
 *
 * @category Copernica
 * @since 0.0.0
 */
export type CopernicaImportStatus = "ready for start" | "running" | "finished" | "failed"

/**
 * An import job and what it did.
 *
 * @category Copernica
 * @since 0.0.0
 */
export interface CopernicaImport {
  readonly ID: number
  readonly name: string
  readonly database: number
  readonly action: CopernicaImportAction
  readonly keyFields: ReadonlyArray<string>
  readonly ignoreEmptyFields: boolean
  readonly removeMissing: boolean
  readonly deleteTarget: "profile" | "subprofile"
  readonly followups: boolean
  readonly rebuild: boolean
  readonly autostart: boolean
  readonly location: string | undefined
  /**
   * The parsed rows, by column, or undefined for a `location` import (the sandbox fetches no URL). Storage: read them
   * as `rows`.
   *
   * @internal
   */
  readonly source: SourceRows | undefined
  /** The parsed rows as objects, built anew from `source` on every read. */
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>> | undefined
  status: CopernicaImportStatus
  totallines: number
  processedlines: number
  lastrun: string | false
  lasterror: string | false
  readonly created: string
  /** What processing did, for inspection: profiles created, updated, removed, rows skipped, columns ignored. */
  readonly outcome: {
    created: number
    updated: number
    removed: number
    skipped: number
    ignoredColumns: Array<string>
  }
}

/**
 * The state of one Copernica account.
 *
 * @category Copernica
 * @since 0.0.0
 */
export class CopernicaAccountState {
  readonly id: string
  readonly databases = new Map<number, CopernicaDatabase>()
  readonly imports = new Map<number, CopernicaImport>()
  readonly #identifiers: RandomSource
  #nextDatabaseId = 1
  #nextFieldId = 1
  #nextProfileId = 1
  #nextImportId = 1

  constructor(id: string, seeds: ReadonlyArray<CopernicaDatabaseSeed>, now: number, identifiers: RandomSource) {
    this.id = id
    this.#identifiers = identifiers
    for (const seed of seeds) {
      const database = this.createDatabase(seed.name, seed.description ?? "", now)
      for (const field of seed.fields) {
        this.addField(database, field)
      }
      for (const profile of seed.profiles ?? []) {
        this.createProfile(database, profile.fields, now)
      }
    }
  }

  createDatabase(name: string, description: string, now: number): CopernicaDatabase {
    const id = this.#nextDatabaseId++
    const database: CopernicaDatabase = {
      ID: id,
      name,
      description,
      archived: false,
      created: formatTimestamp(now),
      fields: [],
      defaults: new Map(),
      profiles: new CopernicaProfileStore(id),
      removedProfiles: []
    }
    this.databases.set(database.ID, database)
    return database
  }

  /** The database with this numeric id, or (when `byName`) with this exact name. */
  findDatabase(idOrName: string, byName: boolean): CopernicaDatabase | undefined {
    if (/^[0-9]+$/.test(idOrName)) {
      const found = this.databases.get(Number(idOrName))
      if (found !== undefined || !byName) {
        return found
      }
    }
    if (!byName) {
      return undefined
    }
    for (const database of this.databases.values()) {
      if (database.name === idOrName) {
        return database
      }
    }
    return undefined
  }

  addField(
    database: CopernicaDatabase,
    field: {
      readonly name: string
      readonly type?: string | undefined
      readonly value?: string | undefined
      readonly length?: number | undefined
      readonly textlines?: number | undefined
      readonly displayed?: boolean | undefined
      readonly ordered?: boolean | undefined
      readonly hidden?: boolean | undefined
      readonly index?: boolean | undefined
      readonly lock?: boolean | undefined
    }
  ): CopernicaField {
    const type = field.type ?? "text"
    const created: CopernicaField = {
      ID: this.#nextFieldId++,
      name: field.name,
      type,
      value: field.value ?? (type === "integer" || type === "float" ? "0" : ""),
      displayed: field.displayed ?? false,
      ordered: field.ordered ?? false,
      length: field.length ?? 50,
      textlines: field.textlines ?? 1,
      hidden: field.hidden ?? false,
      index: field.index ?? false,
      lock: field.lock ?? false
    }
    database.fields.push(created)
    database.defaults.set(created.name, created.value)
    // Existing profiles get the new field with its default, as a new column would.
    database.profiles.addField(created.name, created.value)
    return created
  }

  /** The field with this name, ignoring case (MySQL, behind Copernica, compares names that way). */
  findField(database: CopernicaDatabase, name: string): CopernicaField | undefined {
    const wanted = name.toLowerCase()
    return database.fields.find((field) => field.name.toLowerCase() === wanted)
  }

  /**
   * Creates a profile from the field defaults and `values`, whose names are matched to fields without regard to
   * case; names of no field are ignored. Returns its slot in the database's store.
   */
  createProfile(database: CopernicaDatabase, values: Readonly<Record<string, string>>, now: number): number {
    const stored: Record<string, string> = {}
    for (const name in values) {
      const field = database.defaults.has(name) ? name : this.findField(database, name)?.name
      if (field !== undefined) stored[field] = values[name]!
    }
    return this.createStoredProfile(database, stored, now)
  }

  /** Creates a profile from `values` already keyed by stored field names (import processing's fast path). */
  createStoredProfile(database: CopernicaDatabase, values: Readonly<Record<string, string>>, now: number): number {
    return database.profiles.create(
      this.#nextProfileId++,
      // Joined rather than replaced: `replaceAll` leaves a chain of concatenated strings, five times the size.
      this.#identifiers.uuid().split("-").join(""),
      values,
      database.defaults,
      now
    )
  }

  /** Removes the profile in `slot`, keeping a copy among the database's removed profiles. */
  removeProfile(database: CopernicaDatabase, slot: number, now: number): void {
    const profile = database.profiles.remove(slot)
    database.removedProfiles.push({ ...profile, removed: formatTimestamp(now) })
  }

  /**
   * Import ids count up from 1 per account, with no gaps. Our inference (Copernica documents no order; the examples
   * and every `X-Created` seen count up), and one core relies on to find an import whose answer was lost: marked as
   * `[inferred]` on `getImport` in `openapi/copernica-v3.yaml`.
   */
  nextImportId(): number {
    return this.#nextImportId++
  }

  toJSON(): object {
    return {
      id: this.id,
      databases: [...this.databases.values()].map(({ defaults: _defaults, ...database }) => ({
        ...database,
        profiles: [...database.profiles.values()]
      })),
      // Rows are left out (their count is given) without reading `rows`, which would unpack them.
      imports: [...this.imports.values()].map((job) => ({
        ...Object.fromEntries(
          Object.keys(job)
            .filter((key) => key !== "rows" && key !== "source")
            .map((key) => [key, job[key as keyof CopernicaImport]])
        ),
        rowCount: job.source?.length ?? 0
      }))
    }
  }
}

/**
 * Every simulated Copernica account, by account id.
 *
 * @category Copernica
 * @since 0.0.0
 */
export class CopernicaState {
  readonly accounts = new Map<string, CopernicaAccountState>()

  constructor(options: ResolvedSandboxOptions, identifiers: RandomSource) {
    const now = options.now()
    for (const account of options.copernica.accounts) {
      this.accounts.set(
        account.id,
        new CopernicaAccountState(account.id, options.copernica.databases, now, identifiers)
      )
    }
  }

  /** The state of one account; throws for an unknown id since that is a test's mistake. */
  account(id: string): CopernicaAccountState {
    const account = this.accounts.get(id)
    if (account === undefined) {
      throw new Error(`No Copernica account ${id} in the sandbox (accounts: ${[...this.accounts.keys()].join(", ")})`)
    }
    return account
  }

  toJSON(): object {
    return { accounts: Object.fromEntries([...this.accounts].map(([id, account]) => [id, account.toJSON()])) }
  }
}
