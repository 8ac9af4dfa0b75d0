/**
 * @module
 * Parses `application/x-www-form-urlencoded` bodies the way PHP does (`fields[email]=a`, `keyFields[]=Email`,
 * `source[0][Email]=a`), since Copernica is a PHP service and documents form encoding as an alternative to JSON. The
 * proxy only parses to validate: the caller's bytes are forwarded unchanged.
 *
 * The same rules as the sandbox's `src/vendor/form-body.ts` (the sandbox must not be a runtime dependency, and the
 * contracts model JSON only). Where the two could drift, the contracts should own one parser (reported to the lead).
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

// Form encoding can only send text; the documented booleans arrive as "true"/"false" and are read as booleans.
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

/** Parses a form body into nested objects and lists, reading `true`/`false` as booleans. */
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
