/**
 * The command lines of the shell blocks (```sh, and the daemon's ```cron) of every README that has them, and what
 * `readme-shell.test.ts` does with each: run it (the name of the test that does), or not, with the reason and a check
 * that the reason holds. (bench/README.md is left out on purpose: it records how the benchmarks were run and what they
 * measured.)
 */
import { spawnSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { expect } from "vitest"
import { repository, stage } from "./support.ts"

export const readmes = [
  "README.md",
  "packages/core/README.md",
  "packages/sandbox/README.md",
  "deploy/README.md",
  "apps/daemon/README.md",
  "apps/proxy/README.md"
] as const
export type Readme = (typeof readmes)[number]

export interface Command {
  readonly readme: Readme
  readonly line: number
  /** The heading the block is under, without its `#`s (`Straight to the vendors`). */
  readonly section: string
  /** The command as the shell reads it: continuation lines joined. A crontab line as written, with its times. */
  readonly text: string
}

/**
 * Every command line of the ```sh, ```bash and ```cron blocks of `readme` (blank and comment-only lines left out),
 * with the heading each is under. Every fence is followed, so a `#` line inside a YAML block is no heading.
 */
export const commandsOf = (readme: Readme): ReadonlyArray<Command> => {
  const lines = FileSystem.readFileSync(Path.join(repository, readme), "utf8").split("\n")
  const commands: Array<Command> = []
  let block: "shell" | "other" | undefined
  let section = ""
  let pending: { line: number; text: string } | undefined
  lines.forEach((raw, index) => {
    const trimmed = raw.trim()
    if (block === undefined) {
      if (trimmed.startsWith("```")) block = /^```(sh|bash|shell|cron)$/.test(trimmed) ? "shell" : "other"
      else if (/^#{1,6} /.test(trimmed)) section = trimmed.replace(/^#+ /, "")
      return
    }
    if (trimmed === "```") {
      block = undefined
      return
    }
    if (block === "other") return
    const text = pending === undefined ? trimmed : `${pending.text} ${trimmed}`
    const line = pending?.line ?? index + 1
    if (text.endsWith("\\")) {
      pending = { line, text: text.slice(0, -1).trim() }
      return
    }
    pending = undefined
    if (text !== "" && !text.startsWith("#")) commands.push({ readme, line, section, text })
  })
  return commands
}

export const allCommands = (): ReadonlyArray<Command> => readmes.flatMap(commandsOf)

/** The command of `readme` that starts with `start` (exactly one; in `section` when given). */
export const command = (readme: Readme, start: string, section?: string): Command => {
  const found = commandsOf(readme).filter(
    (candidate) => candidate.text.startsWith(start) && (section === undefined || candidate.section === section)
  )
  expect(found, `${readme}: one command starting with \`${start}\``).toHaveLength(1)
  return found[0]!
}

/** The commands of `readme` under the heading `section`, in order. */
export const sectionCommands = (readme: Readme, section: string): ReadonlyArray<Command> =>
  commandsOf(readme).filter((candidate) => candidate.section === section)

/** `text` with each `[from, to]` applied; each `from` must be in it, so a changed README fails here. */
export const changed = (text: string, replacements: ReadonlyArray<readonly [string, string]>): string =>
  replacements.reduce((current, [from, to]) => {
    expect(current, `the command holds \`${from}\``).toContain(from)
    return current.replaceAll(from, to)
  }, text)

// ---------------------------------------------------------------------------------------------------------------
// What happens to each command
// ---------------------------------------------------------------------------------------------------------------

export type Handling =
  /** Run by the `it` of that name. */
  | { readonly runBy: string }
  /** Not run here: why, and a check that the reason holds. */
  | { readonly notRunHere: string; readonly holds: () => void }

const rootScripts = (): Record<string, string> =>
  JSON.parse(FileSystem.readFileSync(Path.join(repository, "package.json"), "utf8")).scripts
const testScript = () => FileSystem.readFileSync(Path.join(repository, "scripts/test.sh"), "utf8")

/** A workspace command that scripts/test.sh (CI) runs, which includes this suite. */
const ciStep = (script: string, why: string): Handling => ({
  notRunHere: `${why}; CI runs it (scripts/test.sh), and this suite is part of that run`,
  holds: () => {
    expect(rootScripts()[script], `the root package.json has a \`${script}\` script`).toBeDefined()
    expect(testScript()).toMatch(/CI=true pnpm (lint|typecheck|test)\b/)
  }
})

const noSystemd = (why: string): Handling => ({
  notRunHere: `${why}; it needs systemd as PID 1, which a test machine does not run (deploy.test.ts runs \`systemd-analyze verify\` on the units instead)`,
  holds: () => expect(FileSystem.existsSync("/run/systemd/system")).toBe(false)
})

export const unitText = () =>
  FileSystem.readdirSync(Path.join(repository, "deploy/systemd"))
    .map((file) => FileSystem.readFileSync(Path.join(repository, "deploy/systemd", file), "utf8"))
    .join("\n")

const machineSetup = (why: string, check: () => void): Handling => ({
  notRunHere: `${why}: it changes the machine running the tests (users, /etc), as root`,
  holds: check
})

const packageScripts = (folder: string): Record<string, string> =>
  JSON.parse(FileSystem.readFileSync(Path.join(repository, folder, "package.json"), "utf8")).scripts

/** A package's own suite (`test`, `test:e2e`): CI runs it for every package, and running it here would run it twice. */
const ownSuite = (folder: string, script: "test" | "test:e2e"): Handling => ({
  notRunHere: `${folder}'s own ${script === "test" ? "unit" : "e2e"} suite; CI runs it for every package (\`turbo run ${script}\`), so here it would run twice`,
  holds: () => {
    expect(packageScripts(folder)[script], `${folder} has a \`${script}\` script`).toBeDefined()
    expect(rootScripts()[script === "test" ? "test:unit" : "test:e2e"]).toContain(`turbo run ${script} `)
    expect(testScript()).toContain("CI=true pnpm test")
  }
})

/** A command the proxy's own suite runs as written: `apps/proxy/test/readme.test.ts`, over the README's block. */
const proxyReadmeTest = (text: string): Handling => ({
  notRunHere:
    "the proxy's own suite runs this block as written with sh (apps/proxy/test/readme.test.ts: the sandbox, the proxy with this environment, both curls through it)",
  holds: () => {
    const test = FileSystem.readFileSync(Path.join(repository, "apps/proxy/test/readme.test.ts"), "utf8")
    expect(test).toContain('Path.join(proxyDirectory, "README.md")')
    // One of the proxy's e2e files, which CI runs (`turbo run test:e2e`).
    const config = FileSystem.readFileSync(Path.join(repository, "apps/proxy/vitest.config.ts"), "utf8")
    expect(config).toMatch(/e2e: \[[^\]]*"test\/readme\.test\.ts"/)
    // The block it runs is the one this command is in: the lines it expects, as many as the block has.
    const block = sectionCommands("apps/proxy/README.md", "Start it").filter(
      (item) => item.text.includes("4010") || item.text.includes("'http://127.0.0.1:8787/")
    )
    expect(block.map((item) => item.text)).toContain(text)
    expect(test).toContain(`expect(lines).toHaveLength(${block.length})`)
  }
})

export const handling = (item: Command): Handling | undefined => {
  const { readme, section, text } = item
  const starts = (prefix: string) => text.startsWith(prefix)
  switch (readme) {
    case "README.md":
      if (text === "bash scripts/demo.sh") return { runBy: "the demo" }
      if (text === "bash scripts/test.sh")
        return {
          notRunHere: "it is CI's whole run (`.ci/run` executes it), which includes this suite: it would run itself",
          holds: () => {
            expect(FileSystem.readFileSync(Path.join(repository, ".ci/run"), "utf8")).toContain("bash scripts/test.sh")
            expect(testScript()).toContain("CI=true pnpm test")
          }
        }
      if (starts("OCAMBA_TOKEN_FILE=") || starts("curl -X POST")) return { runBy: "the sidecar" }
      if (starts("profilesync "))
        return { runBy: "the daemon commands of the root and daemon READMEs, and the dashboard" }
      if (starts("pnpm generate")) return ciStep("generate", "it rewrites the generated contracts in place")
      if (starts("pnpm typecheck")) return ciStep("typecheck", "the whole workspace's type check")
      if (starts("pnpm lint")) return ciStep("lint", "the whole workspace's lint")
      if (/^pnpm test(:unit|:e2e)?\s/.test(text)) return ciStep("test", "the whole workspace's suite")
      if (starts("pnpm changeset"))
        return {
          notRunHere: "it asks questions on a terminal (which packages, what kind of change, a summary)",
          holds: () => expect(rootScripts().changeset).toBe("changeset")
        }
      return undefined
    case "packages/core/README.md":
      if (starts("pnpm --filter @profilesync/sandbox start --port 4010 &"))
        return { runBy: "the daemon README's run against the sandbox" }
      return undefined
    case "packages/sandbox/README.md":
      if (starts("pnpm --filter @profilesync/sandbox start") || starts("profilesync-sandbox "))
        return { runBy: "the sandbox's start commands" }
      if (starts("npx tsc") || starts("pnpm build")) return { runBy: "the sandbox's type check and build" }
      if (starts("pnpm test:e2e")) return ownSuite("packages/sandbox", "test:e2e")
      if (starts("pnpm test")) return ownSuite("packages/sandbox", "test")
      return undefined
    case "deploy/README.md":
      if (starts("docker build"))
        return {
          notRunHere:
            "no container engine here (and none could pull the base image); install.test.ts runs the Dockerfile's install and start steps outside a container",
          holds: () => {
            const target = /--target (\w+)/.exec(text)?.[1]
            expect(stage(target!).length, `the Dockerfile has a stage \`${target}\``).toBeGreaterThan(0)
            // A docker client may be installed; no engine answers it.
            expect(spawnSync("docker", ["info"], { stdio: "ignore", timeout: 30_000 }).status).not.toBe(0)
          }
        }
      if (starts("npm install --global"))
        return { runBy: "the systemd set-up's install, and the installed proxy as the proxy README starts it" }
      if (starts("useradd"))
        return machineSetup("it creates a system user", () => {
          expect(text).toContain("--home /var/lib/profilesync")
          expect(unitText()).toContain("User=profilesync")
        })
      if (starts("install "))
        return machineSetup("it creates /etc/profilesync and the units' environment files", () => {
          const file = /(\/etc\/profilesync\/\S+\.env)/.exec(text)?.[1]
          if (file !== undefined) expect(unitText()).toContain(`EnvironmentFile=${file}`)
          else expect(text).toContain("/etc/profilesync")
        })
      if (starts("cp deploy/systemd/*"))
        return machineSetup("it installs the units into /etc/systemd/system", () => {
          const units = FileSystem.readdirSync(Path.join(repository, "deploy/systemd"))
          expect(units).toEqual(expect.arrayContaining(["profilesync-proxy.service", "profilesync.timer"]))
        })
      if (starts("systemctl daemon-reload")) return noSystemd("it reloads systemd's units")
      if (starts("systemctl enable")) return noSystemd("it enables and starts the proxy service and the daemon's timer")
      if (starts("jq ") && text.includes("http://grafana:3000/api/dashboards/import"))
        return {
          notRunHere:
            "it imports into your Grafana (http://grafana:3000, with your token); no Grafana runs on a test machine (grafana-dashboards.test.ts runs every panel's query through a real Prometheus)",
          holds: () => {
            const file = /(deploy\/grafana\/\w+\.json)/.exec(text)?.[1]
            const dashboard = JSON.parse(FileSystem.readFileSync(Path.join(repository, file!), "utf8"))
            // The input the command fills is the one the dashboard asks for.
            expect(dashboard.__inputs.map((input: { readonly name: string }) => input.name)).toEqual(["DS_PROMETHEUS"])
          }
        }
      return undefined
    case "apps/daemon/README.md":
      // Each runner checks that its sections hold the commands it runs, so a line added there fails it.
      if (section === "@profilesync/daemon: the `profilesync` command" || section === "`profilesync dashboard`")
        return { runBy: "the daemon commands of the root and daemon READMEs, and the dashboard" }
      if (section === "Straight to the vendors") return { runBy: "the daemon README's runs straight to the vendors" }
      if (section === "Through the proxy sidecar" || section === "On a schedule")
        return { runBy: "the daemon README's run through the proxy sidecar, and its crontab" }
      if (section === "Against the sandbox") return { runBy: "the daemon README's run against the sandbox" }
      if (starts("pnpm --filter @profilesync/daemon typecheck"))
        return {
          notRunHere:
            "the daemon's type check (about 25 s of CPU); CI's `pnpm typecheck` (`turbo run typecheck`) runs this same script in apps/daemon",
          holds: () => {
            expect(packageScripts("apps/daemon").typecheck).toMatch(/^tsc /)
            expect(rootScripts().typecheck).toBe("turbo run typecheck")
            expect(testScript()).toContain("CI=true pnpm typecheck")
          }
        }
      if (starts("pnpm --filter @profilesync/daemon test")) return ownSuite("apps/daemon", "test")
      if (starts("pnpm --filter @profilesync/daemon build"))
        return {
          notRunHere:
            "this suite's global setup runs this same script (scripts/pack.sh: `turbo run build` over apps/*), and the daemon runs here use the dist/ it wrote; building again while they run would rewrite it under them",
          holds: () => {
            expect(packageScripts("apps/daemon").build).toMatch(/^tsc /)
            const pack = FileSystem.readFileSync(Path.join(repository, "scripts/pack.sh"), "utf8")
            expect(pack).toMatch(/turbo run build .*--filter='\.\/apps\/\*'/)
            expect(FileSystem.existsSync(Path.join(repository, "apps/daemon/dist/main.js"))).toBe(true)
          }
        }
      return undefined
    case "apps/proxy/README.md":
      if (section === "Start it") {
        if (/^OCAMBA_TOKEN=\S+ COPERNICA_TOKEN=\S+ profilesync-proxy/.test(text))
          return { runBy: "the systemd set-up's install, and the installed proxy as the proxy README starts it" }
        if (starts("npm install --global @profilesync/proxy "))
          return {
            notRunHere:
              "deploy/README.md's `npm install --global @profilesync/proxy @profilesync/daemon` installs the same package the same way (npm gives each global package its own dependencies), and that install is run here from the packed tarballs, its `profilesync-proxy` then started as this README says; npx.test.ts installs the proxy's tarball alone (`# or: npx @profilesync/proxy`) and runs it. A third install would cost about 25 s",
            holds: () => {
              expect(text).toMatch(/^npm install --global @profilesync\/proxy +# or: npx @profilesync\/proxy$/)
              expect(command("deploy/README.md", "npm install --global").text).toMatch(
                /^npm install --global @profilesync\/proxy @profilesync\/daemon\b/
              )
              expect(FileSystem.existsSync(Path.join(repository, "tooling/release/test/npx.test.ts"))).toBe(true)
            }
          }
        if (starts("npx @profilesync/sandbox") || starts("OCAMBA_BASE_URL=") || starts("curl -i"))
          return proxyReadmeTest(text)
      }
      if (section === "Tests" && starts("pnpm test:e2e")) return ownSuite("apps/proxy", "test:e2e")
      if (section === "Tests" && starts("pnpm test")) return ownSuite("apps/proxy", "test")
      return undefined
  }
}
