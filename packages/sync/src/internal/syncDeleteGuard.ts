/**
 * When a run may delete the profiles that left the source: only when every row of the source was read and keyed
 * (a row that could not be is not "absent", its key is unknown), and, unless mass deletes are allowed, only up to
 * a share of the profiles the target holds (an export that came out truncated looks like customers leaving).
 *
 * @internal
 */

/** @internal */
export type DeleteVerdict =
  | { readonly _tag: "Allowed" }
  | { readonly _tag: "Refused"; readonly reason: "Unkeyed" | "Threshold"; readonly message: string }

/** @internal */
export interface DeleteQuestion {
  /** Confirmed profiles whose keys the source did not hold in this run. */
  readonly candidates: number
  /** Every confirmed profile of the target (candidates included). */
  readonly known: number
  /** Source rows that could not be read, or whose key could not be established. */
  readonly unkeyed: number
  /** `maxDeleteShare` of the target: a share from 0 to 1. */
  readonly maxShare: number
  readonly allowMassDelete: boolean
}

const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`

/** @internal */
export const judge = (question: DeleteQuestion): DeleteVerdict => {
  const { candidates, known, unkeyed, maxShare } = question
  if (candidates === 0) return { _tag: "Allowed" }
  if (unkeyed > 0) {
    return {
      _tag: "Refused",
      reason: "Unkeyed",
      message:
        `deleteMissing: ${candidates} deletion(s) held back: ${unkeyed} source row(s) could not be read or keyed ` +
        "(see the rejects file), so their keys are unknown and nothing counts as absent; fix those rows and run again"
    }
  }
  const share = known === 0 ? 1 : candidates / known
  if (share > maxShare && !question.allowMassDelete) {
    return {
      _tag: "Refused",
      reason: "Threshold",
      message:
        `deleteMissing: refused to delete ${candidates} of ${known} known profile(s) (${percent(share)}), over ` +
        `maxDeleteShare (${percent(maxShare)}); if the source really lost them, run again with --allow-mass-delete`
    }
  }
  return { _tag: "Allowed" }
}

interface Reason {
  readonly field: string
  readonly value: string
}

/**
 * Whether a mapped row leaves its key in doubt: it has none, or a key field holds a value that was refused (the key
 * then falls back to a later key field, so the key the profile was stored under may look absent). An empty key
 * field is not doubt: the row says it has no such value.
 *
 * @internal
 */
export const keyUncertain = (
  mapped:
    | { readonly _tag: "Rejected"; readonly key?: string | undefined; readonly reasons: ReadonlyArray<Reason> }
    | { readonly _tag: "Valid"; readonly key: string; readonly rejections: ReadonlyArray<Reason> },
  keyFields: ReadonlyArray<string>
): boolean => {
  if (mapped.key === undefined) return true
  const reasons = mapped._tag === "Valid" ? mapped.rejections : mapped.reasons
  return reasons.some((reason) => reason.value.trim() !== "" && keyFields.includes(reason.field))
}
