/**
 * @module
 * The `schedule` process and its parent. A tick more than 24.8 days away (longer than a JavaScript timer holds) is
 * waited for, not taken as "never" with nothing left to keep the process alive. `npx @profilesync/daemon schedule …`
 * runs the bin as npm exec → `sh -c profilesync …` → node, and npm hands a supervisor's SIGTERM to the shell only: the
 * test stands in for npm with a shell started with npm exec's `npm_lifecycle_event=npx`; SIGTERM kills the shell, and
 * the daemon, seeing its launcher gone, stops as on SIGTERM. Started any other way, it outlives its parent (`nohup`).
 */
import { spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  jsonLines,
  packageDirectory,
  sandboxTokens,
  temporaryDirectory,
  waitUntil,
  writeConfig,
  writeProfiles
} from "./support.ts"

const bin = Path.join(packageDirectory, "bin", "profilesync.js")
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** Whether `pid` runs: an exited orphan may stay a zombie here (PID 1 need not reap it), which counts as gone. */
const alive = (pid: number): boolean => {
  try {
    const stat = FileSystem.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}

/** `schedule` on a January-first cron (it only waits), under a shell that is not replaced by the command. */
const scheduleUnderShell = (environment: Record<string, string>) => {
  const directory = temporaryDirectory()
  cleanups.push(directory.cleanup)
  writeProfiles(Path.join(directory.path, "profiles.csv"), [])
  const config = writeConfig({
    directory: directory.path,
    copernicaBaseUrl: "http://127.0.0.1:9/v3",
    schedule: "0 0 1 1 *"
  })
  const command = `"${process.execPath}" "${bin}" schedule --config "${config}"; exit $?`
  const shell = spawn("sh", ["-c", command], {
    env: { PATH: process.env.PATH ?? "", PROFILESYNC_LOG_FORMAT: "json", ...sandboxTokens, ...environment },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  shell.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  shell.stdout.resume()
  // Every end of the pipes is closed once the daemon, which holds them too, has exited.
  const closed = new Promise<void>((resolve) => shell.once("close", () => resolve()))
  const daemonPid = (): number => {
    const children = FileSystem.readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, "utf8").trim()
    return Number(children.split(/\s+/)[0])
  }
  return { shell, stderr: () => stderr, closed, daemonPid }
}

describe("the schedule process", { timeout: 60_000 }, () => {
  it("waits for a tick more than 24.8 days away instead of exiting", async () => {
    const started = scheduleUnderShell({})
    await waitUntil(
      () => jsonLines(started.stderr()).some((line) => line.message === "next run scheduled"),
      "the schedule to wait for its tick"
    )
    const daemon = started.daemonPid()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(alive(daemon), started.stderr()).toBe(true)
    process.kill(daemon, "SIGTERM")
    await started.closed
    expect(jsonLines(started.stderr()).map((line) => line.message)).toContain("schedule stopped")
  })

  it("stops as on SIGTERM when npx's shell dies of the signal npm handed it", async () => {
    const started = scheduleUnderShell({ npm_lifecycle_event: "npx" })
    await waitUntil(
      () => jsonLines(started.stderr()).some((line) => line.message === "next run scheduled"),
      "the schedule to wait for its tick"
    )
    const daemon = started.daemonPid()
    expect(alive(daemon)).toBe(true)
    started.shell.kill("SIGTERM")
    await started.closed
    await waitUntil(() => !alive(daemon), "the daemon to exit")
    const messages = jsonLines(started.stderr()).map((line) => line.message)
    expect(messages).toContain("npx exited: stopping as on SIGTERM")
    expect(messages).toContain("schedule stopped")
  })

  it("outlives its parent when npx did not start it", async () => {
    const started = scheduleUnderShell({})
    await waitUntil(
      () => jsonLines(started.stderr()).some((line) => line.message === "next run scheduled"),
      "the schedule to wait for its tick"
    )
    const daemon = started.daemonPid()
    started.shell.kill("SIGTERM")
    await new Promise((resolve) => started.shell.once("exit", resolve))
    // Well past the launcher check's interval: still running.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(alive(daemon)).toBe(true)
    process.kill(daemon, "SIGTERM")
    await started.closed
    expect(jsonLines(started.stderr()).map((line) => line.message)).toContain("schedule stopped")
  })
})
