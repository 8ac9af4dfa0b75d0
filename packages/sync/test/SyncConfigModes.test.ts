/**
 * Tests for a target's `mode` and `emptyValues` in `SyncConfig`: Copernica's resolve to its import `action`,
 * `deleteMissing` and `ignoreEmptyFields` (and contradicting those is refused), today's behaviour is the default, and
 * the modes Ocamba's import cannot honour are refused at `targets.ocamba.mode` with the reason.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as SyncConfig from "../src/SyncConfig.ts"

// Line numbers matter: the Ocamba target's extra settings start on line 11, Copernica's on line 17.
const yamlWith = (ocamba: ReadonlyArray<string>, copernica: ReadonlyArray<string>) => `version: 1
name: modes
source: { type: csv, path: ./profiles.csv }
fields:
  email: { type: email }
key: [email]
targets:
  ocamba:
    credentials: { tokenEnv: OCAMBA_TOKEN }
    properties: { email: { system: true } }
${[...ocamba, "    maxFileBytes: 50000000"].map((line) => `    ${line.trim()}`).join("\n")}
  copernica:
    credentials: { tokenEnv: COPERNICA_TOKEN }
    database: 1
    keyFields: [Email]
    fields: { email: { field: Email } }
${[...copernica, "    rowsPerImport: 1000"].map((line) => `    ${line.trim()}`).join("\n")}
`

const parse = (ocamba: ReadonlyArray<string>, copernica: ReadonlyArray<string>) =>
  SyncConfig.parse(yamlWith(ocamba, copernica), "/configs/modes.yaml")

const issuesOf = (ocamba: ReadonlyArray<string>, copernica: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(parse(ocamba, copernica))
    const reason = error.reason
    assert.strictEqual(reason._tag, "InvalidConfig", error.message)
    return reason._tag === "InvalidConfig" ? reason.issues : []
  })

describe("SyncConfig mode and emptyValues", () => {
  it.effect("the defaults are today's behaviour: update or add, no deletes, empty values clear in Copernica", () =>
    Effect.gen(function* () {
      const config = yield* parse([], [])
      const copernica = config.targets.copernica!
      assert.strictEqual(copernica.action, "update or add")
      assert.strictEqual(copernica.deleteMissing, false)
      assert.strictEqual(copernica.ignoreEmptyFields, false)
      assert.strictEqual(config.targets.ocamba!.mode, undefined)
    })
  )

  it.effect("each Copernica mode resolves to its import action and deletes", () =>
    Effect.gen(function* () {
      const expected = {
        upsert: ["update or add", false],
        "update-only": ["update", false],
        "insert-only": ["ignore or add", false],
        mirror: ["update or add", true]
      } as const
      for (const [mode, [action, deleteMissing]] of Object.entries(expected)) {
        const copernica = (yield* parse([], [`mode: ${mode}`])).targets.copernica!
        assert.strictEqual(copernica.mode, mode)
        assert.strictEqual(copernica.action, action, mode)
        assert.strictEqual(copernica.deleteMissing, deleteMissing, mode)
      }
    })
  )

  it.effect("Copernica emptyValues: skip sets ignoreEmptyFields, clear leaves it off", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* parse([], ["emptyValues: skip"])).targets.copernica!.ignoreEmptyFields, true)
      assert.strictEqual((yield* parse([], ["emptyValues: clear"])).targets.copernica!.ignoreEmptyFields, false)
      // Saying the same thing twice is allowed.
      const both = yield* parse(
        [],
        ["mode: mirror", "deleteMissing: true", "emptyValues: skip", "ignoreEmptyFields: true"]
      )
      assert.strictEqual(both.targets.copernica!.deleteMissing, true)
      assert.strictEqual(both.targets.copernica!.ignoreEmptyFields, true)
    })
  )

  it.effect("a mode contradicting Copernica's own action, deleteMissing or ignoreEmptyFields is refused there", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(
        [],
        [
          "mode: insert-only",
          "action: update or add",
          "deleteMissing: true",
          "emptyValues: skip",
          "ignoreEmptyFields: false"
        ]
      )
      assert.deepStrictEqual(
        issues.map((issue) => [issue.path, issue.line]),
        [
          ["targets.copernica.action", 18],
          ["targets.copernica.deleteMissing", 19],
          ["targets.copernica.ignoreEmptyFields", 21]
        ]
      )
      assert.include(issues[0]!.message, "`mode: insert-only` sends `action: ignore or add`")
      assert.include(issues[1]!.message, "never deletes")
    })
  )

  it.effect("Ocamba refuses update-only, insert-only and mirror at targets.ocamba.mode, saying why", () =>
    Effect.gen(function* () {
      for (const mode of ["update-only", "insert-only", "mirror"]) {
        const issues = yield* issuesOf([`mode: ${mode}`], [])
        assert.strictEqual(issues.length, 1, mode)
        const issue = issues[0]!
        assert.strictEqual(issue.path, "targets.ocamba.mode")
        assert.deepStrictEqual([issue.line, issue.column], [11, 11])
        assert.include(issue.message, `\`${mode}\` cannot be honoured by Ocamba`)
        assert.include(issue.message, mode === "mirror" ? "does not delete Ocamba profiles" : "always creates")
      }
      const error = yield* Effect.flip(parse(["mode: update-only"], []))
      assert.include(error.message, "/configs/modes.yaml:11:11: targets.ocamba.mode: `update-only` cannot be honoured")
      assert.strictEqual((yield* parse(["mode: upsert"], ["mode: update-only"])).targets.ocamba!.mode, "upsert")
    })
  )

  it.effect("Ocamba refuses emptyValues: clear (its import keeps a value whose cell is empty) and accepts skip", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(["emptyValues: clear"], [])
      assert.deepStrictEqual(
        issues.map((issue) => issue.path),
        ["targets.ocamba.emptyValues"]
      )
      assert.include(issues[0]!.message, "leaves a property unchanged where the cell is empty")
      assert.strictEqual((yield* parse(["emptyValues: skip"], [])).targets.ocamba!.emptyValues, "skip")
    })
  )

  it.effect("an unknown mode lists the four", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf([], ["mode: replace"])
      assert.strictEqual(issues[0]!.path, "targets.copernica.mode")
      assert.include(issues[0]!.message, '"upsert", "update-only", "insert-only", "mirror"')
    })
  )
})
