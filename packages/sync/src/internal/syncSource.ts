/**
 * The source of a sync from its config: the `Source` reader for the configured type, with the options the readers do
 * not support refused up front with a clear error rather than read wrongly.
 *
 * @internal
 */
import { statSync } from "node:fs"
import * as Effect from "effect/Effect"
import * as Source from "../Source.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import * as SyncConfigModule from "../SyncConfig.ts"
import { type SyncError, SyncErrorReason, syncError } from "./syncError.ts"

/** @internal */
export interface OpenedSource {
  readonly source: Source.Source
  /**
   * Whether every row carries every column (CSV header, query result, Parquet schema): then the first row tells which configured
   * columns are missing. JSON rows simply leave out absent values.
   */
  readonly hasHeader: boolean
  /**
   * Whether the source can be read twice: a regular file or a query. A named pipe (or a device) gives its data once,
   * so nothing may read it ahead of the run (the schema check leaves it to the run's own read).
   */
  readonly rereadable: boolean
}

const isRegularFile = (path: string): boolean => {
  try {
    return statSync(path).isFile()
  } catch {
    // A missing file is read as such by the run, which reports it.
    return false
  }
}

const invalid = (message: string): SyncError => syncError(SyncErrorReason.InvalidOptions({ message }))

/** @internal */
export const open = (config: SyncConfig.SyncConfig): Effect.Effect<OpenedSource, SyncError> => {
  const source = config.source
  switch (source.type) {
    case "csv":
      // The CSV reader follows RFC 4180 quoting with `"`: another quote character would be read as data.
      if (source.quote !== '"') {
        return Effect.fail(
          invalid(`source.quote: only \`"\` is supported as the CSV quote character, not \`${source.quote}\``)
        )
      }
      return Effect.succeed({
        source: Source.csv({ path: source.path, delimiter: source.delimiter, encoding: source.encoding }),
        hasHeader: true,
        rereadable: isRegularFile(source.path)
      })
    case "ndjson":
    case "json":
      // RFC 8259 JSON is UTF-8; the readers validate it as such.
      if (source.encoding !== "utf-8") {
        return Effect.fail(
          invalid(`source.encoding: ${source.type} files are read as UTF-8 (RFC 8259), not ${source.encoding}`)
        )
      }
      return Effect.succeed({
        source: source.type === "ndjson" ? Source.ndjson({ path: source.path }) : Source.json({ path: source.path }),
        hasHeader: false,
        rereadable: isRegularFile(source.path)
      })
    case "parquet":
      return Effect.succeed({
        source: Source.parquet({ path: source.path }),
        hasHeader: true,
        rereadable: isRegularFile(source.path)
      })
    case "postgres":
    case "mysql": {
      const reference = source.urlEnv !== undefined ? { urlEnv: source.urlEnv } : { urlFile: source.urlFile ?? "" }
      const read = source.type === "postgres" ? Source.postgres : Source.mysql
      return SyncConfigModule.resolveCredential(reference).pipe(
        Effect.mapError((error) => syncError(SyncErrorReason.CredentialUnavailable({ error }))),
        Effect.map((url) => ({
          source: read({ url, query: source.query }),
          hasHeader: true,
          rereadable: true
        }))
      )
    }
  }
}
