/**
 * @module
 * Shared test helpers: default credentials, a manual clock, a bounded poll, and request builders for both vendors.
 */
import { expect } from "vitest"
import { createSandboxApp, type SandboxApp } from "../src/app.ts"
import type { SandboxOptions } from "../src/options.ts"

export const ocambaToken = "ocamba-sandbox-token"
export const ocambaTokenTwo = "ocamba-sandbox-token-2"
export const copernicaToken = "copernica-sandbox-token"

/** A clock that moves only when told, starting at a whole minute so window boundaries are easy to reason about. */
export const manualClock = (start = Date.UTC(2026, 0, 5, 9, 0, 0)) => {
  let current = start
  return {
    now: () => current,
    set: (time: number) => {
      current = time
    },
    advance: (milliseconds: number) => {
      current += milliseconds
    },
    start
  }
}

/** Polls `check` until it returns a value other than undefined, at most `attempts` times. */
export const eventually = async <Value>(
  check: () => Promise<Value | undefined> | Value | undefined,
  { attempts = 100, intervalMilliseconds = 10 } = {}
): Promise<Value> => {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await check()
    if (value !== undefined) {
      return value
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMilliseconds))
  }
  throw new Error(`Condition not met after ${attempts} attempts`)
}

export const ocambaRequest = (
  app: SandboxApp,
  method: string,
  path: string,
  { token = ocambaToken, body }: { token?: string | undefined; body?: unknown } = {}
): Promise<Response> =>
  Promise.resolve(
    app.request(`/v1/hood${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined || body instanceof FormData ? {} : { "Content-Type": "application/json" })
      },
      ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) })
    })
  )

export const copernicaRequest = (
  app: SandboxApp,
  method: string,
  path: string,
  { token = copernicaToken, body, query = "" }: { token?: string; body?: unknown; query?: string } = {}
): Promise<Response> =>
  Promise.resolve(
    app.request(`/v3${path}?access_token=${token}${query === "" ? "" : `&${query}`}`, {
      method,
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
    })
  )

/** Uploads CSV text as an Ocamba import and returns the import id. */
export const uploadCsv = async (app: SandboxApp, csv: string, { token = ocambaToken, name = "people.csv" } = {}) => {
  const form = new FormData()
  form.append("file", new File([csv], name, { type: "text/csv" }))
  const response = await ocambaRequest(app, "POST", "/profiles/imports", { token, body: form })
  expect(response.status).toBe(202)
  return ((await response.json()) as { id: string }).id
}

/** The standard commit mapping for columns email, phone, name. */
export const standardMapping = [
  { label: "email", property: { label: "email", data_type: "text", system: 1 } },
  { label: "phone", property: { label: "mobile_phone_number", data_type: "text", system: 1 } },
  { label: "name", property: { label: "full_name", data_type: "text", system: 1 } }
] as const

/** Fails the test if the sandbox sent any answer that breaks the spec. */
export const expectNoSandboxBugs = (app: SandboxApp): void => {
  const counters = app.runtime.countersSnapshot()
  expect(counters.invalidResponseMessages).toEqual([])
  expect(counters.invalidResponses).toBe(0)
}

/**
 * A sandbox app for functional tests: no rate windows (tests of behaviour should not trip over the 10 per second
 * limit) and immediate processing, unless the options say otherwise.
 */
export const functionalApp = (options: SandboxOptions = {}): SandboxApp =>
  createSandboxApp({
    ...options,
    ocamba: {
      processing: { delayMilliseconds: 0 },
      ...options.ocamba,
      rateLimits: { windows: [], ...options.ocamba?.rateLimits }
    },
    copernica: { processing: { delayMilliseconds: 0 }, ...options.copernica }
  })
