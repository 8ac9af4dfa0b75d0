/**
 * The proxy README's start line (apps/proxy/README.md, "Start it"), run as written by `readme-shell.test.ts` with the
 * `profilesync-proxy` that npm installed from the packed tarball (the systemd set-up's install, which the README's
 * own install line repeats for the proxy alone): the tokens the line gives it, the sandbox instead of the production
 * vendors, and a free port instead of 8787.
 */
import * as Path from "node:path"
import type { Sandbox } from "@profilesync/sandbox"
import { freePort } from "@profilesync/test-support"
import { expect } from "vitest"
import { changed, sectionCommands } from "./readme-commands.ts"
import { answers200, baseEnv, runShell, scratch, secondAccountTokens, startShell } from "./readme-shell-support.ts"
import { get, jsonLines } from "./support.ts"

/** The start line of "Start it": `OCAMBA_TOKEN=... COPERNICA_TOKEN=... profilesync-proxy`. */
const isStartLine = (text: string) => /^OCAMBA_TOKEN=\S+ COPERNICA_TOKEN=\S+ profilesync-proxy/.test(text)

export const startInstalled = async ({ sandbox, prefix }: { readonly sandbox: Sandbox; readonly prefix: string }) => {
  // The installed bin comes first on PATH (the workspace's is on it too).
  const env = {
    PATH: `${Path.join(prefix, "bin")}${Path.delimiter}${baseEnv.PATH}`,
    PORT: String(await freePort()),
    OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
    OCAMBA_ACCOUNT: "ocamba-account-2",
    COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
    COPERNICA_ACCOUNT: "copernica-account-2"
  }
  const which = await runShell("command -v profilesync-proxy", { env })
  expect(which.output.trim()).toBe(Path.join(prefix, "bin", "profilesync-proxy"))

  const starts = sectionCommands("apps/proxy/README.md", "Start it").filter((item) => isStartLine(item.text))
  expect(starts).toHaveLength(1)
  const text = changed(starts[0]!.text, [
    ["OCAMBA_TOKEN=...", `OCAMBA_TOKEN=${secondAccountTokens.OCAMBA_TOKEN}`],
    ["COPERNICA_TOKEN=...", `COPERNICA_TOKEN=${secondAccountTokens.COPERNICA_TOKEN}`]
  ])
  // `exec` after the assignments: the proxy takes the shell's place, so SIGTERM reaches it and its status is the shell's.
  const proxy = startShell(text.replace(" profilesync-proxy", " exec profilesync-proxy"), { env, cwd: scratch })
  const url = `http://127.0.0.1:${env.PORT}`
  await answers200(`${url}/readyz`, "the installed proxy to be ready")
  // The sandbox answers 200 only to a token it knows: the proxy sent the ones the line gave it.
  expect((await get(`${url}/ocamba/v1/hood/profile-properties?page=1,10`)).status).toBe(200)
  expect((await get(`${url}/copernica/v3/databases`)).status).toBe(200)
  expect(await proxy.stop(), proxy.output()).toBe(0)
  expect(jsonLines(proxy.output()).find((line) => line.msg === "stopped")).toMatchObject({ drained: true })
}
