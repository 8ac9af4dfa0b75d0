/** The committed generated sources match the specs, and a changed spec is caught as drift. */
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "vitest"
import { generateContractFiles } from "../scripts/generator.ts"

const specDirectory = Path.resolve(import.meta.dirname, "../../../openapi")
const generatedDirectory = Path.resolve(import.meta.dirname, "../src/generated")

describe("generateContractFiles", () => {
  it("produces exactly the committed files", async () => {
    const files = await generateContractFiles(specDirectory)
    assert.sameMembers([...files.keys()], FileSystem.readdirSync(generatedDirectory))
    for (const [name, contents] of files) {
      assert.isTrue(
        FileSystem.readFileSync(Path.join(generatedDirectory, name), "utf8") === contents,
        `${name} is out of date: run pnpm generate`
      )
    }
  })

  it("notices when a spec changes", async () => {
    const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-specs-"))
    try {
      for (const file of FileSystem.readdirSync(specDirectory)) {
        FileSystem.copyFileSync(Path.join(specDirectory, file), Path.join(scratch, file))
      }
      const spec = Path.join(scratch, "ocamba-hood.yaml")
      FileSystem.writeFileSync(
        spec,
        FileSystem.readFileSync(spec, "utf8").replace("operationId: createResync", "operationId: resyncEverything")
      )
      const files = await generateContractFiles(scratch)
      const operations = files.get("ocamba-hood.operations.ts")!
      assert.include(operations, '"resyncEverything"')
      assert.notStrictEqual(
        operations,
        FileSystem.readFileSync(Path.join(generatedDirectory, "ocamba-hood.operations.ts"), "utf8")
      )
    } finally {
      FileSystem.rmSync(scratch, { recursive: true, force: true })
    }
  })

  it("refuses an operation without the profilesync extensions", async () => {
    const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-specs-"))
    try {
      for (const file of FileSystem.readdirSync(specDirectory)) {
        FileSystem.copyFileSync(Path.join(specDirectory, file), Path.join(scratch, file))
      }
      const spec = Path.join(scratch, "copernica-v3.yaml")
      FileSystem.writeFileSync(
        spec,
        FileSystem.readFileSync(spec, "utf8").replaceAll("x-profilesync-retry:", "x-retry:")
      )
      const failure = await generateContractFiles(scratch).then(
        () => undefined,
        (error: Error) => error
      )
      assert.match(String(failure?.message), /copernica-v3\.yaml paths\.\/.+: missing x-profilesync-retry/)
    } finally {
      FileSystem.rmSync(scratch, { recursive: true, force: true })
    }
  })
})
