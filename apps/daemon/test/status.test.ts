/**
 * `status` on a narrow terminal: the runs table fits the width by leaving out the least needed columns, and says so.
 */
import { describe, expect, it } from "vitest"
import { formatStatus, type StatusView } from "../src/commands/status.ts"

const run = (id: string, status: "succeeded" | "partial") => ({
  id,
  status,
  dryRun: false,
  targets: ["ocamba", "copernica"],
  startedAt: "2026-05-01T10:00:00.000Z",
  finishedAt: "2026-05-01T10:42:17.000Z",
  durationMilliseconds: 2_537_000,
  counts: {
    read: 1_234_567,
    rejected: 12_345,
    "ocamba.created": 1_000_000,
    "ocamba.updated": 200_000,
    "ocamba.unchanged": 22_222,
    "ocamba.failed": 17,
    "copernica.created": 999_999,
    "copernica.deleted": 1_234,
    "copernica.deadLettered": 3
  }
})

const view: StatusView = {
  sync: "customers",
  store: "/var/lib/profilesync/state.db",
  runs: [run("0a1b2c3d-run", "partial"), run("4e5f6a7b-run", "succeeded")],
  inFlightJobs: [],
  deadLetters: { total: 0, more: false, byTarget: {} }
}

const tableLines = (text: string) => text.split("\n").filter((line) => /^(RUN|STARTED|\S{8} |\s{4,})/.test(line))

describe("status", () => {
  it("fits the runs table in 80 columns, keeping what matters most and naming what it left out", () => {
    const text = formatStatus(view, 80)
    for (const line of tableLines(text)) expect(line.length, line).toBeLessThanOrEqual(80)
    const header = text.split("\n").find((line) => line.includes("STATUS"))!
    for (const column of ["STARTED", "STATUS", "READ", "TARGET", "CREATED", "UPDATED", "FAILED"]) {
      expect(header).toContain(column)
    }
    expect(text).toMatch(/\(left out to fit 80 columns: UNCHANGED, .*; --json has every count\)/)
    expect(text).toContain("1,000,000")
  })

  it("shows every column when the terminal is wide enough", () => {
    const text = formatStatus(view, 200)
    expect(text).toContain("UNCHANGED")
    expect(text).toContain("DEAD")
    expect(text).not.toContain("left out")
  })
})
