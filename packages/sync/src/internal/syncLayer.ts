/**
 * The layer behind `Sync.layer`: the state store, both vendor clients and their shared throttle, built from a
 * config, with secrets read through `SyncConfig.resolveCredential` and every failure turned into a `SyncError`.
 *
 * @internal
 */
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import * as CopernicaClient from "@profilesync/core/CopernicaClient"
import * as OcambaClient from "@profilesync/core/OcambaClient"
import * as Throttle from "@profilesync/core/Throttle"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Sync from "../Sync.ts"
import * as SyncConfig from "../SyncConfig.ts"
import * as SyncState from "../SyncState.ts"
import { fileFailed, type SyncError, SyncErrorReason, stateFailed, syncError } from "./syncError.ts"

const unconfigured = (vendor: string) =>
  Effect.dieMessage(`the config has no ${vendor} target, so its client cannot be used`)

/** Stands in for the client of a target the config does not have: `Sync.run` never calls it. */
const unconfiguredOcamba: OcambaClient.OcambaClientService = {
  uploadImport: () => unconfigured("ocamba"),
  getImport: () => unconfigured("ocamba"),
  commitImport: () => unconfigured("ocamba"),
  importReport: () => unconfigured("ocamba"),
  listProperties: () => unconfigured("ocamba"),
  allProperties: unconfigured("ocamba"),
  createProperty: () => unconfigured("ocamba"),
  updateProperty: () => unconfigured("ocamba"),
  resync: () => unconfigured("ocamba"),
  throttleKey: "ocamba:unconfigured"
}

const unconfiguredCopernica: CopernicaClient.CopernicaClientService = {
  createImport: () => unconfigured("copernica"),
  getImport: () => unconfigured("copernica"),
  listFields: () => unconfigured("copernica"),
  allFields: () => unconfigured("copernica"),
  createField: () => unconfigured("copernica"),
  listProfiles: () => unconfigured("copernica"),
  listDatabases: () => unconfigured("copernica"),
  throttleKey: "copernica:unconfigured"
}

const credential = (reference: SyncConfig.CredentialReference): Effect.Effect<Redacted.Redacted<string>, SyncError> =>
  SyncConfig.resolveCredential(reference).pipe(
    Effect.mapError((error) => syncError(SyncErrorReason.CredentialUnavailable({ error })))
  )

/** The state store; a read-only one (a dry run) creates, migrates and writes nothing. */
const stateLayer = (state: SyncConfig.State, readOnly: boolean): Layer.Layer<SyncState.SyncState, SyncError> => {
  const sqlite = state.sqlite
  if (sqlite === undefined) {
    const postgres = state.postgres
    return Layer.unwrapEffect(
      credential(
        postgres?.urlEnv !== undefined ? { urlEnv: postgres.urlEnv } : { urlFile: postgres?.urlFile ?? "" }
      ).pipe(Effect.map((url) => Layer.mapError(SyncState.layerPostgres({ url, readOnly }), stateFailed)))
    )
  }
  if (readOnly) {
    // A store that does not exist yet holds nothing: an empty one in memory stands in, and no file is created.
    return Layer.mapError(
      Layer.suspend(() =>
        sqlite === ":memory:" || existsSync(sqlite)
          ? SyncState.layerSqlite({ filename: sqlite, readOnly })
          : SyncState.layerSqlite({ filename: ":memory:" })
      ),
      stateFailed
    )
  }
  // SQLite creates the file but not its directory (`./.profilesync/state.db`).
  return Layer.unwrapEffect(
    Effect.tryPromise({ try: () => mkdir(dirname(sqlite), { recursive: true }), catch: fileFailed(sqlite) }).pipe(
      Effect.as(Layer.mapError(SyncState.layerSqlite({ filename: sqlite }), stateFailed))
    )
  )
}

/** @internal */
export const layerThrottle = (
  options: Pick<Sync.LayerOptions, "redisUrl" | "replicas"> = {}
): Layer.Layer<Throttle.Throttle> => {
  // One record covers every account of a vendor: the throttle looks keys up by their `<vendor>:` prefix.
  const keys = { ocamba: OcambaClient.throttlePolicy, copernica: CopernicaClient.throttlePolicy }
  return options.redisUrl === undefined
    ? Throttle.layerMemory({ keys })
    : Throttle.layerRedisOnDemand({ redis: options.redisUrl, replicas: options.replicas ?? 1, keys })
}

/** @internal */
export const layer = (
  config: SyncConfig.SyncConfig,
  options: Sync.LayerOptions = {}
): Layer.Layer<SyncState.SyncState | OcambaClient.OcambaClient | CopernicaClient.CopernicaClient, SyncError> => {
  const throttle =
    options.throttle === undefined ? layerThrottle(options) : Layer.succeed(Throttle.Throttle, options.throttle)

  // A target without credentials talks through the proxy sidecar, which holds the token and spends the budget.
  const ocamba = Layer.effect(
    OcambaClient.OcambaClient,
    Effect.gen(function* () {
      const target = config.targets.ocamba
      if (target === undefined) return unconfiguredOcamba
      const common = { baseUrl: target.baseUrl, account: target.account }
      if (target.credentials === undefined) return yield* OcambaClient.make(common, Option.none())
      const token = yield* credential(target.credentials)
      return yield* OcambaClient.make({ ...common, token }, Option.some(yield* Throttle.Throttle))
    })
  )
  const copernica = Layer.effect(
    CopernicaClient.CopernicaClient,
    Effect.gen(function* () {
      const target = config.targets.copernica
      if (target === undefined) return unconfiguredCopernica
      const common = { baseUrl: target.baseUrl, account: target.account }
      if (target.credentials === undefined) return yield* CopernicaClient.make(common, Option.none())
      const accessToken = yield* credential(target.credentials)
      return yield* CopernicaClient.make({ ...common, accessToken }, Option.some(yield* Throttle.Throttle))
    })
  )

  const state = stateLayer(config.state, options.readOnly === true)

  return Layer.mergeAll(state, Layer.provide(Layer.merge(ocamba, copernica), throttle))
}
