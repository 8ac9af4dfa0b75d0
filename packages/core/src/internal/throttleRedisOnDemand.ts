/**
 * The Redis throttle layer, imported only when it is built: `ioredis` is an optional peer dependency, so the modules
 * that offer Redis as an option (the Promise clients, the sync's layer) must not load it for those who do not use it.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Throttle from "../Throttle.ts"
import type * as ThrottleRedis from "../ThrottleRedis.ts"

/** `ThrottleRedis.layer(options)`, loading the module (and `ioredis`) when the layer is built. */
export const layer = (options: ThrottleRedis.Options): Layer.Layer<Throttle.Throttle> =>
  Layer.unwrapEffect(
    Effect.tryPromise(() => import("../ThrottleRedis.ts")).pipe(
      Effect.orDieWith(
        (error) =>
          new Error(
            `A budget shared through Redis needs the package "ioredis" (an optional peer dependency): npm i ioredis`,
            {
              cause: error.error
            }
          )
      ),
      Effect.map((ThrottleRedis) => ThrottleRedis.layer(options))
    )
  )
