/**
 * Identity collisions: source rows with different keys that a vendor would resolve to one profile (the same email,
 * or a phone number Ocamba matches a row without an email on; the same Copernica key field values), by the rule
 * stated once in `@profilesync/contracts` (`Identity.ts`), which the sandbox simulates too. The source is scanned
 * once before the sync reads it, because the first row of a pair may be sent before the second is read; then each
 * row of a pair is refused for that vendor (`identityCollisions: reject`, default, naming the other row) or every row
 * after the first is (`keepFirst`).
 *
 * @internal
 */
import { copernicaIdentity, ocambaIdentity } from "@profilesync/contracts"
import type * as Mapping from "@profilesync/core/Mapping"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Source from "../Source.ts"
import type * as SyncConfig from "../SyncConfig.ts"
import * as FirstRows from "./syncFirstRows.ts"
import type * as Rejects from "./syncRejects.ts"

type TargetName = Mapping.TargetName

interface Clash {
  readonly other: number
  /** What both rows are matched on, in words. */
  readonly on: string
}

/** @internal */
export interface Collisions {
  /**
   * The targets of `accepting` this row may still go to; writes a reject line for each one it may not.
   */
  readonly filter: (
    row: { readonly rowNumber: number; readonly line: number; readonly key: string },
    accepting: ReadonlyArray<TargetName>,
    rejects: Rejects.RejectsWriter
  ) => ReadonlyArray<TargetName>
}

/** In words, what two Ocamba rows share: an email, or the phone number of a row without one. */
const describeOcamba = (shared: string): string =>
  shared.startsWith("email:")
    ? `the same email ${shared.slice(6)}`
    : `the phone number ${shared.slice(6)}, which Ocamba matches a row without an email on`

/** The reason kind of a collision, in the report's `rejectReasons`. @internal */
export const collisionSummary = "identity collision"

/** Scans the source for collisions. @internal */
export const scan = (
  source: Source.Source,
  mapper: Mapping.Mapper,
  config: SyncConfig.SyncConfig,
  selected: ReadonlyArray<TargetName>
): Effect.Effect<Collisions, Source.SourceError> =>
  Effect.gen(function* () {
    const clashes: Record<TargetName, Map<number, Array<Clash>>> = { ocamba: new Map(), copernica: new Map() }
    const record = (target: TargetName, left: number, right: number, on: string) => {
      for (const [row, other] of [
        [left, right],
        [right, left]
      ] as const) {
        const list = clashes[target].get(row)
        if (list === undefined) clashes[target].set(row, [{ other, on }])
        else list.push({ other, on })
      }
    }
    // Which row first held each value, compared exactly but held compactly (the values wait in a temporary file):
    // a source of millions of rows would otherwise keep every key, email and phone number on the heap.
    // The file is removed when the scan ends, however it ends (nothing yields between here and the scan).
    const valueFile = FirstRows.openValueFile()
    const keys = FirstRows.make(valueFile)
    // Ocamba: the row each identity key first belonged to, and the row each looked-up key first belonged to.
    const heldBy = FirstRows.make(valueFile)
    const matchedBy = FirstRows.make(valueFile)
    const copernicaFirst = FirstRows.make(valueFile)
    const ocambaColumns = selected.includes("ocamba") ? mapper.columns("ocamba") : []
    const copernicaColumns = selected.includes("copernica") ? mapper.columns("copernica") : []
    const keyFields = config.targets.copernica?.keyFields ?? []
    // Only the identity values are formatted per row (not a target's whole view): the labels are looked up once.
    const ocambaLabels = ["email", "mobile_phone_number"].filter((label) => ocambaColumns.includes(label))
    const emailAt = ocambaLabels.indexOf("email")
    const phoneAt = ocambaLabels.indexOf("mobile_phone_number")
    const pickOcamba = ocambaColumns.length > 0 ? mapper.picker("ocamba", ocambaLabels) : undefined
    const copernicaKeyFields = keyFields.filter((field) => copernicaColumns.includes(field))
    const pickCopernica = copernicaColumns.length > 0 ? mapper.picker("copernica", copernicaKeyFields) : undefined

    // One effect per chunk of rows (a source emits its rows in chunks), not one per row.
    const scanRow = (item: Source.SourceItem): void => {
      if (item._tag !== "SourceRow") return
      const mapped = mapper.mapRow({ rowNumber: item.rowNumber, values: item.values })
      // Rows without a key, and later rows with a key seen before, are refused anyway.
      if (mapped._tag !== "Valid" || keys.claim(mapped.key, item.rowNumber) !== undefined) return
      const row = item.rowNumber
      if (pickOcamba !== undefined && mapped.targets.includes("ocamba")) {
        const values = pickOcamba(mapped.profile)
        const identity = ocambaIdentity({
          email: emailAt === -1 ? undefined : values[emailAt],
          mobile_phone_number: phoneAt === -1 ? undefined : values[phoneAt]
        })
        if (identity !== undefined) {
          // Every row found here is one Ocamba resolves to this row's profile (`ocambaSameProfile`): the first
          // holder of what this row is looked up by holds it among its keys, and a row first looked up by one of
          // this row's keys is matched on it. What they share: this row's match, unless only a key of this row
          // other than its match is the other row's match (a row without an email, on this row's phone number).
          const others = new Map<number, string>()
          const holder = heldBy.get(identity.match)
          if (holder !== undefined) others.set(holder, identity.match)
          for (const key of identity.keys) {
            const matcher = matchedBy.get(key)
            if (matcher !== undefined && !others.has(matcher)) others.set(matcher, key)
          }
          for (const [other, shared] of others) record("ocamba", other, row, describeOcamba(shared))
          for (const key of identity.keys) heldBy.claim(key, row)
          matchedBy.claim(identity.match, row)
        }
      }
      if (pickCopernica !== undefined && mapped.targets.includes("copernica")) {
        const values = pickCopernica(mapped.profile)
        const byField: Record<string, string | undefined> = {}
        for (let index = 0; index < copernicaKeyFields.length; index++)
          byField[copernicaKeyFields[index]!] = values[index]
        const identity = copernicaIdentity(byField, keyFields)
        const first = copernicaFirst.claim(identity, row)
        if (first !== undefined) {
          const shown = keyFields.map((field) => `${field} ${byField[field] ?? ""}`).join(", ")
          record("copernica", first, row, `the same ${shown} (keyFields)`)
        }
      }
    }
    yield* Stream.runForEachChunk(source.rows, (items) =>
      Effect.sync(() => {
        for (const item of items) scanRow(item)
      })
    ).pipe(Effect.ensuring(Effect.sync(valueFile.close)))

    const keepFirst = config.identityCollisions === "keepFirst"
    const vendorName: Record<TargetName, string> = { ocamba: "Ocamba", copernica: "Copernica" }
    return {
      filter: (row, accepting, rejects) =>
        accepting.filter((target) => {
          const found = clashes[target].get(row.rowNumber)
          if (found === undefined) return true
          const blocking = keepFirst ? found.filter((clash) => clash.other < row.rowNumber) : found
          if (blocking.length === 0) return true
          const others = blocking.map((clash) => clash.other).sort((left, right) => left - right)
          const field = row.key.slice(0, row.key.indexOf(":"))
          rejects.add(
            {
              row: row.rowNumber,
              line: row.line,
              key: row.key,
              code: "IdentityCollision",
              field,
              column: config.fields[field]?.column ?? field,
              value: row.key.slice(field.length + 1),
              reason:
                `${vendorName[target]} would resolve this row and row ${others.join(", row ")} (another key) to one ` +
                `profile: ${blocking[0]!.on}; ` +
                (keepFirst
                  ? "the first row wins (identityCollisions: keepFirst)"
                  : "all of them are rejected (identityCollisions: reject)"),
              targets: [target]
            },
            collisionSummary
          )
          return false
        })
    }
  })
