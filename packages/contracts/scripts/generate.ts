/**
 * Generates the contract sources from the hand-written specs in `openapi/`: the openapi-typescript types, the parsed
 * document the validators compile, and the typed operation metadata (retry safety, rate limits, provenance).
 *
 * Run with `--check` (or with `CI` set) to fail, writing nothing, when the committed files differ from what the specs
 * produce: that is the drift check CI runs.
 */
import * as FileSystem from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { generateContractFiles } from "./generator.ts"

const packageDirectory = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const specDirectory = Path.resolve(packageDirectory, "../../openapi")
const outputDirectory = Path.join(packageDirectory, "src/generated")

const checkOnly =
  process.argv.includes("--check") ||
  (process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false")

const files = await generateContractFiles(specDirectory)
const stale: Array<string> = []
for (const [name, contents] of files) {
  const target = Path.join(outputDirectory, name)
  const current = FileSystem.existsSync(target) ? FileSystem.readFileSync(target, "utf8") : undefined
  if (current === contents) continue
  stale.push(Path.relative(process.cwd(), target))
  if (!checkOnly) {
    FileSystem.mkdirSync(outputDirectory, { recursive: true })
    FileSystem.writeFileSync(target, contents)
  }
}
const known = new Set(files.keys())
for (const existing of FileSystem.existsSync(outputDirectory) ? FileSystem.readdirSync(outputDirectory) : []) {
  if (known.has(existing)) continue
  stale.push(Path.relative(process.cwd(), Path.join(outputDirectory, existing)))
  if (!checkOnly) FileSystem.rmSync(Path.join(outputDirectory, existing))
}

if (stale.length === 0) {
  console.log(`contracts: ${files.size} generated files match openapi/`)
} else if (checkOnly) {
  console.error(
    `contracts: these generated files are out of date with openapi/:\n  ${stale.join("\n  ")}\n` +
      "Run `pnpm generate` and commit the result."
  )
  process.exit(1)
} else {
  console.log(`contracts: wrote ${stale.length} file(s):\n  ${stale.join("\n  ")}`)
}
