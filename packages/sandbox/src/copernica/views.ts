/**
 * @module
 * Copernica's wire shapes: every id, length and line count as a string, booleans as booleans.
 */
import type { CopernicaDatabase, CopernicaField, CopernicaImport, CopernicaProfile } from "./state.ts"

/**
 * A field as the API returns it.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const fieldView = (field: CopernicaField): object => ({
  ID: String(field.ID),
  name: field.name,
  type: field.type,
  value: field.value,
  displayed: field.displayed,
  ordered: field.ordered,
  length: String(field.length),
  textlines: String(field.textlines),
  hidden: field.hidden,
  index: field.index
})

const wrapper = <Item>(data: Array<Item>, limit: number) => ({
  start: 0,
  limit,
  count: data.length,
  data,
  total: data.length
})

/**
 * A database as `GET /databases` returns it, with fields, interests and collections as paging wrappers.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const databaseView = (database: CopernicaDatabase): object => ({
  ID: String(database.ID),
  name: database.name,
  description: database.description,
  archived: database.archived,
  created: database.created,
  fields: wrapper(database.fields.map(fieldView), 1000),
  interests: wrapper([], 1000),
  collections: wrapper([], 1000),
  intentions: { email: false, sms: false, fax: false, pdf: false }
})

/**
 * A profile; with `dataOnly` only `ID`, `fields`, `interests` and `modified`.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const profileView = (profile: CopernicaProfile, dataOnly: boolean): object =>
  dataOnly
    ? {
        ID: String(profile.ID),
        fields: { ...profile.fields },
        interests: [...profile.interests],
        modified: profile.modified
      }
    : {
        ID: String(profile.ID),
        fields: { ...profile.fields },
        interests: [...profile.interests],
        database: String(profile.database),
        secret: profile.secret,
        created: profile.created,
        modified: profile.modified,
        removed: false
      }

/**
 * An import job as `GET /import/{id}` returns it. The count is sent as `processedLines`, the casing of the
 * documented example (the field table says `processedlines`; clients must read both).
 *
 * @category Copernica
 * @since 0.0.0
 */
export const importView = (job: CopernicaImport): object => ({
  ID: String(job.ID),
  name: job.name,
  type: job.action,
  status: job.status,
  totallines: String(job.totallines),
  processedLines: String(job.processedlines),
  lastrun: job.lastrun,
  nextrun: false,
  lasterror: job.lasterror
})
