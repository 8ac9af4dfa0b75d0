/**
 * @module
 * Copernica imports: `POST /imports` (alias `imports/`) creates a job and, unless `autostart` is false, processes it
 * asynchronously; `GET /import/{id}` reports its status and line counts.
 *
 * Answers follow CDoc `rest-requests.md`: 201 with no body, the new id in `X-Created` and a URL in `X-location`.
 * Inferred: the statuses `running`, `finished` and `failed` (only `ready for start` is documented), the default
 * action `add` when none is given, and refusing `update`-like actions without a profile key field.
 */
import { phpBoolean } from "@profilesync/contracts"
import type { SandboxRuntime } from "../runtime.ts"
import { formatTimestamp } from "../time.ts"
import type { VendorDialect } from "../vendor/dialect.ts"
import type { OperationHandler } from "../vendor/operation-dispatch.ts"
import { isGuessedBoolean, strictRefusal } from "../vendor/strict.ts"
import { processCopernicaImport } from "./import-processing.ts"
import { readImportSource } from "./import-source.ts"
import type { CopernicaImport, CopernicaImportAction } from "./state.ts"
import { importView } from "./views.ts"

interface CreateImportBody {
  readonly database: number | string
  readonly name?: string
  readonly followups?: boolean | string
  readonly autostart?: boolean | string
  readonly rebuild?: boolean | string
  readonly action?: CopernicaImportAction
  readonly keyFields?: ReadonlyArray<string>
  readonly ignoreEmptyFields?: boolean | string
  readonly removeMissing?: boolean | string
  readonly deleteTarget?: "profile" | "subprofile"
  readonly location?: string
  readonly source?: unknown
  readonly format?: "csv" | "json"
  readonly delimiter?: string
}

/** Which inferred rule a new import would rest on, for strict mode to refuse it. */
const strictImportRefusal = (input: CreateImportBody): string | undefined => {
  if (input.action === undefined) return "request body /action is missing (the sandbox imports with `add` otherwise)"
  if (input.location !== undefined) {
    return "request body /location: the sandbox fetches no URL (the import ends with `lasterror` otherwise)"
  }
  for (const name of ["autostart", "ignoreEmptyFields", "removeMissing", "followups", "rebuild"] as const) {
    if (isGuessedBoolean(input[name])) {
      return `request body /${name}: ${JSON.stringify(input[name])} is read as a boolean by a guess at Copernica's rules (only true, false, 1, 0 and empty are sure)`
    }
  }
  return undefined
}

/**
 * The handlers of `createImport` and `getImport`.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const importHandlers = (
  runtime: SandboxRuntime,
  dialect: VendorDialect
): Record<"createImport" | "getImport", OperationHandler> => ({
  createImport: ({ accountId, body, origin }) => {
    const account = runtime.state.copernica.account(accountId)
    const input = body as CreateImportBody
    const database = account.findDatabase(String(input.database), false)
    if (database === undefined) {
      return dialect.notFound("No database with supplied ID")
    }
    if (runtime.options.strict) {
      const refusal = strictImportRefusal(input)
      if (refusal !== undefined) return dialect.invalidRequest(strictRefusal(refusal))
    }
    const action = input.action ?? "add"
    const keyFields = input.keyFields ?? []
    for (const [index, key] of keyFields.entries()) {
      // Subprofile keys (Collection.Field) are accepted and ignored: the sandbox simulates no collections.
      if (!key.includes(".") && account.findField(database, key) === undefined) {
        return dialect.invalidRequest(
          `request body /keyFields/${index}: "${key}" is not a field of database ${database.ID}`
        )
      }
    }
    if (action !== "add" && !keyFields.some((key) => !key.includes("."))) {
      return dialect.invalidRequest(`request body /keyFields: action "${action}" needs at least one profile key field`)
    }
    let source: CopernicaImport["source"]
    if (input.source !== undefined) {
      const reading = readImportSource(input.source, input.format, input.delimiter)
      if (!reading.ok) {
        return dialect.invalidRequest(reading.message)
      }
      source = reading.rows
    }
    const now = runtime.now()
    const id = account.nextImportId()
    // Booleans may come as PHP writes them (`1`, `0`, empty); the vendor reads them with PHP's rules.
    const autostart = phpBoolean(input.autostart ?? true)
    const job: CopernicaImport = {
      ID: id,
      name: input.name ?? input.location ?? `import ${id}`,
      database: database.ID,
      action,
      keyFields,
      ignoreEmptyFields: phpBoolean(input.ignoreEmptyFields ?? false),
      removeMissing: phpBoolean(input.removeMissing ?? false),
      deleteTarget: input.deleteTarget ?? "profile",
      followups: phpBoolean(input.followups ?? false),
      rebuild: phpBoolean(input.rebuild ?? false),
      autostart,
      location: input.location,
      source,
      get rows() {
        return source?.toObjects()
      },
      status: autostart ? "running" : "ready for start",
      totallines: autostart ? (source?.length ?? 0) : 0,
      processedlines: 0,
      lastrun: false,
      lasterror: false,
      created: formatTimestamp(now),
      outcome: { created: 0, updated: 0, removed: 0, skipped: 0, ignoredColumns: [] }
    }
    account.imports.set(id, job)
    if (autostart) {
      // Decided now, in request order, so that the same seed fails the same imports.
      const failure = runtime.faults.decideImportFailure("copernica")
      runtime.tasks.schedule(runtime.options.copernica.processingDelayMilliseconds, () =>
        processCopernicaImport(account, job, runtime.now(), failure)
      )
    }
    return {
      status: 201,
      headers: { "X-Created": String(id), "X-location": `${origin}/v3/import/${id}` }
    }
  },

  getImport: ({ accountId, pathParams }) => {
    const job = runtime.state.copernica.account(accountId).imports.get(Number(pathParams.id))
    if (job === undefined) {
      return dialect.notFound("No entity with supplied ID")
    }
    return { status: 200, body: importView(job) }
  }
})
