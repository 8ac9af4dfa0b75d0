/**
 * @module
 * Counts the requests being handled, until their answer is completely written (a streamed answer outlives the
 * handler), for the drain on SIGTERM and the `profilesync_proxy_in_flight_requests` gauge. While the proxy drains,
 * answers carry `Connection: close`, so keep-alive callers reconnect to another replica instead of reusing this one.
 */
import type { HttpBindings } from "@hono/node-server"
import type { MiddlewareHandler } from "hono"
import * as Metrics from "../../metrics.ts"

/** The shared counter and drain flag. */
export interface InFlightState {
  count: number
  draining: boolean
  /** Called whenever the count drops to zero. */
  onIdle?: (() => void) | undefined
}

/** Options of {@link inFlight}. */
export interface InFlightOptions {
  readonly state: InFlightState
}

/**
 * Counts one request in flight and returns what ends it (once, however often it is called). The direct route of
 * `node:http` counts its requests with it too.
 */
export const enter = (state: InFlightState): (() => void) => {
  state.count++
  Metrics.inFlight.value = state.count
  let done = false
  return () => {
    if (done) return
    done = true
    state.count--
    Metrics.inFlight.value = state.count
    if (state.count === 0) state.onIdle?.()
  }
}

/** Creates the middleware. */
export const inFlight = ({ state }: InFlightOptions): MiddlewareHandler =>
  async function inFlight(context, next) {
    const finish = enter(state)
    const outgoing = (context.env as Partial<HttpBindings> | undefined)?.outgoing
    // Under Node the answer is done when the response closes (written, or the caller went away), which can be long
    // after the handler returned (streamed answers) or before (callers that give up while waiting for budget): the
    // listener is attached first so it cannot miss the event. Under `app.request`, when the handler returns.
    outgoing?.once("close", finish)
    try {
      await next()
    } finally {
      if (state.draining) context.res.headers.set("connection", "close")
      if (outgoing === undefined) finish()
    }
  }
