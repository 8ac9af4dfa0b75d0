/**
 * Generated profile files, made once with examples/generate-profiles.ts (seed 42, one bad row in 500) and cached in
 * the OS temp directory (or `--data <dir>`), so a second run of a benchmark does not pay for them.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { flag, log } from "./report.ts"
import { repoRoot } from "./services.ts"

export const dataDirectory = (): string => flag("data") ?? Path.join(Os.tmpdir(), "profilesync-bench-data")

const generator = Path.join(repoRoot, "examples/generate-profiles.ts")

/**
 * The generated CSV of `rows` profiles (seed 42), created on first use. The name carries a hash of the generator, so
 * a changed generator makes new files rather than reusing stale ones.
 */
export const profilesFile = (rows: number): string => {
  const directory = dataDirectory()
  FileSystem.mkdirSync(directory, { recursive: true })
  const version = createHash("sha256").update(FileSystem.readFileSync(generator)).digest("hex").slice(0, 10)
  const file = Path.join(directory, `profiles-${rows}-seed42-${version}.csv`)
  if (!FileSystem.existsSync(file)) {
    log(`  generating ${rows} profiles into ${file} (once; cached for later runs)`)
    const partial = `${file}.partial`
    execFileSync(process.execPath, ["--import", "tsx", generator, String(rows), partial, "42"], {
      cwd: Path.join(repoRoot, "examples"),
      stdio: ["ignore", "ignore", "inherit"]
    })
    FileSystem.renameSync(partial, file)
  }
  return file
}
