/**
 * @module
 * PHP-style form bodies, as Copernica's PHP back end reads them.
 */
import { describe, expect, it } from "vitest"
import { parsePhpForm } from "../../src/vendor/form-body.ts"

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
