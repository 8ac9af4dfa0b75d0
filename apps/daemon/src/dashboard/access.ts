/**
 * @module
 * Who may read the dashboard. Bound to a loopback address it is open to the machine's own users (and only to
 * requests that name a loopback host, so a web page cannot reach it through DNS rebinding); bound to any other
 * address it refuses to start without `PROFILESYNC_DASHBOARD_TOKEN`. With a token every page asks for it, as a
 * bearer token or once through a login form that sets an HttpOnly, SameSite=Strict cookie.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { isIP } from "node:net"
import type { Context, MiddlewareHandler } from "hono"
import { getCookie, setCookie } from "hono/cookie"

/** The environment variable holding the access token. */
export const tokenVariable = "PROFILESYNC_DASHBOARD_TOKEN"

/** Tokens shorter than this are refused: a token is all that stands between the network and customer data. */
export const minimumTokenLength = 16

const cookieName = "profilesync_dashboard"

/**
 * Whether `host` is a loopback address (or `localhost`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isLoopback = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, "")
  if (bare === "localhost") return true
  if (isIP(bare) === 4) return bare.startsWith("127.")
  if (isIP(bare) === 6) return bare === "::1"
  return false
}

/**
 * Why the dashboard must not start with these settings, or `undefined`.
 *
 * @since 0.1.0
 * @category validation
 */
export const startProblem = (host: string, token: string | undefined): string | undefined => {
  if (token !== undefined && token.length < minimumTokenLength) {
    return `${tokenVariable} is ${token.length} characters long; use at least ${minimumTokenLength} (e.g. openssl rand -hex 32)`
  }
  if (!isLoopback(host) && token === undefined) {
    return (
      `--host ${host} is not a loopback address: anyone who reaches it could read customer data, so the dashboard ` +
      `needs an access token there. Set ${tokenVariable} (at least ${minimumTokenLength} characters), or bind to ` +
      "127.0.0.1 (the default) and reach it through an SSH tunnel or a reverse proxy that authenticates"
    )
  }
  return undefined
}

const equal = (left: string, right: string): boolean => {
  const a = Buffer.from(left)
  const b = Buffer.from(right)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** What the cookie holds: derived from the token, so the token itself is never stored in the browser. */
const sessionValue = (token: string): string =>
  createHmac("sha256", token).update("profilesync dashboard session").digest("base64url")

/**
 * The access check, for every route but the login form and the assets.
 *
 * @since 0.1.0
 * @category middleware
 */
export const requireAccess = (options: {
  readonly host: string
  readonly token: string | undefined
  readonly onDenied: (context: Context) => Response | Promise<Response>
}): MiddlewareHandler => {
  const loopbackOnly = isLoopback(options.host)
  const session = options.token === undefined ? undefined : sessionValue(options.token)
  return async (context, next) => {
    if (loopbackOnly) {
      const requested = new URL(context.req.url).hostname
      if (!isLoopback(requested)) return context.text("This dashboard answers only to a loopback host name.", 421)
    }
    const token = options.token
    if (token === undefined || context.req.path.startsWith("/assets/") || context.req.path === "/login") {
      return next()
    }
    const authorization = context.req.header("authorization") ?? ""
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim()
    const cookie = getCookie(context, cookieName)
    if ((bearer !== undefined && equal(bearer, token)) || (cookie !== undefined && equal(cookie, session!))) {
      return next()
    }
    return options.onDenied(context)
  }
}

/**
 * Checks a token posted by the login form; on success sets the session cookie.
 *
 * @since 0.1.0
 * @category middleware
 */
export const logIn = (context: Context, token: string | undefined, posted: unknown): boolean => {
  if (token === undefined || typeof posted !== "string" || !equal(posted, token)) return false
  setCookie(context, cookieName, sessionValue(token), {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: new URL(context.req.url).protocol === "https:"
  })
  return true
}
