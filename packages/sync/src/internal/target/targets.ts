/**
 * Every target a sync can write to, in the order runs handle them: adding a vendor is a folder implementing
 * `Target` and one entry here.
 *
 * @internal
 */
import type * as CopernicaClient from "@profilesync/core/CopernicaClient"
import type * as OcambaClient from "@profilesync/core/OcambaClient"
import type * as Effect from "effect/Effect"
import * as Copernica from "./copernica/CopernicaTarget.ts"
import * as Ocamba from "./ocamba/OcambaTarget.ts"
import type { RunContext, Target, TargetName } from "./Target.ts"

/** What the targets need from the environment: their vendor clients. @internal */
export type TargetServices = OcambaClient.OcambaClient | CopernicaClient.CopernicaClient

/** Builds the target `name` of a run; `undefined` when the config has no such target. */
type Maker = (context: RunContext) => Effect.Effect<Target, never, TargetServices> | undefined

const makers: Readonly<Record<TargetName, Maker>> = {
  ocamba: (context) => {
    const target = context.config.targets.ocamba
    return target === undefined ? undefined : Ocamba.make(context, target)
  },
  copernica: (context) => {
    const target = context.config.targets.copernica
    return target === undefined ? undefined : Copernica.make(context, target)
  }
}

/** @internal */
export const targetOrder: ReadonlyArray<TargetName> = ["ocamba", "copernica"]

/** @internal */
export const make = (name: TargetName, context: RunContext): Effect.Effect<Target, never, TargetServices> | undefined =>
  makers[name](context)
