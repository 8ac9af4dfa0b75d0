/**
 * @module
 * The Ocamba import cycle: upload a CSV, read the detected columns, commit with a mapping, poll until finished, read
 * the per-row report and the profile store.
 */
import { Ocamba } from "@profilesync/contracts"
import { describe, expect, it } from "vitest"
import {
  eventually,
  expectNoSandboxBugs,
  functionalApp,
  ocambaRequest,
  standardMapping,
  uploadCsv
} from "../helpers.ts"

const csv = [
  "email,phone,name",
  "ann@example.com,+381 60 111,Ann",
  ",,Nobody",
  ",+381 60 222,Phone Only",
  "not-an-email,,Broken",
  '"bob@example.com","","Bob ""The Builder"""'
].join("\n")

const poll = (app: ReturnType<typeof functionalApp>, id: string) =>
  eventually(async () => {
    const record = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as Record<
      string,
      unknown
    >
    return record.status === "finished" || record.status === "failed" ? record : undefined
  })

describe("Ocamba imports", () => {
  it("reports only the successful rows, with the documented fields only, by default", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 } } })
    const id = await uploadCsv(app, csv)
    await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, { body: { mapping: standardMapping } })
    expect(await poll(app, id)).toMatchObject({ imported_records: 3, failed_records: 2 })
    const report = (await (await ocambaRequest(app, "GET", `/reports/profiles/import/${id}/full`)).json()) as Array<
      Record<string, unknown>
    >
    expect(report).toHaveLength(3)
    for (const row of report) {
      expect(Object.keys(row).sort()).toEqual(["code", "event_date", "event_time", "profile_id", "update_time"])
      expect(row.code).toBe("SUCCESS")
    }
  })

  it("refuses the rows refuseImportRow names, in every import, and reports them REFUSED in a rich report", async () => {
    const seen: Array<Readonly<Record<string, string>>> = []
    const refuseImportRow = (row: Readonly<Record<string, string>>) => {
      seen.push(row)
      return row.email === "bob@example.com" ? "Bob is refused by this test's rule." : undefined
    }
    const plain = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 }, refuseImportRow } })
    const id = await uploadCsv(plain, csv)
    await ocambaRequest(plain, "POST", `/profiles/imports/${id}/commit`, { body: { mapping: standardMapping } })
    expect(await poll(plain, id)).toMatchObject({ imported_records: 2, failed_records: 3 })
    const report = (await (await ocambaRequest(plain, "GET", `/reports/profiles/import/${id}/full`)).json()) as Array<
      Record<string, unknown>
    >
    expect(report).toHaveLength(2)
    expect(plain.runtime.state.ocamba.account("ocamba-account-1").findProfileByEmail("bob@example.com")).toBeUndefined()
    // The rule sees each row by property target, trimmed, empty cells left out.
    expect(seen[0]).toEqual({ email: "ann@example.com", mobile_phone_number: "+381 60 111", full_name: "Ann" })
    expect(seen[1]).toEqual({ mobile_phone_number: "+381 60 222", full_name: "Phone Only" })

    const rich = functionalApp({
      ocamba: { processing: { delayMilliseconds: 0 }, richImportReport: true, refuseImportRow }
    })
    const again = await uploadCsv(rich, csv)
    await ocambaRequest(rich, "POST", `/profiles/imports/${again}/commit`, { body: { mapping: standardMapping } })
    await poll(rich, again)
    const entries = (await (
      await ocambaRequest(rich, "GET", `/reports/profiles/import/${again}/full`)
    ).json()) as Array<Record<string, unknown>>
    expect(entries[4]).toMatchObject({
      row: 5,
      code: "REFUSED",
      profile_id: "",
      message: "Row 5: Bob is refused by this test's rule."
    })
    expectNoSandboxBugs(plain)
    expectNoSandboxBugs(rich)
  })

  it("runs upload, commit and poll, ending with the profiles in state and failed rows reported", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 30 }, richImportReport: true } })
    const id = await uploadCsv(app, csv)
    const uploaded = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as Record<
      string,
      unknown
    >
    expect(Ocamba.validateResponse("getProfileImport", 200, uploaded)).toEqual({ ok: true })
    expect(uploaded).toMatchObject({
      status: "uploaded",
      columns: ["email", "phone", "name"],
      total_records: 5,
      mapping: { mapped: 3, unmapped: 0 }
    })

    const commit = await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, {
      body: { mapping: standardMapping }
    })
    expect(commit.status).toBe(202)
    const running = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as { status: string }
    expect(running.status).toBe("running")

    const finished = await poll(app, id)
    expect(finished).toMatchObject({ status: "finished", total_records: 5, imported_records: 3, failed_records: 2 })

    const reportResponse = await ocambaRequest(app, "GET", `/reports/profiles/import/${id}/full`)
    const report = (await reportResponse.json()) as Array<Record<string, unknown>>
    expect(Ocamba.validateResponse("getProfileImportReport", 200, report)).toEqual({ ok: true })
    expect(report.map((row) => [row.row, row.code])).toEqual([
      [1, "SUCCESS"],
      [2, "MISSING_IDENTIFIER"],
      [3, "SUCCESS"],
      [4, "INVALID_EMAIL"],
      [5, "SUCCESS"]
    ])
    expect(report[1]?.message).toBe("Row 2 has neither email nor mobile_phone_number.")
    expect(report[3]?.message).toContain("Row 4")

    const account = app.runtime.state.ocamba.account("ocamba-account-1")
    expect(account.profiles.size).toBe(3)
    expect(account.findProfileByEmail("ANN@example.com")?.properties).toEqual({
      email: "ann@example.com",
      mobile_phone_number: "+381 60 111",
      full_name: "Ann"
    })
    expect(account.findProfileByPhone("+38160222")?.properties.full_name).toBe("Phone Only")
    expect(account.findProfileByEmail("bob@example.com")?.properties.full_name).toBe('Bob "The Builder"')
    expect(report[0]?.profile_id).toBe(account.findProfileByEmail("ann@example.com")?.id)
    expectNoSandboxBugs(app)
  })

  it("matches a row by its email when it has one, else by its phone, across imports (contracts' ocambaIdentity)", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 } } })
    const first = await uploadCsv(app, "email,phone,name\nann@example.com,+38160111,Ann\n,+38160222,Cy\n")
    await ocambaRequest(app, "POST", `/profiles/imports/${first}/commit`, { body: { mapping: standardMapping } })
    await poll(app, first)
    const second = await uploadCsv(
      app,
      "email,phone,name\nAnn@Example.com,,Ann Again\ncy@example.com,+381 60 222,Cy Again\n"
    )
    await ocambaRequest(app, "POST", `/profiles/imports/${second}/commit`, { body: { mapping: standardMapping } })
    await poll(app, second)
    const account = app.runtime.state.ocamba.account("ocamba-account-1")
    expect(account.profiles.size).toBe(3)
    expect(account.findProfileByEmail("ann@example.com")?.properties.full_name).toBe("Ann Again")
    // Empty cells leave stored values alone.
    expect(account.findProfileByEmail("ann@example.com")?.properties.mobile_phone_number).toBe("+38160111")
    // A new email is a new profile, even with a stored phone number: the phone-only profile is untouched.
    expect(account.findProfileByEmail("cy@example.com")?.properties.full_name).toBe("Cy Again")
    const phoneOnly = [...account.profiles.values()].find((profile) => profile.properties.email === undefined)
    expect(phoneOnly?.properties).toEqual({ mobile_phone_number: "+38160222", full_name: "Cy" })
  })

  it("keeps three new customers who share one phone apart, and updates by phone only a row without an email", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 } } })
    const rows = "email,phone,name\na@example.com,+38160333,A\nb@example.com,+38160333,B\nc@example.com,+38160333,C\n"
    const first = await uploadCsv(app, rows)
    await ocambaRequest(app, "POST", `/profiles/imports/${first}/commit`, { body: { mapping: standardMapping } })
    await poll(app, first)
    const account = app.runtime.state.ocamba.account("ocamba-account-1")
    expect(account.profiles.size).toBe(3)
    expect(
      ["a", "b", "c"].map((name) => account.findProfileByEmail(`${name}@example.com`)?.properties.full_name)
    ).toEqual(["A", "B", "C"])
    const second = await uploadCsv(app, "email,phone,name\n,+381 60 333,Phone Row\n")
    await ocambaRequest(app, "POST", `/profiles/imports/${second}/commit`, { body: { mapping: standardMapping } })
    await poll(app, second)
    expect(account.profiles.size).toBe(3)
    // The phone belongs to the profile that stored it last.
    expect(account.findProfileByEmail("c@example.com")?.properties.full_name).toBe("Phone Row")
    expectNoSandboxBugs(app)
  })

  it("maps columns automatically by label and import alias", async () => {
    const app = functionalApp()
    const id = await uploadCsv(app, "E-Mail;Mobile;Display_Name;favourite\na@example.com;+38160;A;blue\n")
    const record = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as {
      columns: Array<string>
      mapping: { mapped: number; unmapped: number; items: Array<{ label: string; property: { label: string } }> }
    }
    expect(record.columns).toEqual(["E-Mail", "Mobile", "Display_Name", "favourite"])
    expect(record.mapping.items.map((item) => [item.label, item.property.label])).toEqual([
      ["E-Mail", "email"],
      ["Mobile", "mobile_phone_number"],
      ["Display_Name", "full_name"]
    ])
    expect(record.mapping).toMatchObject({ mapped: 3, unmapped: 1 })
  })

  it("refuses commits that break the rules, naming the JSON path", async () => {
    const app = functionalApp()
    const id = await uploadCsv(app, "email,phone,name\na@example.com,,A\n")
    const commit = (mapping: unknown) =>
      ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, { body: { mapping } })
    const message = async (response: Response) => {
      expect(response.status).toBe(400)
      const body = (await response.json()) as { code: number; title: string; message: string; trace_id: string }
      expect(body.code).toBe(400)
      expect(body.title).toBe("Bad request.")
      expect(body.trace_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      return body.message
    }
    // Neither email nor mobile_phone_number mapped (the spec's `contains` rule).
    expect(await message(await commit([standardMapping[2]]))).toContain("/mapping")
    expect(await message(await commit([{ label: "email", property: { label: "email", system: 1 } }]))).toBe(
      "request body /mapping/0/property/data_type: is required"
    )
    expect(
      await message(await commit([{ label: "mail", property: { label: "email", data_type: "text", system: 1 } }]))
    ).toContain('/mapping/0/label: the file has no column "mail"')
    expect(
      await message(
        await commit([
          standardMapping[0],
          { label: "name", property: { label: "nickname", data_type: "text", system: 0 } }
        ])
      )
    ).toContain('/mapping/1/property/label: no profile property "nickname"')
    expect(
      await message(await commit([{ label: "email", property: { label: "email", data_type: "text", system: 0 } }]))
    ).toContain("/mapping/0/property/system")
    expect((await commit(standardMapping)).status).toBe(202)
    expect(await message(await commit(standardMapping))).toContain("already committed")
  })

  it("answers 404 in Ocamba's shape for unknown imports", async () => {
    const app = functionalApp()
    const missing = "00000000-0000-4000-8000-000000000000"
    for (const path of [`/profiles/imports/${missing}`, `/reports/profiles/import/${missing}/full`]) {
      const response = await ocambaRequest(app, "GET", path)
      expect(response.status).toBe(404)
      expect(await response.json()).toMatchObject({ code: 404, title: "Not found." })
    }
    expect((await ocambaRequest(app, "GET", "/profiles/imports/not-a-uuid")).status).toBe(400)
    expectNoSandboxBugs(app)
  })

  it("refuses uploads that are not readable CSV files", async () => {
    const app = functionalApp()
    const upload = async (file: File | string) => {
      const form = new FormData()
      form.append("file", file)
      return ocambaRequest(app, "POST", "/profiles/imports", { body: form })
    }
    expect((await upload(new File(["x"], "people.txt"))).status).toBe(400)
    expect((await upload(new File(["x"], "people.xlsx"))).status).toBe(400)
    expect((await upload(new File([""], "people.csv"))).status).toBe(400)
    expect((await upload(new File(["email,email\n"], "people.csv"))).status).toBe(400)
    expect((await upload("email\na@example.com\n")).status).toBe(400)
    const missing = await ocambaRequest(app, "POST", "/profiles/imports", { body: new FormData() })
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { message: string }).message).toContain("/file")
    expectNoSandboxBugs(app)
  })

  it("keeps profile lists given at upload, sent as repeated fields", async () => {
    const app = functionalApp()
    const form = new FormData()
    form.append("file", new File(["email\na@example.com\n"], "people.csv", { type: "text/csv" }))
    form.append("profile_lists", "1000000")
    form.append("profile_lists", "1000001")
    const response = await ocambaRequest(app, "POST", "/profiles/imports", { body: form })
    const { id } = (await response.json()) as { id: string }
    const record = (await (await ocambaRequest(app, "GET", `/profiles/imports/${id}`)).json()) as Record<
      string,
      unknown
    >
    expect(record.profile_lists).toEqual(["1000000", "1000001"])
  })

  it("commits mapping items without system, as the vendor's import record returns them; strict mode refuses them", async () => {
    const withoutSystem = standardMapping.map(({ label, property }) => ({
      label,
      property: { label: property.label, data_type: property.data_type }
    }))
    const app = functionalApp()
    const id = await uploadCsv(app, csv)
    const commit = await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, {
      body: { mapping: withoutSystem }
    })
    expect(commit.status).toBe(202)

    const strict = functionalApp({ strict: true })
    const strictId = await uploadCsv(strict, csv)
    const refused = await ocambaRequest(strict, "POST", `/profiles/imports/${strictId}/commit`, {
      body: { mapping: withoutSystem }
    })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { message: string }).message).toContain("sandbox strict mode")
  })

  it("pages the report", async () => {
    const app = functionalApp({ ocamba: { processing: { delayMilliseconds: 0 }, richImportReport: true } })
    const rows = Array.from({ length: 5 }, (_, index) => `p${index}@example.com,,P${index}`)
    const id = await uploadCsv(app, ["email,phone,name", ...rows].join("\n"))
    await ocambaRequest(app, "POST", `/profiles/imports/${id}/commit`, { body: { mapping: standardMapping } })
    await poll(app, id)
    const second = (await (
      await ocambaRequest(app, "GET", `/reports/profiles/import/${id}/full?page=2,2`)
    ).json()) as Array<{
      row: number
    }>
    expect(second.map((row) => row.row)).toEqual([3, 4])
  })
})
