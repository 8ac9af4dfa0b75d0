/**
 * @module
 * Request log middleware: one line per request with method, path (credentials replaced by `REDACTED`), status or
 * `dropped`, duration and account.
 */
import { redactUrl } from "@profilesync/contracts"
import type { MiddlewareHandler } from "hono"
import type { RequestLogEntry, RequestLogger } from "../../options.ts"

declare module "hono" {
  interface ContextVariableMap {
    sandboxOperationId: string | undefined
  }
}

/**
 * Options of {@link requestLog}.
 *
 * @category Middleware
 * @since 0.0.0
 */
export interface RequestLogOptions {
  readonly write: RequestLogger
}

/**
 * Formats an entry as one line: `2026-05-01T10:00:00.000Z POST /v3/imports?access_token=REDACTED 201 3ms
 * account=copernica-account-1 operation=createImport`.
 *
 * @category Middleware
 * @since 0.0.0
 */
export const formatLogLine = (entry: RequestLogEntry): string =>
  [
    entry.time,
    entry.method,
    entry.path,
    String(entry.status),
    `${entry.durationMilliseconds}ms`,
    `account=${entry.account ?? "-"}`,
    ...(entry.operationId === undefined ? [] : [`operation=${entry.operationId}`])
  ].join(" ")

/**
 * Creates the middleware.
 *
 * @example
 * app.use(requestLog({ write: (line) => console.log(line) }))
 * @category Middleware
 * @since 0.0.0
 */
export const requestLog = ({ write }: RequestLogOptions): MiddlewareHandler =>
  async function logRequest(context, next) {
    const started = performance.now()
    try {
      await next()
    } finally {
      const url = new URL(context.req.url)
      const account = context.get("sandboxAccount")
      const entry: RequestLogEntry = {
        time: new Date().toISOString(),
        method: context.req.method,
        path: redactUrl(url.pathname + url.search),
        status: context.get("sandboxDropped") === true ? "dropped" : context.res.status,
        durationMilliseconds: Math.round(performance.now() - started),
        vendor: account?.vendor,
        account: account?.id,
        operationId: context.get("sandboxOperationId")
      }
      write(formatLogLine(entry), entry)
    }
  }
