/** Bad requests are caught with a message that names the location and JSON path of the problem. */
import { assert, describe, it } from "vitest"
import { Copernica, maxJsonDepth, Ocamba, tooDeepAt } from "../src/index.ts"

const importId = "c50f31e8-35a9-456a-b44a-e87d60c5570c"

const failure = (outcome: ReturnType<typeof Ocamba.validateRequest>) => {
  if (outcome.ok) throw new Error("expected the request to be refused")
  return outcome
}

describe("validateRequest", () => {
  it("refuses a commit that maps neither email nor mobile_phone_number, naming /mapping", () => {
    const outcome = failure(
      Ocamba.validateRequest("commitProfileImport", {
        pathParams: { id: importId },
        body: { mapping: [{ label: "name", property: { label: "full_name", data_type: "text", system: 1 } }] }
      })
    )
    assert.deepStrictEqual(
      outcome.issues.map((issue) => [issue.location, issue.path]),
      [["body", "/mapping"]]
    )
    assert.match(outcome.message, /^request body \/mapping: .*email.*mobile_phone_number/)
  })

  it("accepts a commit that maps only mobile_phone_number", () => {
    const outcome = Ocamba.validateRequest("commitProfileImport", {
      pathParams: { id: importId },
      body: { mapping: [{ label: "phone", property: { label: "mobile_phone_number", data_type: "text", system: 1 } }] }
    })
    assert.deepStrictEqual(outcome, { ok: true })
  })

  it("refuses a PATCH with an empty body", () => {
    const outcome = failure(
      Ocamba.validateRequest("updateProfileProperty", { pathParams: { id: "1000105" }, body: {} })
    )
    assert.strictEqual(outcome.issues[0]?.location, "body")
    assert.strictEqual(outcome.issues[0]?.path, "")
    assert.match(outcome.message, /request body \(root\): .*(at least one|fewer than 1)/i)
  })

  it("refuses a PATCH of an immutable field, naming the field", () => {
    const outcome = failure(
      Ocamba.validateRequest("updateProfileProperty", { pathParams: { id: "1000105" }, body: { label: "renamed" } })
    )
    assert.strictEqual(outcome.issues[0]?.path, "/label")
  })

  it("refuses a resync with no resource", () => {
    const empty = failure(Ocamba.validateRequest("createResync", { body: { resync: {} } }))
    assert.strictEqual(empty.issues[0]?.path, "/resync")
    const emptyList = failure(Ocamba.validateRequest("createResync", { body: { resync: { integration: [] } } }))
    assert.strictEqual(emptyList.issues[0]?.path, "/resync/integration")
  })

  it("refuses a Copernica import with an unknown action, naming /action and the allowed values", () => {
    const outcome = failure(
      Copernica.validateRequest("createImport", {
        body: { database: 1, action: "upsert", source: [{ Email: "a@b.c" }] }
      })
    )
    assert.strictEqual(outcome.issues[0]?.path, "/action")
    assert.include(outcome.message, '"update or add"')
    assert.include(outcome.message, '"upsert"')
  })

  it("refuses an unknown Copernica import parameter (a typo)", () => {
    const outcome = failure(
      Copernica.validateRequest("createImport", {
        body: { database: 1, action: "add", source: [{ Email: "a@b.c" }], keyfields: ["Email"] }
      })
    )
    assert.strictEqual(outcome.issues[0]?.path, "/keyfields")
  })

  it("coerces and checks query parameters as they arrive on the wire", () => {
    assert.deepStrictEqual(
      Copernica.validateRequest("listDatabaseProfiles", {
        pathParams: { id: "1" },
        query: new URLSearchParams("start=0&limit=100&fields[]=Email%3D%3Da%40b.c&fields[]=Age%3E16")
      }),
      { ok: true }
    )
    const outcome = failure(
      Copernica.validateRequest("listDatabaseProfiles", { pathParams: { id: "1" }, query: { limit: "5000" } })
    )
    assert.deepStrictEqual([outcome.issues[0]?.location, outcome.issues[0]?.path], ["query", "/limit"])
  })

  it("refuses a body of a media type the operation does not take", () => {
    const outcome = failure(
      Ocamba.validateRequest("createResync", { contentType: "text/plain", body: "resync everything" })
    )
    assert.deepStrictEqual([outcome.issues[0]?.location, outcome.issues[0]?.path], ["header", "/content-type"])
  })

  it("validates multipart uploads with the file as a Blob", () => {
    const body = new FormData()
    body.set("file", new Blob(["email\na@b.c\n"], { type: "text/csv" }), "profiles.csv")
    assert.deepStrictEqual(
      Ocamba.validateRequest("createProfileImport", { contentType: "multipart/form-data; boundary=x", body }),
      { ok: true }
    )
    const missingFile = failure(
      Ocamba.validateRequest("createProfileImport", { contentType: "multipart/form-data", body: new FormData() })
    )
    assert.strictEqual(missingFile.issues[0]?.path, "/file")
  })
})

describe("validateResponse", () => {
  it("checks the vendor error shapes", () => {
    assert.deepStrictEqual(
      Ocamba.validateResponse("createResync", 500, { code: 500, title: "Internal server error." }),
      {
        ok: true
      }
    )
    assert.isFalse(Ocamba.validateResponse("createResync", 500, { error: { message: "x" } }).ok)
    assert.deepStrictEqual(
      Copernica.validateResponse("getImport", 400, { error: { message: "Invalid access token" } }),
      {
        ok: true
      }
    )
  })

  it("refuses a body where the vendor sends none", () => {
    const outcome = Ocamba.validateResponse("createResync", 204, { unexpected: true })
    assert.isFalse(outcome.ok)
  })
})

describe("matchOperation", () => {
  it("matches paths relative to the server URL and decodes parameters", () => {
    const match = Ocamba.matchOperation("POST", `/profiles/imports/${importId}/commit`)
    assert.strictEqual(match?.operation.operationId, "commitProfileImport")
    assert.deepStrictEqual(match?.pathParams, { id: importId })
    assert.strictEqual(
      Ocamba.matchOperation("PATCH", "/profile-properties/1000105")?.operation.operationId,
      "updateProfileProperty"
    )
  })

  it("routes the vendor's accepted alias spellings", () => {
    assert.strictEqual(Copernica.matchOperation("POST", "/imports/")?.operation.operationId, "createImport")
    assert.strictEqual(Copernica.matchOperation("POST", "/imports")?.operation.operationId, "createImport")
  })

  it("never matches encoded slashes, dot segments or unknown operations", () => {
    for (const [method, path] of [
      ["PATCH", "/profile-properties/..%2Fresync"],
      ["PATCH", "/profile-properties/%2e%2e"],
      ["PATCH", "/profile-properties/.."],
      ["PATCH", "/profile-properties/a%5Cb"],
      ["GET", "/profiles/imports/x/../../resync"],
      ["DELETE", "/profile-properties/1"],
      ["GET", "/admin"],
      ["GET", "/import/%E0%A4%A"]
    ] as const) {
      assert.isUndefined(
        Ocamba.matchOperation(method, path) ?? Copernica.matchOperation(method, path),
        `${method} ${path}`
      )
    }
  })
})

describe("Copernica rules", () => {
  it("asks for exactly one of source and location", () => {
    const outcome = failure(
      Copernica.validateRequest("createImport", {
        body: { database: 1, action: "add", source: [{ Email: "a@b.c" }], location: "https://example.com/a.csv" }
      })
    )
    assert.match(outcome.message, /exactly one of `source`/)
  })

  it("asks for a delimiter when source is CSV text", () => {
    const outcome = failure(
      Copernica.validateRequest("createImport", {
        body: { database: 1, action: "add", format: "csv", source: "Email\na@b.c\n" }
      })
    )
    assert.strictEqual(outcome.issues[0]?.path, "/delimiter")
  })
})

describe("bodies nested deeper than maxJsonDepth", () => {
  const nested = (depth: number): unknown => {
    let value: unknown = { label: "x" }
    for (let level = 0; level < depth; level++) value = { label: "deep", nested: [value] }
    return value
  }

  it("refuses a request body nested 10,000 deep with a message naming the depth, without overflowing the stack", () => {
    const outcome = failure(Ocamba.validateRequest("createProfileProperty", { body: nested(10_000) }))
    assert.match(outcome.message, new RegExp(`^request body \\(root\\): nests deeper than ${maxJsonDepth} levels`))
    assert.match(outcome.message, /\(at \/nested\/0\/nested\/0/)
  })

  it("refuses a response nested that deep too, and finds no problem in a shallow one", () => {
    assert.isFalse(Copernica.validateResponse("listDatabases", 200, nested(10_000)).ok)
    assert.isUndefined(tooDeepAt(nested(10)))
    assert.strictEqual(tooDeepAt([[[1]]], 2), "/0/0")
  })
})
