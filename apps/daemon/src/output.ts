/**
 * @module
 * Where the daemon writes, and in which form.
 *
 * - **stdout** holds the results a user or a script asked for: the run report (text, or JSON with `--json`), the
 *   status, the dead letters. Nothing else is written there, so `profilesync run --json | jq` works.
 * - **stderr** holds logs and progress. On a terminal: short human lines and a one-line progress bar redrawn in place.
 *   Elsewhere (systemd, Docker, CI): one JSON object per line (Effect's JSON logger), for log shippers.
 *
 * `PROFILESYNC_LOG_FORMAT=json` or `=pretty` overrides the terminal detection. Everything written (logs, errors and
 * results) passes through core's redactor: every token the daemon read, wherever a vendor echoed it, and any Copernica
 * `access_token` or `Bearer` token.
 */
import { Redact } from "@profilesync/core"
import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import * as Inspectable from "effect/Inspectable"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"

/**
 * How logs and progress are written: `pretty` on a terminal, `json` otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export type LogFormat = "pretty" | "json"

/**
 * The format chosen from `PROFILESYNC_LOG_FORMAT`, else from whether stderr is a terminal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const detectLogFormat = (
  environment: NodeJS.ProcessEnv = process.env,
  stderrIsTerminal: boolean = process.stderr.isTTY === true
): LogFormat => {
  const forced = environment.PROFILESYNC_LOG_FORMAT?.trim().toLowerCase()
  if (forced === "json") return "json"
  if (forced === "pretty" || forced === "text") return "pretty"
  return stderrIsTerminal ? "pretty" : "json"
}

const colorsEnabled = (): boolean =>
  process.stderr.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

const paint = (code: string, text: string): string => (colorsEnabled() ? `\x1b[${code}m${text}\x1b[0m` : text)

/**
 * The one status line at the bottom of a terminal: the progress bar. Log lines are printed above it (the line is
 * cleared, the log written, the line drawn again), so the two never garble each other.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusLine {
  /** Replaces the status line's text (drawn at once on a terminal; ignored elsewhere). */
  readonly set: (text: string) => void
  /** Removes the status line. */
  readonly clear: () => void
  /** Writes a whole line to stderr above the status line. */
  readonly print: (line: string) => void
}

const makeStatusLine = (stream: NodeJS.WriteStream = process.stderr): StatusLine => {
  let current = ""
  const terminal = stream.isTTY === true
  // A pseudo-terminal without a size reports 0 columns.
  const columns = () => Math.max(20, (stream.columns !== undefined && stream.columns > 0 ? stream.columns : 100) - 1)
  const erase = () => {
    if (terminal && current !== "") stream.write("\r\x1b[2K")
  }
  const draw = () => {
    if (terminal && current !== "") stream.write(current.length > columns() ? current.slice(0, columns()) : current)
  }
  return {
    set: (text) => {
      if (!terminal) return
      erase()
      current = text
      draw()
    },
    clear: () => {
      erase()
      current = ""
    },
    print: (line) => {
      erase()
      stream.write(`${line}\n`)
      draw()
    }
  }
}

/**
 * The process's status line on stderr.
 *
 * @since 0.1.0
 * @category constants
 */
export const statusLine: StatusLine = makeStatusLine()

const levelLabel = (level: LogLevel.LogLevel): string => {
  switch (level._tag) {
    case "Fatal":
    case "Error":
      return paint("31", level.label)
    case "Warning":
      return paint("33", "WARN")
    case "Info":
      return paint("32", level.label)
    default:
      return paint("90", level.label)
  }
}

const renderValue = (value: unknown): string => {
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  return Inspectable.stringifyCircular(value)
}

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : Inspectable.stringifyCircular(part))).join(" ")
}

const two = (value: number) => String(value).padStart(2, "0")

/**
 * Short human lines for a terminal: `12:00:01 INFO message key=value`, printed above the progress bar.
 *
 * @since 0.1.0
 * @category loggers
 */
export const prettyLogger: Logger.Logger<unknown, void> = Logger.make(
  ({ annotations, cause, date, logLevel, message }) => {
    const time = paint("90", `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`)
    const fields = HashMap.toEntries(annotations)
      .map(([key, value]) => `${paint("90", `${key}=`)}${renderValue(value)}`)
      .join(" ")
    const causeText = Cause.isEmpty(cause) ? "" : `\n${Cause.pretty(cause)}`
    const line = `${time} ${levelLabel(logLevel)} ${messageText(message)}${fields === "" ? "" : ` ${fields}`}`
    statusLine.print(Redact.text(`${line}${causeText}`))
  }
)

/**
 * One JSON object per line (Effect's `Logger.jsonLogger`) on stderr, redacted.
 *
 * @since 0.1.0
 * @category loggers
 */
export const jsonLogger: Logger.Logger<unknown, void> = Logger.map(Logger.jsonLogger, (line) => {
  process.stderr.write(`${Redact.text(line)}\n`)
})

/**
 * Replaces the default logger with the one for `format`.
 *
 * @since 0.1.0
 * @category layers
 */
export const loggerLayer = (format: LogFormat): Layer.Layer<never> =>
  Logger.replace(Logger.defaultLogger, format === "json" ? jsonLogger : prettyLogger)

/**
 * Writes a result to stdout (a report, a table, a JSON document).
 *
 * @since 0.1.0
 * @category output
 */
export const printResult = (text: string): void => {
  statusLine.clear()
  const redacted = Redact.text(text)
  process.stdout.write(redacted.endsWith("\n") ? redacted : `${redacted}\n`)
}

/**
 * Writes an error line to stderr (above the status line), redacted.
 *
 * @since 0.1.0
 * @category output
 */
export const printError = (text: string): void => {
  statusLine.clear()
  process.stderr.write(`${Redact.text(text)}\n`)
}
