/**
 * The daemon's shell blocks, run as written by `readme-shell.test.ts`: the root README's daemon commands with the
 * daemon README's overview and its dashboard, the runs straight to the vendors (and with Redis), the run through the
 * proxy sidecar and the crontab line, and the run against a sandbox the block starts itself. Each runs in its own
 * scratch directory, with the README's `customers.yaml` built from the bundled example over a few hundred of its rows,
 * so the four can run side by side. What each changes in a command is listed with it (ports, `…` tokens,
 * `/run/secrets`, `/etc`, `/var/log`), and each change must find its text.
 *
 * A line that ends in `&` starts a server: like a person at a terminal, the test waits until it is ready (its
 * `/readyz`, or the sandbox's `listening on`) before the next line.
 */
import * as FileSystem from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Sandbox } from "@profilesync/sandbox"
import { freePort, type RedisServer } from "@profilesync/test-support"
import { expect } from "vitest"
import * as YAML from "yaml"
import { changed, command, commandsOf, sectionCommands } from "./readme-commands.ts"
import {
  answers200,
  bin,
  runShell,
  sandboxTokens,
  scratchDirectory,
  secondAccountTokens,
  startShell
} from "./readme-shell-support.ts"
import { get, jsonLines, repository, runProcess, waitUntil } from "./support.ts"

const readme = "apps/daemon/README.md"

export interface Vendors {
  readonly sandbox: Sandbox
  readonly redis: RedisServer
}

/** The bundled example's header and its first `count` rows, and `extra` lines after them. */
const writeProfiles = (directory: string, count: number, extra = "") => {
  const rows = FileSystem.readFileSync(Path.join(repository, "examples/profiles.csv"), "utf8").split("\n")
  FileSystem.writeFileSync(Path.join(directory, "profiles.csv"), `${rows.slice(0, count + 1).join("\n")}\n${extra}`)
}

/** The text of the ```yaml block under the README's heading `section`. */
const yamlBlock = (section: string): string => {
  const text = FileSystem.readFileSync(Path.join(repository, readme), "utf8")
  const from = text.indexOf(`### ${section}\n`)
  expect(from, `${readme} has a section "${section}"`).toBeGreaterThan(-1)
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(from))
  expect(block, `a yaml block under "${section}"`).not.toBeNull()
  return block![1]!
}

/**
 * `customers.yaml` as "Straight to the vendors" writes it: the bundled example with the README's `targets`, on the
 * sandbox instead of the production URLs, and the Copernica token file in the scratch directory.
 */
const writeStraightConfig = (directory: string, sandbox: Sandbox, copernicaToken: string) => {
  const secrets = Path.join(directory, "secrets")
  FileSystem.mkdirSync(secrets)
  const targets = changed(yamlBlock("Straight to the vendors"), [
    ["https://api.ocamba.com/v1/hood", sandbox.ocambaBaseUrl],
    ["https://api.copernica.com/v3", sandbox.copernicaBaseUrl],
    ["/run/secrets/", `${secrets}/`]
  ])
  FileSystem.writeFileSync(Path.join(secrets, "copernica-token"), `${copernicaToken}\n`)
  const config = YAML.parseDocument(FileSystem.readFileSync(Path.join(repository, "examples/customers.yaml"), "utf8"))
  config.set("targets", YAML.parse(targets).targets)
  FileSystem.writeFileSync(Path.join(directory, "customers.yaml"), config.toString())
}

/** The keys of a Redis that start with `prefix`, asked with an inline `KEYS` command. */
const redisKeys = (port: number, prefix: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect(port, "127.0.0.1", () => socket.write(`KEYS ${prefix}*\r\nQUIT\r\n`))
    let reply = ""
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      reply += chunk
    })
    socket.on("end", () => resolve(reply))
    socket.on("error", reject)
  })

/** `VAR=value … command`: the command takes the shell's place, so a signal reaches it and its status is the shell's. */
const inPlace = (text: string) => text.replace(/^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)/, "$1exec ")

const expectExit = (result: { readonly code: number | null; readonly output: string }, text: string, code = 0) =>
  expect(result.code, `${text}\n${result.output.slice(-3000)}`).toBe(code)

/** A README line's command without its comment, spaces collapsed: what the shell runs. */
const commandPart = (text: string) => text.split(" #")[0]!.trim().replace(/\s+/g, " ")

/**
 * The daemon commands of the root README and of the daemon README's overview, in order, on one sync: the bundled
 * example through a proxy sidecar, over 300 of its rows and the row whose history the daemon README asks for. Four of
 * the daemon README's six commands are the root README's, word for word: each runs once, for both. Then the
 * dashboard over that sync's state.
 */
export const overviews = async ({ sandbox }: Vendors) => {
  const directory = scratchDirectory("daemon")
  const proxyPort = await freePort()
  const proxy = startShell("profilesync-proxy", {
    env: {
      ...sandboxTokens,
      PORT: String(proxyPort),
      OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
      OCAMBA_ACCOUNT: "ocamba-account-1",
      COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
      COPERNICA_ACCOUNT: "copernica-account-1"
    }
  })
  await answers200(`http://127.0.0.1:${proxyPort}/readyz`, "the proxy to be ready")
  const example = FileSystem.readFileSync(Path.join(repository, "examples/customers.yaml"), "utf8")
  FileSystem.writeFileSync(
    Path.join(directory, "customers.yaml"),
    changed(example, [["127.0.0.1:8787/", `127.0.0.1:${proxyPort}/`]])
  )
  writeProfiles(directory, 300, "100999,a@b.nl,,Ann,Bee,01-01-1990,Utrecht,NL,no,12.50\n")

  const root = commandsOf("README.md").filter((item) => item.text.startsWith("profilesync "))
  const subcommand = (item: { readonly text: string }) => item.text.split(/\s+/)[1]
  expect(root.map(subcommand)).toEqual(["validate-config", "check", "run", "run", "schedule", "status", "dead-letters"])
  const daemon = sectionCommands(readme, "@profilesync/daemon: the `profilesync` command")
  expect(daemon.map(subcommand)).toEqual(["validate-config", "check", "run", "run", "status", "history"])
  const outputs: Array<readonly [string, string]> = []
  for (const item of [...root, ...daemon]) {
    if (outputs.some(([ran]) => ran === commandPart(item.text))) continue
    if (item.text.startsWith("profilesync schedule")) {
      // It runs until stopped: it must start, plan its next run, and stop on SIGTERM with 0.
      const schedule = startShell(`exec ${item.text}`, { cwd: directory, env: { PROFILESYNC_LOG_FORMAT: "json" } })
      await waitUntil(
        () => jsonLines(schedule.output()).some((line) => line.message === "next run scheduled"),
        "the schedule to plan its next run",
        90_000
      )
      expect(await schedule.stop(), schedule.output()).toBe(0)
      continue
    }
    const result = await runShell(item.text, { cwd: directory, timeoutMilliseconds: 180_000 })
    // Exit 3: the run finished and some rows were rejected (the example has bad rows on purpose).
    const accepted = / run /.test(item.text) ? [0, 3] : [0]
    expect(accepted, `${item.text}\n${result.output.slice(-3000)}`).toContain(result.code)
    outputs.push([commandPart(item.text), result.output])
  }
  // Each command printed what it is for; the daemon README's own `run` found nothing left to send.
  const output = (start: string) => outputs.filter(([ran]) => ran.startsWith(start)).map(([, text]) => text)
  expect(output("profilesync validate-config")).toEqual([expect.stringContaining("customers.yaml is valid.")])
  expect(output("profilesync check")).toEqual([expect.stringContaining("Everything a run needs is in place.")])
  expect(output("profilesync run --config customers.yaml --dry-run")[0]).toMatch(/dry run .*nothing was sent/s)
  expect(output("profilesync run --config customers.yaml --once")[0]).toMatch(/ocamba: \d+ created/)
  expect(output("profilesync run --config customers.yaml")).toContainEqual(
    expect.stringMatching(/ocamba: 0 created, 0 updated, \d+ unchanged/)
  )
  expect(output("profilesync status")[0]).toMatch(/Last run: /)
  // The row the history line names: both targets confirmed the version sent.
  expect(output("profilesync history")[0]).toMatch(
    /^2 history entries for key email:a@b\.nl(?=[\s\S]* ocamba +created )(?=[\s\S]* copernica +created )/m
  )
  expect(FileSystem.existsSync(Path.join(directory, ".profilesync/state.db"))).toBe(true)

  // The dashboard, on a free port instead of 8790, over that sync's state.
  const dashboardLines = sectionCommands(readme, "`profilesync dashboard`")
  expect(dashboardLines).toHaveLength(1)
  const port = await freePort()
  const text = changed(dashboardLines[0]!.text, [
    ["profilesync dashboard", `profilesync dashboard --port ${port}`],
    ["http://127.0.0.1:8790/", `http://127.0.0.1:${port}/`]
  ])
  const url = /# then open (\S+)/.exec(text)![1]!
  const dashboard = startShell(inPlace(text), { cwd: directory })
  await answers200(url, "the dashboard's first page")
  expect((await get(url)).body).toContain("customers")
  expect((await get(`${url}syncs/customers`)).status).toBe(200)
  expect(await dashboard.stop(), dashboard.output()).toBe(0)
  await proxy.stop()
}

/** "Straight to the vendors": a run with the Ocamba token in its environment, then one sharing the budget in Redis. */
export const straightToTheVendors = async ({ sandbox, redis }: Vendors) => {
  // The sandbox's second account, so that this sync and the overview's never share a budget.
  const directory = scratchDirectory("daemon-straight")
  writeStraightConfig(directory, sandbox, secondAccountTokens.COPERNICA_TOKEN)
  writeProfiles(directory, 200)
  const lines = sectionCommands(readme, "Straight to the vendors")
  expect(lines).toHaveLength(2)
  const token: readonly [string, string] = ["OCAMBA_TOKEN=…", `OCAMBA_TOKEN=${secondAccountTokens.OCAMBA_TOKEN}`]

  const first = await runShell(changed(lines[0]!.text, [token]), { cwd: directory, timeoutMilliseconds: 180_000 })
  expectExit(first, lines[0]!.text)
  expect(first.output).toMatch(/ocamba: \d+ created/)

  // Ten more rows, so that the second run has something to send and spends budget.
  writeProfiles(directory, 210)
  const shared = changed(lines[1]!.text, [token, ["redis://redis:6379", redis.url]])
  const second = await runShell(shared, { cwd: directory, timeoutMilliseconds: 180_000 })
  expectExit(second, lines[1]!.text)
  expect(second.output).toMatch(/ocamba: [1-9]\d* created, 0 updated, \d+ unchanged/)
  // The budget it spent was the one in Redis: the account's log of admitted calls is there (it expires a window after
  // the last call, a minute, so it is still there).
  expect(await redisKeys(redis.port, "profilesync:throttle:{ocamba:my-company}")).toContain(
    "profilesync:throttle:{ocamba:my-company}:log"
  )
}

/** "Through the proxy sidecar": the proxy in the background and a run through it; then "On a schedule"'s crontab. */
export const throughTheProxy = async ({ sandbox }: Vendors) => {
  const directory = scratchDirectory("daemon-proxy")
  const proxyPort = await freePort()
  const example = FileSystem.readFileSync(Path.join(repository, "examples/customers.yaml"), "utf8")
  FileSystem.writeFileSync(
    Path.join(directory, "customers.yaml"),
    changed(example, [["127.0.0.1:8787/", `127.0.0.1:${proxyPort}/`]])
  )
  writeProfiles(directory, 200)
  const lines = sectionCommands(readme, "Through the proxy sidecar")
  expect(lines).toHaveLength(2)

  // The proxy talks to the sandbox (the README's to the production vendors) and listens on a free port, not 8787.
  const proxy = startShell(
    changed(lines[0]!.text, [
      ["OCAMBA_TOKEN=…", `OCAMBA_TOKEN=${sandboxTokens.OCAMBA_TOKEN}`],
      ["COPERNICA_TOKEN=…", `COPERNICA_TOKEN=${sandboxTokens.COPERNICA_TOKEN}`]
    ]),
    {
      cwd: directory,
      env: {
        PORT: String(proxyPort),
        OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
        COPERNICA_BASE_URL: sandbox.copernicaBaseUrl
      }
    }
  )
  await answers200(`http://127.0.0.1:${proxyPort}/readyz`, "the proxy to be ready")
  const run = await runShell(lines[1]!.text, { cwd: directory, timeoutMilliseconds: 180_000 })
  expectExit(run, lines[1]!.text)
  expect(run.output).toMatch(/ocamba: \d+ created/)

  // The crontab, as cron runs it: its own PATH line, HOME, /bin/sh, nothing else of the test's environment. The
  // workspace's bins and Node's directory stand in for /usr/local/bin; the config and the logs are scratch files.
  const crontab = sectionCommands(readme, "On a schedule")
  expect(crontab.map((item) => item.text.split(/[\s=]/)[0])).toEqual(["PATH", "*/15"])
  const path = changed(crontab[0]!.text, [["/usr/local/bin", `${bin}:${Path.dirname(process.execPath)}`]])
  const logs = scratchDirectory("daemon-proxy/log")
  const job = changed(/^(?:\S+\s+){5}(.*)$/.exec(crontab[1]!.text)![1]!, [
    ["/etc/profilesync/", `${directory}/`],
    ["/var/log/", `${logs}/`]
  ])
  const cron = await runProcess("/bin/sh", ["-c", job], {
    env: { PATH: path.slice("PATH=".length), HOME: directory, SHELL: "/bin/sh", LOGNAME: Os.userInfo().username },
    cwd: directory,
    timeoutMilliseconds: 180_000
  })
  expectExit(cron, job)
  const reports = FileSystem.readFileSync(Path.join(logs, "profilesync.ndjson"), "utf8").trim().split("\n")
  expect(reports).toHaveLength(1)
  expect(JSON.parse(reports[0]!)).toMatchObject({ status: "succeeded" })
  // Logs went to their own file, one JSON object per line (stderr is no terminal).
  const log = FileSystem.readFileSync(Path.join(logs, "profilesync.log"), "utf8").trim().split("\n")
  expect(jsonLines(log.join("\n"))).toHaveLength(log.length)

  // The shell that started the proxy is gone; SIGTERM to its process group reaches the proxy, which drains.
  await proxy.stop()
  expect(
    jsonLines(proxy.output()).find((line) => line.msg === "stopped"),
    proxy.output()
  ).toMatchObject({
    drained: true
  })
}

/**
 * "Against the sandbox": the sandbox the block starts, and the bundled sandbox example run from the root. Core's
 * README starts the sandbox with the same line, so this one start stands for both.
 */
export const againstTheSandbox = async () => {
  const directory = scratchDirectory("daemon-sandbox")
  const lines = sectionCommands(readme, "Against the sandbox")
  expect(lines).toHaveLength(2)
  expect(command("packages/core/README.md", "pnpm --filter @profilesync/sandbox start").text).toBe(lines[0]!.text)
  const port = await freePort()
  const server = startShell(changed(lines[0]!.text, [["--port 4010", `--port ${port}`]]), {})
  await waitUntil(() => server.output().includes("listening on"), "the sandbox to listen", 120_000)

  // examples/sandbox.yaml on that port, beside 200 of the example's rows (the example has 10,000).
  const example = FileSystem.readFileSync(Path.join(repository, "examples/sandbox.yaml"), "utf8")
  expect(example.match(/127\.0\.0\.1:4010/g)).toHaveLength(2)
  FileSystem.writeFileSync(
    Path.join(directory, "sandbox.yaml"),
    changed(example, [["127.0.0.1:4010", `127.0.0.1:${port}`]])
  )
  writeProfiles(directory, 200)
  const text = changed(lines[1]!.text, [["examples/sandbox.yaml", Path.join(directory, "sandbox.yaml")]])
  const result = await runShell(text, { cwd: repository, timeoutMilliseconds: 180_000 })
  expectExit(result, lines[1]!.text)
  expect(result.output).toMatch(/ocamba: \d+ created[\s\S]*copernica: \d+ created/)
  const counters = JSON.parse((await get(`http://127.0.0.1:${port}/_sandbox/counters`)).body)
  expect(counters.vendors.copernica.accounts["copernica-account-1"].requests).toBeGreaterThan(0)
  await server.stop()
}
