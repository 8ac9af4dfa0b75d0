/**
 * Proxy overhead benchmark: the latency the proxy sidecar adds (p50, p99) and the throughput it allows, against
 * calling the sandbox directly and against nginx as a plain reverse proxy, with one load generator for all of them,
 * in one run on one machine.
 *
 * Targets (all in front of one sandbox process, `GET /v1/hood/profile-properties`, the sandbox's rate limits off):
 * - `direct`: the sandbox itself.
 * - `nginx`: nginx (Debian package) with `proxy_pass` to the sandbox, HTTP/1.1 keep-alive upstream, one worker, no
 *   access log.
 * - `node-undici`: a plain `node:http` server forwarding through an undici `Pool` (support/plain-forwarder.mjs), no
 *   validation, throttle, retries, redaction or log: what a Node forwarder costs before doing any of the proxy's work.
 * - `proxy`: apps/proxy (compiled, `apps/proxy/dist/main.js`; `--source` runs src/ through tsx) with its in-memory throttle set out of the way (`OCAMBA_LIMITS=1000000000/1s`), `LOG_LEVEL=warn`
 *   (no access log line per request, like nginx here).
 * - `proxy-redis`: the same with `REDIS_URL` (every request takes its slot through the Redis Lua script, as in a
 *   multi-replica deployment).
 * - `proxy-logged`: `proxy` with the default `LOG_LEVEL=info` (one JSON access-log line per request, to /dev/null).
 * - `direct-again`: the sandbox again at the end of each round, to show how much the machine drifted within the run.
 *
 * Load generator: undici `Pool` with one connection per concurrent caller, each caller sending its next request as
 * soon as the previous answer is read; every target is first warmed up for 2 s (JIT), then per measurement a warm-up
 * (default 1 s) and a measured span (default 5 s) per target, at
 * concurrency 1 and 50. Added latency is the target's percentile minus the direct call's. CPU per request is the CPU
 * time of the target's process(es) (from /proc) over the requests served; the sandbox's own CPU is reported apart.
 * Everything shares 2 cores: a proxy's CPU is CPU the sandbox and the load generator do not get, which is part of
 * what this measures.
 *
 * Footprint: for each process target, the milliseconds from spawning it to its first 200 on `/readyz`, and its resident
 * memory (all its processes) right after that (idle) and at its peak over the whole run (`VmRSS`, `VmHWM`).
 *
 * `--rounds N` repeats the whole sequence N times in the run (each round compared with its own direct rows).
 * `--baseline PATH` adds the target `proxy-baseline`: another compiled proxy's `main.js` (a copy of an earlier
 * `apps/proxy/dist` beside a `node_modules` link, say), run like `proxy`; with `--rounds` the two are measured in turn,
 * round after round, which is how a change is compared on a machine whose speed drifts.
 * `--log-pipe`: logged proxies write their lines into a pipe this process reads and drops (as a log collector
 * would: journald, a container runtime) instead of to /dev/null, where a write costs next to nothing.
 * `--baseline-logged` runs `proxy-baseline` like `proxy-logged` instead (LOG_LEVEL=info, lines to /dev/null).
 * `--baseline-node-options a,b=1` passes Node options (`--a --b=1`) to `proxy-baseline` only, before its entry:
 * `--baseline $PWD/apps/proxy/dist/main.js --baseline-node-options max-semi-space-size=1` compares one build with and
 * without a V8 setting.
 *
 * Usage: pnpm --filter @profilesync/bench proxy-overhead [--seconds 5] [--warmup 1] [--concurrency 1,50] [--rounds 1]
 *        [--only direct,nginx,node-undici,proxy] [--source] [--cpu-prof DIR] [--baseline PATH]
 *        [--baseline-logged] [--log-pipe] [--baseline-node-options max-semi-space-size=1] [--json results/proxy-overhead.json]
 */
import { Pool } from "undici"
import { emit, flag, listFlag, log, machine, percentile, round, sleep, table } from "./support/report.ts"
import {
  cpuSeconds,
  type NginxProcess,
  nginxBinary,
  type ProxyProcess,
  proxyAvailable,
  type RedisProcess,
  residentMemory,
  sandboxTokens,
  startNginx,
  startPlainForwarder,
  startProxy,
  startRedis,
  startSandbox
} from "./support/services.ts"

const measureSeconds = Number(flag("seconds") ?? 5)
const warmupSeconds = Number(flag("warmup") ?? 1)
const initialWarmupSeconds = Number(flag("initial-warmup") ?? 2)
const rounds = Number(flag("rounds") ?? 1)
const concurrencies = (listFlag("concurrency") ?? ["1", "50"]).map(Number)
const only = listFlag("only")
// The compiled proxy by default (as production runs it); `--source` runs src/ through tsx instead.
const fromSource = process.argv.includes("--source")
// `--cpu-prof DIR`: each compiled proxy writes a V8 CPU profile (`node --cpu-prof`) there when it stops.
const cpuProfileDirectory = flag("cpu-prof")
const baseline = flag("baseline")
const baselineLogged = process.argv.includes("--baseline-logged")
const logToPipe = process.argv.includes("--log-pipe")
const baselineNodeOptions = (listFlag("baseline-node-options") ?? []).map((option) => `--${option}`)

interface Target {
  readonly name: string
  readonly description: string
  readonly url: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** Pids whose CPU counts as the target's own (not the sandbox's). */
  readonly pids: () => ReadonlyArray<number>
}

/** How heavy a target process is: its start, and its resident memory idle and at its peak (all its processes). */
interface Footprint {
  readonly target: string
  readonly startToReadyMillis: number | null
  readonly rssIdleMiB: number
  rssPeakMiB: number
}

interface LoadResult {
  readonly requests: number
  readonly errors: number
  readonly non2xx: number
  readonly seconds: number
  readonly latencies: Float64Array
}

interface Row {
  readonly round: number
  readonly target: string
  readonly description: string
  readonly concurrency: number
  readonly requests: number
  readonly errors: number
  readonly non2xx: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
  readonly targetCpuMicrosPerRequest: number | null
  readonly sandboxCpuMicrosPerRequest: number
  readonly generatorCpuMicrosPerRequest: number
}

/** Runs `concurrency` callers against one target for `seconds`, recording every latency in milliseconds. */
const load = async (target: Target, concurrency: number, seconds: number, record: boolean): Promise<LoadResult> => {
  const pool = new Pool(target.url, { connections: concurrency, pipelining: 1 })
  let latencies = new Float64Array(record ? 65_536 : 0)
  let requests = 0
  let errors = 0
  let non2xx = 0
  const started = performance.now()
  const until = started + seconds * 1000
  const caller = async () => {
    while (performance.now() < until) {
      const sentAt = performance.now()
      try {
        const response = await pool.request({ path: target.path, method: "GET", headers: target.headers })
        await response.body.dump()
        if (response.statusCode >= 300) non2xx++
        if (record) {
          if (requests === latencies.length) {
            const grown = new Float64Array(latencies.length * 2)
            grown.set(latencies)
            latencies = grown
          }
          latencies[requests] = performance.now() - sentAt
        }
        requests++
      } catch {
        errors++
        await sleep(5)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller))
  const elapsed = (performance.now() - started) / 1000
  await pool.close()
  return { requests, errors, non2xx, seconds: elapsed, latencies: latencies.subarray(0, requests) }
}

const main = async () => {
  const started = Date.now()
  const skipped: Array<{ target: string; reason: string }> = []
  log(
    `proxy-overhead: ${warmupSeconds} s warm-up + ${measureSeconds} s per target, concurrency ${concurrencies.join(", ")}`
  )
  const sandbox = await startSandbox(["--ocamba-limits", "none", "--ocamba-concurrency", "1000000"], {
    validateResponses: false
  })
  const stops: Array<() => Promise<void>> = [() => sandbox.stop()]
  const targets: Array<Target> = []
  const footprints: Array<Footprint> = []
  const memoryOf = (pids: ReadonlyArray<number>) =>
    pids.map(residentMemory).reduce((sum, memory) => ({ now: sum.now + memory.now, peak: sum.peak + memory.peak }), {
      now: 0,
      peak: 0
    })
  const footprint = (target: string, startMillis: number | null, pids: ReadonlyArray<number>) =>
    footprints.push({
      target,
      startToReadyMillis: startMillis === null ? null : round(startMillis, 0),
      rssIdleMiB: round(memoryOf(pids).now, 1),
      rssPeakMiB: 0
    })
  const wanted = (name: string) => only === undefined || only.includes(name)
  const directTarget: Target = {
    name: "direct",
    description: "the sandbox, no proxy",
    url: sandbox.url,
    path: "/v1/hood/profile-properties",
    headers: { authorization: `Bearer ${sandboxTokens.ocamba}` },
    pids: () => []
  }
  targets.push(directTarget)
  try {
    if (wanted("nginx")) {
      if (nginxBinary() === undefined) skipped.push({ target: "nginx", reason: "nginx is not installed" })
      else {
        const nginx: NginxProcess = await startNginx(sandbox.url)
        stops.push(() => nginx.stop())
        targets.push({
          name: "nginx",
          description: "nginx proxy_pass, 1 worker, upstream keepalive, access_log off",
          url: nginx.url,
          path: "/v1/hood/profile-properties",
          headers: directTarget.headers,
          pids: () => [nginx.service.pid, ...nginx.workers()]
        })
        footprint("nginx", null, [nginx.service.pid, ...nginx.workers()])
      }
    }
    if (wanted("node-undici")) {
      const plain = await startPlainForwarder(sandbox)
      stops.push(() => plain.stop())
      targets.push({
        name: "node-undici",
        description: "a plain node:http server forwarding through an undici Pool, nothing else",
        url: plain.url,
        path: "/ocamba/v1/hood/profile-properties",
        headers: {},
        pids: () => [plain.service.pid]
      })
      footprint("node-undici", plain.startMillis, [plain.service.pid])
    }
    const proxyTargets = [
      "proxy",
      ...(baseline === undefined ? [] : ["proxy-baseline"]),
      "proxy-redis",
      "proxy-logged"
    ].filter(
      (name) =>
        wanted(name) || (name === "proxy-baseline" && (wanted("proxy") || (baselineLogged && wanted("proxy-logged"))))
    )
    if (proxyTargets.length > 0 && !proxyAvailable()) {
      for (const name of proxyTargets)
        skipped.push({ target: name, reason: "apps/proxy/src/main.ts does not exist yet" })
    } else {
      let redis: RedisProcess | undefined
      const base = { OCAMBA_LIMITS: "1000000000/1s", MAX_QUEUE: "100000" }
      for (const name of proxyTargets) {
        const environment: Record<string, string> = { ...base }
        if (name === "proxy-redis") {
          redis ??= await startRedis()
          const started = redis
          stops.push(() => started.stop())
          environment.REDIS_URL = redis.url
          environment.PROXY_REPLICAS = "1"
        }
        const logged = name === "proxy-logged" || (name === "proxy-baseline" && baselineLogged)
        if (logged) environment.LOG_LEVEL = "info"
        const proxy: ProxyProcess = await startProxy(sandbox, environment, {
          discardStdout: logged && !logToPipe,
          built: !fromSource || name === "proxy-baseline",
          ...(name === "proxy-baseline" && baseline !== undefined ? { entry: baseline } : {}),
          nodeArguments: [
            ...(name === "proxy-baseline" ? baselineNodeOptions : []),
            ...(cpuProfileDirectory === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDirectory}`])
          ]
        })
        footprint(name, proxy.startMillis, [proxy.service.pid])
        stops.push(() => proxy.stop())
        targets.push({
          name,
          description:
            name === "proxy"
              ? "apps/proxy, in-memory throttle out of the way, LOG_LEVEL=warn"
              : name === "proxy-baseline"
                ? `${baseline}${baselineNodeOptions.length === 0 ? "" : ` with ${baselineNodeOptions.join(" ")}`}, as ${baselineLogged ? "proxy-logged" : "proxy"}`
                : name === "proxy-redis"
                  ? "apps/proxy, Redis throttle out of the way, LOG_LEVEL=warn"
                  : "apps/proxy, in-memory throttle out of the way, LOG_LEVEL=info (access log to /dev/null)",
          url: proxy.url,
          path: "/ocamba/v1/hood/profile-properties",
          headers: {},
          pids: () => [proxy.service.pid]
        })
      }
    }
    targets.push({ ...directTarget, name: "direct-again", description: "the sandbox again, as a drift check" })

    const results: Array<Row> = []
    // Every process gets its JIT warm before anything is measured (the sandbox would otherwise be cold for `direct`).
    log(`  warming every target up for ${initialWarmupSeconds} s at concurrency 10`)
    for (const target of targets) await load(target, 10, initialWarmupSeconds, false)
    for (let roundNumber = 1; roundNumber <= rounds; roundNumber++) {
      for (const concurrency of concurrencies) {
        for (const target of targets) {
          await load(target, concurrency, warmupSeconds, false)
          const sandboxBefore = cpuSeconds(sandbox.service.pid)
          const targetBefore = target.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0)
          const generatorBefore = process.cpuUsage()
          const result = await load(target, concurrency, measureSeconds, true)
          const generator = process.cpuUsage(generatorBefore)
          const sandboxCpu = cpuSeconds(sandbox.service.pid) - sandboxBefore
          const targetCpu = target.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0) - targetBefore
          const sorted = Float64Array.from(result.latencies).sort()
          const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length)
          const row: Row = {
            round: roundNumber,
            target: target.name,
            description: target.description,
            concurrency,
            requests: result.requests,
            errors: result.errors,
            non2xx: result.non2xx,
            seconds: round(result.seconds, 3),
            requestsPerSecond: round(result.requests / result.seconds, 0),
            p50: round(percentile(sorted, 50), 3),
            p90: round(percentile(sorted, 90), 3),
            p99: round(percentile(sorted, 99), 3),
            max: round(sorted[sorted.length - 1] ?? Number.NaN, 3),
            mean: round(mean, 3),
            targetCpuMicrosPerRequest:
              target.pids().length === 0 ? null : round((targetCpu * 1e6) / result.requests, 0),
            sandboxCpuMicrosPerRequest: round((sandboxCpu * 1e6) / result.requests, 0),
            generatorCpuMicrosPerRequest: round((generator.user + generator.system) / result.requests, 0)
          }
          results.push(row)
          log(
            `  c=${String(concurrency).padStart(2)} ${target.name.padEnd(13)} ${String(row.requestsPerSecond).padStart(6)} req/s  p50 ${row.p50.toFixed(3)} ms  p99 ${row.p99.toFixed(3)} ms${row.errors + row.non2xx > 0 ? `  (${row.errors} errors, ${row.non2xx} non-2xx)` : ""}`
          )
        }
      }
    }
    const withAdded = results.map((row) => {
      const direct = results.find(
        (other) => other.target === "direct" && other.concurrency === row.concurrency && other.round === row.round
      )!
      return {
        ...row,
        addedP50Millis: round(row.p50 - direct.p50, 3),
        addedP99Millis: round(row.p99 - direct.p99, 3),
        throughputVsDirect: round(row.requestsPerSecond / direct.requestsPerSecond, 3)
      }
    })
    log()
    log(
      table(
        [
          ...(rounds > 1 ? ["round"] : []),
          "target",
          "conc.",
          "req/s",
          "× direct",
          "p50 ms",
          "p99 ms",
          "+p50 ms",
          "+p99 ms",
          "target CPU µs/req",
          "sandbox CPU µs/req"
        ],
        withAdded.map((row) => [
          ...(rounds > 1 ? [row.round] : []),
          row.target,
          row.concurrency,
          row.requestsPerSecond,
          row.throughputVsDirect,
          row.p50,
          row.p99,
          row.addedP50Millis,
          row.addedP99Millis,
          row.targetCpuMicrosPerRequest,
          row.sandboxCpuMicrosPerRequest
        ])
      )
    )
    for (const entry of footprints) {
      const target = targets.find((candidate) => candidate.name === entry.target)
      if (target !== undefined) entry.rssPeakMiB = round(memoryOf(target.pids()).peak, 1)
    }
    log()
    log(
      table(
        ["target", "start to /readyz ms", "RSS idle MiB", "RSS peak MiB"],
        footprints.map((entry) => [entry.target, entry.startToReadyMillis ?? "–", entry.rssIdleMiB, entry.rssPeakMiB])
      )
    )
    for (const skip of skipped) log(`skipped ${skip.target}: ${skip.reason}`)
    emit({
      benchmark: "proxy-overhead",
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      method: {
        operation: "GET /v1/hood/profile-properties (sandbox limits off, response validation off)",
        loadGenerator: "undici Pool, one connection per caller, closed loop",
        initialWarmupSeconds,
        warmupSeconds,
        measureSeconds,
        concurrencies,
        rounds,
        addedLatency: "target percentile − direct percentile at the same concurrency, same run"
      },
      results: withAdded,
      footprints,
      skipped
    })
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}

await main()
process.exit(0)
