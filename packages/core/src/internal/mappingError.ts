/**
 * The error of `Mapping.ts`. Bad rows are data (rejects), not errors: this is only for the few problems that stop a
 * mapping as a whole.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as Mapping from "../Mapping.ts"

/** @internal */
export const MappingErrorReason: Data.TaggedEnum.Constructor<Mapping.MappingErrorReason> =
  Data.taggedEnum<Mapping.MappingErrorReason>()

/**
 * The error of this module, with a {@link MappingErrorReason}.
 *
 * @since 0.1.0
 * @category errors
 */
export class MappingError extends Data.TaggedError("MappingError")<{ readonly reason: Mapping.MappingErrorReason }> {
  override get message(): string {
    const reason = this.reason
    if (reason._tag === "MissingColumns")
      return `the source has no column ${reason.columns
        .map((column) => `\`${column.column}\` (for field \`${column.field}\`)`)
        .join(", ")}`
    if (reason._tag === "TargetNotConfigured") return `the config has no ${reason.target} target`
    return "deleting Copernica profiles needs `deleteMissing: true` in the Copernica target of the config"
  }
}
