#!/usr/bin/env bash
# Installs what is missing, then runs every test of the workspace once (the unit tests, then the e2e tests) and ends
# with the line `N passed, N failed` counting both (each vitest project of each package writes its own JSON report).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh || exit 1

rm -rf .test-results
CI=true pnpm lint
lint_status=$?
CI=true pnpm typecheck
typecheck_status=$?
# Valid changesets (a formatter that rewrites their frontmatter breaks releases).
CI=true pnpm exec changeset status >/dev/null || pnpm exec changeset status
changeset_status=$?
# The API reference from the TSDoc (docs/api); TypeDoc treats every warning as an error.
CI=true pnpm run docs >/dev/null || CI=true pnpm run docs
docs_status=$?
CI=true pnpm test
test_status=$?

node --input-type=module -e '
import * as FileSystem from "node:fs"
let passed = 0, failed = 0
const directory = ".test-results"
// Only the JSON reports: tests also leave screenshots and other files for people in folders next to them.
const reports = FileSystem.existsSync(directory) ? FileSystem.readdirSync(directory, { withFileTypes: true }) : []
for (const file of reports.filter((entry) => entry.isFile() && entry.name.endsWith(".json")).map((entry) => entry.name)) {
  const report = JSON.parse(FileSystem.readFileSync(`${directory}/${file}`, "utf8"))
  passed += report.numPassedTests
  // A test file that fails to load counts as a failure even though it ran no test.
  failed += report.numFailedTests + report.testResults.filter((result) => result.status === "failed" && result.assertionResults.length === 0).length
}
if (process.argv[1] !== "0" && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
' "$(( lint_status != 0 || typecheck_status != 0 || changeset_status != 0 || docs_status != 0 || test_status != 0 ? 1 : 0 ))"
summary_status=$?

[ "$summary_status" -eq 0 ] && [ "$lint_status" -eq 0 ] && [ "$typecheck_status" -eq 0 ] && [ "$changeset_status" -eq 0 ] && [ "$docs_status" -eq 0 ] && [ "$test_status" -eq 0 ]
