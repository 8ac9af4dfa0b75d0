/**
 * @module
 * The `profilesync-sandbox` command: starts the sandbox, prints its URLs and tokens, logs one line per request, and
 * closes cleanly on SIGTERM or SIGINT.
 */
import { formatWindows } from "./cli-format.ts"
import { parseCommandLine, usage } from "./cli-options.ts"
import { startSandbox } from "./server.ts"

const main = async (): Promise<void> => {
  let commandLine: ReturnType<typeof parseCommandLine>
  try {
    commandLine = parseCommandLine(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    process.exitCode = 2
    return
  }
  if (commandLine.help) {
    process.stdout.write(usage)
    return
  }
  const sandbox = await startSandbox({ ...commandLine.options, log: !commandLine.quiet })
  const resolved = sandbox.app.runtime.options
  const lines = [
    `profilesync-sandbox listening on ${sandbox.url}`,
    `  Ocamba Hood   ${sandbox.ocambaBaseUrl}  (Authorization: Bearer <token>)`,
    ...resolved.ocamba.accounts.map((account) => `    ${account.id}: ${account.tokens.join(", ")}`),
    `    limits ${formatWindows(resolved.ocamba.rateLimits.windows)}, concurrency ${resolved.ocamba.rateLimits.concurrency ?? "unlimited"}`,
    `  Copernica v3  ${sandbox.copernicaBaseUrl}  (?access_token=<token>)`,
    ...resolved.copernica.accounts.map((account) => `    ${account.id}: ${account.tokens.join(", ")}`),
    `    limits ${formatWindows(resolved.copernica.rateLimits.windows)}, concurrency ${resolved.copernica.rateLimits.concurrency ?? "unlimited"}`,
    `  Inspection    ${sandbox.url}/_sandbox  (state, counters, faults, reset)`,
    `  seed ${resolved.seed}, faults ${JSON.stringify(sandbox.app.runtime.faults.options)}`
  ]
  process.stdout.write(`${lines.join("\n")}\n`)
  const stop = (signal: string) => {
    process.stdout.write(`profilesync-sandbox: ${signal}, closing\n`)
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`profilesync-sandbox: close failed: ${String(error)}\n`)
        process.exit(1)
      }
    )
  }
  process.once("SIGTERM", () => stop("SIGTERM"))
  process.once("SIGINT", () => stop("SIGINT"))
}

await main()
