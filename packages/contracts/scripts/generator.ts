/**
 * Turns one vendor spec into the three generated modules of `@profilesync/contracts`. Pure: it reads the specs and
 * returns file contents, so the generate script and the drift test share it.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import openapiTS, { astToString } from "openapi-typescript"
import * as Yaml from "yaml"

/** The specs this package is generated from, by file name (without `.yaml`) and exported constant prefix. */
export const specs = [
  { name: "ocamba-hood", title: "Ocamba Hood" },
  { name: "copernica-v3", title: "Copernica REST v3" }
] as const

const banner = (specName: string) =>
  `/**\n * This file was auto-generated from openapi/${specName}.yaml by packages/contracts/scripts/generate.ts.\n` +
  " * Do not make direct changes to the file: edit the spec and run `pnpm generate`.\n */\n"

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const

interface OperationEntry {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly pathAliases: ReadonlyArray<string>
  readonly summary: string | undefined
  readonly provenance: unknown
  readonly rateLimits: unknown
  readonly retry: unknown
  readonly maxUploadBytes: number | undefined
}

const operationEntries = (document: Record<string, any>, specName: string): Array<OperationEntry> => {
  const entries: Array<OperationEntry> = []
  for (const [path, pathItem] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const method of methods) {
      const operation = pathItem[method]
      if (operation === undefined) continue
      const where = `openapi/${specName}.yaml paths.${path}.${method}`
      for (const extension of [
        "operationId",
        "x-profilesync-provenance",
        "x-profilesync-rate-limits",
        "x-profilesync-retry"
      ]) {
        if (operation[extension] === undefined) throw new Error(`${where}: missing ${extension}`)
      }
      entries.push({
        operationId: operation.operationId,
        method,
        path,
        pathAliases: pathItem["x-profilesync-path-aliases"] ?? [],
        summary: operation.summary,
        provenance: operation["x-profilesync-provenance"],
        rateLimits: operation["x-profilesync-rate-limits"],
        retry: operation["x-profilesync-retry"],
        maxUploadBytes: operation["x-profilesync-max-upload-bytes"]
      })
    }
  }
  return entries.sort((left, right) => left.operationId.localeCompare(right.operationId))
}

const stripUndefined = (value: unknown) => JSON.parse(JSON.stringify(value))

/** Returns every generated file (name relative to `src/generated`, contents) for the specs in `specDirectory`. */
export const generateContractFiles = async (specDirectory: string): Promise<Map<string, string>> => {
  const files = new Map<string, string>()
  for (const spec of specs) {
    const specPath = Path.join(specDirectory, `${spec.name}.yaml`)
    const document = Yaml.parse(FileSystem.readFileSync(specPath, "utf8")) as Record<string, any>

    // `defaultNonNullable: false`: a member with a vendor default stays optional for callers (Copernica `autostart`).
    const ast = await openapiTS(structuredClone(document) as never, { alphabetize: true, defaultNonNullable: false })
    // openapi-typescript's helper for a `required` list on an `allOf` is used by exported types: export it too,
    // so that the API reference can show what it means.
    const types = astToString(ast).replace(
      /^type WithRequired</m,
      "/** `T` with the keys `K` required: how a schema's `required` list applies to an `allOf`. */\nexport type WithRequired<"
    )
    files.set(`${spec.name}.ts`, banner(spec.name) + types)

    files.set(
      `${spec.name}.document.ts`,
      `${banner(spec.name)}import type { OpenApiDocument } from "../OpenApi.ts"\n\n` +
        `/** The ${spec.title} spec, parsed: what the validators compile and the routers match. */\n` +
        `export const document: OpenApiDocument = ${JSON.stringify(document, null, 2)}\n`
    )

    const operations = Object.fromEntries(
      operationEntries(document, spec.name).map((entry) => [entry.operationId, stripUndefined(entry)])
    )
    files.set(
      `${spec.name}.operations.ts`,
      `${banner(spec.name)}import type { OperationMetadata } from "../Metadata.ts"\n\n` +
        `/** Every ${spec.title} operation with its retry safety, rate limits and provenance, keyed by operationId. */\n` +
        `export const operations = ${JSON.stringify(operations, null, 2)} as const satisfies Record<string, OperationMetadata>\n`
    )
  }
  return files
}
