/**
 * The command lines of the shell blocks of the root, core, sandbox and deploy READMEs, and what
 * `readme-shell.test.ts` does with each: run it (the name of the test that does), or not, with the reason and a check
 * that the reason holds.
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
  "deploy/README.md"
] as const
export type Readme = (typeof readmes)[number]

export interface Command {
  readonly readme: Readme
  readonly line: number
  /** The command as the shell reads it: continuation lines joined. */
  readonly text: string
}

/** Every command line of the ```sh and ```bash blocks of `readme` (blank and comment-only lines left out). */
export const commandsOf = (readme: Readme): ReadonlyArray<Command> => {
  const lines = FileSystem.readFileSync(Path.join(repository, readme), "utf8").split("\n")
  const commands: Array<Command> = []
  let inBlock = false
  let pending: { line: number; text: string } | undefined
  lines.forEach((raw, index) => {
    if (!inBlock) {
      inBlock = /^```(sh|bash|shell)\s*$/.test(raw.trim())
      return
    }
    if (raw.trim() === "```") {
      inBlock = false
      return
    }
    const text = pending === undefined ? raw.trim() : `${pending.text} ${raw.trim()}`
    const line = pending?.line ?? index + 1
    if (text.endsWith("\\")) {
      pending = { line, text: text.slice(0, -1).trim() }
      return
    }
    pending = undefined
    if (text !== "" && !text.startsWith("#")) commands.push({ readme, line, text })
  })
  return commands
}

export const allCommands = (): ReadonlyArray<Command> => readmes.flatMap(commandsOf)

/** The command of `readme` that starts with `start` (exactly one). */
export const command = (readme: Readme, start: string): Command => {
  const found = commandsOf(readme).filter((candidate) => candidate.text.startsWith(start))
  expect(found, `${readme}: one command starting with \`${start}\``).toHaveLength(1)
  return found[0]!
}

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

export const handling = (item: Command): Handling | undefined => {
  const { readme, text } = item
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
      if (starts("profilesync ")) return { runBy: "the daemon" }
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
      if (starts("pnpm --filter @profilesync/sandbox start --port 4010 &")) return { runBy: "core's sandbox" }
      return undefined
    case "packages/sandbox/README.md":
      if (starts("pnpm --filter @profilesync/sandbox start") || starts("profilesync-sandbox "))
        return { runBy: "the sandbox's start commands" }
      if (starts("npx tsc") || starts("pnpm build")) return { runBy: "the sandbox's type check and build" }
      if (starts("pnpm test"))
        return {
          notRunHere: "the sandbox's own suites; CI runs them for every package (`turbo run test` and `test:e2e`)",
          holds: () => {
            const scripts = JSON.parse(
              FileSystem.readFileSync(Path.join(repository, "packages/sandbox/package.json"), "utf8")
            ).scripts
            expect(scripts.test).toBeDefined()
            expect(scripts["test:e2e"]).toBeDefined()
            expect(rootScripts()["test:unit"]).toContain("turbo run test")
            expect(rootScripts()["test:e2e"]).toContain("turbo run test:e2e")
          }
        }
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
      if (starts("npm install --global")) return { runBy: "the systemd set-up's install" }
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
  }
}
