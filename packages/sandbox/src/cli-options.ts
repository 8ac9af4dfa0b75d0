/**
 * @module
 * Reads the `profilesync-sandbox` command line (and an optional JSON config file) into `startSandbox` options.
 * Flags override the config file; the config file overrides the defaults.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { FaultOptions } from "./faults/fault-injector.ts"
import type { RateLimitWindow } from "./limits/fixed-window-limiter.ts"
import type { StartSandboxOptions } from "./server.ts"

/**
 * The command's usage text.
 *
 * @category CLI
 * @since 0.0.0
 */
export const usage = `Usage: profilesync-sandbox [options]

Simulated Ocamba Hood (/v1/hood) and Copernica REST v3 (/v3) APIs on one port, with an inspection API (/_sandbox).

Options:
  --port <n>                   Port to listen on (default 4010; 0 picks a free port)
  --host <host>                Address to bind (default 127.0.0.1)
  --seed <n|text>              Seed of fault decisions and generated ids (default 1)
  --config <file>              JSON file of sandbox options (flags override it)
  --ocamba-limits <windows>    Ocamba windows per account, e.g. 10/1s,150/60s (default), or none
  --ocamba-concurrency <n>     Ocamba requests in flight per account (default 10)
  --copernica-limits <windows> Copernica windows per account (default none)
  --copernica-concurrency <n>  Copernica requests in flight per account (default unlimited)
  --processing-delay <ms>      Time imports take before their rows are processed (default 100)
  --error-rate <share>         Share of requests answered 500/502/503 (default 0)
  --latency <ms|min-max>       Added latency, fixed or a range (default 0)
  --drop-rate <share>          Share of connections dropped without an answer (default 0)
  --response-loss-rate <share> Share of requests handled whose answer is then lost (default 0)
  --import-failure-rate <share> Share of imports that fail part way (default 0)
  --rate-limit-storm <seconds> Answer every request 429 for this many seconds from start
  --strict                     Refuse every request whose answer rests on an undocumented guess (README)
  --rich-import-report         Ocamba reports also list failed rows with row, message and codes (our invention)
  --quiet                      Do not log requests
  --help                       Show this text
`

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }

/**
 * Parses windows written `10/1s,150/60s` (units ms, s, m or min, h); `none` means no windows.
 *
 * @category CLI
 * @since 0.0.0
 */
export const parseWindows = (text: string): ReadonlyArray<RateLimitWindow> => {
  if (text.trim() === "none" || text.trim() === "") {
    return []
  }
  return text.split(",").map((part) => {
    const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|min|m|h)\s*$/.exec(part)
    if (match === null) {
      throw new Error(`Cannot read the window "${part}": write it as <limit>/<length><unit>, e.g. 10/1s or 150/60s`)
    }
    const [, limit = "", length = "1", unit = "s"] = match
    return { limit: Number(limit), windowMilliseconds: Number(length) * (units[unit] ?? 1000) }
  })
}

const share = (name: string, text: string): number => {
  const value = Number(text)
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) {
    throw new Error(`--${name} must be a share between 0 and 1, got "${text}"`)
  }
  return value
}

const wholeNumber = (name: string, text: string): number => {
  const value = Number(text)
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new Error(`--${name} must be a whole number, got "${text}"`)
  }
  return value
}

const latency = (text: string): FaultOptions["latencyMilliseconds"] => {
  const range = /^(\d+)-(\d+)$/.exec(text)
  if (range !== null) {
    return { min: Number(range[1]), max: Number(range[2]) }
  }
  return wholeNumber("latency", text)
}

/**
 * What the command line asks for.
 *
 * @category CLI
 * @since 0.0.0
 */
export type CommandLine =
  | { readonly help: true }
  | { readonly help: false; readonly options: StartSandboxOptions; readonly quiet: boolean }

/**
 * Parses the arguments (without `node` and the script), throwing an `Error` with a readable message on a bad value.
 *
 * @category CLI
 * @since 0.0.0
 */
export const parseCommandLine = (
  argv: ReadonlyArray<string>,
  readConfig: (path: string) => string = (path) => readFileSync(path, "utf8")
): CommandLine => {
  // `pnpm start -- --port 1` passes the "--" through; it only separates pnpm's arguments from ours.
  const commandArguments = argv[0] === "--" ? argv.slice(1) : [...argv]
  const { values } = parseArgs({
    args: commandArguments,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      config: { type: "string" },
      "ocamba-limits": { type: "string" },
      "ocamba-concurrency": { type: "string" },
      "copernica-limits": { type: "string" },
      "copernica-concurrency": { type: "string" },
      "processing-delay": { type: "string" },
      "error-rate": { type: "string" },
      latency: { type: "string" },
      "drop-rate": { type: "string" },
      "response-loss-rate": { type: "string" },
      "import-failure-rate": { type: "string" },
      "rate-limit-storm": { type: "string" },
      strict: { type: "boolean" },
      "rich-import-report": { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean" }
    }
  })
  if (values.help === true) {
    return { help: true }
  }
  let config: StartSandboxOptions = {}
  if (values.config !== undefined) {
    try {
      config = JSON.parse(readConfig(values.config)) as StartSandboxOptions
    } catch (error) {
      throw new Error(
        `Cannot read --config ${values.config}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }
  const ocamba = { ...config.ocamba }
  const copernica = { ...config.copernica }
  const faults: Record<string, unknown> = { ...config.faults }
  if (values["ocamba-limits"] !== undefined) {
    Object.assign(ocamba, { rateLimits: { ...ocamba.rateLimits, windows: parseWindows(values["ocamba-limits"]) } })
  }
  if (values["ocamba-concurrency"] !== undefined) {
    const concurrency = wholeNumber("ocamba-concurrency", values["ocamba-concurrency"])
    Object.assign(ocamba, { rateLimits: { ...ocamba.rateLimits, concurrency } })
  }
  if (values["copernica-limits"] !== undefined) {
    Object.assign(copernica, {
      rateLimits: { ...copernica.rateLimits, windows: parseWindows(values["copernica-limits"]) }
    })
  }
  if (values["copernica-concurrency"] !== undefined) {
    const concurrency = wholeNumber("copernica-concurrency", values["copernica-concurrency"])
    Object.assign(copernica, { rateLimits: { ...copernica.rateLimits, concurrency } })
  }
  if (values["processing-delay"] !== undefined) {
    const delayMilliseconds = wholeNumber("processing-delay", values["processing-delay"])
    Object.assign(ocamba, { processing: { delayMilliseconds } })
    Object.assign(copernica, { processing: { delayMilliseconds } })
  }
  if (values["error-rate"] !== undefined) faults.errorRate = share("error-rate", values["error-rate"])
  if (values.latency !== undefined) faults.latencyMilliseconds = latency(values.latency)
  if (values["drop-rate"] !== undefined) faults.dropRate = share("drop-rate", values["drop-rate"])
  if (values["response-loss-rate"] !== undefined) {
    faults.responseLossRate = share("response-loss-rate", values["response-loss-rate"])
  }
  if (values["import-failure-rate"] !== undefined) {
    faults.importFailureRate = share("import-failure-rate", values["import-failure-rate"])
  }
  if (values["rate-limit-storm"] !== undefined) {
    faults.rateLimitStorm = {
      durationMilliseconds: wholeNumber("rate-limit-storm", values["rate-limit-storm"]) * 1000
    }
  }
  if (values["rich-import-report"] === true) Object.assign(ocamba, { richImportReport: true })
  const seedText = values.seed
  const seed = seedText === undefined ? config.seed : /^\d+$/.test(seedText) ? Number(seedText) : seedText
  const options: StartSandboxOptions = {
    ...config,
    host: values.host ?? config.host ?? "127.0.0.1",
    port: values.port === undefined ? (config.port ?? 4010) : wholeNumber("port", values.port),
    ...(seed === undefined ? {} : { seed }),
    ocamba,
    copernica,
    faults: faults as FaultOptions,
    ...(values.strict === true ? { strict: true } : {})
  }
  return { help: false, options, quiet: values.quiet === true }
}
