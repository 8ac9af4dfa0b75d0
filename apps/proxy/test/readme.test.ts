/**
 * @module
 * The README's "Against the sandbox" commands, run as written with `sh`: the sandbox, the proxy with the environment
 * the README gives it, and both `curl` lines, which must answer 200 through the proxy. What differs is only what a test
 * must change: the ports (4010 and 8787 become free ones, the proxy's through `PORT`), and `npx @profilesync/sandbox`
 * and `profilesync-proxy` are the workspace's built bins under the names npm installs them as.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as OS from "node:os"
import * as Path from "node:path"
import { freePort } from "@profilesync/test-support"
import { afterAll, describe, expect, it } from "vitest"
import { proxyDirectory } from "./support/proxy-process.ts"

const repository = Path.resolve(proxyDirectory, "../..")
const readme = FileSystem.readFileSync(Path.join(proxyDirectory, "README.md"), "utf8")

/** The ```sh block of the README that talks to the sandbox, as logical lines (continuations joined). */
const sandboxBlock = (): ReadonlyArray<string> => {
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((text) => text.includes("4010"))
  if (block === undefined) throw new Error("the proxy README has no sh block that uses the sandbox")
  return block
    .replaceAll("\\\n", " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
}

/** `VAR=value … command args` split into the environment and the words. */
const parse = (line: string): { readonly env: Record<string, string>; readonly words: ReadonlyArray<string> } => {
  const words = line.split(/\s+/)
  const env: Record<string, string> = {}
  while (words.length > 0 && /^[A-Z_]+=/.test(words[0]!)) {
    const [name, ...value] = words.shift()!.split("=")
    env[name!] = value.join("=")
  }
  return { env, words }
}

const children: Array<ChildProcess> = []
const scratch = FileSystem.mkdtempSync(Path.join(OS.tmpdir(), "profilesync-proxy-readme-"))

afterAll(() => {
  for (const child of children) child.kill("SIGKILL")
  FileSystem.rmSync(scratch, { recursive: true, force: true })
})

/** Polls `url` until it answers with `status` (bounded). */
const answers = async (url: string, status: (code: number) => boolean, child: ChildProcess) => {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`)
    const code = await fetch(url).then(
      (response) => response.status,
      () => 0
    )
    if (code !== 0 && status(code)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe("the proxy README's sandbox example", { timeout: 120_000 }, () => {
  it("runs as written: the sandbox, the proxy, and both curls answer 200 through it", async () => {
    const lines = sandboxBlock()
    expect(lines).toHaveLength(4)
    expect(lines[0]).toBe("npx @profilesync/sandbox --port 4010")
    expect(lines[1]).toMatch(/ profilesync-proxy$/)
    expect(lines.slice(2).every((line) => line.startsWith("curl -i 'http://127.0.0.1:8787/"))).toBe(true)

    // The bins under their installed names.
    const bin = Path.join(scratch, "bin")
    FileSystem.mkdirSync(bin)
    for (const [name, script] of [
      ["profilesync-sandbox", Path.join(repository, "packages/sandbox/bin/profilesync-sandbox.js")],
      ["profilesync-proxy", Path.join(proxyDirectory, "bin/profilesync-proxy.js")]
    ] as const) {
      FileSystem.writeFileSync(Path.join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, {
        mode: 0o755
      })
    }
    const sandboxPort = String(await freePort())
    const proxyPort = String(await freePort())
    const ported = (line: string) => line.replaceAll(":4010", `:${sandboxPort}`).replaceAll(":8787", `:${proxyPort}`)
    const base = { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: scratch }

    const sandbox = parse(
      lines[0]!.replace("npx @profilesync/sandbox", "profilesync-sandbox").replace("4010", sandboxPort)
    )
    const sandboxProcess = spawn(sandbox.words[0]!, sandbox.words.slice(1), {
      env: { ...base, ...sandbox.env },
      stdio: "ignore"
    })
    children.push(sandboxProcess)
    await answers(`http://127.0.0.1:${sandboxPort}/v3/databases`, () => true, sandboxProcess)

    const proxy = parse(ported(lines[1]!))
    const proxyProcess = spawn(proxy.words[0]!, proxy.words.slice(1), {
      env: { ...base, ...proxy.env, PORT: proxyPort },
      stdio: "ignore"
    })
    children.push(proxyProcess)
    await answers(`http://127.0.0.1:${proxyPort}/readyz`, (code) => code === 200, proxyProcess)

    for (const line of lines.slice(2)) {
      const output = await new Promise<string>((resolve, reject) =>
        execFile("sh", ["-c", ported(line)], { env: base }, (error, stdout) =>
          error === null ? resolve(stdout) : reject(error)
        )
      )
      expect(output.split("\r\n")[0], line).toMatch(/^HTTP\/1\.1 200/)
      expect(output).toMatch(/^ratelimit: /im)
    }
  })
})
