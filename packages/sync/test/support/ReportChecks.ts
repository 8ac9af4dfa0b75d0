/**
 * Checks that a run report adds up, for any test that runs a sync: every row read is counted exactly once per
 * target, and every list of reasons (JSON and text) adds up to the count it explains.
 */
import { assert } from "@effect/vitest"
import * as Sync from "../../src/Sync.ts"

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((total, count) => total + count, 0)

// The `    reason: count` lines right under a line that starts with `heading`, as numbers.
const listedCounts = (lines: ReadonlyArray<string>, prefix: string): Array<number> =>
  lines
    .filter((line) => line.startsWith(prefix))
    .map((line) => Number(line.slice(line.lastIndexOf(": ") + 2).replaceAll(",", "")))

/** Asserts the report's identities; `deleted` profiles left the source, so they are not among the rows read. */
export const assertReconciles = (report: Sync.RunReport): void => {
  const text = Sync.formatReport(report)
  const lines = text.split("\n")
  assert.strictEqual(sum(report.rejectReasons), report.rejected, `the run's reasons add up to its rejected\n${text}`)
  for (const [name, target] of Object.entries(report.targets) as Array<[Sync.TargetName, Sync.TargetReport]>) {
    const rowsSeen =
      target.created + target.updated + target.unchanged + target.failed + target.rejected + target.skippedDeadLetters
    assert.strictEqual(rowsSeen, report.read, `${name}: every row read is counted once\n${text}`)
    assert.strictEqual(target.rejected, report.rejected + target.rejectedOnlyHere, `${name}: rejected\n${text}`)
    assert.strictEqual(sum(target.rejectReasons), target.rejectedOnlyHere, `${name}: its own reasons\n${text}`)
    // On screen: the target's own reason lines add up to the "for <target> only" count on its line.
    const shown = listedCounts(lines, `    rejected for ${name} only: `)
    assert.strictEqual(
      shown.reduce((total, count) => total + count, 0),
      target.rejectedOnlyHere,
      text
    )
    if (target.rejectedOnlyHere > 0) {
      assert.include(
        text,
        `${target.rejected.toLocaleString("en-US")} rejected (${report.rejected.toLocaleString("en-US")} for every ` +
          `target + ${target.rejectedOnlyHere.toLocaleString("en-US")} for ${name} only)`
      )
    }
  }
  // On screen: the reason lines under the headline add up to the rejected count in it.
  const headline = lines.findIndex((line) => line.startsWith("  read "))
  const match = /rejected ([\d,]+)/.exec(lines[headline] ?? "")
  assert.isNotNull(match, text)
  assert.strictEqual(Number(match![1]!.replaceAll(",", "")), report.rejected, text)
  const underHeadline: Array<number> = []
  for (const line of lines.slice(headline + 1)) {
    if (!line.startsWith("    ")) break
    if (line.startsWith("    every reason of every bad row: ")) continue
    underHeadline.push(Number(line.slice(line.lastIndexOf(": ") + 2).replaceAll(",", "")))
  }
  assert.strictEqual(
    underHeadline.reduce((total, count) => total + count, 0),
    report.rejected,
    text
  )
}
