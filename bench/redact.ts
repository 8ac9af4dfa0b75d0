/**
 * Redaction cost benchmark: what core's `Redact` adds to one proxied answer, with the secrets a proxy in inject mode
 * registers (two vendor tokens, one proxy key): an answer read whole (1 KiB and 64 KiB, clean and with one echoed
 * token), a streamed 1 MiB answer in 16 KiB chunks, and the ten header values of an answer. Reported per call, in µs.
 *
 * Usage: pnpm --filter @profilesync/bench redact [--iterations 20000]
 */
import { Redact } from "@profilesync/core"

const iterationsFlag = process.argv.indexOf("--iterations")
const iterations = iterationsFlag === -1 ? 20_000 : Number(process.argv[iterationsFlag + 1])

Redact.register("ocamba-sandbox-token-0123456789")
Redact.register("copernica-sandbox-token-abcdef")
Redact.register("proxy-key-0123456789abcdef")

const answer = (bytes: number, echo: boolean) => {
  const filler = JSON.stringify({ data: [{ id: 1, label: "loyalty_tier", data_type: "text" }] })
  const text = `${filler.repeat(Math.ceil(bytes / filler.length))}`.slice(0, bytes)
  return Buffer.from(echo ? `${text.slice(0, -40)}ocamba-sandbox-token-0123456789` : text)
}

const measure = (name: string, run: () => void, count = iterations) => {
  for (let index = 0; index < Math.min(count, 2000); index++) run()
  const start = process.hrtime.bigint()
  for (let index = 0; index < count; index++) run()
  const micros = Number(process.hrtime.bigint() - start) / 1000 / count
  console.log(`${name.padEnd(44)} ${micros.toFixed(2).padStart(8)} µs/call`)
}

for (const [label, body] of [
  ["1 KiB answer, clean", answer(1024, false)],
  ["1 KiB answer, one echoed token", answer(1024, true)],
  ["64 KiB answer, clean", answer(65_536, false)],
  ["64 KiB answer, one echoed token", answer(65_536, true)]
] as const) {
  measure(`bytes: ${label}`, () => void Redact.bytes(body))
}
const chunk = answer(16_384, false)
measure(
  "stream: 1 MiB in 16 KiB chunks",
  () => {
    const scanner = Redact.scanner()
    for (let index = 0; index < 64; index++) scanner.push(chunk)
    scanner.flush()
  },
  Math.ceil(iterations / 50)
)
const headers = [
  "application/json",
  "Sat, 05 Dec 2026 13:12:59 GMT",
  "keep-alive",
  "timeout=5",
  '"burst";q=10;w=1, "steady";q=150;w=60',
  '"burst";r=9;t=1, "steady";r=149;t=60',
  "10",
  "9",
  "1",
  "e9fcc0c3-bdbd-4cba-abc3-86338cf81d6b"
]
measure("text: ten header values", () => {
  for (const value of headers) Redact.text(value)
})
