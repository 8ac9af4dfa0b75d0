/**
 * @module
 * Webhook alerts, end to end: `profilesync run` and `profilesync schedule` as real processes against a sandbox, and a
 * webhook receiver on loopback that records every request. Each trigger is delivered (failed, partial, rejections,
 * dead letters, deletes refused by `maxDeleteShare`, a missed tick: the daemon was down, stopped, or a tick's run
 * could not start); a receiver that fails twice still gets the alert; and no secret of the webhook (user info, path,
 * query token, header value) or of the vendors is in any payload, log, report, rejects file or state store.
 */
import * as FileSystem from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type CliProcess,
  jsonLines,
  makeProfiles,
  runCli,
  type SyncFilesOptions,
  sandboxTokens,
  spawnCli,
  temporaryDirectory,
  waitUntil,
  writeConfig,
  writeProfiles
} from "./support.ts"

interface Received {
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
  readonly status: number
}

/** A webhook receiver on loopback: records every request; the first `failFirst` are answered 500. */
const startReceiver = async () => {
  const received: Array<Received> = []
  let failuresLeft = 0
  const server = Http.createServer((request, response) => {
    let body = ""
    request.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => {
      const status = failuresLeft > 0 ? 500 : 200
      if (failuresLeft > 0) failuresLeft--
      received.push({ path: request.url ?? "", headers: request.headers, body, status })
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "down")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    received,
    failNext: (count: number) => {
      failuresLeft = count
    },
    /** The payloads of the requests that were answered 200. */
    delivered: () =>
      received.filter((request) => request.status === 200).map((request) => JSON.parse(request.body) as Payload),
    reset: () => {
      received.length = 0
      failuresLeft = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

interface Payload {
  readonly text: string
  readonly alert: string
  readonly sync: string
  readonly runId: string | null
  readonly at: string
  readonly summary: string
  readonly details: Record<string, unknown>
}

// Every part of the webhook that is a credential, and the header's value.
const secrets = {
  user: "alert-user-name",
  password: "alert-pass-4815",
  pathToken: "Xq7secretPathToken20261206",
  queryToken: "query-token-162342",
  header: "header-secret-value-99"
}
const webhookUrl = (port: number) =>
  `http://${secrets.user}:${secrets.password}@127.0.0.1:${port}/services/T0001/B0002/${secrets.pathToken}` +
  `?token=${secrets.queryToken}`

const alertsSection = (options: { readonly on?: string; readonly maxRejectedShare?: number } = {}) => [
  "alerts:",
  "  webhook:",
  "    urlEnv: ALERT_WEBHOOK_URL",
  "    headers: { X-Api-Key: { tokenEnv: ALERT_API_KEY } }",
  ...(options.on === undefined ? [] : [`  on: ${options.on}`]),
  `  maxRejectedShare: ${options.maxRejectedShare ?? 0.05}`,
  "  attempts: 4",
  "  timeoutSeconds: 5"
]

const withAlerts = (file: string, options: Parameters<typeof alertsSection>[0] = {}, extra: Array<string> = []) => {
  FileSystem.appendFileSync(file, `${[...extra, ...alertsSection(options)].join("\n")}\n`)
}

/** Every place a secret could leak to: the receiver's bodies, the process's output, and the files it wrote. */
const expectNoSecret = (directory: string, outputs: ReadonlyArray<string>, bodies: ReadonlyArray<string>) => {
  const files = FileSystem.readdirSync(Path.join(directory, "state")).map((name) =>
    FileSystem.readFileSync(Path.join(directory, "state", name)).toString("latin1")
  )
  for (const text of [...bodies, ...outputs, ...files]) {
    for (const secret of [...Object.values(secrets), ...Object.values(sandboxTokens)]) {
      expect(text).not.toContain(secret)
    }
  }
}

describe("alerts", { timeout: 120_000 }, () => {
  let sandbox: Sandbox
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const cleanups: Array<() => void> = []
  const processes: Array<CliProcess> = []

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, copernica: { processing: { delayMilliseconds: 50 } } })
    receiver = await startReceiver()
  })
  afterEach(async () => {
    for (const cli of processes.splice(0)) {
      cli.child.kill("SIGCONT")
      cli.child.kill("SIGKILL")
      await cli.exited
    }
    sandbox.reset()
    receiver.reset()
    for (const cleanup of cleanups.splice(0)) cleanup()
  })
  afterAll(async () => {
    await receiver.close()
    await sandbox.close()
  })

  const environment = () => ({
    ...sandboxTokens,
    ALERT_WEBHOOK_URL: webhookUrl(receiver.port),
    ALERT_API_KEY: secrets.header
  })

  const story = (options: Omit<SyncFilesOptions, "directory"> = {}) => {
    const directory = temporaryDirectory()
    cleanups.push(directory.cleanup)
    const config = writeConfig({ directory: directory.path, copernicaBaseUrl: sandbox.copernicaBaseUrl, ...options })
    return { directory: directory.path, config }
  }

  it("a partial run with rejected and dead-lettered rows alerts on each, through a receiver that fails twice", async () => {
    const { directory, config } = story({ maxAttempts: 1 })
    const profiles = makeProfiles(8)
    writeProfiles(Path.join(directory, "profiles.csv"), profiles)
    // Two rows of ten have no valid email: 20% rejected, over the 10% allowed.
    FileSystem.appendFileSync(Path.join(directory, "profiles.csv"), "not-an-email,Bad One,gold\n,Bad Two,gold\n")
    withAlerts(config, { maxRejectedShare: 0.1 })
    sandbox.setFaults({ importFailureRate: 1, vendors: ["copernica"] })
    receiver.failNext(2)

    const result = await runCli(["run", "--config", config, "--json"], { env: environment() })
    expect(result.code, result.stderr).toBe(3)
    const kinds = receiver.delivered().map((payload) => payload.alert)
    expect(kinds.sort()).toEqual(["deadLetters", "partial", "rejections"])
    // The first alert was refused twice and delivered on the third attempt; the others at once.
    expect(receiver.received.map((request) => request.status)).toEqual([500, 500, 200, 200, 200])
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { runId: string }
    for (const payload of receiver.delivered()) {
      expect(payload.sync).toBe("daemon-test")
      expect(payload.runId).toBe(report.runId)
      expect(payload.text).toContain("daemon-test")
      expect(typeof payload.text).toBe("string")
    }
    const rejections = receiver.delivered().find((payload) => payload.alert === "rejections")!
    expect(rejections.details).toMatchObject({ read: 10, rejected: 2, share: 0.2, maxRejectedShare: 0.1 })
    const deadLetters = receiver.delivered().find((payload) => payload.alert === "deadLetters")!
    expect(deadLetters.details).toMatchObject({ deadLettered: 8, perTarget: { copernica: 8 } })
    // The receiver saw the header and the path it was configured with: the secrets reach it, and only it.
    expect(receiver.received[0]!.headers["x-api-key"]).toBe(secrets.header)
    expect(receiver.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${secrets.user}:${secrets.password}`).toString("base64")}`
    )
    expect(receiver.received[0]!.path).toContain(secrets.pathToken)
    const logs = jsonLines(result.stderr)
    expect(logs.filter((line) => line.message === "alert delivery attempt failed")).toHaveLength(2)
    const receivers = logs
      .filter((line) => line.message === "alert delivered")
      .map((line) => (line.annotations as Record<string, unknown>).receiver)
    expect(receivers).toEqual([
      `http://127.0.0.1:${receiver.port}`,
      `http://127.0.0.1:${receiver.port}`,
      `http://127.0.0.1:${receiver.port}`
    ])
    expectNoSecret(
      directory,
      [result.stdout, result.stderr],
      receiver.received.map((request) => request.body)
    )
  })

  it("a failed run alerts, and a receiver that never answers 2xx does not hold the run up past its attempts", async () => {
    const { directory, config } = story()
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(3))
    withAlerts(config, { on: "[failed]" })
    receiver.failNext(100)
    // A token the vendor refuses: every selected target fails, so the run fails.
    const result = await runCli(["run", "--config", config], {
      env: { ...environment(), COPERNICA_TOKEN: "copernica-refused-token" }
    })
    expect(result.code, result.stderr).toBe(1)
    expect(receiver.received).toHaveLength(4)
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ alert: "failed", sync: "daemon-test" })
    expect(jsonLines(result.stderr).some((line) => line.message === "alert not delivered")).toBe(true)
    expectNoSecret(
      directory,
      [result.stdout, result.stderr],
      receiver.received.map((request) => request.body)
    )
    for (const request of receiver.received) expect(request.body).not.toContain("copernica-refused-token")
  })

  it("deletes refused by maxDeleteShare alert", async () => {
    const { directory, config } = story({ deleteMissing: true })
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(20))
    withAlerts(config, { on: "[deleteRefused, failed, partial]" })
    const first = await runCli(["run", "--config", config], { env: environment() })
    expect(first.code, first.stderr).toBe(0)
    expect(receiver.received).toHaveLength(0)
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(10))
    const second = await runCli(["run", "--config", config], { env: environment() })
    // Deletes held back make the run partial.
    expect(second.code, second.stderr).toBe(3)
    expect(receiver.delivered().map((payload) => payload.alert)).toEqual(["partial", "deleteRefused"])
    expect(receiver.delivered()[1]).toMatchObject({
      alert: "deleteRefused",
      details: { refused: 10, perTarget: { copernica: 10 } }
    })
    expect(receiver.delivered()[1]!.text).toContain("--allow-mass-delete")
    expectNoSecret(
      directory,
      [first.stderr, second.stderr],
      receiver.received.map((request) => request.body)
    )
  })

  it("schedule --configs: a tick missed while the daemons were down alerts once at start, from one of two replicas", async () => {
    const { directory, config } = story({ schedule: "*/2 * * * * *" })
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(2))
    withAlerts(config, { on: "[missedRun]" })
    const first = await runCli(["run", "--config", config], { env: environment() })
    expect(first.code, first.stderr).toBe(0)
    // Down for more than a tick and a half.
    const ranAt = Date.now()
    await waitUntil(() => Date.now() - ranAt > 4500, "two ticks to pass", 10_000, 100)
    const daemon = spawnCli(["schedule", "--configs", directory], { env: environment() })
    const replica = spawnCli(["schedule", "--configs", directory], { env: environment() })
    processes.push(daemon, replica)
    await waitUntil(() => receiver.delivered().length > 0, "the missed-run alert", 30_000)
    const [alert] = receiver.delivered()
    expect(alert).toMatchObject({ alert: "missedRun", details: { reason: "late" } })
    expect(alert!.details.missedTicks as number).toBeGreaterThanOrEqual(2)
    expect(alert!.text).toContain("it runs at the next tick")
    // Both replicas looked and go on running the ticks between them; one claimed the overdue tick and told it.
    const runs = () =>
      [daemon, replica].flatMap((cli) => jsonLines(cli.stderr())).filter((line) => line.message === "run finished")
    await waitUntil(() => runs().length >= 2, "two scheduled runs", 60_000)
    for (const cli of [daemon, replica]) {
      expect(jsonLines(cli.stderr()).some((line) => line.message === "next run scheduled")).toBe(true)
    }
    expect(receiver.delivered().filter((payload) => payload.alert === "missedRun")).toHaveLength(1)
    daemon.child.kill("SIGTERM")
    replica.child.kill("SIGTERM")
    await Promise.all([daemon.exited, replica.exited])
    expectNoSecret(
      directory,
      [daemon.stderr(), daemon.stdout(), replica.stderr(), replica.stdout()],
      receiver.received.map((request) => request.body)
    )
  })

  it("schedule: ticks missed while the process was stopped alert once, when it wakes", async () => {
    const { directory, config } = story({ schedule: "*/4 * * * * *" })
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(2))
    withAlerts(config, { on: "[missedRun]" })
    const daemon = spawnCli(["schedule", "--config", config], { env: environment() })
    processes.push(daemon)
    await waitUntil(
      () => jsonLines(daemon.stderr()).some((line) => line.message === "run finished"),
      "a first scheduled run",
      60_000
    )
    await waitUntil(
      () => jsonLines(daemon.stderr()).filter((line) => line.message === "next run scheduled").length >= 2,
      "the wait for the next tick"
    )
    expect(receiver.received).toHaveLength(0)
    // The machine "sleeps" past three ticks.
    daemon.child.kill("SIGSTOP")
    const stoppedAt = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 12_500))
    daemon.child.kill("SIGCONT")
    await waitUntil(() => receiver.delivered().length > 0, "the missed-run alert", 30_000)
    const [alert] = receiver.delivered()
    expect(alert).toMatchObject({ alert: "missedRun", details: { reason: "late" } })
    expect(alert!.details.missedTicks as number).toBeGreaterThanOrEqual(2)
    expect(Date.parse(alert!.details.due as string)).toBeGreaterThanOrEqual(stoppedAt - 4000)
    await waitUntil(
      () => jsonLines(daemon.stderr()).filter((line) => line.message === "run finished").length >= 3,
      "the runs after the wake",
      60_000
    )
    expect(receiver.delivered().filter((payload) => payload.alert === "missedRun")).toHaveLength(1)
    daemon.child.kill("SIGTERM")
    await daemon.exited
  })

  it("schedule: a tick whose run cannot start (another run holds the lock) alerts", async () => {
    const { directory, config } = story({ schedule: "0 0 1 1 *", rowsPerImport: 1 })
    writeProfiles(Path.join(directory, "profiles.csv"), makeProfiles(40))
    withAlerts(config, { on: "[missedRun]" })
    // A slow import keeps the first run, and its lock, busy while the schedule's first tick comes.
    sandbox.setFaults({ latencyMilliseconds: 300, vendors: ["copernica"] })
    const running = spawnCli(["run", "--config", config], { env: environment() })
    processes.push(running)
    await waitUntil(
      () => jsonLines(running.stderr()).some((line) => line.message === "run starting"),
      "the first run to start",
      30_000
    )
    await waitUntil(() => sandbox.state.copernica.account("copernica-account-1").imports.size > 0, "an import")
    const daemon = spawnCli(["schedule", "--config", config, "--now"], { env: environment() })
    processes.push(daemon)
    await waitUntil(() => receiver.delivered().length > 0, "the missed-run alert", 30_000)
    expect(receiver.delivered()[0]).toMatchObject({ alert: "missedRun", details: { reason: "notStarted" } })
    expect(running.child.exitCode).toBeNull()
    daemon.child.kill("SIGTERM")
    await daemon.exited
  })
})
