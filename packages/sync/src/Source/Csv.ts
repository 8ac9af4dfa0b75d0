/**
 * A CSV source: a file read in flat memory (lines without a quote split directly, the rest parsed with csv-parse), a
 * bad record rejected on its own (broken quoting, a wrong
 * number of fields, a value over the size limit, invalid UTF-8) while the rest of the file still arrives. Also
 * available as `Source.csv`.
 *
 * @since 0.2.0
 */

import { CsvReader, type CsvSettings } from "../internal/sourceCsvReader.ts"
import { Decoder, type EncodingFault, withEncodingLine } from "../internal/sourceDecoder.ts"
import { Fatal, SourceErrorReason } from "../internal/sourceError.ts"
import { fileChunks, fromBatches, invalidOptions, resolveLimits } from "../internal/sourceFile.ts"
import type * as Source from "../Source.ts"

/**
 * The text encodings a CSV file can be read in.
 *
 * **Details**
 *
 * - `utf-8` (default): validated (in a CSV, a record with invalid bytes is rejected on its own); a byte order mark
 *   is removed.
 * - `latin1`: ISO-8859-1, every byte is a character.
 * - `windows-1252`: what Excel on Western Windows writes as "ANSI"; like latin1 except for 0x80–0x9F (`€`, curly
 *   quotes).
 * - `utf-16le`: what Excel writes as "Unicode text"; validated, byte order mark removed.
 *
 * @since 0.1.0
 * @category models
 */
export type CsvEncoding = (typeof csvEncodings)[number]

/**
 * Every {@link CsvEncoding}, in the order error messages and the config schema list them.
 *
 * @since 0.2.0
 * @category models
 */
export const csvEncodings = ["utf-8", "latin1", "windows-1252", "utf-16le"] as const

/**
 * Options of {@link csv}.
 *
 * **Details**
 *
 * - `path`: the file.
 * - `delimiter`: between fields (default `","`; `"\t"` for TSV). Quotes are `"`, doubled inside quoted fields.
 * - `encoding`: see {@link CsvEncoding} (default `"utf-8"`).
 * - `maxFieldBytes`: largest value, in UTF-8 bytes (default 1 MiB, or `maxRecordBytes` if that is smaller); a larger
 *   one rejects its row.
 * - `maxRecordBytes`: largest record the parser holds in memory (default 16 MiB, or `maxFieldBytes` if that is
 *   larger; never below it). A record that grows past it ends as a rejection; it also bounds what an unclosed quote
 *   can swallow.
 * - `columns`: names for a file without a header row; the first line is then data.
 * - `allowEmpty`: accept a file with a header and no rows (default `false`, see `Empty` in {@link Source.SourceErrorReason}).
 *
 * @since 0.1.0
 * @category models
 */
export interface CsvOptions {
  readonly path: string
  readonly delimiter?: string | undefined
  readonly encoding?: CsvEncoding | undefined
  readonly maxFieldBytes?: number | undefined
  readonly maxRecordBytes?: number | undefined
  readonly columns?: ReadonlyArray<string> | undefined
  readonly allowEmpty?: boolean | undefined
}

/**
 * A CSV file, streamed: lines without a quote are split on the delimiter directly (the usual case, and several times
 * cheaper: see bench/README.md), anything quoted goes through csv-parse; both give the same rows.
 *
 * **Details**
 *
 * The first record is the header (unless `columns` is given); column names are trimmed. Quoted fields may hold
 * delimiters, doubled quotes and line breaks; LF, CRLF and CR all end records; empty lines are skipped; a byte order
 * mark is removed. Values are the raw strings.
 *
 * Per record, rejected and skipped (the rest of the file still arrives): broken quoting, a number of fields that
 * differs from the header, a value over `maxFieldBytes`, a record over `maxRecordBytes`. After a quoting error the
 * reader resumes on the line after the one where the bad record started, so an unclosed quote costs its own row and
 * not the rest of the file.
 *
 * Invalid UTF-8 in a data record rejects that record alone (`InvalidEncoding`, with its row, line, byte offset and
 * column); the rest of the file still arrives.
 *
 * Fatal: see {@link Source.SourceErrorReason}; in particular a header that is one column containing `;`, tab, `|` or `,`
 * (`WrongDelimiter`) and invalid bytes in the header or, for `utf-16le`, anywhere (`InvalidEncoding`, with line and
 * byte offset).
 *
 * **Gotchas**
 *
 * - The recovery guesses: if a quoted field legitimately spans lines and is broken further down, its continuation
 *   lines are read as records of their own. They are almost always rejected as well (a stray quote, a wrong number of
 *   fields), so the damage is more rejections, but a continuation line with exactly the header's number of fields
 *   would be read as a row.
 * - Memory is bounded by `maxRecordBytes` plus a few 64 KiB chunks, whatever the file size.
 *
 * @since 0.1.0
 * @category constructors
 */
export const csv = (options: CsvOptions): Source.Source => {
  const source = options.path
  const delimiter = options.delimiter ?? ","
  const encoding = options.encoding ?? "utf-8"
  const limits = resolveLimits(options)
  const problem =
    delimiter === "" || /["\r\n]/.test(delimiter)
      ? `the delimiter ${JSON.stringify(delimiter)} must be non-empty and hold no quote or line break`
      : !(csvEncodings as ReadonlyArray<string>).includes(encoding)
        ? `unknown encoding ${JSON.stringify(encoding)} (${csvEncodings.join(", ")})`
        : typeof limits === "string"
          ? limits
          : undefined
  if (problem !== undefined || typeof limits === "string") {
    return { name: source, rows: invalidOptions(source, problem ?? String(limits)) }
  }
  const settings: CsvSettings = {
    source,
    path: options.path,
    delimiter,
    encoding,
    ...limits,
    columns: options.columns,
    allowEmpty: options.allowEmpty ?? false
  }
  return { name: source, rows: fromBatches(source, options.path, () => csvBatches(settings)) }
}

async function* csvBatches(settings: CsvSettings): AsyncGenerator<ReadonlyArray<Source.SourceItem>> {
  const faults: Array<EncodingFault> = []
  const decoder = new Decoder(settings.source, settings.encoding, settings.encoding === "utf-8" ? faults : undefined)
  const reader = new CsvReader(settings, faults)
  try {
    for await (const chunk of fileChunks(settings.source, settings.path)) {
      await reader.feed(decoder.push(chunk), false)
      const items = reader.take()
      if (items.length > 0) yield items
    }
    await reader.feed(decoder.end(), true)
  } catch (error) {
    throw await withEncodingLine(error, settings.path, settings.encoding)
  }
  const items = reader.take()
  if (items.length > 0) yield items
  if (!reader.hasHeader) throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Header" }))
  if (reader.rows === 0 && !settings.allowEmpty) {
    throw new Fatal(SourceErrorReason.Empty({ source: settings.source, missing: "Rows" }))
  }
}
