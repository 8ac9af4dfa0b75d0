/**
 * Helpers of the release tests: the repository's Dockerfile read as instructions per stage (so the tests run its own
 * commands), child processes whose output is kept, and bounded waits.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"

export const repository = Path.resolve(import.meta.dirname, "../../..")

/** One Dockerfile instruction: `RUN`, `ENV`, `CMD`… and its arguments, continuation lines joined. */
export interface Instruction {
  readonly keyword: string
  readonly arguments: string
}

/** The Dockerfile's instructions, by stage name (`FROM … AS name`). */
export const dockerfileStages = (): ReadonlyMap<string, ReadonlyArray<Instruction>> => {
  const text = FileSystem.readFileSync(Path.join(repository, "Dockerfile"), "utf8")
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
  const stages = new Map<string, Array<Instruction>>()
  let current: Array<Instruction> | undefined
  for (const line of lines) {
    const [keyword = "", ...rest] = line.split(/\s+/)
    const instruction = { keyword: keyword.toUpperCase(), arguments: rest.join(" ") }
    if (instruction.keyword === "FROM") {
      const name = /\bAS\s+(\S+)$/i.exec(instruction.arguments)?.[1] ?? `stage-${stages.size}`
      current = []
      stages.set(name, current)
    }
    current?.push(instruction)
  }
  return stages
}

/** The instructions of `stage`, failing when the Dockerfile has no such stage. */
export const stage = (name: string): ReadonlyArray<Instruction> => {
  const instructions = dockerfileStages().get(name)
  if (instructions === undefined) throw new Error(`the Dockerfile has no stage named ${name}`)
  return instructions
}

/** A JSON-array (exec form) argument of CMD, ENTRYPOINT or HEALTHCHECK … CMD. */
export const execForm = (text: string): ReadonlyArray<string> => {
  const json = text.slice(text.indexOf("["))
  return JSON.parse(json) as ReadonlyArray<string>
}

export interface RunningProcess {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts `command` with stdout and stderr kept together. */
export const startProcess = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string }
): RunningProcess => {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal }))
  )
  return { child, output: () => output, exited }
}

/** Runs `command` to its end (killed after `timeoutMilliseconds`). */
export const runProcess = async (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string; readonly timeoutMilliseconds?: number }
): Promise<{ readonly code: number | null; readonly output: string }> => {
  const running = startProcess(command, args, options)
  const timer = setTimeout(() => running.child.kill("SIGKILL"), options.timeoutMilliseconds ?? 60_000)
  const { code } = await running.exited
  clearTimeout(timer)
  return { code, output: running.output() }
}

/** Polls `condition` every 20 ms until it holds, failing after `timeoutMilliseconds` with `description`. */
export const waitUntil = async (
  condition: () => boolean,
  description: string,
  timeoutMilliseconds = 30_000
): Promise<void> => {
  const deadline = Date.now() + timeoutMilliseconds
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The JSON lines of a process's output (other lines skipped). */
export const jsonLines = (text: string): ReadonlyArray<Record<string, unknown>> =>
  text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return []
    try {
      return [JSON.parse(line) as Record<string, unknown>]
    } catch {
      return []
    }
  })

/** Like {@link waitUntil}, for a condition that has to ask something. */
export const waitUntilAsync = async (
  condition: () => Promise<boolean>,
  description: string,
  timeoutMilliseconds = 30_000
): Promise<void> => {
  const deadline = Date.now() + timeoutMilliseconds
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * A GET on a connection of its own (no keep-alive), so that a server closing its idle connections cannot race a
 * request that reuses one.
 */
export const get = (url: string): Promise<{ readonly status: number; readonly body: string }> =>
  new Promise((resolve, reject) => {
    Http.get(url, { agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk
      })
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
      response.on("error", reject)
    }).on("error", reject)
  })
