/**
 * What left the source, after a complete read: per target, the confirmed profiles the run did not see are deleted
 * (where the target's config asks for it and `DeleteGuard` allows it) or counted as pending deletes, with the
 * reason in the target's errors. A dry run counts what a real run would do.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as DeleteGuard from "../syncDeleteGuard.ts"
import { type SyncError, stateFailed } from "../syncError.ts"
import { write } from "../target/job.ts"
import type { RunContext, Target, TargetName } from "../target/Target.ts"

/** The keys a dry run shows of the profiles that left the source (the report counts them all). @internal */
export const shownMissingKeys = 20

/** The confirmed keys of a target that the source does not hold: the first {@link shownMissingKeys}, and how many. */
const missingKeys = (context: RunContext, target: TargetName, sourceKeys: { readonly has: (key: string) => boolean }) =>
  context.state.deletionCandidates(context.config.name, target, context.runId).pipe(
    Stream.mapError(stateFailed),
    Stream.runFold({ keys: [] as Array<string>, missing: 0 }, (found, record) => {
      if (sourceKeys.has(record.key)) return found
      if (found.keys.length < shownMissingKeys) found.keys.push(record.key)
      found.missing++
      return found
    })
  )

/** @internal */
export const deleteMissing = (options: {
  readonly context: RunContext
  readonly targets: ReadonlyArray<Target>
  /** Source rows that could not be read or keyed in this run. */
  readonly unkeyed: number
  readonly allowMassDelete: boolean
  /** Per target, the rows of jobs still in flight or in doubt: not deleted in this run. */
  readonly waiting: ReadonlyMap<string, ReadonlySet<string>>
  /** Every key the source holds: a dry run marks none seen, so what left the source is what is not here. */
  readonly sourceKeys: { readonly has: (key: string) => boolean }
}): Effect.Effect<void, SyncError> =>
  Effect.forEach(
    options.targets,
    (target) =>
      Effect.gen(function* () {
        const { context } = options
        const { config, runId, state } = context
        const count = (run: string) => write(context, state.countDeletionCandidates(config.name, target.name, run))
        const policy = target.deletes
        const verdict = (candidates: number, known: number) =>
          DeleteGuard.judge({
            candidates,
            known,
            unkeyed: options.unkeyed,
            maxShare: policy?.maxShare ?? 0,
            allowMassDelete: options.allowMassDelete
          })
        if (context.dryRun) {
          // The run id is unknown to the store, so this counts (and lists) every confirmed row of the target.
          const confirmed = yield* count(runId)
          const { keys, missing } = yield* missingKeys(context, target.name, options.sourceKeys)
          yield* target.tally.setMissingKeys(keys)
          const judged = policy === undefined ? undefined : verdict(missing, confirmed)
          if (judged?._tag === "Allowed") yield* target.tally.add({ deleted: missing })
          else yield* target.tally.add({ pendingDeletes: missing })
          if (judged?._tag === "Refused") yield* target.tally.note(`a real run would refuse: ${judged.message}`)
        } else if (policy !== undefined && !(yield* target.tally.stopped)) {
          const candidates = yield* count(runId)
          // No run marks keys seen under this id, so every confirmed row of the target counts.
          const known = yield* count(`${runId}/known`)
          const judged = verdict(candidates, known)
          if (judged._tag === "Allowed") yield* target.deleteMissing(options.waiting.get(target.name) ?? new Set())
          else {
            // Counted apart when the share threshold refused them: what an alert on refused deletes looks at.
            const refused = judged.reason === "Threshold" ? candidates : 0
            yield* target.tally.add({ pendingDeletes: candidates, deletesRefused: refused })
            yield* target.tally.note(judged.message)
          }
        } else {
          yield* target.tally.add({ pendingDeletes: yield* count(runId) })
        }
      }),
    { discard: true }
  )
