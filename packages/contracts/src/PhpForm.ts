/**
 * How a PHP service reads what it is sent, in one place for the sandbox and the proxy: `application/x-www-form-urlencoded`
 * bodies with PHP's bracket syntax (`fields[email]=a`, `keyFields[]=Email`, `source[0][Email]=a`), query strings
 * built by `http_build_query` (`fields%5B0%5D=a` is the same list item as `fields[]=a`), and PHP's booleans
 * (`1`/`0`/empty). Copernica is a PHP service and documents form encoding as an alternative to JSON.
 *
 * The `qs` package parses the same syntax, but caps list indexes at 20 (larger ones become object keys) and reads no
 * booleans, so it would need as much code around it as this module holds.
 */

type FormValue = string | boolean | FormObject | Array<FormValue>
interface FormObject {
  [key: string]: FormValue
}

const segmentsOf = (key: string): Array<string> => {
  const opening = key.indexOf("[")
  if (opening <= 0 || !key.endsWith("]")) {
    return [key]
  }
  const segments = [key.slice(0, opening)]
  for (const match of key.slice(opening).matchAll(/\[([^\]]*)\]/g)) {
    segments.push(match[1] ?? "")
  }
  return segments
}

// Form encoding can only send text; the documented booleans arrive as "true"/"false" and are read as booleans. Other
// spellings PHP clients write (`1`, `0`, empty) stay text; the spec's `PhpBoolean` accepts them and `phpBoolean` reads them.
const scalar = (value: string): string | boolean => (value === "true" ? true : value === "false" ? false : value)

const assign = (target: FormObject, segments: ReadonlyArray<string>, value: string): void => {
  let container: FormObject = target
  segments.forEach((segment, position) => {
    const last = position === segments.length - 1
    const key = segment === "" ? String(Object.keys(container).length) : segment
    if (last) {
      container[key] = scalar(value)
      return
    }
    const existing = container[key]
    if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) {
      container = existing
    } else {
      const created: FormObject = {}
      container[key] = created
      container = created
    }
  })
}

/** PHP's default `max_input_nesting_level`. */
const maxInputNestingLevel = 64

// PHP arrays with keys 0..n-1 are lists; JSON would encode them as arrays too.
const listify = (value: FormValue): FormValue => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return value
  }
  const keys = Object.keys(value)
  const entries = keys.map((key) => [key, listify(value[key] as FormValue)] as const)
  if (keys.length > 0 && keys.every((key, index) => key === String(index))) {
    return entries.map(([, item]) => item)
  }
  return Object.fromEntries(entries)
}

/**
 * Parses a form body into nested objects and lists, reading `true`/`false` as booleans.
 *
 * @since 0.1.0
 * @category PHP
 */
export const parsePhpForm = (text: string): Record<string, unknown> => {
  const root: FormObject = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const segments = segmentsOf(key)
    // PHP drops a variable nested deeper than max_input_nesting_level; this also bounds the walk in `listify`.
    if (segments.length > maxInputNestingLevel + 1) continue
    assign(root, segments, value)
  }
  return listify(root) as Record<string, unknown>
}

/**
 * Whether Copernica reads `value` as true: `true`, `"true"`/`"yes"` in any case, a number (or numeric text) of 1 or
 * more in size, a non-empty list. Everything else, `"0"`, `""` and `"false"` included, is false. This is what the
 * live API does according to the maintained PHP client's test double (rmuit/copernica-api `tests/TestApi.php`,
 * `isBooleanTrue`).
 *
 * @since 0.1.0
 * @category PHP
 */
export const phpBoolean = (value: unknown): boolean => {
  if (typeof value === "boolean") return value
  if (typeof value === "number") return Math.abs(value) >= 1
  if (typeof value === "string") {
    const number = value.trim() === "" ? Number.NaN : Number(value)
    if (Number.isFinite(number)) return Math.abs(number) >= 1
    return value.toLowerCase() === "true" || value.toLowerCase() === "yes"
  }
  return Array.isArray(value) && value.length > 0
}

/**
 * Reads a query string as PHP does for the list parameters it names: `name[]`, `name[0]`, `name[key]` (and their
 * percent-encoded spellings, which `URLSearchParams` has already decoded) all become items of the one parameter
 * `arrayNames` declares, spelled `name[]` or `name`. Other names are kept as they came.
 *
 * @since 0.1.0
 * @category PHP
 */
export const canonicalPhpQuery = (query: URLSearchParams, arrayNames: ReadonlyArray<string>): URLSearchParams => {
  if (arrayNames.length === 0) return query
  const result = new URLSearchParams()
  for (const [key, value] of query) {
    const base = /^([^[\]]+)\[[^\]]*\]$/.exec(key)?.[1]
    if (base === undefined) {
      result.append(key, value)
    } else if (arrayNames.includes(`${base}[]`)) {
      result.append(`${base}[]`, value)
    } else if (arrayNames.includes(base)) {
      result.append(base, value)
    } else {
      result.append(key, value)
    }
  }
  return result
}
