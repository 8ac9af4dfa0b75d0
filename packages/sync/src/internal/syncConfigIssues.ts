/**
 * Turns what is wrong with a config into messages a person can act on: the Schema's parse issues become one line
 * each (YAML path, line:column from the YAML node, what is expected, "did you mean" for typos), and a separate pass
 * finds credentials written into the YAML without ever repeating their value.
 *
 * @internal
 */

import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"
import * as YAML from "yaml"

/** A problem at a path of the config, before it is located in the YAML text. */
export interface PathIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
  /** Locate the key of the last segment rather than its value (unknown keys, bad names). */
  readonly atKey: boolean
}

/** A located problem, as `SyncConfig.ConfigIssue`. */
export interface LocatedIssue {
  readonly path: string
  readonly segments: ReadonlyArray<string | number>
  readonly line: number
  readonly column: number
  readonly message: string
}

// ---------------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------------

/** `targets.ocamba.properties.first_name.data_type`, `key[1]`, `fields["first name"]`. */
export const formatPath = (segments: ReadonlyArray<string | number>): string =>
  segments.reduce<string>((text, segment) => {
    if (typeof segment === "number") return `${text}[${segment}]`
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return text === "" ? segment : `${text}.${segment}`
    return `${text}[${JSON.stringify(segment)}]`
  }, "")

const toSegments = (path: ReadonlyArray<PropertyKey>): Array<string | number> =>
  path.map((segment) => (typeof segment === "number" ? segment : String(segment)))

// ---------------------------------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------------------------------

const editDistance = (left: string, right: string): number => {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index)
  for (let row = 1; row <= left.length; row++) {
    let diagonal = previous[0]!
    previous[0] = row
    for (let column = 1; column <= right.length; column++) {
      const above = previous[column]!
      previous[column] = Math.min(
        above + 1,
        previous[column - 1]! + 1,
        diagonal + (left[row - 1] === right[column - 1] ? 0 : 1)
      )
      diagonal = above
    }
  }
  return previous[right.length]!
}

const looseForm = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "")

/** The known name closest to `name`, when it is close enough to be a typo (or a case/underscore variant). */
export const suggest = (name: string, known: ReadonlyArray<string>): string | undefined => {
  const loose = known.find((candidate) => looseForm(candidate) === looseForm(name))
  if (loose !== undefined) return loose
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Parse issues → path issues
// ---------------------------------------------------------------------------------------------------------------

/** Keys whose values are never repeated in a message: they name secrets or may hold one by mistake. */
const quietKeys = new Set(["tokenEnv", "tokenFile", "urlEnv", "urlFile", "credentials", "baseUrl", "query"])

const describeActual = (path: ReadonlyArray<PropertyKey>, actual: unknown): string => {
  if (path.some((segment) => typeof segment === "string" && quietKeys.has(segment))) return ""
  if (actual === null || actual === undefined) return ", got nothing"
  if (Array.isArray(actual)) return ", got a list"
  if (typeof actual === "object") return ", got a mapping"
  const text = JSON.stringify(actual)
  return `, got ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`
}

const descriptionOf = (ast: AST.AST): string | undefined => Option.getOrUndefined(AST.getDescriptionAnnotation(ast))

/** What an AST expects, in words; descriptions written in the schema win over these generic ones. */
const describeAst = (ast: AST.AST): string => {
  switch (ast._tag) {
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Union": {
      const members = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
      if (members.every((member) => member._tag === "Literal"))
        return `one of ${members.map((member) => JSON.stringify((member as AST.Literal).literal)).join(", ")}`
      return descriptionOf(ast) ?? members.map(describeAst).join(" or ")
    }
    case "StringKeyword":
      return "text"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "UndefinedKeyword":
      return "nothing"
    case "TypeLiteral":
      return descriptionOf(ast) ?? "a mapping (key: value)"
    case "TupleType":
      return descriptionOf(ast) ?? "a list"
    case "Refinement":
      return descriptionOf(ast) ?? describeAst(ast.from)
    case "Transformation":
      return descriptionOf(ast) ?? describeAst(ast.from)
    default:
      return descriptionOf(ast) ?? String(ast)
  }
}

interface Leaf extends PathIssue {
  /** The failure came with its own words (a filter's message), not "expected X". */
  readonly custom: boolean
  readonly expected?: string | undefined
  readonly actual?: unknown
  /** The failing schema expected `undefined` only (the absent side of an optional field): noise in unions. */
  readonly undefinedOnly?: boolean | undefined
}

const unknownKeyMessage = (key: string, owner: AST.TypeLiteral | undefined): string => {
  if (owner !== undefined && owner.propertySignatures.length === 0 && owner.indexSignatures.length > 0) {
    const parameter = owner.indexSignatures[0]!.parameter
    return `\`${key}\` is not a valid name: expected ${describeAst(parameter)}`
  }
  const known = owner?.propertySignatures.map((signature) => String(signature.name)) ?? []
  const suggestion = suggest(key, known)
  if (suggestion !== undefined) return `unknown key \`${key}\`; did you mean \`${suggestion}\`?`
  return known.length > 0
    ? `unknown key \`${key}\`; expected one of ${known.map((name) => `\`${name}\``).join(", ")}`
    : `unknown key \`${key}\``
}

const walk = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  expected: string | undefined,
  owner: AST.TypeLiteral | undefined,
  leaves: Array<Leaf>
): void => {
  switch (issue._tag) {
    case "Pointer": {
      const segments = Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]
      walk(issue.issue, [...path, ...segments], undefined, owner, leaves)
      return
    }
    case "Composite": {
      const own = expected ?? descriptionOf(issue.ast)
      const children = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      if (issue.ast._tag === "Union") {
        walkUnion(issue.ast, issue.actual, children, path, own, owner, leaves)
        return
      }
      const nextOwner = issue.ast._tag === "TypeLiteral" ? issue.ast : owner
      for (const child of children) walk(child, path, own, nextOwner, leaves)
      return
    }
    case "Refinement": {
      const own = expected ?? descriptionOf(issue.ast)
      if (issue.kind === "Predicate" && issue.issue._tag === "Type" && issue.issue.message === undefined) {
        leaves.push({
          path,
          atKey: false,
          custom: false,
          expected: own ?? describeAst(issue.ast),
          actual: issue.actual,
          message: `expected ${own ?? describeAst(issue.ast)}${describeActual(path, issue.actual)}`
        })
        return
      }
      walk(issue.issue, path, own, owner, leaves)
      return
    }
    case "Transformation":
      walk(issue.issue, path, expected ?? descriptionOf(issue.ast), owner, leaves)
      return
    case "Type": {
      if (issue.message !== undefined) {
        leaves.push({ path, atKey: false, custom: true, message: issue.message })
        return
      }
      const what = expected ?? describeAst(issue.ast)
      leaves.push({
        path,
        atKey: false,
        custom: false,
        expected: what,
        actual: issue.actual,
        undefinedOnly: issue.ast._tag === "UndefinedKeyword",
        message: `expected ${what}${describeActual(path, issue.actual)}`
      })
      return
    }
    case "Missing":
      leaves.push({
        path,
        atKey: true,
        custom: false,
        message: `is missing; expected ${describeAst(issue.ast.type)}`
      })
      return
    case "Unexpected": {
      const key = String(path[path.length - 1])
      leaves.push({ path, atKey: true, custom: true, message: unknownKeyMessage(key, owner) })
      return
    }
    case "Forbidden":
      leaves.push({ path, atKey: false, custom: true, message: issue.message ?? "cannot be checked" })
      return
  }
}

/**
 * A union failed. When a member got further than the value's own level (a struct whose discriminator matched),
 * its deeper problems are the useful ones; otherwise one "expected A or B" line says it better than one per member.
 */
const walkUnion = (
  ast: AST.Union,
  actual: unknown,
  children: ReadonlyArray<ParseResult.ParseIssue>,
  path: ReadonlyArray<PropertyKey>,
  own: string | undefined,
  owner: AST.TypeLiteral | undefined,
  leaves: Array<Leaf>
) => {
  const memberLeaves: Array<Leaf> = []
  for (const child of children) walk(child, path, undefined, owner, memberLeaves)
  const deeper = memberLeaves.filter((leaf) => leaf.path.length > path.length || leaf.atKey)
  if (deeper.length > 0) {
    leaves.push(...deeper)
    return
  }
  const relevant = memberLeaves.filter((leaf) => leaf.undefinedOnly !== true)
  const custom = relevant.filter((leaf) => leaf.custom)
  if (custom.length > 0) {
    leaves.push(
      ...custom.filter((leaf, index) => custom.findIndex((other) => other.message === leaf.message) === index)
    )
    return
  }
  const expected = own ?? describeAst(ast)
  leaves.push({
    path,
    atKey: false,
    custom: false,
    expected,
    actual,
    message: `expected ${expected}${describeActual(path, actual)}`
  })
}

/** Flattens a Schema parse issue into one problem per path, in words. */
export const issuesOfParseIssue = (issue: ParseResult.ParseIssue): ReadonlyArray<PathIssue> => {
  const leaves: Array<Leaf> = []
  walk(issue, [], undefined, undefined, leaves)
  const seen = new Set<string>()
  return leaves
    .filter((leaf) => {
      const key = `${formatPath(toSegments(leaf.path))}\u0000${leaf.message}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map((leaf) => ({ path: leaf.path, message: leaf.message, atKey: leaf.atKey }))
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials written into the YAML
// ---------------------------------------------------------------------------------------------------------------

/** Key names (compared without case, `_` and `-`) that hold a secret when they hold a value. */
const secretKeyPattern = /(token|password|passwd|secret|apikey|accesskey|authorization|bearer)$/
const urlWithPassword = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i

/**
 * Finds credentials written into the YAML: a `token`/`password`/`secret`-like key with a value, or a URL with a
 * password in it. The messages name the key and never the value.
 */
export const findCredentialLiterals = (document: YAML.Document.Parsed): ReadonlyArray<PathIssue> => {
  const issues: Array<PathIssue> = []
  const visit = (node: unknown, path: ReadonlyArray<string | number>) => {
    if (YAML.isMap(node)) {
      for (const pair of node.items) {
        const key = YAML.isScalar(pair.key) ? String(pair.key.value) : undefined
        if (key === undefined) continue
        const value = pair.value
        const pairPath = [...path, key]
        if (
          secretKeyPattern.test(looseForm(key)) &&
          YAML.isScalar(value) &&
          value.value !== null &&
          String(value.value).trim() !== ""
        ) {
          issues.push({
            path: pairPath,
            atKey: true,
            message: `\`${key}\` writes a credential into the config file, which must never hold one: put the secret in an environment variable and write \`tokenEnv: VARIABLE_NAME\` (or in a file: \`tokenFile: /run/secrets/name\`), and rotate the secret if this file was shared`
          })
          continue
        }
        visit(value, pairPath)
      }
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index])
      })
    } else if (YAML.isScalar(node) && typeof node.value === "string" && urlWithPassword.test(node.value)) {
      issues.push({
        path,
        atKey: false,
        message:
          "holds a URL with a password in it; credentials never go in the config: put the URL in an environment variable and write `urlEnv: VARIABLE_NAME` (or `urlFile:`), and rotate the password if this file was shared"
      })
    }
  }
  visit(document.contents, [])
  return issues
}

// ---------------------------------------------------------------------------------------------------------------
// Locating paths in the YAML text
// ---------------------------------------------------------------------------------------------------------------

const startOf = (node: unknown): number | undefined =>
  YAML.isNode(node) && node.range !== undefined && node.range !== null ? node.range[0] : undefined

/**
 * The offset a path points at: the value's start for scalars, the key for collections (a problem with a whole
 * section reads best at its heading) and for `atKey` issues; for a path that does not exist (a missing key), the
 * key of the deepest section that does.
 */
const offsetOf = (document: YAML.Document.Parsed, path: ReadonlyArray<string | number>, atKey: boolean): number => {
  let node: unknown = document.contents
  let offset = startOf(node) ?? 0
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]!
    if (YAML.isAlias(node)) node = node.resolve(document)
    const last = index === path.length - 1
    if (YAML.isMap(node)) {
      const pair = node.items.find((item) => YAML.isScalar(item.key) && String(item.key.value) === String(segment))
      if (pair === undefined) return offset
      const keyOffset = startOf(pair.key) ?? offset
      if (last && atKey) return keyOffset
      node = pair.value
      const valueOffset = startOf(node)
      if (valueOffset === undefined || YAML.isCollection(node)) offset = keyOffset
      else offset = valueOffset
      if (valueOffset === undefined) return offset
    } else if (YAML.isSeq(node) && typeof segment === "number") {
      const item = node.items[segment]
      if (item === undefined) return offset
      node = item
      offset = startOf(item) ?? offset
    } else {
      return offset
    }
  }
  return offset
}

/** Places each issue at its line and column (both 1-based) and sorts them as they appear in the file. */
export const locate = (
  document: YAML.Document.Parsed,
  lineCounter: YAML.LineCounter,
  issues: ReadonlyArray<PathIssue>
): ReadonlyArray<LocatedIssue> =>
  issues
    .map((issue) => {
      const segments = toSegments(issue.path)
      const position = lineCounter.linePos(offsetOf(document, segments, issue.atKey))
      return { path: formatPath(segments), segments, line: position.line, column: position.col, message: issue.message }
    })
    .sort((left, right) => left.line - right.line || left.column - right.column)

/** A YAML syntax error as a located issue; the library's message has a code frame we leave out. */
export const yamlErrorIssue = (error: YAML.YAMLError): LocatedIssue => {
  const position = error.linePos?.[0] ?? { line: 1, col: 1 }
  const firstLine = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")
  const hint =
    error.code === "BAD_ALIAS" || /alias/i.test(firstLine)
      ? ' (a value starting with `*` or `&` must be quoted, e.g. schedule: "*/15 * * * *")'
      : ""
  return { path: "", segments: [], line: position.line, column: position.col, message: `${firstLine}${hint}` }
}
