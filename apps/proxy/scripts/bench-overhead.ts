/**
 * Measures what the proxy adds to a request: the same small GET (`listProfileProperties`) sent straight to a trivial
 * upstream and through the proxy (a separate process, as in production), at 1 connection (latency) and at 50
 * connections (throughput). The budget is set out of reach so only the forwarding is measured; the throttle still
 * runs (in memory, or through Redis with `--redis <url>`).
 *
 *   node --conditions=@profilesync/source --import tsx scripts/bench-overhead.ts [--seconds 5] [--redis redis://...]
 *
 * The machine's speed drifts: compare the ratios of one run, not absolute numbers across runs.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { parseArgs } from "node:util"
import { Pool } from "undici"
import { startProxyProcess } from "../test/support/proxy-process.ts"

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    redis: { type: "string" },
    log: { type: "string", default: "warn" }
  }
})
const seconds = Number(values.seconds)

const body = JSON.stringify({ total: 1, items: [{ id: "1000001", label: "email" }] })
const upstream = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  response.end(body)
})
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve))
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`

const proxy = await startProxyProcess({
  OCAMBA_BASE_URL: `${upstreamUrl}/v1/hood`,
  OCAMBA_TOKEN: "bench-token",
  OCAMBA_LIMITS: "100000000/1s",
  MAX_QUEUE: "100000",
  LOG_LEVEL: values.log ?? "warn",
  ...(values.redis === undefined ? {} : { REDIS_URL: values.redis })
})

const run = async (origin: string, path: string, connections: number, durationMillis: number) => {
  const pool = new Pool(origin, { connections, pipelining: 1 })
  const latencies: Array<number> = []
  const until = performance.now() + durationMillis
  let errors = 0
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now()
        try {
          const answer = await pool.request({ path, method: "GET", headers: { authorization: "Bearer bench-token" } })
          await answer.body.dump()
          if (answer.statusCode !== 200) errors++
        } catch {
          errors++
        }
        latencies.push(performance.now() - started)
      }
    })
  )
  await pool.close()
  latencies.sort((left, right) => left - right)
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]!
  return { rate: latencies.length / (durationMillis / 1000), p50: at(0.5), p99: at(0.99), errors }
}

const format = (result: Awaited<ReturnType<typeof run>>) =>
  `${result.rate.toFixed(0)} req/s, p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms, ${result.errors} errors`

// Warm both paths (JIT, connection pools) before measuring.
await run(upstreamUrl, "/v1/hood/profile-properties", 10, 1000)
await run(proxy.url, "/ocamba/v1/hood/profile-properties", 10, 1000)

const duration = seconds * 1000
const directOne = await run(upstreamUrl, "/v1/hood/profile-properties", 1, duration)
const proxiedOne = await run(proxy.url, "/ocamba/v1/hood/profile-properties", 1, duration)
const directMany = await run(upstreamUrl, "/v1/hood/profile-properties", 50, duration)
const proxiedMany = await run(proxy.url, "/ocamba/v1/hood/profile-properties", 50, duration)

console.log(`budget store: ${values.redis === undefined ? "memory" : "redis"}, proxy log level: ${values.log}`)
console.log(`1 connection,   direct:  ${format(directOne)}`)
console.log(`1 connection,   proxied: ${format(proxiedOne)}  (+${(proxiedOne.p50 - directOne.p50).toFixed(3)} ms p50)`)
console.log(`50 connections, direct:  ${format(directMany)}`)
console.log(
  `50 connections, proxied: ${format(proxiedMany)}  (${(proxiedMany.rate / directMany.rate).toFixed(2)} × direct)`
)

await proxy.stop("SIGTERM")
upstream.close()
