/**
 * The help text: written for people (program name in the usage line, one line per option, examples, no generated
 * boilerplate), and listing exactly the options each command's parser accepts.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Usage from "@effect/cli/Usage"
import * as HashMap from "effect/HashMap"
import { describe, expect, it } from "vitest"
import { loadAll } from "../src/cli.ts"
import { commandHelp, commands, globalOptions, overview } from "../src/help.ts"
import { stripAnsi } from "../src/output.ts"

const config = CliConfig.make({ showBuiltIns: false })

/** The long option names in a usage (what the parser accepts). */
const parsedOptions = (usage: Usage.Usage): Array<string> => {
  const text = Usage.enumerate(usage, config)
    .map((span) => stripAnsi(HelpDoc.toAnsiText(HelpDoc.p(span))))
    .join(" ")
  return Array.from(new Set(text.match(/--[a-z][a-z-]*/g) ?? [])).sort()
}

/** The long option names the help lists for a command (its own, without the global ones). */
const documentedOptions = (path: ReadonlyArray<string>): Array<string> => {
  const command = commands.find((candidate) => candidate.path.join(" ") === path.join(" "))!
  return command.options.map((option) => option.flags.match(/--[a-z][a-z-]*/)![0]).sort()
}

describe("help", () => {
  it("lists exactly the options each command's parser accepts", async () => {
    const checked: Array<string> = []
    for (const [name, command] of await loadAll()) {
      // A leaf command lists itself as its only subcommand.
      const subcommands = HashMap.toEntries(Command.getSubcommands(command)).filter(([key]) => key !== name)
      if (subcommands.length === 0) {
        expect(documentedOptions([name]), name).toEqual(parsedOptions(Command.getUsage(command)))
        checked.push(name)
        continue
      }
      for (const [subcommand, descriptor] of subcommands) {
        expect(documentedOptions([name, subcommand]), `${name} ${subcommand}`).toEqual(
          parsedOptions(CommandDescriptor.getUsage(descriptor))
        )
        checked.push(`${name} ${subcommand}`)
      }
    }
    expect(checked.sort()).toEqual(commands.map((command) => command.path.join(" ")).sort())
  })

  it("shows the program name, one line per option and examples, without generated boilerplate", () => {
    const texts = [overview("1.2.3"), ...commands.map((command) => commandHelp(command.path)!)]
    for (const text of texts) {
      expect(text).toMatch(/^Usage: profilesync /m)
      expect(text).toMatch(/^Examples:\n {2}profilesync /m)
      expect(text).not.toMatch(/A true or false value|This setting is optional|--wizard|--verbose|\$ run/)
      expect(text).not.toContain("\u001b")
      // One way to set verbosity, listed once.
      expect(text.match(/--log-level/g)).toHaveLength(1)
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80)
    }
    for (const option of globalOptions) expect(overview("1.2.3")).toContain(option.flags)
  })
})
