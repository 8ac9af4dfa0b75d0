/**
 * @module
 * Copernica databases, fields and profiles: `GET /databases`, `GET|POST /database/{id}/fields` and
 * `GET /database/{id}/profiles` with `fields[]` conditions, ordering, paging and `dataonly`.
 */
import { phpBoolean } from "@profilesync/contracts"
import type { SandboxRuntime } from "../runtime.ts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { strictRefusal } from "../vendor/strict.ts"
import { page, queryBoolean } from "./paging.ts"
import type { CopernicaDatabase, CopernicaProfile } from "./state.ts"
import { databaseView, fieldView, profileView } from "./views.ts"

/** Field types a database may hold only once (CDoc `rest-post-database-fields.md`). */
const singleTypes = new Set(["email", "phone_fax", "phone_gsm"])

interface CreateFieldBody {
  readonly name: string
  readonly type?: string
  readonly value?: string | number
  readonly displayed?: boolean | string
  readonly ordered?: boolean | string
  readonly length?: number | string
  readonly textlines?: number | string
  readonly hidden?: boolean | string
  readonly index?: boolean | string
  readonly lock?: boolean | string
}

const optionalBoolean = (value: boolean | string | undefined): boolean | undefined =>
  value === undefined ? undefined : phpBoolean(value)

type ProfilePredicate = (profile: CopernicaProfile) => boolean

const conditionPattern = /^([^=!<>~]+)(==|!=|<>|<=|>=|=~|!~|<|>)(.*)$/s

const compareText = (left: string, right: string): number => {
  const leftNumber = Number(left)
  const rightNumber = Number(right)
  if (left.trim() !== "" && right.trim() !== "" && Number.isFinite(leftNumber) && Number.isFinite(rightNumber)) {
    return leftNumber - rightNumber
  }
  const leftFolded = left.toLowerCase()
  const rightFolded = right.toLowerCase()
  return leftFolded < rightFolded ? -1 : leftFolded > rightFolded ? 1 : 0
}

const likePattern = (pattern: string): RegExp =>
  new RegExp(
    `^${[...pattern]
      .map((character) =>
        character === "%" ? ".*" : character === "_" ? "." : character.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      )
      .join("")}$`,
    "is"
  )

// The name is not trimmed: the live API reads `Email ==x` as a condition on the field "Email " (which does not exist).
const valueReader = (
  database: CopernicaDatabase,
  name: string
): ((profile: CopernicaProfile) => string) | undefined => {
  const lower = name.toLowerCase()
  if (lower === "id") {
    return (profile) => String(profile.ID)
  }
  if (lower === "code") {
    return (profile) => profile.secret
  }
  if (lower === "modified") {
    return (profile) => profile.modified
  }
  const field = database.fields.find(
    (candidate) => candidate.name.toLowerCase() === lower || String(candidate.ID) === lower
  )
  return field === undefined ? undefined : (profile) => profile.fields[field.name] ?? ""
}

const parseCondition = (database: CopernicaDatabase, condition: string): ProfilePredicate | string => {
  // The condition as a whole is trimmed (rmuit/copernica-api `tests/TestApi.php`): ` Email==x ` filters on "x".
  const match = conditionPattern.exec(condition.trim())
  if (match === null) {
    return `query /fields[]: "${condition}" is not <field><operator><value>`
  }
  const [, name = "", operator = "", value = ""] = match
  const read = valueReader(database, name)
  if (read === undefined) {
    return `query /fields[]: "${name}" is not a field of database ${database.ID}`
  }
  switch (operator) {
    case "==":
      return (profile) => compareText(read(profile), value) === 0
    case "!=":
    case "<>":
      return (profile) => compareText(read(profile), value) !== 0
    case "<":
      return (profile) => compareText(read(profile), value) < 0
    case ">":
      return (profile) => compareText(read(profile), value) > 0
    case "<=":
      return (profile) => compareText(read(profile), value) <= 0
    case ">=":
      return (profile) => compareText(read(profile), value) >= 0
    case "=~": {
      const pattern = likePattern(value)
      return (profile) => pattern.test(read(profile))
    }
    default: {
      const pattern = likePattern(value)
      return (profile) => !pattern.test(read(profile))
    }
  }
}

/**
 * The handlers of the database, field and profile operations.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const databaseHandlers = (
  runtime: SandboxRuntime,
  dialect: VendorDialect
): Record<
  "listDatabases" | "listDatabaseFields" | "createDatabaseField" | "listDatabaseProfiles",
  OperationHandler
> => ({
  listDatabases: ({ accountId, query }) => {
    const account = runtime.state.copernica.account(accountId)
    return { status: 200, body: page([...account.databases.values()].map(databaseView), query) }
  },

  listDatabaseFields: ({ accountId, pathParams, query }) => {
    const account = runtime.state.copernica.account(accountId)
    const database = account.findDatabase(pathParams.id ?? "", true)
    if (database === undefined) {
      return dialect.notFound("No database with supplied ID")
    }
    return { status: 200, body: page(database.fields.map(fieldView), query) }
  },

  createDatabaseField: ({ accountId, pathParams, body, origin }) => {
    const account = runtime.state.copernica.account(accountId)
    const database = account.findDatabase(pathParams.id ?? "", false)
    if (database === undefined) {
      return dialect.notFound("No database with supplied ID")
    }
    const input = body as CreateFieldBody
    if (account.findField(database, input.name) !== undefined) {
      return dialect.invalidRequest(`request body /name: database ${database.ID} already has a field "${input.name}"`)
    }
    const type = input.type ?? "text"
    if (singleTypes.has(type) && database.fields.some((field) => field.type === type)) {
      return dialect.invalidRequest(`request body /type: database ${database.ID} already has a field of type ${type}`)
    }
    const field = account.addField(database, {
      name: input.name,
      type,
      value: input.value === undefined ? undefined : String(input.value),
      length: input.length === undefined ? undefined : Number(input.length),
      textlines: input.textlines === undefined ? undefined : Number(input.textlines),
      // PHP's booleans (`1`, `0`, empty) are read as the vendor reads them.
      displayed: optionalBoolean(input.displayed),
      ordered: optionalBoolean(input.ordered),
      hidden: optionalBoolean(input.hidden),
      index: optionalBoolean(input.index),
      lock: optionalBoolean(input.lock)
    })
    return {
      status: 201,
      headers: {
        "X-Created": String(field.ID),
        "X-location": `${origin}/v3/database/${database.ID}/field/${field.ID}`
      }
    }
  },

  listDatabaseProfiles: ({ accountId, pathParams, query }) => {
    const account = runtime.state.copernica.account(accountId)
    const database = account.findDatabase(pathParams.id ?? "", false)
    if (database === undefined) {
      return dialect.notFound("No database with supplied ID")
    }
    const predicates: Array<ProfilePredicate> = []
    for (const condition of query.getAll("fields[]")) {
      const predicate = parseCondition(database, condition)
      if (typeof predicate === "string") {
        // The live API ignores a condition on an unknown field or one it cannot parse, and returns the list
        // unfiltered by it (rmuit/copernica-api `tests/ApiBehaviorTest.php`, `testProfileCrud`).
        if (runtime.options.strict) return dialect.invalidRequest(strictRefusal(`${predicate} (ignored otherwise)`))
        continue
      }
      predicates.push(predicate)
    }
    let profiles = [...database.profiles.values()].filter((profile) =>
      predicates.every((predicate) => predicate(profile))
    )
    const orderBy = query.get("orderby") ?? "id"
    const descending = query.get("order") === "desc"
    if (orderBy === "random") {
      const random = runtime.identifiers
      profiles = profiles
        .map((profile) => ({ profile, key: random.next() }))
        .sort((left, right) => left.key - right.key)
        .map(({ profile }) => profile)
    } else {
      // The live API orders by id when `orderby` names no field (rmuit/copernica-api `tests/TestApi.php`).
      let read = orderBy === "id" ? (profile: CopernicaProfile) => String(profile.ID) : valueReader(database, orderBy)
      if (read === undefined) {
        if (runtime.options.strict) {
          return dialect.invalidRequest(
            strictRefusal(`query /orderby: "${orderBy}" is not a field of database ${database.ID} (ignored otherwise)`)
          )
        }
        read = (profile: CopernicaProfile) => String(profile.ID)
      }
      profiles.sort((left, right) => compareText(read(left), read(right)) || left.ID - right.ID)
      if (descending) {
        profiles.reverse()
      }
    }
    const dataOnly = queryBoolean(query.get("dataonly"), false)
    return {
      status: 200,
      body: page(
        profiles.map((profile) => profileView(profile, dataOnly)),
        query
      )
    }
  }
})
