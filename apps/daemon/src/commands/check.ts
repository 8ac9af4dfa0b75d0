/**
 * @module
 * `profilesync check`: whether a run of this config could succeed now. It checks the files the config names, reads
 * the source's first record, opens the state store and proves it writable, pings Redis when the budget is shared
 * through it, and per target asks the vendor (or the proxy sidecar) for one list: the credentials are accepted, the
 * configured properties or fields exist or would be created, and the rate budget left. Nothing is sent to a vendor but
 * reads; secrets are never printed. Exit 0 when a run can go ahead (warnings allowed), 2 when a person has to fix
 * something, 1 when something did not answer (see `../check/report.ts`).
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { checkFiles, checkRedis, checkSource, checkState } from "../check/local.ts"
import { type Finding, formatReport, makeReport } from "../check/report.ts"
import { checkCopernica, checkOcamba, throttleLayer } from "../check/vendors.ts"
import { loadConfig, selectTargets } from "../config.ts"
import { CliFailure } from "../exit-code.ts"
import * as CommonOptions from "../options.ts"
import { printResult } from "../output.ts"

/**
 * `profilesync check [--config F] [--target T]... [--json] [--redis-url URL]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const check = Command.make(
  "check",
  {
    config: CommonOptions.config,
    targets: CommonOptions.targets,
    json: CommonOptions.json,
    redisUrl: CommonOptions.redisUrl
  },
  (options) =>
    Effect.gen(function* () {
      const config = yield* loadConfig(options.config)
      const selected = (yield* selectTargets(config, options.config, options.targets)) ?? ["ocamba", "copernica"]
      const findings: Array<Finding> = [checkFiles(config)]
      findings.push(yield* checkSource(config))
      findings.push(yield* checkState(config))
      // The budget is shared through Redis only when Redis answers: a check on the throttle's fallback share would
      // show a budget no run spends.
      let redisUrl: string | undefined
      if (Option.isSome(options.redisUrl)) {
        const redis = yield* checkRedis(options.redisUrl.value)
        findings.push(redis)
        if (redis.status === "ok") redisUrl = options.redisUrl.value
      }
      const targets = Effect.gen(function* () {
        if (selected.includes("ocamba")) findings.push(...(yield* checkOcamba(config)))
        if (selected.includes("copernica")) findings.push(...(yield* checkCopernica(config)))
      })
      yield* targets.pipe(Effect.provide(throttleLayer(redisUrl)))
      const report = makeReport(options.config, config.name, findings)
      printResult(options.json ? JSON.stringify(report) : formatReport(report))
      if (report.exitCode !== 0) {
        const count = report.findings.filter((item) => item.status === report.status).length
        return yield* new CliFailure({
          exitCode: report.exitCode,
          message:
            report.status === "fix"
              ? `check: ${count} problem(s) to fix (see the report)`
              : `check: ${count} service(s) did not answer (see the report)`
        })
      }
    })
).pipe(
  Command.withDescription(
    "Check that a run could succeed now: files, source, state store, Redis, and per target the credentials, " +
      "properties or fields, and the rate budget. Exit 0 ready, 1 something did not answer, 2 something to fix."
  )
)
