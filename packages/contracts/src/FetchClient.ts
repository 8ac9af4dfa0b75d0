/**
 * Typed openapi-fetch clients for both vendors: base URL, credentials and a custom `fetch`, with each vendor's auth
 * habit (Ocamba: `Authorization: Bearer`; Copernica: `access_token` in the query string) and no credential ever in an
 * error message or a `response.url`.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch"
import type { paths as CopernicaPaths } from "./generated/copernica-v3.ts"
import type { paths as OcambaPaths } from "./generated/ocamba-hood.ts"
import { redactSecrets } from "./Redact.ts"

/** Options shared by both client factories. */
export interface FetchClientOptions {
  /** Defaults to the vendor's production URL. Point it at the sandbox or the proxy sidecar. */
  readonly baseUrl?: string | undefined
  /** A custom fetch (an undici dispatcher, a test double). Defaults to `globalThis.fetch`. */
  readonly fetch?: ((request: Request) => Promise<Response>) | undefined
  /** Extra headers sent with every request (a proxy key, a request id). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** A typed client for the Ocamba Hood API. */
export type OcambaFetchClient = Client<OcambaPaths>

/** A typed client for the Copernica REST v3 API. */
export type CopernicaFetchClient = Client<CopernicaPaths>

/** Rewrites transport errors so that no credential travels in their message. */
const redactErrors = (secret: string | undefined): Middleware => ({
  onError({ request, error }) {
    const message = error instanceof Error ? error.message : String(error)
    const cause = error instanceof Error ? error.cause : undefined
    // The socket error's `code` (ECONNREFUSED: nothing reached the vendor) stays: retries are decided on it.
    const code = (cause as { code?: unknown } | undefined)?.code
    const redactedCause =
      cause instanceof Error
        ? Object.assign(new Error(redactSecrets(cause.message, [secret])), typeof code === "string" ? { code } : {})
        : cause
    return new Error(redactSecrets(`${request.method} ${request.url} failed: ${message}`, [secret]), {
      cause: redactedCause
    })
  }
})

/**
 * Creates a typed client for Ocamba Hood.
 *
 * @example
 * const client = createOcambaFetchClient({ token: process.env.OCAMBA_TOKEN!, baseUrl: sandbox.ocambaBaseUrl })
 * const { data, error } = await client.GET("/profile-properties", { params: { query: { q: "region" } } })
 *
 * @since 0.1.0
 * @category constructors
 */
export const createOcambaFetchClient = (
  options: FetchClientOptions & {
    /** The API key. Leave it out only behind a proxy that injects its own. */
    readonly token?: string | undefined
  }
): OcambaFetchClient => {
  const client = createClient<OcambaPaths>({
    baseUrl: options.baseUrl ?? "https://api.ocamba.com/v1/hood",
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    headers: {
      ...options.headers,
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` })
    }
  })
  client.use(redactErrors(options.token))
  return client
}

const encodeQueryName = (name: string) =>
  // Copernica wants `fields[]=...` with the brackets as they are (vendor-apis.md 2.1).
  encodeURIComponent(name).replaceAll("%5B%5D", "[]")

const encodeQueryValue = (value: unknown) => encodeURIComponent(typeof value === "string" ? value : String(value))

/**
 * Serialises query parameters the way Copernica's own PHP helper does once fixed: arrays as repeated `name[]=value`
 * with literal brackets, booleans as `true`/`false`, and the `access_token` last.
 */
export const copernicaQuery = (query: Readonly<Record<string, unknown>>, accessToken?: string): string => {
  const parts: Array<string> = []
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    const values = Array.isArray(value) ? value : [value]
    for (const item of values) parts.push(`${encodeQueryName(name)}=${encodeQueryValue(item)}`)
  }
  if (accessToken !== undefined) parts.push(`access_token=${encodeURIComponent(accessToken)}`)
  return parts.join("&")
}

/**
 * Creates a typed client for Copernica REST v3. The token goes in the `access_token` query parameter, as the vendor
 * requires; responses are re-wrapped so `response.url` is empty, and transport errors are redacted, so the token cannot
 * leak through them.
 *
 * @example
 * const client = createCopernicaFetchClient({ accessToken: process.env.COPERNICA_TOKEN!, baseUrl: sandbox.copernicaBaseUrl })
 * const { response } = await client.POST("/imports", { body: { database: 1, action: "update or add", source: [] } })
 * const importId = response.headers.get("X-Created")
 *
 * @since 0.1.0
 * @category constructors
 */
export const createCopernicaFetchClient = (
  options: FetchClientOptions & {
    /** The access token. Leave it out only behind a proxy that injects its own. */
    readonly accessToken?: string | undefined
  }
): CopernicaFetchClient => {
  const client = createClient<CopernicaPaths>({
    baseUrl: options.baseUrl ?? "https://api.copernica.com/v3",
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    querySerializer: (query) => copernicaQuery(query as Record<string, unknown>, options.accessToken)
  })
  client.use(redactErrors(options.accessToken), {
    onResponse({ response }) {
      // A Response built anew has an empty `url`: the token-bearing URL does not travel with the result.
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers
      })
    }
  })
  return client
}
