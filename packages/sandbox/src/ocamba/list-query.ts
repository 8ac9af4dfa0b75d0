/**
 * @module
 * Ocamba's list conventions applied to an in-memory collection: filters `<field>=[op:]value`, search `q` over
 * `q_fields`, `sort=f1,-f2`, `page=N[,M]` and the `fields` projection, answering `{total, items}`.
 *
 * Operators `eq neq gt gte lt lte in nin` are documented. `is`/`isn` (empty / not empty) and `r` (inclusive range
 * `start,end`) are our reading of undocumented operators; `rf`, `rl`, `rr` are refused because their meaning is
 * unknown, so a client using them learns it here rather than in production. In strict mode `is`, `isn`, `r` and a
 * page without a size are refused too.
 */
import { strictRefusal } from "../vendor/strict.ts"

/**
 * Which fields a resource lets clients filter, search and sort.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface ListRules {
  readonly filterable: ReadonlyArray<string>
  readonly searchable: ReadonlyArray<string>
  /** Fields `q` searches when `q_fields` is absent. */
  readonly defaultSearch: ReadonlyArray<string>
  readonly sortable: ReadonlyArray<string>
  readonly defaultPageSize: number
  /** Refuse, instead of guessing, the operators whose meaning is undocumented and a page without a size. */
  readonly strict?: boolean | undefined
}

/**
 * A page of a list, or why the query was refused.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type ListResult =
  | { readonly ok: true; readonly total: number; readonly items: ReadonlyArray<Record<string, unknown>> }
  | { readonly ok: false; readonly message: string }

const operators = new Set(["eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is", "isn", "r", "rf", "rl", "rr"])

const text = (value: unknown): string =>
  value === undefined || value === null ? "" : Array.isArray(value) ? value.join(",") : String(value)

const compare = (left: unknown, right: unknown): number => {
  const leftText = text(left)
  const rightText = text(right)
  const leftNumber = Number(leftText)
  const rightNumber = Number(rightText)
  if (leftText !== "" && rightText !== "" && Number.isFinite(leftNumber) && Number.isFinite(rightNumber)) {
    return leftNumber - rightNumber
  }
  return leftText < rightText ? -1 : leftText > rightText ? 1 : 0
}

type Predicate = (item: Record<string, unknown>) => boolean

const parseFilter = (field: string, raw: string, strict: boolean): Predicate | string => {
  const separator = raw.indexOf(":")
  const candidate = separator > 0 ? raw.slice(0, separator) : ""
  // A value may itself hold ":" (timestamps): only a known operator before the first ":" is an operator.
  const operator = operators.has(candidate) ? candidate : "eq"
  const value = operator === candidate ? raw.slice(separator + 1) : raw
  const list = value.split(",")
  if (strict && (operator === "is" || operator === "isn" || operator === "r")) {
    return strictRefusal(
      `query /${field}: the operator ${operator} is named but not defined by the vendor (read as ${operator === "r" ? "an inclusive range" : operator === "is" ? "is empty" : "is not empty"} otherwise)`
    )
  }
  switch (operator) {
    case "eq":
      return (item) => text(item[field]) === value
    case "neq":
      return (item) => text(item[field]) !== value
    case "gt":
      return (item) => compare(item[field], value) > 0
    case "gte":
      return (item) => compare(item[field], value) >= 0
    case "lt":
      return (item) => compare(item[field], value) < 0
    case "lte":
      return (item) => compare(item[field], value) <= 0
    case "in":
      return (item) => list.includes(text(item[field]))
    case "nin":
      return (item) => !list.includes(text(item[field]))
    case "is":
      return (item) => text(item[field]) === ""
    case "isn":
      return (item) => text(item[field]) !== ""
    case "r": {
      const [start, end] = list
      if (start === undefined || end === undefined || list.length !== 2) {
        return `query /${field}: the range operator r takes start,end`
      }
      return (item) => compare(item[field], start) >= 0 && compare(item[field], end) <= 0
    }
    default:
      return `query /${field}: the operator ${operator} is not supported by the sandbox (its meaning is undocumented)`
  }
}

/**
 * Applies the list conventions of `query` to `items`.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const listWithConventions = (
  items: ReadonlyArray<Record<string, unknown>>,
  query: URLSearchParams,
  rules: ListRules
): ListResult => {
  const predicates: Array<Predicate> = []
  for (const field of rules.filterable) {
    for (const raw of query.getAll(field)) {
      const predicate = parseFilter(field, raw, rules.strict === true)
      if (typeof predicate === "string") {
        return { ok: false, message: predicate }
      }
      predicates.push(predicate)
    }
  }
  const term = query.get("q")
  if (term !== null && term !== "") {
    const searched = query.get("q_fields")?.split(",") ?? rules.defaultSearch
    const unknown = searched.find((field) => !rules.searchable.includes(field))
    if (unknown !== undefined) {
      return { ok: false, message: `query /q_fields: ${unknown} is not searchable` }
    }
    const wanted = term.toLowerCase()
    predicates.push((item) => searched.some((field) => text(item[field]).toLowerCase().includes(wanted)))
  }
  const matching = items.filter((item) => predicates.every((predicate) => predicate(item)))

  const sortFields = (query.get("sort") ?? "").split(",").filter((field) => field !== "")
  for (const field of sortFields) {
    const name = field.replace(/^-/, "")
    if (!rules.sortable.includes(name)) {
      return { ok: false, message: `query /sort: ${name} is not sortable` }
    }
  }
  // Items keep their natural (id) order unless a sort says otherwise; Array.prototype.sort is stable.
  const sorted = [...matching].sort((left, right) => {
    for (const field of sortFields) {
      const descending = field.startsWith("-")
      const name = descending ? field.slice(1) : field
      const order = compare(left[name], right[name])
      if (order !== 0) {
        return descending ? -order : order
      }
    }
    return 0
  })

  const [pageText, sizeText] = (query.get("page") ?? "1").split(",")
  if (rules.strict === true && sizeText === undefined) {
    return {
      ok: false,
      message: strictRefusal(
        `query /page: no page size (page=N,M); the default page size is undocumented (${rules.defaultPageSize} otherwise)`
      )
    }
  }
  const page = Math.max(1, Number(pageText) || 1)
  const size = sizeText === undefined ? rules.defaultPageSize : Math.max(1, Number(sizeText) || rules.defaultPageSize)
  const pageItems = sorted.slice((page - 1) * size, page * size)

  const projection = query
    .get("fields")
    ?.split(",")
    .filter((field) => field !== "")
  const projected =
    projection === undefined || projection.length === 0
      ? pageItems
      : pageItems.map((item) =>
          Object.fromEntries(projection.filter((field) => field in item).map((field) => [field, item[field]]))
        )
  return { ok: true, total: matching.length, items: projected }
}
