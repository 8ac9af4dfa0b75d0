/**
 * Seeing an uploaded Ocamba import through to its end: committed while it waits for its commit, polled until it is
 * `finished` or `failed`. Used for a chunk's import and for the smaller imports that isolate its refused rows.
 *
 * @internal
 */
import * as Mapping from "@profilesync/core/Mapping"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as SyncConfig from "../../../SyncConfig.ts"
import { describeDuration, isRefusal } from "../job.ts"
import type { RunContext } from "../Target.ts"
import type { Tally } from "../tally.ts"

/** What Ocamba's jobs work with. @internal */
export interface OcambaEnv {
  readonly context: RunContext
  readonly client: OcambaClient.OcambaClientService
  readonly target: SyncConfig.OcambaTarget
  readonly tally: Tally
}

/**
 * How polling an import ended: done (with its record); gone (the vendor no longer has it); refused (the vendor will
 * never process it, and every chunk would meet the same problem); or in doubt (this run cannot see it through).
 *
 * @internal
 */
export type Polled =
  | { readonly _tag: "Done"; readonly record: OcambaClient.ProfileImport }
  | { readonly _tag: "Gone"; readonly message: string }
  | { readonly _tag: "Refused"; readonly message: string }
  | { readonly _tag: "InDoubt"; readonly message: string }

/**
 * Polls an uploaded import until it is `finished` or `failed`, committing it while it waits for its commit
 * (`uploaded`). The client's commit looks at the record before repeating an attempt in doubt: never committed twice.
 *
 * @internal
 */
export const pollImport = (env: OcambaEnv, importId: string): Effect.Effect<Polled> =>
  Effect.gen(function* () {
    const { client, context } = env
    const mapping = Mapping.commitMapping(env.target).mapping
    const started = yield* Clock.currentTimeMillis
    let delay = context.polling.initialDelay
    let committed = false
    for (;;) {
      const read = yield* Effect.either(client.getImport(importId))
      if (Either.isLeft(read)) {
        return read.left.reason._tag === "NotFound"
          ? { _tag: "Gone", message: `Ocamba import ${importId} no longer exists` }
          : { _tag: "InDoubt", message: `Ocamba import ${importId}: ${read.left.message}` }
      }
      const record = read.right
      if (record.status === "finished" || record.status === "failed") return { _tag: "Done", record }
      if (record.status === "uploaded" && !committed) {
        const columns = record.columns
        const missing = columns === undefined ? [] : mapping.filter((item) => !columns.includes(item.label))
        if (missing.length > 0) {
          return {
            _tag: "Refused",
            message: `Ocamba import ${importId}: the uploaded file lacks the columns ${missing.map((item) => item.label).join(", ")}`
          }
        }
        const commit = yield* Effect.either(client.commitImport(importId, mapping))
        if (Either.isLeft(commit)) {
          return isRefusal(commit.left)
            ? { _tag: "Refused", message: `Ocamba refused to commit import ${importId}: ${commit.left.message}` }
            : { _tag: "InDoubt", message: `Ocamba import ${importId}: ${commit.left.message}` }
        }
        committed = true
        yield* context.progress("polling", "ocamba")
      }
      if ((yield* Clock.currentTimeMillis) - started >= context.polling.timeout) {
        return {
          _tag: "InDoubt",
          message: `Ocamba import ${importId} was still ${record.status} after ${describeDuration(context.polling.timeout)}`
        }
      }
      yield* Effect.sleep(Duration.millis(delay))
      delay = Math.min(delay * 2, context.polling.maxDelay)
    }
  })
