/**
 * Limiter benchmark: how much of the vendor's steady budget each limiter uses, and how many 429s the vendor sends,
 * against the sandbox counting Ocamba's fixed windows, for 1, 10 and 100 saturating callers.
 *
 * Contenders:
 * - `throttle`: profilesync `Throttle.make` (sliding log over both windows, in memory), one process; a 429 is
 *   reported with `pause` as the docs say.
 * - `proxy-1`, `proxy-3`: the proxy sidecar (apps/proxy) over Redis with 1 and 3 replicas; callers go round-robin
 *   over the replicas, one request at a time each.
 * - `proxy-3-cut`: `proxy-3` whose third replica reaches Redis through a relay that is cut (blackholed: the link
 *   hangs, as in a partition) one steady window into the span and restored at its end; its anchor is `proxy-3`.
 * - `p-queue`: `{ intervalCap: 10, interval: 1000 }` scaled (the usual "10 per second").
 * - `bottleneck`: `{ reservoir: 10, reservoirRefreshAmount: 10, reservoirRefreshInterval: 1000 }` scaled.
 * - `bottleneck-mintime`: `{ minTime: 400 }` scaled (60 s / 150: the steady rate, spread evenly).
 * - `effect`: `RateLimiter.make({ limit: 10, interval: "1 second" })` scaled (token bucket, the default).
 * - `effect-composed`: that composed with `RateLimiter.make({ limit: 150, interval: "1 minute" })` scaled.
 *
 * Scale: every rate ×4 and the steady window 24× shorter, so a scenario takes seconds: the sandbox and every limiter
 * count 10 per 250 ms (Ocamba: 10 per 1 s) and 25 per 2.5 s (Ocamba: 150 per 60 s). The steady rate stays a quarter
 * of the burst rate, as at Ocamba (10/s vs 2.5/s → 40/s vs 10/s). `minTime` 400 ms becomes 100 ms.
 *
 * Method: each scenario starts at a boundary of the sandbox's steady window plus 100 ms (not aligned with the 250 ms
 * windows either) and runs its callers flat out for `--windows` steady windows (default 3). The sandbox logs each
 * request with its arrival time (to the millisecond, on the same clock as this process). Utilisation = requests it
 * admitted in the span ÷ the steady budget of the span (windows × 25): 100% is the most a fixed-window vendor admits.
 * 429s are the refusals it logged, in the span and until the callers were stopped. Its counters, read at the span's
 * start and end, are kept as a cross-check. Callers do not retry: a 429 is counted and the caller asks again (the
 * proxy does its own retries, as configured by default). The sandbox's concurrency cap is raised to 1000 so that only
 * the rate windows answer 429. Processes: the sandbox, redis-server and each proxy replica run as their own processes
 * (proxies started anew per scenario); the in-process limiters and all callers run in this process.
 *
 * Burst latency (`burst`): ten callers ask at once after the windows have emptied (10 per 100 ms, 160 ms apart, 60
 * rounds); the time from asking to the tenth admission, in this process: `ideal-sliding-log` (a plain array and one
 * `setTimeout` per waiting caller: the floor), `throttle` (`Throttle.make`, each caller through `Effect.runPromise`)
 * and `throttle-redis` (`ThrottleRedis.make`, one replica, the same redis-server).
 *
 * Usage: pnpm --filter @profilesync/bench limiter [--windows 3] [--callers 1,10,100]
 *        [--only burst,throttle,proxy-3,proxy-3-cut,p-queue] [--json results/limiter.json]
 */
import { setMaxListeners } from "node:events"
import { Throttle } from "@profilesync/core"
import * as ThrottleRedis from "@profilesync/core/ThrottleRedis"
import { startRelay } from "@profilesync/test-support"
import Bottleneck from "bottleneck"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as RateLimiter from "effect/RateLimiter"
import * as Scope from "effect/Scope"
import PQueue from "p-queue"
import { Pool } from "undici"
import { emit, flag, listFlag, log, machine, percentile, round, sleep, table } from "./support/report.ts"
import {
  accountCounters,
  type Counters,
  type ProxyProcess,
  proxyAvailable,
  type RedisProcess,
  type SandboxProcess,
  sandboxAccounts,
  sandboxTokens,
  startProxy,
  startRedis,
  startSandbox
} from "./support/services.ts"

const burst = { limit: 10, millis: 250 }
const steady = { limit: 25, millis: 2_500 }
const scaledMinTime = steady.millis / steady.limit
const measuredWindows = Number(flag("windows") ?? 3)
const callerCounts = (listFlag("callers") ?? ["1", "10", "100"]).map(Number)
const startOffsetMillis = 100
const limitsText = `${burst.limit}/${burst.millis}ms,${steady.limit}/${steady.millis}ms`
const throttleWindows = [
  { limit: burst.limit, window: Duration.millis(burst.millis) },
  { limit: steady.limit, window: Duration.millis(steady.millis) }
]
const path = "/v1/hood/profile-properties?page=1,1"

interface Outcome {
  readonly status: number
  readonly retryAfter: string | undefined
  /** Who answered: the vendor (sandbox) or the proxy itself (a budget refusal). */
  readonly source: "vendor" | "proxy"
}

/** One limiter set up for one scenario. */
interface Running {
  /** Waits for the limiter, sends one request, returns its outcome. Rejects once `signal` is aborted. */
  readonly call: (signal: AbortSignal) => Promise<Outcome>
  /** Stops the limiter and drops its waiting callers. */
  readonly close: () => Promise<void>
  /** Anything worth reporting about the run (e.g. proxy warnings). */
  readonly notes?: () => ReadonlyArray<string>
  /** Runs alongside the callers, from the span's start to its end (e.g. cuts a replica off). */
  readonly duringSpan?: (spanStart: number, spanEnd: number) => Promise<void>
}

interface Context {
  readonly sandbox: SandboxProcess
  readonly pool: Pool
  readonly redis: () => Promise<RedisProcess>
}

interface Contender {
  readonly name: string
  readonly configuration: string
  readonly processes: number
  readonly make: (context: Context) => Promise<Running>
}

const headerValue = (value: string | ReadonlyArray<string> | undefined) => (Array.isArray(value) ? value[0] : value)

const send = async (pool: Pool, requestPath: string, signal: AbortSignal, token?: string): Promise<Outcome> => {
  const response = await pool.request({
    path: requestPath,
    method: "GET",
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal
  })
  await response.body.dump()
  return {
    status: response.statusCode,
    retryAfter: headerValue(response.headers["retry-after"]),
    source: headerValue(response.headers["x-profilesync-source"]) === "proxy" ? "proxy" : "vendor"
  }
}

const direct = (context: Context, signal: AbortSignal) => send(context.pool, path, signal, sandboxTokens.ocamba)

const contenders: ReadonlyArray<Contender> = [
  {
    name: "throttle",
    configuration: `Throttle.make, windows ${limitsText}, in memory`,
    processes: 1,
    make: async (context) => {
      const scope = Effect.runSync(Scope.make())
      const throttle = await Effect.runPromise(
        Throttle.make({ keys: { ocamba: { windows: throttleWindows } } }).pipe(Scope.extend(scope))
      )
      return {
        call: async (signal) => {
          await Effect.runPromise(throttle.acquire("ocamba:bench"), { signal })
          const outcome = await direct(context, signal)
          if (outcome.status === 429) {
            const seconds = Number(outcome.retryAfter)
            await Effect.runPromise(throttle.pause("ocamba:bench", Duration.seconds(seconds > 0 ? seconds : 1)))
          }
          return outcome
        },
        close: () => Effect.runPromise(Scope.close(scope, Exit.void))
      }
    }
  },
  ...[
    { replicas: 1, cut: false },
    { replicas: 3, cut: false },
    { replicas: 3, cut: true }
  ].map(
    ({ replicas, cut }): Contender => ({
      name: `proxy-${replicas}${cut ? "-cut" : ""}`,
      configuration: `apps/proxy ×${replicas} over Redis, OCAMBA_LIMITS=${limitsText}, PROXY_REPLICAS=${replicas}${cut ? "; the third replica's link to Redis blackholed from one steady window into the span to its end" : ""}`,
      processes: replicas,
      make: async (context) => {
        const redis = await context.redis()
        await redis.command(["FLUSHALL"])
        const relay = cut ? await startRelay(redis.port, "redis") : undefined
        const proxies: Array<ProxyProcess> = await Promise.all(
          Array.from({ length: replicas }, (_, index) =>
            startProxy(context.sandbox, {
              REDIS_URL: relay !== undefined && index === replicas - 1 ? relay.url : redis.url,
              PROXY_REPLICAS: String(replicas),
              OCAMBA_LIMITS: limitsText,
              OCAMBA_ACCOUNT: "bench"
            })
          )
        )
        const pools = proxies.map((proxy) => new Pool(proxy.url, { connections: 128 }))
        let next = 0
        return {
          call: (signal) => {
            const pool = pools[next++ % pools.length]!
            return send(pool, `/ocamba${path}`, signal)
          },
          close: async () => {
            await Promise.all(pools.map((pool) => pool.destroy()))
            await Promise.all(proxies.map((proxy) => proxy.stop()))
            await relay?.close()
          },
          ...(relay === undefined
            ? {}
            : {
                duringSpan: async (spanStart: number, spanEnd: number) => {
                  await sleepUntil(spanStart + steady.millis)
                  relay.cut("blackhole")
                  await sleepUntil(spanEnd)
                  relay.restore()
                }
              }),
          notes: () =>
            proxies.flatMap((proxy) =>
              proxy.service
                .output()
                .split("\n")
                .filter((line) => /fallback|error/i.test(line))
                .slice(0, 3)
            )
        }
      }
    })
  ),
  {
    name: "p-queue",
    configuration: `new PQueue({ intervalCap: 10, interval: ${burst.millis} })`,
    processes: 1,
    make: async (context) => {
      const queue = new PQueue({ intervalCap: burst.limit, interval: burst.millis })
      return {
        call: (signal) => queue.add(() => direct(context, signal), { signal }) as Promise<Outcome>,
        close: async () => {
          queue.clear()
        }
      }
    }
  },
  {
    name: "bottleneck",
    configuration: `new Bottleneck({ reservoir: 10, reservoirRefreshAmount: 10, reservoirRefreshInterval: ${burst.millis} })`,
    processes: 1,
    make: async (context) => {
      const limiter = new Bottleneck({
        reservoir: burst.limit,
        reservoirRefreshAmount: burst.limit,
        reservoirRefreshInterval: burst.millis
      })
      return {
        call: (signal) => limiter.schedule(() => direct(context, signal)),
        close: () => limiter.stop({ dropWaitingJobs: true })
      }
    }
  },
  {
    name: "bottleneck-mintime",
    configuration: `new Bottleneck({ minTime: ${scaledMinTime} })`,
    processes: 1,
    make: async (context) => {
      const limiter = new Bottleneck({ minTime: scaledMinTime })
      return {
        call: (signal) => limiter.schedule(() => direct(context, signal)),
        close: () => limiter.stop({ dropWaitingJobs: true })
      }
    }
  },
  {
    name: "effect",
    configuration: `RateLimiter.make({ limit: 10, interval: "${burst.millis} millis" })`,
    processes: 1,
    make: async (context) => {
      const scope = Effect.runSync(Scope.make())
      const limiter = await Effect.runPromise(
        RateLimiter.make({ limit: burst.limit, interval: Duration.millis(burst.millis) }).pipe(Scope.extend(scope))
      )
      return {
        call: async (signal) => {
          await Effect.runPromise(limiter(Effect.void), { signal })
          return direct(context, signal)
        },
        close: () => Effect.runPromise(Scope.close(scope, Exit.void))
      }
    }
  },
  {
    name: "effect-composed",
    configuration: `RateLimiter 10/${burst.millis} ms composed with RateLimiter ${steady.limit}/${steady.millis} ms`,
    processes: 1,
    make: async (context) => {
      const scope = Effect.runSync(Scope.make())
      const [perBurst, perSteady] = await Effect.runPromise(
        Effect.all([
          RateLimiter.make({ limit: burst.limit, interval: Duration.millis(burst.millis) }),
          RateLimiter.make({ limit: steady.limit, interval: Duration.millis(steady.millis) })
        ]).pipe(Scope.extend(scope))
      )
      return {
        call: async (signal) => {
          await Effect.runPromise(perBurst(perSteady(Effect.void)), { signal })
          return direct(context, signal)
        },
        close: () => Effect.runPromise(Scope.close(scope, Exit.void))
      }
    }
  }
]

interface CallRecord {
  readonly startedAt: number
  readonly latency: number
  readonly status: number
  readonly source: "vendor" | "proxy"
}

const sleepUntil = async (at: number) => {
  const wait = at - Date.now()
  if (wait > 0) await sleep(wait)
}

const ocamba = (counters: Counters) => accountCounters(counters, "ocamba", sandboxAccounts.ocamba)

const runScenario = async (context: Context, contender: Contender, callers: number) => {
  const running = await contender.make(context)
  // The span starts at a boundary of the sandbox's steady window; the callers 100 ms later.
  const spanStart = Math.ceil((Date.now() + 200) / steady.millis) * steady.millis
  const spanEnd = spanStart + measuredWindows * steady.millis
  await sleepUntil(spanStart)
  const before = ocamba(await context.sandbox.counters())
  await sleepUntil(spanStart + startOffsetMillis)
  const controller = new AbortController()
  // Every waiting caller listens on the one signal.
  setMaxListeners(10_000, controller.signal)
  const records: Array<CallRecord> = []
  let failures = 0
  let stopped = false
  const caller = async () => {
    while (!stopped) {
      const startedAt = Date.now()
      try {
        const outcome = await running.call(controller.signal)
        records.push({ startedAt, latency: Date.now() - startedAt, status: outcome.status, source: outcome.source })
      } catch {
        if (stopped) return
        failures++
        await sleep(10)
      }
    }
  }
  const done = Promise.all(Array.from({ length: callers }, caller))
  const during = running.duringSpan?.(spanStart, spanEnd)
  await sleepUntil(spanEnd)
  await during
  const atEnd = ocamba(await context.sandbox.counters())
  stopped = true
  controller.abort()
  await running.close()
  await Promise.race([done, sleep(3_000)])
  // Let the last answers' log lines arrive.
  await sleep(300)
  const after = ocamba(await context.sandbox.counters())
  const spanMillis = spanEnd - spanStart
  const budget = measuredWindows * steady.limit
  // The sandbox's own request log says when each request arrived and how it was answered, to the millisecond.
  const logged = context.sandbox
    .requests()
    .filter((request) => request.account === sandboxAccounts.ocamba && request.at >= spanStart)
  const inSpan = logged.filter((request) => request.at < spanEnd)
  const isOk = (status: number | "dropped") => typeof status === "number" && status >= 200 && status < 300
  const admitted = inSpan.filter((request) => isOk(request.status)).length
  const perWindow = (counts: (status: number | "dropped") => boolean) =>
    Array.from(
      { length: measuredWindows },
      (_, index) =>
        inSpan.filter(
          (request) =>
            counts(request.status) &&
            request.at >= spanStart + index * steady.millis &&
            request.at < spanStart + (index + 1) * steady.millis
        ).length
    )
  const perWindowAdmitted = perWindow(isOk)
  const perWindowRateLimited = perWindow((status) => status === 429)
  // Where each 429 fell: how many calls the sandbox had admitted in its fixed burst and steady windows at that time.
  const okTimes = logged.filter((request) => isOk(request.status)).map((request) => request.at)
  const rateLimitedAt = logged
    .filter((request) => request.status === 429)
    .map((request) => ({
      atMillis: request.at - spanStart,
      burstWindowAdmitted: okTimes.filter(
        (at) => Math.floor(at / burst.millis) === Math.floor(request.at / burst.millis)
      ).length,
      steadyWindowAdmitted: okTimes.filter(
        (at) => Math.floor(at / steady.millis) === Math.floor(request.at / steady.millis)
      ).length
    }))
  const okLatencies = records
    .filter((record) => record.status < 300 && record.startedAt < spanEnd)
    .map((record) => record.latency)
    .sort((a, b) => a - b)
  return {
    contender: contender.name,
    configuration: contender.configuration,
    processes: contender.processes,
    callers,
    spanMillis,
    budget,
    admitted,
    utilisation: round(admitted / budget, 4),
    perWindowAdmitted,
    perWindowRateLimited,
    rateLimited: inSpan.filter((request) => request.status === 429).length,
    sent: inSpan.length,
    rateLimitedUntilStopped: logged.filter((request) => request.status === 429).length,
    rateLimitedAt,
    sentUntilStopped: logged.length,
    // The same from the sandbox's counters, read over HTTP at the span's start and end (a few ms late at the end).
    counters: {
      admitted: atEnd.responses["2xx"] - before.responses["2xx"],
      rateLimited: atEnd.rateLimited - before.rateLimited,
      rateLimitedUntilStopped: after.rateLimited - before.rateLimited
    },
    client: {
      calls: records.length,
      ok: records.filter((record) => record.status < 300).length,
      vendor429: records.filter((record) => record.status === 429 && record.source === "vendor").length,
      proxyRefusals: records.filter((record) => record.source === "proxy").length,
      otherStatuses: records.filter((record) => record.status >= 300 && record.status !== 429).length,
      failures,
      okLatencyP50Millis: percentile(okLatencies, 50),
      okLatencyP99Millis: percentile(okLatencies, 99)
    },
    notes: running.notes?.() ?? []
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Burst latency
// ---------------------------------------------------------------------------------------------------------------------

const burstPolicy = { burst: { limit: 10, millis: 100 }, steady: { limit: 100_000, millis: 60_000 } }
const burstRounds = 60
const burstIdleMillis = 160

/** The floor: a sliding log over both windows in a plain array, admitting at once or after one `setTimeout`. */
const idealSlidingLog = () => {
  const log: Array<number> = []
  const windows = [burstPolicy.burst, burstPolicy.steady]
  return (): Promise<void> => {
    const now = Date.now()
    while (log.length > 0 && log[0]! <= now - burstPolicy.steady.millis) log.shift()
    let slot = Math.max(now, log.at(-1) ?? now)
    for (const window of windows) {
      if (log.length >= window.limit) slot = Math.max(slot, log[log.length - window.limit]! + window.millis)
    }
    log.push(slot)
    return slot <= now ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, slot - now))
  }
}

const measureBursts = async (acquire: () => Promise<unknown>) => {
  const samples: Array<number> = []
  for (let round = 0; round < burstRounds; round++) {
    await sleep(burstIdleMillis)
    const started = performance.now()
    await Promise.all(Array.from({ length: 10 }, acquire))
    samples.push(performance.now() - started)
  }
  // The first rounds warm the JIT up; every limiter gets the same treatment.
  const sorted = samples.slice(5).sort((a, b) => a - b)
  return {
    medianMillis: round(percentile(sorted, 50), 3),
    p90Millis: round(percentile(sorted, 90), 3),
    maxMillis: round(sorted.at(-1) ?? 0, 3)
  }
}

const burstLatency = async (redisUrl: string) => {
  const windows = [
    { limit: burstPolicy.burst.limit, window: Duration.millis(burstPolicy.burst.millis) },
    { limit: burstPolicy.steady.limit, window: Duration.millis(burstPolicy.steady.millis) }
  ]
  const rows: Array<{ limiter: string; store: string; medianMillis: number; p90Millis: number; maxMillis: number }> = []
  rows.push({ limiter: "ideal-sliding-log", store: "memory", ...(await measureBursts(idealSlidingLog())) })
  for (const store of ["memory", "redis"] as const) {
    const scope = Effect.runSync(Scope.make())
    const throttle = await Effect.runPromise(
      (store === "memory"
        ? Throttle.make({ keys: { ocamba: { windows } } })
        : ThrottleRedis.make({ keys: { ocamba: { windows } }, redis: redisUrl, replicas: 1 })
      ).pipe(Scope.extend(scope))
    )
    const acquire = () => Effect.runPromise(throttle.acquire("ocamba:burst"))
    rows.push({ limiter: store === "memory" ? "throttle" : "throttle-redis", store, ...(await measureBursts(acquire)) })
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
  return rows
}

const main = async () => {
  const only = listFlag("only")
  let selected = contenders.filter((contender) => only === undefined || only.includes(contender.name))
  const skipped: Array<{ contender: string; reason: string }> = []
  if (!proxyAvailable()) {
    for (const contender of selected.filter((contender) => contender.name.startsWith("proxy-"))) {
      skipped.push({ contender: contender.name, reason: "apps/proxy/src/main.ts does not exist yet" })
    }
    selected = selected.filter((contender) => !contender.name.startsWith("proxy-"))
  }
  log(
    `limiter: windows ${limitsText} (Ocamba 10/1s,150/60s, rates ×4), ${measuredWindows} steady windows per scenario, callers ${callerCounts.join(", ")}`
  )
  const sandbox = await startSandbox(
    ["--ocamba-limits", limitsText, "--ocamba-concurrency", "1000"],
    {},
    { requestLog: true }
  )
  const pool = new Pool(sandbox.url, { connections: 128 })
  let redis: RedisProcess | undefined
  const context: Context = {
    sandbox,
    pool,
    redis: async () => {
      redis ??= await startRedis()
      return redis
    }
  }
  const scenarios: Array<Awaited<ReturnType<typeof runScenario>>> = []
  let bursts: Awaited<ReturnType<typeof burstLatency>> = []
  const startedAt = Date.now()
  try {
    if (only === undefined || only.includes("burst")) {
      bursts = await burstLatency((await context.redis()).url)
      for (const row of bursts) {
        log(
          `  burst of 10 after idle: ${row.limiter.padEnd(18)} median ${row.medianMillis} ms, max ${row.maxMillis} ms`
        )
      }
    }
    for (const contender of selected) {
      for (const callers of callerCounts) {
        const result = await runScenario(context, contender, callers)
        scenarios.push(result)
        log(
          `  ${contender.name.padEnd(18)} callers ${String(callers).padStart(3)}: ${(result.utilisation * 100).toFixed(1)}% of the steady budget, ${result.rateLimited} × 429 (${result.rateLimitedUntilStopped} until stopped)${result.notes.length > 0 ? `; notes: ${result.notes.join(" / ")}` : ""}`
        )
      }
    }
  } finally {
    await pool.destroy()
    await sandbox.stop()
    await redis?.stop()
  }
  log()
  log(
    table(
      [
        "limiter",
        "callers",
        "processes",
        "utilisation %",
        "admitted per window",
        "429 in span",
        "429 until stopped",
        "sent/s",
        "ok p50 ms",
        "ok p99 ms"
      ],
      scenarios.map((scenario) => [
        scenario.contender,
        scenario.callers,
        scenario.processes,
        round(scenario.utilisation * 100, 1),
        scenario.perWindowAdmitted.join("/"),
        scenario.rateLimited,
        scenario.rateLimitedUntilStopped,
        round(scenario.sent / (scenario.spanMillis / 1000), 1),
        scenario.client.okLatencyP50Millis,
        scenario.client.okLatencyP99Millis
      ])
    )
  )
  if (bursts.length > 0) {
    log()
    log(
      table(
        ["burst of 10 after idle", "store", "median ms", "p90 ms", "max ms", "× ideal (median)"],
        bursts.map((row) => [
          row.limiter,
          row.store,
          row.medianMillis,
          row.p90Millis,
          row.maxMillis,
          round(row.medianMillis / (bursts[0]?.medianMillis ?? 1), 1)
        ])
      )
    )
  }
  for (const skip of skipped) log(`skipped ${skip.contender}: ${skip.reason}`)
  emit({
    benchmark: "limiter",
    machine: machine(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    scale: {
      sandboxWindows: limitsText,
      ocambaWindows: "10/1s,150/60s",
      note: "rates ×4 (10/s → 10 per 250 ms, 2.5/s → 25 per 2.5 s); minTime 400 ms → 100 ms",
      measuredSteadyWindows: measuredWindows,
      startOffsetMillis,
      sandboxConcurrency: 1000,
      burst: "10 callers at once after 160 ms idle, windows 10/100ms,100000/60s, 60 rounds (5 warm-up rounds dropped)"
    },
    definitions: {
      utilisation: "requests the sandbox admitted in the span (its request log) ÷ (steady windows × 25)",
      perWindowAdmitted: "admitted in each of the sandbox's fixed steady windows of the span",
      perWindowRateLimited: "429s in each of the sandbox's fixed steady windows of the span",
      rateLimited: "429 answers the sandbox sent in the span",
      rateLimitedUntilStopped: "429 answers the sandbox sent from the span's start until the callers were stopped",
      sent: "requests that reached the sandbox in the span"
    },
    scenarios,
    bursts,
    skipped
  })
}

await main()
process.exit(0)
