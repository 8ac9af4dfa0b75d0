/**
 * The READMEs hold when followed literally: every ```ts snippet of the root README, `packages/*\/README.md` and
 * `apps/*\/README.md` is compiled (strict, as the packages are; an unused import is an error) and then run against
 * the sandbox, with the environment the snippets read (`OCAMBA_BASE_URL`, `OCAMBA_TOKEN`, `COPERNICA_BASE_URL`,
 * `COPERNICA_TOKEN`, `REDIS_URL` of a real Redis). A snippet that only shows a shape, not code to run, says so with
 * `<!-- snippet: illustration -->` on the line before it, and is neither compiled nor run.
 */
import { execFile } from "node:child_process"
import * as FileSystem from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { type Sandbox, startSandbox } from "@profilesync/sandbox"
import { startRedisServer } from "@profilesync/test-support"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const packageDirectory = Path.resolve(import.meta.dirname, "..")
const repositoryDirectory = Path.resolve(packageDirectory, "../..")
// Inside the package, so the snippets resolve `@profilesync/*` and `effect` as a user's code would.
const snippetsDirectory = Path.join(packageDirectory, ".readme-snippets")
const illustration = "<!-- snippet: illustration -->"

interface Snippet {
  readonly readme: string
  readonly line: number
  readonly code: string
  readonly file: string
}

const readmes = (): ReadonlyArray<string> => {
  const inside = (folder: string) =>
    FileSystem.readdirSync(Path.join(repositoryDirectory, folder))
      .map((name) => Path.join(folder, name, "README.md"))
      .filter((file) => FileSystem.existsSync(Path.join(repositoryDirectory, file)))
  return ["README.md", ...inside("packages"), ...inside("apps")]
}

const extract = (readme: string): { readonly run: Array<Snippet>; readonly illustrations: number } => {
  const lines = FileSystem.readFileSync(Path.join(repositoryDirectory, readme), "utf8").split("\n")
  const run: Array<Snippet> = []
  let illustrations = 0
  for (let index = 0; index < lines.length; index++) {
    if (lines[index]!.trim() !== "```ts") continue
    const end = lines.findIndex((line, at) => at > index && line.trim() === "```")
    assert.isAbove(end, index, `${readme}:${index + 1}: an unclosed snippet`)
    if (lines[index - 1]?.trim() === illustration) {
      illustrations++
    } else {
      const name = `${readme.replaceAll(/[^\w]+/g, "-")}-${index + 1}.ts`
      run.push({
        readme,
        line: index + 1,
        code: `${lines.slice(index + 1, end).join("\n")}\n`,
        file: Path.join(snippetsDirectory, name)
      })
    }
    index = end
  }
  return { run, illustrations }
}

const typescriptCompiler = createRequire(import.meta.url).resolve("typescript/bin/tsc")

describe("README snippets", () => {
  const found = readmes().map((readme) => ({ readme, ...extract(readme) }))
  const snippets = found.flatMap((entry) => entry.run)
  let sandbox: Sandbox
  let redis: Awaited<ReturnType<typeof startRedisServer>>
  const environment = { ...process.env }

  beforeAll(async () => {
    FileSystem.rmSync(snippetsDirectory, { recursive: true, force: true })
    FileSystem.mkdirSync(snippetsDirectory)
    for (const snippet of snippets) FileSystem.writeFileSync(snippet.file, snippet.code)
    ;[sandbox, redis] = await Promise.all([startSandbox({ seed: 3 }), startRedisServer()])
    Object.assign(process.env, {
      OCAMBA_BASE_URL: sandbox.ocambaBaseUrl,
      OCAMBA_TOKEN: "ocamba-sandbox-token",
      COPERNICA_BASE_URL: sandbox.copernicaBaseUrl,
      COPERNICA_TOKEN: "copernica-sandbox-token",
      REDIS_URL: redis.url
    })
  })
  afterAll(async () => {
    for (const key of ["OCAMBA_BASE_URL", "OCAMBA_TOKEN", "COPERNICA_BASE_URL", "COPERNICA_TOKEN", "REDIS_URL"]) {
      if (environment[key] === undefined) delete process.env[key]
      else process.env[key] = environment[key]
    }
    await Promise.all([sandbox?.close(), redis?.close()])
    FileSystem.rmSync(snippetsDirectory, { recursive: true, force: true })
  })

  it("finds the snippets, and few are only illustrations", () => {
    assert.isAtLeast(snippets.length, 5)
    const illustrations = found.reduce((total, entry) => total + entry.illustrations, 0)
    assert.isAtMost(illustrations, 2, "every snippet that can run should run")
  })

  it("compiles every snippet with the packages' strict settings", { timeout: 180_000 }, async () => {
    const project = Path.join(snippetsDirectory, "tsconfig.json")
    FileSystem.writeFileSync(
      project,
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { noEmit: true, module: "NodeNext", target: "ES2022" },
        include: ["*.ts"]
      })
    )
    let output = ""
    try {
      await promisify(execFile)(process.execPath, [typescriptCompiler, "-p", project], {
        cwd: packageDirectory,
        maxBuffer: 16 * 1024 * 1024
      })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error)
    }
    // A value shown but not used is fine in a snippet; an import never used is a mistake in the docs.
    const problems = output
      .split("\n")
      .filter((line) => line.includes("error TS"))
      .filter((line) => {
        if (!line.includes("TS6133") && !line.includes("TS6198")) return true
        const match = /^(.+?)\((\d+),\d+\)/.exec(line)
        if (match === null) return true
        const source = FileSystem.readFileSync(Path.resolve(packageDirectory, match[1]!), "utf8").split("\n")
        return source[Number(match[2]) - 1]!.trimStart().startsWith("import")
      })
      .map((line) => {
        const snippet = snippets.find((entry) => line.includes(Path.basename(entry.file)))
        return snippet === undefined ? line : `${snippet.readme} (snippet at line ${snippet.line}): ${line}`
      })
    assert.deepStrictEqual(problems, [])
  })

  for (const snippet of snippets) {
    it(`runs ${snippet.readme}'s snippet at line ${snippet.line} against the sandbox`, async () => {
      sandbox.reset()
      await import(pathToFileURL(snippet.file).href)
      const counters = sandbox.counters()
      assert.strictEqual(counters.invalidResponses, 0, counters.invalidResponseMessages.join("\n"))
      // A snippet that makes a vendor client reached the sandbox (not production) through the documented baseUrl.
      if (/create\w*Client\(|Client\.layer\(/.test(snippet.code)) assert.isAbove(counters.requests, 0)
    })
  }
})
