/**
 * @module
 * The `strict` switch, one test per rule of the README's table that it covers: without it the sandbox guesses (and
 * answers), with it the same request is refused with 400 in the vendor's error shape, naming the rule.
 */
import { describe, expect, it } from "vitest"
import { copernicaRequest, expectNoSandboxBugs, functionalApp, ocambaRequest, uploadCsv } from "./helpers.ts"

/** Sends the same request to a guessing sandbox and a strict one; returns both answers. */
const both = async (send: (app: ReturnType<typeof functionalApp>) => Promise<Response>) => {
  const guessing = functionalApp()
  const strict = functionalApp({ strict: true })
  const guessed = await send(guessing)
  const refused = await send(strict)
  expectNoSandboxBugs(guessing)
  expectNoSandboxBugs(strict)
  return { guessed, refused }
}

/** The message of a strict refusal, in either vendor's error shape. */
const refusalMessage = async (response: Response): Promise<string> => {
  expect(response.status).toBe(400)
  const body = (await response.json()) as { message?: string; error?: { message: string } }
  const message = body.message ?? body.error?.message ?? ""
  expect(message).toMatch(/^(Invalid data provided: )?sandbox strict mode: /)
  return message
}

const copernicaImport = (body: Record<string, unknown>) => (app: ReturnType<typeof functionalApp>) =>
  copernicaRequest(app, "POST", "/imports", {
    body: {
      database: 1,
      source: [{ Email: "ann@example.com" }],
      keyFields: ["Email"],
      action: "update or add",
      ...body
    }
  })

describe("sandbox strict mode", () => {
  it("Ocamba: refuses the undefined filter operators is, isn and r", async () => {
    for (const filter of ["label=is:", "label=isn:", "create_time=r:2020-01-01,2030-01-01"]) {
      const { guessed, refused } = await both((app) =>
        ocambaRequest(app, "GET", `/profile-properties?${filter}&page=1,50`)
      )
      expect(guessed.status).toBe(200)
      expect(await refusalMessage(refused)).toContain("is named but not defined by the vendor")
    }
  })

  it("Ocamba: refuses a property list without a page size (the default size is undocumented)", async () => {
    const { guessed, refused } = await both((app) => ocambaRequest(app, "GET", "/profile-properties"))
    expect(((await guessed.json()) as { items: Array<unknown> }).items.length).toBeGreaterThan(0)
    expect(await refusalMessage(refused)).toContain("query /page: no page size")
    const sized = functionalApp({ strict: true })
    expect((await ocambaRequest(sized, "GET", "/profile-properties?page=1,50")).status).toBe(200)
  })

  it("Ocamba: refuses a commit that maps a system property the vendor's pages do not show", async () => {
    const mapping = [
      { label: "email", property: { label: "email", data_type: "text", system: 1 } },
      { label: "city", property: { label: "city", data_type: "text", system: 1 } }
    ]
    const { guessed, refused } = await both(async (app) => {
      const id = await uploadCsv(app, "email,city\nann@example.com,Novi Sad\n")
      return ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, { body: { mapping } })
    })
    expect(guessed.status).toBe(202)
    expect(await refusalMessage(refused)).toContain('"city" is a system property the vendor\'s pages do not show')
  })

  it("Ocamba: refuses to start with richImportReport, our invention", () => {
    expect(() => functionalApp({ strict: true, ocamba: { richImportReport: true } })).toThrow(
      /ocamba.richImportReport: sandbox strict mode refuses it/
    )
  })

  it("Copernica: refuses an import without an action (add by default is a guess)", async () => {
    const { guessed, refused } = await both(copernicaImport({ action: undefined, keyFields: undefined }))
    expect(guessed.status).toBe(201)
    expect(await refusalMessage(refused)).toContain("request body /action is missing")
  })

  it("Copernica: refuses an import from a location (the sandbox fetches no URL)", async () => {
    const { guessed, refused } = await both(
      copernicaImport({ source: undefined, location: "https://example.com/people.csv" })
    )
    expect(guessed.status).toBe(201)
    expect(await refusalMessage(refused)).toContain("request body /location")
  })

  it("Copernica: refuses booleans in forms only the guessed reading accepts; PHP's own forms pass", async () => {
    const { guessed, refused } = await both(copernicaImport({ ignoreEmptyFields: "yes" }))
    expect(guessed.status).toBe(201)
    expect(await refusalMessage(refused)).toContain('request body /ignoreEmptyFields: "yes"')
    const strict = functionalApp({ strict: true })
    for (const value of [true, "1", "0", "", "false"]) {
      expect((await copernicaImport({ ignoreEmptyFields: value })(strict)).status).toBe(201)
    }
    const query = await both((app) => copernicaRequest(app, "GET", "/database/1/profiles", { query: "total=yes" }))
    expect(query.guessed.status).toBe(200)
    expect(await refusalMessage(query.refused)).toContain('query /total: "yes"')
  })
})
