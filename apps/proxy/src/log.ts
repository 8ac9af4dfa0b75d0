/**
 * @module
 * Structured logs: one JSON object per line on stdout, with `time`, `level` and `msg` first. Credentials never reach
 * a line: every line goes through core's redactor (the configured tokens, proxy keys and Redis password in any form,
 * Copernica's `access_token`, `Bearer` tokens), and no header is ever logged.
 */
import * as Redact from "@profilesync/core/Redact"
import type { LogLevel } from "./config.ts"

const rank: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/** A structured logger. */
export interface Logger {
  readonly level: LogLevel
  readonly enabled: (level: Exclude<LogLevel, "silent">) => boolean
  readonly log: (level: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => void
  /**
   * `log` with the fields already written as JSON members (`"name":value,...`, without braces), for lines written per
   * request: no object is built to be serialised. The line is redacted like every other.
   */
  readonly logJson: (level: Exclude<LogLevel, "silent">, msg: string, members: string) => void
  /** Redacts credentials from text meant for a log line (paths, error messages). */
  readonly redact: (text: string) => string
}

/** Options of {@link makeLogger}. */
export interface LoggerOptions {
  readonly level: LogLevel
  /** Values that must never be written (vendor tokens, proxy keys); registered with core's redactor. */
  readonly secrets?: ReadonlyArray<string | undefined> | undefined
  /** Where lines go. Default: `process.stdout`. */
  readonly write?: ((line: string) => void) | undefined
}

/** Makes a logger. */
export const makeLogger = ({
  level,
  secrets = [],
  write = (line) => {
    process.stdout.write(line)
  }
}: LoggerOptions): Logger => {
  const threshold = rank[level]
  for (const secret of secrets) Redact.register(secret)
  const redact = Redact.text
  return {
    level,
    enabled: (candidate) => rank[candidate] >= threshold,
    redact,
    log: (candidate, msg, fields = {}) => {
      if (rank[candidate] < threshold) return
      const line = JSON.stringify({ time: new Date().toISOString(), level: candidate, msg, ...fields })
      // A last guard: a secret that slipped into any field is replaced in the whole line.
      write(`${redact(line)}\n`)
    },
    logJson: (candidate, msg, members) => {
      if (rank[candidate] < threshold) return
      const line = `{"time":"${new Date().toISOString()}","level":"${candidate}","msg":${JSON.stringify(msg)}${members === "" ? "" : `,${members}`}}`
      write(`${redact(line)}\n`)
    }
  }
}
