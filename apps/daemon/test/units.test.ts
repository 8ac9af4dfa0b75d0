/**
 * @module
 * The daemon's pure parts: exit codes of failures and statuses, the progress line, stale lock owners, the cron of a
 * config, and the log format choice.
 */
import { SyncConfig, SyncState } from "@profilesync/sync"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import { cronOf } from "../src/commands/schedule.ts"
import { toCliFailure } from "../src/errors.ts"
import { CliFailure, ExitCode, exitCodeOfStatus } from "../src/exit-code.ts"
import { detectLogFormat } from "../src/output.ts"
import { formatElapsed, renderProgressLine } from "../src/progress.ts"
import { renderTable } from "../src/table.ts"

const minimalConfig = (extra: string) => `
version: 1
name: units
${extra}
source: { type: csv, path: ./profiles.csv }
fields:
  email: { type: email }
key: [email]
targets:
  copernica:
    baseUrl: http://127.0.0.1:8787/copernica/v3
    database: 1
    keyFields: [Email]
    fields:
      email: { field: Email }
`

describe("exitCodeOfStatus", () => {
  it("maps each run status to the documented code", () => {
    expect(exitCodeOfStatus("succeeded")).toBe(0)
    expect(exitCodeOfStatus("interrupted")).toBe(0)
    expect(exitCodeOfStatus("failed")).toBe(1)
    expect(exitCodeOfStatus("partial")).toBe(3)
  })
})

describe("toCliFailure", () => {
  it("makes config errors exit 2 with the located message", async () => {
    const error = await Effect.runPromise(Effect.flip(SyncConfig.parse("version: 2\n", "/etc/sync.yaml")))
    const failure = toCliFailure(error)
    expect(failure.exitCode).toBe(ExitCode.configError)
    expect(failure.message).toMatch(/^\/etc\/sync\.yaml/)
  })

  it("makes a held lock exit 4, from the store or the engine", () => {
    const stateError = new SyncState.SyncStateError({
      reason: SyncState.SyncStateErrorReason.Locked({
        name: "profilesync-sync:x",
        owner: "host:1:abc",
        since: new Date(0),
        expiresAt: new Date(60_000)
      })
    })
    expect(toCliFailure(stateError).exitCode).toBe(ExitCode.locked)
    expect(toCliFailure({ _tag: "SyncError", reason: { _tag: "Locked" }, message: "held" }).exitCode).toBe(4)
  })

  it("makes engine config reasons exit 2 and anything else exit 1", () => {
    for (const tag of ["InvalidOptions", "MissingColumns", "ColumnTypeChanged", "CredentialUnavailable"]) {
      expect(toCliFailure({ _tag: "SyncError", reason: { _tag: tag }, message: tag }).exitCode).toBe(2)
    }
    expect(toCliFailure({ _tag: "SyncError", reason: { _tag: "SourceFailed" }, message: "x" }).exitCode).toBe(1)
    expect(toCliFailure(new Error("boom")).exitCode).toBe(1)
  })

  it("redacts tokens in messages", () => {
    const failure = toCliFailure(new Error("GET https://api.copernica.com/v3/databases?access_token=s3cret failed"))
    expect(failure.message).not.toContain("s3cret")
    expect(failure.message).toContain("access_token=REDACTED")
  })

  it("keeps a CliFailure as it is", () => {
    const failure = new CliFailure({ exitCode: ExitCode.partialFailure, message: "" })
    expect(toCliFailure(failure)).toBe(failure)
  })
})

describe("renderProgressLine", () => {
  it("shows the phase, a bar with chunks done of total, rows and time", () => {
    const line = renderProgressLine(
      "customers",
      { phase: "sending", target: "ocamba", rowsRead: 12345, rowsRejected: 12, chunksDone: 5, chunksTotal: 10 },
      42_000,
      0
    )
    expect(line).toBe(
      "⠋ customers sending ocamba [██████████░░░░░░░░░░] 5/10 chunks · 12,345 read · 12 rejected · 0:42"
    )
  })

  it("leaves out the bar while the total is unknown", () => {
    expect(renderProgressLine("s", { phase: "reading", rowsRead: 10, rowsRejected: 0, chunksDone: 0 }, 0, 1)).toBe(
      "⠙ s reading · 10 read · 0:00"
    )
  })

  it("formats long runs with hours", () => {
    expect(formatElapsed(3_723_000)).toBe("1:02:03")
  })
})

describe("cronOf", () => {
  it("parses the schedule in the config's time zone", async () => {
    const config = await Effect.runPromise(
      SyncConfig.parse(minimalConfig('schedule: "0 3 * * *"\ntimeZone: Europe/Amsterdam'), "/tmp/units.yaml")
    )
    const cron = cronOf(config, "units.yaml")
    expect(Either.isRight(cron)).toBe(true)
  })

  it("refuses a config without a schedule as a config error", async () => {
    const config = await Effect.runPromise(SyncConfig.parse(minimalConfig(""), "/tmp/units.yaml"))
    const cron = cronOf(config, "units.yaml")
    expect(Either.isLeft(cron) && cron.left.exitCode).toBe(ExitCode.configError)
  })
})

describe("detectLogFormat", () => {
  it("follows the terminal unless PROFILESYNC_LOG_FORMAT says otherwise", () => {
    expect(detectLogFormat({}, true)).toBe("pretty")
    expect(detectLogFormat({}, false)).toBe("json")
    expect(detectLogFormat({ PROFILESYNC_LOG_FORMAT: "json" }, true)).toBe("json")
    expect(detectLogFormat({ PROFILESYNC_LOG_FORMAT: "pretty" }, false)).toBe("pretty")
  })
})

describe("renderTable", () => {
  it("pads columns and right-aligns numbers", () => {
    expect(
      renderTable(
        ["NAME", "ROWS"],
        [
          ["a", 1000],
          ["long name", 2]
        ]
      )
    ).toBe(["NAME        ROWS", "a          1,000", "long name      2"].join("\n"))
  })
})
