/**
 * @module
 * PHP-style form bodies, as Copernica's PHP back end reads them.
 */
import { describe, expect, it } from "vitest"
import { Copernica, Ocamba } from "../src/index.ts"
import { canonicalPhpQuery, parsePhpForm, phpBoolean } from "../src/PhpForm.ts"

describe("parsePhpForm", () => {
  it("builds nested objects and lists", () => {
    expect(
      parsePhpForm(
        "database=1&keyFields%5B%5D=Email&keyFields[]=Order.OrderID&source[0][Email]=a%40x.com&source[1][Email]=b&fields[name]=x&autostart=false"
      )
    ).toEqual({
      database: "1",
      keyFields: ["Email", "Order.OrderID"],
      source: [{ Email: "a@x.com" }, { Email: "b" }],
      fields: { name: "x" },
      autostart: false
    })
  })
})

describe("phpBoolean", () => {
  // rmuit/copernica-api tests/TestApi.php isBooleanTrue: the live API's reading of boolean parameters.
  it.each([
    [true, true],
    [false, false],
    ["1", true],
    ["0", false],
    ["", false],
    ["true", true],
    ["TRUE", true],
    ["yes", true],
    ["false", false],
    ["no", false],
    [" true", false],
    ["2", true],
    ["-1", true],
    ["0.5", false],
    [1, true],
    [0, false]
  ])("reads %j as %s", (value, expected) => {
    expect(phpBoolean(value)).toBe(expected)
  })
})

describe("canonicalPhpQuery", () => {
  it("reads fields[0], fields[] and their percent-encoded forms as the list fields[]", () => {
    const query = new URLSearchParams(
      "fields%5B0%5D=Email%3D%3Da&fields[1]=Firstname%3D%3Db&fields%5B%5D=c%3D%3Dd&x[0]=1"
    )
    const canonical = canonicalPhpQuery(query, ["fields[]"])
    expect(canonical.getAll("fields[]")).toEqual(["Email==a", "Firstname==b", "c==d"])
    expect(canonical.getAll("x[0]")).toEqual(["1"])
  })

  it("is applied by the Copernica contract to every array parameter, and not by Ocamba's", () => {
    const operation = Copernica.operations.listDatabaseProfiles
    const canonical = Copernica.canonicalQuery(operation, new URLSearchParams("fields[0]=a%3D%3Db&limit=1"))
    expect(canonical.getAll("fields[]")).toEqual(["a==b"])
    expect(canonical.get("limit")).toBe("1")
    const ocamba = Ocamba.operations.listProfileProperties
    const query = new URLSearchParams("fields[0]=id")
    expect(Ocamba.canonicalQuery(ocamba, query)).toBe(query)
  })
})

describe("routing habits", () => {
  it("serves Copernica paths with trailing slashes, and HEAD wherever GET is", () => {
    expect(Copernica.matchOperation("GET", "/databases/")?.operation.operationId).toBe("listDatabases")
    expect(Copernica.matchOperation("GET", "/database/1/profiles/")?.operation.operationId).toBe("listDatabaseProfiles")
    expect(Copernica.matchOperation("GET", "/import/3/")?.pathParams).toEqual({ id: "3" })
    expect(Copernica.matchOperation("HEAD", "/databases")?.operation.operationId).toBe("listDatabases")
    expect(Ocamba.matchOperation("HEAD", "/profile-properties")?.operation.operationId).toBe("listProfileProperties")
    // Ocamba documents no such habit: its paths stay exact.
    expect(Ocamba.matchOperation("GET", "/profile-properties/")).toBeUndefined()
  })

  it("ignores path segments after Copernica's database/ID/profiles, as the live API does, and nowhere else", () => {
    const match = Copernica.matchOperation("GET", "/database/1/profiles/bogus/path")
    expect(match?.operation.operationId).toBe("listDatabaseProfiles")
    expect(match?.pathParams).toEqual({ id: "1" })
    expect(match?.ignoredPath).toBe("/bogus/path")
    expect(Copernica.matchOperation("GET", "/database/1/profiles/")?.ignoredPath).toBeUndefined()
    expect(Copernica.matchOperation("GET", "/database/1/profilesbogus")).toBeUndefined()
    expect(Copernica.matchOperation("GET", "/database/1/fields/bogus")).toBeUndefined()
    expect(Copernica.matchOperation("GET", "/databases/bogus")).toBeUndefined()
    // An encoded slash or dot segment in the id still matches nothing.
    expect(Copernica.matchOperation("GET", "/database/..%2F1/profiles/x")).toBeUndefined()
  })

  it("names the methods of a path that exists, and none for one that does not", () => {
    expect(Ocamba.allowedMethods("/profile-properties")).toEqual(expect.arrayContaining(["GET", "HEAD", "POST"]))
    expect(Copernica.allowedMethods("/databases/")).toEqual(["GET", "HEAD"])
    expect(Copernica.allowedMethods("/nothing")).toEqual([])
  })
})
