/**
 * @module
 * The daemon against vendors that echo the request's credentials: a small loopback relay in front of the sandbox
 * passes every request on, except the import calls, which it answers with an error whose message holds the token
 * (bare, as `Bearer …`, as `access_token=…`, percent-encoded and JSON-escaped). The relay is the test's own hostile
 * vendor, not something the sandbox does. No token may appear in the report (text and `--json`), stderr, `status`,
 * or anywhere in the SQLite state files (every table, read as raw bytes).
 */
import * as FileSystem from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeProfiles, runCli, sandboxTokens, temporaryDirectory, writeConfig, writeProfiles } from "./support.ts"

const tokens = Object.values(sandboxTokens)
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
  Buffer.from(secret).toString("hex")
]
const leaksIn = (text: string) => tokens.flatMap(formsOf).filter((form) => text.includes(form))

let sandbox: Sandbox
const relays: Array<Server> = []

/** An HTTP relay to `target` (an origin) that answers the import calls itself, echoing the credentials it got. */
const startEchoingRelay = async (target: string): Promise<string> => {
  const relay = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const url = new URL(request.url ?? "/", target)
    const bare = url.searchParams.get("access_token") ?? request.headers.authorization?.replace(/^Bearer /, "") ?? ""
    const isImport = request.method === "POST" && /\/(imports|profiles\/imports)$/.test(url.pathname)
    if (isImport) {
      const message =
        `import refused for access_token=${bare} (Authorization: Bearer ${bare}); ` +
        `token ${bare}, encoded ${encodeURIComponent(bare)}`
      const body = url.pathname.startsWith("/v3")
        ? { error: { message } }
        : { code: 400, title: "Bad Request", message, trace_id: "echo" }
      response.writeHead(400, { "content-type": "application/json" })
      response.end(JSON.stringify(body))
      return
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) headers[name] = value
    }
    const answer = await fetch(url, {
      method: request.method ?? "GET",
      headers,
      ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) })
    })
    const answerHeaders: Record<string, string> = {}
    for (const [name, value] of answer.headers) {
      if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name)) {
        answerHeaders[name] = value
      }
    }
    response.writeHead(answer.status, answerHeaders)
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve))
  relays.push(relay)
  return `http://127.0.0.1:${(relay.address() as AddressInfo).port}`
}

const directory = temporaryDirectory()

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3 })
})
afterAll(async () => {
  await Promise.all(relays.map((relay) => new Promise<void>((resolve) => relay.close(() => resolve()))))
  await sandbox?.close()
  directory.cleanup()
})

describe("vendors that echo credentials, behind the daemon", () => {
  it("leave no token in the report, stderr, status or any state file", async () => {
    const viaRelay = async (base: string) => {
      const url = new URL(base)
      return `${await startEchoingRelay(url.origin)}${url.pathname}`
    }
    writeProfiles(Path.join(directory.path, "profiles.csv"), makeProfiles(5))
    const config = writeConfig({
      directory: directory.path,
      ocambaBaseUrl: await viaRelay(sandbox.ocambaBaseUrl),
      copernicaBaseUrl: await viaRelay(sandbox.copernicaBaseUrl),
      maxAttempts: 1
    })
    const env = { ...sandboxTokens }
    const text = await runCli(["run", "--config", config], { env, timeoutMilliseconds: 60_000 })
    const json = await runCli(["run", "--config", config, "--json"], { env, timeoutMilliseconds: 60_000 })
    const status = await runCli(["status", "--config", config, "--json"], { env, timeoutMilliseconds: 60_000 })

    // The runs failed on the echoing imports and say so, redacted.
    expect(text.code).not.toBe(0)
    expect(text.stdout).toMatch(/import refused for access_token=REDACTED/)
    expect(json.stdout).toContain("REDACTED")
    for (const [name, result] of Object.entries({ text, json, status })) {
      expect(leaksIn(result.stdout), `${name} stdout`).toEqual([])
      expect(leaksIn(result.stderr), `${name} stderr`).toEqual([])
    }

    const stateDirectory = Path.join(directory.path, "state")
    const files = FileSystem.readdirSync(stateDirectory).map((name) => Path.join(stateDirectory, name))
    const database = files.find((file) => file.endsWith(".db"))
    expect(database).toBeDefined()
    // Every table, every page (free ones too), the WAL and the rejects file: as raw bytes.
    const bytes = files.map((file) => FileSystem.readFileSync(file).toString("latin1")).join("\n")
    expect(leaksIn(bytes)).toEqual([])
    expect(bytes).toContain("access_token=REDACTED")
  }, 120_000)
})
