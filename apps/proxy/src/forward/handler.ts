/**
 * @module
 * The handler of the vendor routes, in the order that keeps the shared budget for requests the vendor can accept:
 *
 * 1. match the path to an operation of the spec (anything else is 404: never an open proxy);
 * 2. resolve the credential (inject: the proxy's; pass-through: the caller's) and with it the throttle key;
 * 3. read and validate the request against the spec (a bad one is answered in the vendor's error shape);
 * 4. wait for a slot of the account's shared budget, up to the caller's deadline, then send the request upstream
 *    through the circuit breaker; a vendor 429 pauses the account for every replica, and the attempt is repeated as
 *    the operation's retry safety allows (core's `Retry.forOperation`);
 * 5. answer with the vendor's answer (streamed, every secret the proxy holds taken out) or the proxy's own, with the
 *    shared budget's rate-limit headers.
 *
 * Steps 1–3 are `prepare.ts`, step 4 is `send.ts` (the fast path: a slot free now, no Effect) and `retry.ts` (the
 * retry loop, an Effect), step 5 is `answer.ts`; what they share is in `exchange.ts`.
 */
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { Context } from "hono"
import type { UpstreamAnswer } from "../upstream.ts"
import type { VendorEdge } from "../vendors.ts"
import { answerOutcome, refuse, toResponse } from "./answer.ts"
import {
  type Exchange,
  type ForwardAnswer,
  type ForwardDependencies,
  type ForwardRecord,
  makeVendorRoute,
  type VendorRoute
} from "./exchange.ts"
import { fromContext, type IncomingCall } from "./incoming.ts"
import { prepareRequest } from "./prepare.ts"
import { type Attempts, retryLoop } from "./retry.ts"
import { tryFastPath } from "./send.ts"
import { isUpstreamFailure } from "./upstream-failure.ts"

export type { ForwardDependencies } from "./exchange.ts"

/** A new request's exchange. */
export const newExchange = (requestId: string): Exchange => ({
  requestId,
  record: { attempts: 0, waitedMillis: 0, upstreamMillis: 0 },
  operationId: undefined,
  snapshot: Option.none()
})

/** Forwards one caller's request on `route` and makes its answer; whichever server received it writes the answer. */
export const forwardCall = async (
  route: VendorRoute,
  exchange: Exchange,
  call: IncomingCall
): Promise<ForwardAnswer> => {
  const receivedAt = Date.now()

  // 1–3. Checked before any budget is spent.
  const prepared = await prepareRequest(route, exchange, call, receivedAt)
  if ("_tag" in prepared) return refuse(route, exchange, prepared)

  // 4. Budget, breaker, upstream, retries. The first request to the vendor makes its connection pool first.
  const preparing = route.upstream.prepare(route.origin)
  if (preparing !== undefined) await preparing
  const first = await tryFastPath(route, exchange, prepared)
  const attempts: Attempts = { first, lastFailure: undefined }
  const exit: Exit.Exit<UpstreamAnswer, unknown> =
    first !== undefined && !isUpstreamFailure(first)
      ? Exit.succeed(first)
      : await route.runtime.runPromiseExit(retryLoop(route, exchange, prepared, attempts), { signal: call.signal() })
  // An upload that was refused (or failed) is not read further.
  if (prepared.outgoing.kind === "stream" && Exit.isFailure(exit)) prepared.outgoing.cancel()

  // 5. The answer.
  return answerOutcome(route, exchange, prepared, call.callerGone, exit, attempts.lastFailure)
}

/** Makes the Hono handler of one vendor's routes (`/ocamba/v1/hood/*` or `/copernica/v3/*`). */
export const forward = (vendor: VendorEdge, dependencies: ForwardDependencies) => {
  const route = makeVendorRoute(vendor, dependencies)

  return async function forwardRequest(context: Context): Promise<Response> {
    const exchange = newExchange(context.get("requestId") ?? "")
    const record: ForwardRecord = exchange.record
    context.set("vendor", vendor.name)
    context.set("forward", record)
    try {
      return toResponse(await forwardCall(route, exchange, fromContext(context)))
    } finally {
      context.set("operationId", exchange.operationId)
    }
  }
}
