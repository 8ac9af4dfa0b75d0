/**
 * @module
 * Copernica databases, fields and profiles: `GET /databases`, `GET|POST /database/{id}/fields` and
 * `GET /database/{id}/profiles` with `fields[]` conditions, ordering, paging and `dataonly`.
 */
import { phpBoolean } from "@profilesync/contracts"
import type { SandboxRuntime } from "../runtime.ts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { isGuessedBoolean, strictRefusal } from "../vendor/strict.ts"
import { page, queryBoolean } from "./paging.ts"
import type { CopernicaDatabase } from "./state.ts"
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

/** Conditions and orderings read a profile by its slot in the database's store. */
type ProfilePredicate = (slot: number) => boolean

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
const valueReader = (database: CopernicaDatabase, name: string): ((slot: number) => string) | undefined => {
  const store = database.profiles
  const lower = name.toLowerCase()
  if (lower === "id") {
    return (slot) => String(store.idAt(slot))
  }
  if (lower === "code") {
    return (slot) => store.secretAt(slot)
  }
  if (lower === "modified") {
    return (slot) => store.modifiedAt(slot)
  }
  const field = database.fields.find(
    (candidate) => candidate.name.toLowerCase() === lower || String(candidate.ID) === lower
  )
  return field === undefined ? undefined : (slot) => store.valueAt(slot, field.name)
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
      return (slot) => compareText(read(slot), value) === 0
    case "!=":
    case "<>":
      return (slot) => compareText(read(slot), value) !== 0
    case "<":
      return (slot) => compareText(read(slot), value) < 0
    case ">":
      return (slot) => compareText(read(slot), value) > 0
    case "<=":
      return (slot) => compareText(read(slot), value) <= 0
    case ">=":
      return (slot) => compareText(read(slot), value) >= 0
    case "=~": {
      const pattern = likePattern(value)
      return (slot) => pattern.test(read(slot))
    }
    default: {
      const pattern = likePattern(value)
      return (slot) => !pattern.test(read(slot))
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
    const store = database.profiles
    let slots: Array<number> = []
    for (const slot of store.slots()) {
      if (predicates.every((predicate) => predicate(slot))) slots.push(slot)
    }
    const orderBy = query.get("orderby") ?? "id"
    const descending = query.get("order") === "desc"
    if (orderBy === "random") {
      const random = runtime.identifiers
      slots = slots
        .map((slot) => ({ slot, key: random.next() }))
        .sort((left, right) => left.key - right.key)
        .map(({ slot }) => slot)
    } else {
      // The live API orders by id when `orderby` names no field (rmuit/copernica-api `tests/TestApi.php`).
      // Slots already run in id order: ordering by id needs no sort.
      const read = orderBy === "id" ? undefined : valueReader(database, orderBy)
      if (read === undefined && orderBy !== "id") {
        if (runtime.options.strict) {
          return dialect.invalidRequest(
            strictRefusal(`query /orderby: "${orderBy}" is not a field of database ${database.ID} (ignored otherwise)`)
          )
        }
      }
      if (read !== undefined) {
        const reader = read
        slots.sort((left, right) => compareText(reader(left), reader(right)) || left - right)
      }
      if (descending) {
        slots.reverse()
      }
    }
    if (runtime.options.strict) {
      for (const name of ["dataonly", "total"]) {
        const value = query.get(name)
        if (value !== null && isGuessedBoolean(value)) {
          return dialect.invalidRequest(
            strictRefusal(
              `query /${name}: "${value}" is read as a boolean by a guess at Copernica's rules (only true, false, 1, 0 and empty are sure)`
            )
          )
        }
      }
    }
    const dataOnly = queryBoolean(query.get("dataonly"), false)
    // Only the profiles of the page are copied out of the store.
    const paged = page(slots, query)
    return {
      status: 200,
      body: { ...paged, data: paged.data.map((slot) => profileView(store.profileAt(slot), dataOnly)) }
    }
  }
})
