/**
 * @module
 * The help text of `profilesync` and of each command, written for people: one short line per option, examples, the
 * exit codes. @effect/cli parses the command line; its generated help is not shown. This module imports nothing, so
 * `profilesync --help` starts in the time Node itself takes.
 *
 * A test checks that every option a command's parser knows is listed here, and nothing else.
 */

/**
 * One option as the help shows it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptionHelp {
  /** `-c, --config FILE` */
  readonly flags: string
  /** One short line. */
  readonly text: string
}

/**
 * The help of one command.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandHelp {
  /** The words after `profilesync`: `["dead-letters", "list"]`. */
  readonly path: ReadonlyArray<string>
  /** One line for the command list. */
  readonly summary: string
  /** The usage line after `profilesync `. */
  readonly usage: string
  /** Paragraphs under the usage line. */
  readonly details: ReadonlyArray<string>
  readonly options: ReadonlyArray<OptionHelp>
  readonly examples: ReadonlyArray<string>
}

const config: OptionHelp = {
  flags: "-c, --config FILE",
  text: "the sync's config (default $PROFILESYNC_CONFIG, else ./profilesync.yaml)"
}
const json: OptionHelp = { flags: "--json", text: "print the result as one line of JSON on stdout" }
const targets: OptionHelp = {
  flags: "-t, --target NAME",
  text: "only this target: ocamba or copernica; repeat for both (default: all)"
}
const redisUrl: OptionHelp = {
  flags: "--redis-url URL",
  text: "share the vendors' rate budget through this Redis (default $REDIS_URL)"
}
const dryRun: OptionHelp = { flags: "--dry-run", text: "report what would change; write nothing" }
const metricsTextfile: OptionHelp = {
  flags: "--metrics-textfile FILE",
  text: "write run metrics for node_exporter's textfile collector (*.prom) after each run"
}

/**
 * The options every command takes, wherever they stand on the line.
 *
 * @since 0.1.0
 * @category constants
 */
export const globalOptions: ReadonlyArray<OptionHelp> = [
  { flags: "--log-level LEVEL", text: "debug, info (default), warning or error; debug adds stack traces" },
  { flags: "-h, --help", text: "show this help" },
  { flags: "--version", text: "print the version" }
]

/**
 * Every command, in the order the overview lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const commands: ReadonlyArray<CommandHelp> = [
  {
    path: ["run"],
    summary: "Run the sync once and print the report",
    usage:
      "run [-c FILE] [--dry-run] [-t NAME]... [--json] [--redis-url URL] [--allow-mass-delete] " +
      "[--accept-schema-changes] [--metrics-textfile FILE]",
    details: [
      "Reads the source, sends what changed to each target, waits until the vendors confirm it, and prints the report."
    ],
    options: [
      config,
      dryRun,
      targets,
      json,
      redisUrl,
      {
        flags: "--allow-mass-delete",
        text: "let deleteMissing delete more than maxDeleteShare of the profiles (try --dry-run first)"
      },
      {
        flags: "--accept-schema-changes",
        text: "run although a mapped column of a typed source (PostgreSQL, MySQL, Parquet) changed type since the last successful run"
      },
      { flags: "--once", text: "accepted for readable crontab lines; run always runs once" },
      metricsTextfile
    ],
    examples: ["profilesync run -c customers.yaml --dry-run", "profilesync run -c customers.yaml --json | jq .status"]
  },
  {
    path: ["schedule"],
    summary: "Run syncs on their cron schedules until stopped",
    usage:
      "schedule [-c FILE | --configs DIR] [--now] [--dry-run] [-t NAME]... [--json] [--redis-url URL] " +
      "[--metrics-port PORT] [--metrics-host HOST] [--metrics-textfile FILE]",
    details: [
      "Runs at the config's `schedule` in its `timeZone` until SIGTERM. Runs never overlap; missed ticks are skipped.",
      "With --configs, every sync of the directory runs on its own cron, sharing one budget per vendor account.",
      "Replicas over one PostgreSQL state (and Redis) share the work: each tick of a sync runs on one of them."
    ],
    options: [
      config,
      { flags: "--configs DIR", text: "every .yaml/.yml config in DIR, each on its own cron (instead of -c)" },
      { flags: "--now", text: "also run once right away" },
      dryRun,
      targets,
      json,
      redisUrl,
      { flags: "--metrics-port PORT", text: "serve Prometheus metrics at /metrics on this port (default: none)" },
      { flags: "--metrics-host HOST", text: "the address of the metrics endpoint (default 127.0.0.1)" },
      metricsTextfile
    ],
    examples: [
      "profilesync schedule -c customers.yaml --now",
      "profilesync schedule -c customers.yaml --metrics-port 9464",
      "profilesync schedule --configs /etc/profilesync --redis-url redis://redis:6379"
    ]
  },
  {
    path: ["status"],
    summary: "Show recent runs, jobs in flight and dead letters",
    usage: "status [-c FILE] [-n N] [--json]",
    details: ["Reads the state store only; a store that does not exist yet means no runs."],
    options: [config, { flags: "-n, --limit N", text: "how many recent runs to show (default 10)" }, json],
    examples: ["profilesync status -c customers.yaml"]
  },
  {
    path: ["dead-letters", "list"],
    summary: "List rows a target refused too many times",
    usage: "dead-letters list [-c FILE] [-t NAME] [--all] [-n N] [--json]",
    details: ["Oldest failure first, with the vendor's reason; --json adds the payload that was sent."],
    options: [
      config,
      { flags: "-t, --target NAME", text: "only this target's dead letters" },
      { flags: "--all", text: "also show the ones already replayed" },
      { flags: "-n, --limit N", text: "show at most N (default 100)" },
      json
    ],
    examples: ["profilesync dead-letters list -c customers.yaml -t copernica"]
  },
  {
    path: ["dead-letters", "replay"],
    summary: "Hand dead letters back so the next run sends them again",
    usage: "dead-letters replay [-c FILE] [-t NAME] [--run] [--json] [--redis-url URL] [KEY]...",
    details: ["Replays every dead letter, one target's, or only the given keys (as `dead-letters list` shows them)."],
    options: [
      config,
      { flags: "-t, --target NAME", text: "only this target's dead letters" },
      { flags: "--run", text: "start that run now instead of waiting for the next one" },
      json,
      redisUrl
    ],
    examples: [
      "profilesync dead-letters replay -c customers.yaml --run",
      "profilesync dead-letters replay email:a@b.nl"
    ]
  },
  {
    path: ["history"],
    summary: "Show what was sent for one row, where, when, with what result",
    usage: "history KEY [-c FILE] [-t NAME] [-n N] [--json]",
    details: [
      "Newest first: created, updated, deleted, rejected, failed or dead-lettered at each target, with the run, " +
        "the vendor's job id, the hash of the version sent and the reason. The store keeps hashes, never values.",
      "Kept for history.keepDays days (default 90) of the config."
    ],
    options: [
      config,
      { flags: "-t, --target NAME", text: "only this target's history" },
      { flags: "-n, --limit N", text: "show at most N entries (default 50)" },
      json
    ],
    examples: [
      "profilesync history -c customers.yaml email:a@b.nl",
      "profilesync history -c customers.yaml -t copernica --json email:a@b.nl"
    ]
  },
  {
    path: ["dashboard"],
    summary: "Serve a read-only web dashboard of the runs",
    usage: "dashboard [-c FILE]... [--configs DIR] [--host ADDRESS] [--port N] [--show-values]",
    details: [
      "Reads the state store (never writes, takes no lock) and serves pages for the syncs, runs, rejects, dead " +
        "letters and a key's history. Values are masked unless --show-values.",
      "Binds 127.0.0.1; any other address needs PROFILESYNC_DASHBOARD_TOKEN (a bearer token or the login form)."
    ],
    options: [
      { flags: "-c, --config FILE", text: "a sync's config; repeat for several syncs (default as for the others)" },
      { flags: "--configs DIR", text: "every .yaml and .yml file in DIR, with or instead of -c" },
      { flags: "--host ADDRESS", text: "the address to listen on (default 127.0.0.1)" },
      { flags: "--port N", text: "the port (default 8790; 0 picks a free one)" },
      { flags: "--show-values", text: "show customer values in full instead of masked" }
    ],
    examples: [
      "profilesync dashboard -c customers.yaml",
      "profilesync dashboard --configs /etc/profilesync/syncs",
      "PROFILESYNC_DASHBOARD_TOKEN=... profilesync dashboard -c a.yaml --host 0.0.0.0"
    ]
  },
  {
    path: ["validate-config"],
    summary: "Check a config file without contacting anything",
    usage: "validate-config [-c FILE] [--json]",
    details: [
      "Checks the YAML, the schema, the cross-references and that no secret is written in it, then summarises it.",
      "Exit 0 valid (warnings included), 2 invalid, with one file:line:column: path: problem line per problem."
    ],
    options: [config, json],
    examples: ["profilesync validate-config -c customers.yaml"]
  },
  {
    path: ["check"],
    summary: "Check the vendors, credentials, state store and source",
    usage: "check [-c FILE] [-t NAME]... [--json] [--redis-url URL]",
    details: [
      "Reads the source's first record, opens the state store and takes a lock of its own in it, pings Redis, and " +
        "asks each target (or the proxy) for its property or field list: the credentials are accepted, the mapped " +
        "properties or fields exist or would be created, and the rate budget left. Writes nothing to a vendor.",
      "Exit 0 ready (warnings included), 1 something did not answer (retry later), 2 something to fix."
    ],
    options: [config, targets, json, redisUrl],
    examples: ["profilesync check -c customers.yaml", "profilesync check -c customers.yaml --json | jq .status"]
  },
  {
    path: ["init"],
    summary: "Write a commented config from a source file's header",
    usage: "init --from FILE [-o FILE] [--name NAME] [--force]",
    details: [
      "Reads the column names of a CSV (or the keys of the first NDJSON/JSON record) and writes a config that maps " +
        "them: email, phone and name columns are recognised, the rest become text fields. Edit it, then run " +
        "validate-config."
    ],
    options: [
      { flags: "--from FILE", text: "the source file: .csv, .ndjson or .json" },
      { flags: "-o, --output FILE", text: "where to write the config (default: stdout)" },
      { flags: "--name NAME", text: "the sync's name (default: the source file's name)" },
      { flags: "--force", text: "overwrite the output file if it exists" }
    ],
    examples: ["profilesync init --from customers.csv -o customers.yaml"]
  },
  {
    path: ["config-schema"],
    summary: "Print the config's JSON Schema, for editors",
    usage: "config-schema",
    details: [
      "Save it next to your config and start the YAML with `# yaml-language-server: $schema=profilesync.schema.json`;",
      "editors with the YAML language server then complete and check the file."
    ],
    options: [],
    examples: ["profilesync config-schema > profilesync.schema.json"]
  }
]

const groups: ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly summary: string }> = [
  { path: ["dead-letters"], summary: "List or replay rows a target refused too many times" }
]

const exitCodes =
  "Exit codes: 0 success, 1 failure (retry later), 2 config or usage error, 3 some rows failed, 4 locked by " +
  "another run, 130 stopped by a second signal."

const optionLines = (options: ReadonlyArray<OptionHelp>): Array<string> => {
  // Flags without a short form line up with the long ones of the others.
  const hasShort = (option: OptionHelp) => /^-[a-z],/.test(option.flags)
  const shortWidth = options.some(hasShort) ? 4 : 0
  const flagsOf = (option: OptionHelp) => (hasShort(option) ? option.flags : `${" ".repeat(shortWidth)}${option.flags}`)
  const width = Math.max(...options.map((option) => flagsOf(option).length))
  const indent = " ".repeat(width + 4)
  return options.flatMap((option) => {
    const [first = "", ...rest] = wrap(option.text, 78 - indent.length)
    return [`  ${flagsOf(option).padEnd(width)}  ${first}`.trimEnd(), ...rest.map((line) => `${indent}${line}`)]
  })
}

const commandList = (entries: ReadonlyArray<{ readonly name: string; readonly summary: string }>) => {
  const width = Math.max(...entries.map((entry) => entry.name.length))
  return entries.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`)
}

/**
 * `profilesync --help`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const overview = (version: string): string => {
  const seen = new Set<string>()
  const entries: Array<{ name: string; summary: string }> = []
  for (const command of commands) {
    const name = command.path[0]!
    if (seen.has(name)) continue
    seen.add(name)
    const group = groups.find((candidate) => candidate.path[0] === name)
    entries.push({ name, summary: group?.summary ?? command.summary })
  }
  return [
    `profilesync ${version}: keep Ocamba Hood and Copernica in step with a profile source.`,
    "",
    "Usage: profilesync <command> [options]",
    "",
    "Commands:",
    ...commandList(entries),
    "",
    "Options:",
    ...optionLines(globalOptions),
    "",
    "Examples:",
    "  profilesync init --from customers.csv -o customers.yaml",
    "  profilesync validate-config -c customers.yaml",
    "  profilesync check -c customers.yaml",
    "  profilesync run -c customers.yaml --dry-run",
    "",
    "Run `profilesync <command> --help` for a command's options.",
    ...wrap(exitCodes),
    ""
  ].join("\n")
}

const wrap = (text: string, width = 78): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/**
 * The help of one command, or of a group (`dead-letters`): its usage, details, options and examples.
 *
 * @since 0.1.0
 * @category formatting
 */
export const commandHelp = (path: ReadonlyArray<string>): string | undefined => {
  const command = commands.find((candidate) => candidate.path.join(" ") === path.join(" "))
  if (command === undefined) {
    const group = groups.find((candidate) => candidate.path.join(" ") === path.join(" "))
    if (group === undefined) return undefined
    const members = commands.filter((candidate) => candidate.path[0] === group.path[0])
    return [
      `${group.summary}.`,
      "",
      `Usage: profilesync ${group.path.join(" ")} <command> [options]`,
      "",
      "Commands:",
      ...commandList(members.map((member) => ({ name: member.path.slice(1).join(" "), summary: member.summary }))),
      "",
      `Run \`profilesync ${group.path.join(" ")} <command> --help\` for a command's options.`,
      ""
    ].join("\n")
  }
  return [
    `${command.summary}.`,
    "",
    // Continuation lines are indented under the command, so they wrap nine columns sooner.
    ...wrap(`Usage: profilesync ${command.usage}`, 78 - 9).map((line, index) =>
      index === 0 ? line : `         ${line}`
    ),
    "",
    ...command.details.flatMap((paragraph) => [...wrap(paragraph), ""]),
    "Options:",
    ...optionLines([...command.options, ...globalOptions]),
    "",
    "Examples:",
    ...command.examples.map((example) => `  ${example}`),
    ""
  ].join("\n")
}

/**
 * The command words at the start of `args` that name a command or group: `["dead-letters", "list"]`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const commandPath = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const words = args.filter((arg) => !arg.startsWith("-"))
  const known = [...commands.map((command) => command.path), ...groups.map((group) => group.path)]
  let best: ReadonlyArray<string> = []
  for (const path of known) {
    if (path.length > best.length && path.every((word, index) => words[index] === word)) best = path
  }
  return best
}

/**
 * The names of the top-level commands.
 *
 * @since 0.1.0
 * @category constants
 */
export const commandNames: ReadonlyArray<string> = Array.from(new Set(commands.map((command) => command.path[0]!)))

/**
 * The message for a missing or unknown command, with a suggestion when one is close.
 *
 * @since 0.1.0
 * @category formatting
 */
export const unknownCommand = (name: string | undefined): string => {
  if (name === undefined || name.startsWith("-")) {
    return `a command is required: ${commandNames.join(", ")} (see profilesync --help)`
  }
  const close = commandNames.find((known) => isClose(known, name))
  return `unknown command \`${name}\`${close === undefined ? "" : `; did you mean \`${close}\`?`} (see profilesync --help)`
}

/** Whether `typed` is at most two edits away from `known`. */
const isClose = (known: string, typed: string): boolean => {
  if (Math.abs(known.length - typed.length) > 2) return false
  const previous = Array.from({ length: typed.length + 1 }, (_, index) => index)
  for (let row = 1; row <= known.length; row++) {
    let diagonal = previous[0]!
    previous[0] = row
    for (let column = 1; column <= typed.length; column++) {
      const above = previous[column]!
      previous[column] = Math.min(
        above + 1,
        previous[column - 1]! + 1,
        diagonal + (known[row - 1] === typed[column - 1] ? 0 : 1)
      )
      diagonal = above
    }
  }
  return previous[typed.length]! <= 2
}
