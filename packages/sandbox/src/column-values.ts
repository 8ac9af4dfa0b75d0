/**
 * @module
 * The rows an import received, kept by column for as long as the sandbox lives (tests read them to check what was
 * sent), and packed once the import is processed: JSON of the columns, deflated, so a million kept rows cost a few
 * tens of MiB instead of a pointer per value. Reading packed rows unpacks a copy; nothing reads them on a hot path.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib"

/**
 * Values by column, every column as long as there are rows.
 *
 * @category Storage
 * @since 0.2.0
 */
export class ColumnValues {
  readonly length: number
  #columns: ReadonlyArray<ReadonlyArray<string>> | undefined
  #packed: Buffer | undefined

  constructor(columns: ReadonlyArray<ReadonlyArray<string>>, length: number) {
    this.#columns = columns
    this.length = length
  }

  /** The values by column (unpacked anew on every read once packed). */
  get columns(): ReadonlyArray<ReadonlyArray<string>> {
    return this.#columns ?? (JSON.parse(inflateRawSync(this.#packed!).toString("utf8")) as Array<Array<string>>)
  }

  /** Packs the values (the fastest deflate level: the point is memory, and this runs once per import). */
  pack(): void {
    if (this.#columns === undefined) return
    // JSON escapes lone surrogates, so the UTF-8 of the text round-trips every string exactly.
    this.#packed = deflateRawSync(Buffer.from(JSON.stringify(this.#columns), "utf8"), { level: 1 })
    this.#columns = undefined
  }
}
