/**
 * The shell blocks of the root, core, sandbox and deploy READMEs, followed as written. `readme-commands.ts` lists
 * every command line of every ```sh block with what happens to it: run here (each `it` below runs its lines as
 * `sh -c`, against the sandbox on loopback), or not run here, with the reason and a check that the reason holds. A
 * command line the list does not know fails the inventory, so a new block cannot go unchecked, and a test whose
 * command is gone fails when it looks the command up. (The daemon's and the proxy's README blocks have their own
 * tests: `apps/daemon/test/readme-sandbox.test.ts`, `apps/proxy/test/readme.test.ts`, and `npx.test.ts` here.)
 *
 * What a test must change in a command is listed with it, and each such change must find its text in the command:
 * ports (4010, 8787, 6379 become free ones), `/run/secrets/…` files (scratch files), our package names (the packed
 * tarballs, since the packages are not on the registry here), and the bins (`profilesync`, `profilesync-proxy`,
 * `profilesync-sandbox`), which are the workspace's built ones under the names npm installs them as.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { freePort, type RedisServer, startRedisServer } from "@profilesync/test-support"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { startNativeMirror } from "./native-mirror.ts"
import { allCommands, changed, command, commandsOf, handling, unitText } from "./readme-commands.ts"
import { get, jsonLines, repository, runProcess, waitUntil, waitUntilAsync } from "./support.ts"

// ---------------------------------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------------------------------

const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-readme-shell-"))
// The workspace's built bins under the names npm installs them as.
const bin = Path.join(scratch, "bin")
FileSystem.mkdirSync(bin)
for (const [name, file] of [
  ["profilesync", "apps/daemon/bin/profilesync.js"],
  ["profilesync-proxy", "apps/proxy/bin/profilesync-proxy.js"],
  ["profilesync-sandbox", "packages/sandbox/bin/profilesync-sandbox.js"]
] as const) {
  FileSystem.symlinkSync(Path.join(repository, file), Path.join(bin, name))
}
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${bin}${Path.delimiter}${process.env.PATH ?? ""}`,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false"
}
const sandboxTokens = { OCAMBA_TOKEN: "ocamba-sandbox-token", COPERNICA_TOKEN: "copernica-sandbox-token" }

/** A command started with `sh -c` in its own process group, so stopping it stops what the shell started. */
interface Started {
  readonly output: () => string
  readonly exited: Promise<number | null>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

const started: Array<Started> = []

const startShell = (text: string, options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string }): Started => {
  const child: ChildProcess = spawn("sh", ["-c", text], {
    cwd: options.cwd ?? repository,
    env: { ...baseEnv, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)))
  const handle: Started = {
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL")
        } catch {
          // Already gone.
        }
      }, 30_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
  started.push(handle)
  return handle
}

const runShell = (
  text: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string; readonly timeoutMilliseconds?: number } = {}
) =>
  runProcess("sh", ["-c", text], {
    env: { ...baseEnv, ...options.env },
    cwd: options.cwd ?? repository,
    timeoutMilliseconds: options.timeoutMilliseconds ?? 120_000
  })

let sandbox: Sandbox
let redis: RedisServer

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 19 })
  redis = await startRedisServer()
})

afterAll(async () => {
  await Promise.all(started.map((handle) => handle.stop("SIGKILL")))
  await sandbox?.close()
  await redis?.close()
  FileSystem.rmSync(scratch, { recursive: true, force: true })
}, 120_000)

describe("the README shell blocks", () => {
  it("every command line is run here or says, with a checked reason, why not", () => {
    const commands = allCommands()
    expect(commands.length).toBeGreaterThan(20)
    const unknown = commands.filter((item) => handling(item) === undefined)
    expect(
      unknown.map((item) => `${item.readme}:${item.line}: ${item.text}`),
      "commands this test does not know"
    ).toEqual([])
    for (const item of commands) {
      const handled = handling(item)!
      if ("notRunHere" in handled) {
        expect(handled.notRunHere.length, `${item.readme}:${item.line}`).toBeGreaterThan(20)
        handled.holds()
      } else {
        expect(runners, `${item.readme}:${item.line}: a test named "${handled.runBy}"`).toContain(handled.runBy)
      }
    }
  })

  const runners: Array<string> = []
  const runs = (name: string, body: () => Promise<void>, timeout: number) => {
    runners.push(name)
    it(`runs ${name} as written`, body, timeout)
  }

  runs(
    "the demo",
    async () => {
      // `bash scripts/demo.sh`, with the demo's sandbox and proxy on free ports instead of 4010 and 8787.
      const demo = command("README.md", "bash scripts/demo.sh")
      const result = await runShell(demo.text, {
        env: { DEMO_SANDBOX_PORT: String(await freePort()), DEMO_PROXY_PORT: String(await freePort()) },
        timeoutMilliseconds: 1_200_000
      })
      expect(result.code, result.output.slice(-3000)).toBe(0)
      expect(result.output).toContain("first run: every valid profile is new")
      expect(result.output).toContain("second run: nothing changed, so nothing is sent")
      expect(result.output).toMatch(/the vendors saw \d+ Ocamba and \d+ Copernica requests/)
    },
    1_260_000
  )

  runs(
    "the sidecar",
    async () => {
      const secrets = Path.join(scratch, "secrets")
      FileSystem.mkdirSync(secrets)
      FileSystem.writeFileSync(Path.join(secrets, "ocamba"), `${sandboxTokens.OCAMBA_TOKEN}\n`)
      FileSystem.writeFileSync(Path.join(secrets, "copernica"), `${sandboxTokens.COPERNICA_TOKEN}\n`)
      const port = await freePort()
      const proxy = startShell(
        changed(command("README.md", "OCAMBA_TOKEN_FILE=").text, [
          ["/run/secrets/", `${secrets}/`],
          ["redis://127.0.0.1:6379", redis.url]
        ]),
        {
          env: {
            // The README's proxy talks to the production vendors on 8787: here, the sandbox, on a free port.
            PORT: String(port),
            OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
            OCAMBA_ACCOUNT: "ocamba-account-1",
            COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
            COPERNICA_ACCOUNT: "copernica-account-1"
          }
        }
      )
      await waitUntil(
        () => jsonLines(proxy.output()).some((line) => line.msg === "listening"),
        "the proxy to listen",
        60_000
      )
      await waitUntilAsync(
        async () => (await get(`http://127.0.0.1:${port}/readyz`).catch(() => ({ status: 0 }))).status === 200,
        "/readyz"
      )
      const before = sandbox.counters().vendors.ocamba.accounts["ocamba-account-1"]?.requests ?? 0
      const curl = await runShell(
        `${changed(command("README.md", "curl -X POST").text, [["127.0.0.1:8787", `127.0.0.1:${port}`]])} -w '\\n%{http_code}\\n'`
      )
      expect(curl.code, curl.output).toBe(0)
      expect(curl.output.trim().split("\n").at(-1), curl.output).toMatch(/^2\d\d$/)
      // It went through to the sandbox, with the token from the file.
      expect(sandbox.counters().vendors.ocamba.accounts["ocamba-account-1"]?.requests).toBe(before + 1)
      // SIGTERM to the shell's process group (the shell forked the proxy): the proxy drains and says so.
      await proxy.stop()
      expect(
        jsonLines(proxy.output()).find((line) => line.msg === "stopped"),
        proxy.output()
      ).toMatchObject({
        drained: true
      })
    },
    180_000
  )

  runs(
    "the daemon",
    async () => {
      // customers.yaml: the bundled example, talking to the sandbox through a proxy sidecar, over 300 of its rows.
      const directory = Path.join(scratch, "daemon")
      FileSystem.mkdirSync(directory)
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
      await waitUntilAsync(
        async () => (await get(`http://127.0.0.1:${proxyPort}/readyz`).catch(() => ({ status: 0 }))).status === 200,
        "the proxy to be ready",
        60_000
      )
      const example = FileSystem.readFileSync(Path.join(repository, "examples/customers.yaml"), "utf8")
      FileSystem.writeFileSync(
        Path.join(directory, "customers.yaml"),
        changed(example, [["127.0.0.1:8787/", `127.0.0.1:${proxyPort}/`]])
      )
      const profiles = FileSystem.readFileSync(Path.join(repository, "examples/profiles.csv"), "utf8").split("\n")
      FileSystem.writeFileSync(Path.join(directory, "profiles.csv"), `${profiles.slice(0, 301).join("\n")}\n`)

      const lines = commandsOf("README.md").filter((item) => item.text.startsWith("profilesync "))
      expect(lines.map((item) => item.text.split(/\s+/)[1])).toEqual([
        "validate-config",
        "check",
        "run",
        "run",
        "schedule",
        "status",
        "dead-letters"
      ])
      for (const item of lines) {
        if (item.text.startsWith("profilesync schedule")) {
          // It runs until stopped: it must start, plan its next run, and stop on SIGTERM with 0.
          const schedule = startShell(`exec ${item.text}`, {
            cwd: directory,
            env: { PROFILESYNC_LOG_FORMAT: "json" }
          })
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
        const accepted = item.text.includes(" run ") ? [0, 3] : [0]
        expect(accepted, `${item.text}\n${result.output.slice(-3000)}`).toContain(result.code)
      }
      expect(FileSystem.existsSync(Path.join(directory, ".profilesync/state.db"))).toBe(true)
      await proxy.stop()
    },
    600_000
  )

  runs(
    "core's sandbox",
    async () => {
      const port = await freePort()
      const server = startShell(
        changed(command("packages/core/README.md", "pnpm --filter @profilesync/sandbox start").text, [
          ["--port 4010", `--port ${port}`]
        ]),
        {}
      )
      await waitUntilAsync(
        async () =>
          (await get(`http://127.0.0.1:${port}/_sandbox/counters`).catch(() => ({ status: 0 }))).status === 200,
        "the sandbox to listen",
        90_000
      )
      await server.stop()
    },
    120_000
  )

  runs(
    "the sandbox's start commands",
    async () => {
      for (const start of ["pnpm --filter @profilesync/sandbox start", "profilesync-sandbox "]) {
        const port = await freePort()
        const server = startShell(
          changed(command("packages/sandbox/README.md", start).text, [["--port 4010", `--port ${port}`]]),
          {}
        )
        await waitUntil(() => server.output().includes("listening on"), `${start} to listen`, 90_000)
        expect((await get(`http://127.0.0.1:${port}/_sandbox/counters`)).status).toBe(200)
        await server.stop()
      }
    },
    240_000
  )

  runs(
    "the sandbox's type check and build",
    async () => {
      for (const start of ["npx tsc", "pnpm build"]) {
        const result = await runShell(command("packages/sandbox/README.md", start).text, {
          cwd: Path.join(repository, "packages/sandbox"),
          timeoutMilliseconds: 300_000
        })
        expect(result.code, result.output).toBe(0)
      }
    },
    600_000
  )

  runs(
    "the systemd set-up's install",
    async () => {
      // Our packages are not on the registry here: the packed tarballs stand in for the two names (with those of the
      // @profilesync packages they depend on), installed into a scratch prefix instead of /usr/local; SQLite's native
      // module comes from the loopback mirror.
      const mirror = await startNativeMirror()
      try {
        const tarballs = inject("tarballs")
        const packed = FileSystem.readdirSync(tarballs)
          .filter((file) => /^profilesync-(contracts|core|sync|proxy|daemon)-.*\.tgz$/.test(file))
          .map((file) => Path.join(tarballs, file))
        expect(packed).toHaveLength(5)
        const prefix = Path.join(scratch, "prefix")
        const result = await runShell(
          changed(command("deploy/README.md", "npm install --global").text, [
            ["@profilesync/proxy @profilesync/daemon", packed.join(" ")]
          ]),
          { env: { ...mirror.env, NPM_CONFIG_PREFIX: prefix }, cwd: scratch, timeoutMilliseconds: 840_000 }
        )
        expect(result.code, result.output).toBe(0)
        // The bins the units' ExecStart lines name.
        for (const name of ["profilesync-proxy", "profilesync"]) {
          expect(unitText()).toContain(`ExecStart=/usr/local/bin/${name}`)
          expect(FileSystem.existsSync(Path.join(prefix, "bin", name)), name).toBe(true)
        }
      } finally {
        await mirror.close()
      }
    },
    900_000
  )
})
