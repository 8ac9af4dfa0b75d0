/**
 * The shell blocks of every README (the root's, core's, the sandbox's, deploy's, the daemon's and the proxy's),
 * followed as written. `readme-commands.ts` lists every command line of every ```sh and ```cron block with what
 * happens to it: run here (each `it` below runs its lines as `sh -c`, against the sandbox on loopback), or not run
 * here, with the reason and a check that the reason holds. A command line the list does not know fails the
 * inventory, so a new block cannot go unchecked, and a test whose command is gone fails when it looks the command up.
 * The daemon's and the proxy's blocks are run by `readme-daemon-runs.ts` and `readme-proxy-runs.ts`; `npx.test.ts`
 * here runs `npx @profilesync/proxy`, and the proxy's own suite its "Against the sandbox" block.
 *
 * What a test must change in a command is listed with it, and each such change must find its text in the command:
 * ports (4010, 8787, 8790, 6379 become free ones), `/run/secrets/…`, `/etc` and `/var/log` files (scratch files),
 * `…` tokens (the sandbox's), our package names (the packed tarballs, since the packages are not on the registry
 * here), and the bins (`profilesync`, `profilesync-proxy`, `profilesync-sandbox`), which are the workspace's built
 * ones under the names npm installs them as.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { freePort, type RedisServer, startRedisServer } from "@profilesync/test-support"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { startNativeMirror } from "./native-mirror.ts"
import { allCommands, changed, command, handling, unitText } from "./readme-commands.ts"
import * as DaemonRuns from "./readme-daemon-runs.ts"
import * as ProxyRuns from "./readme-proxy-runs.ts"
import {
  answers200,
  runShell,
  sandboxTokens,
  scratch,
  scratchDirectory,
  startShell,
  stopEverything
} from "./readme-shell-support.ts"
import { get, jsonLines, repository, waitUntil } from "./support.ts"

let sandbox: Sandbox
let redis: RedisServer

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 19 })
  redis = await startRedisServer()
})

afterAll(async () => {
  await stopEverything()
  await sandbox?.close()
  await redis?.close()
  // Two npm prefixes (tens of thousands of files) are among what it removes.
  FileSystem.rmSync(scratch, { recursive: true, force: true })
}, 300_000)

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
  // The runs below the first `alongside` share nothing but the sandbox and Redis (each has its own directory, ports
  // and processes, and none counts the sandbox's requests), so they run side by side: most of their time is spent
  // waiting (for npm, for a server to start, for the vendors' imports), not computing.
  const alongside = (name: string, body: () => Promise<void>, timeout: number) => {
    runners.push(name)
    it.concurrent(`runs ${name} as written`, body, timeout)
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
      const secrets = scratchDirectory("secrets")
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
      await answers200(`http://127.0.0.1:${port}/readyz`, "/readyz")
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

  alongside(
    "the daemon commands of the root and daemon READMEs, and the dashboard",
    () => DaemonRuns.overviews({ sandbox, redis }),
    600_000
  )

  alongside(
    "the systemd set-up's install, and the installed proxy as the proxy README starts it",
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
        await ProxyRuns.startInstalled({ sandbox, prefix })
      } finally {
        await mirror.close()
      }
    },
    900_000
  )

  alongside(
    "the daemon README's runs straight to the vendors",
    () => DaemonRuns.straightToTheVendors({ sandbox, redis }),
    420_000
  )
  alongside(
    "the daemon README's run through the proxy sidecar, and its crontab",
    () => DaemonRuns.throughTheProxy({ sandbox, redis }),
    420_000
  )
  alongside("the daemon README's run against the sandbox", () => DaemonRuns.againstTheSandbox(), 420_000)
})
