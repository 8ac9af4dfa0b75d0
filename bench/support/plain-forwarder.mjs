/**
 * The anchor of the proxy benchmark: the plainest useful forwarder, `node:http` in and an undici `Pool` out, with no
 * validation, throttle, retries, redaction or log. `/ocamba/v1/hood/*` goes to `UPSTREAM` + `/v1/hood/*` with
 * `TOKEN` as the bearer token; `/readyz` answers 200. Plain JavaScript, run by `node` itself (no tsx), so its start
 * and memory are Node's and undici's alone.
 */
import { createServer } from "node:http"
import { Pool } from "undici"

const upstream = new Pool(process.env.UPSTREAM ?? "http://127.0.0.1:1", { connections: 128, pipelining: 1 })
const authorization = `Bearer ${process.env.TOKEN ?? ""}`
const prefix = "/ocamba"

createServer((request, response) => {
  const path = request.url ?? "/"
  if (path === "/readyz") {
    response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready"}')
    return
  }
  if (!path.startsWith(`${prefix}/`)) {
    response.writeHead(404).end()
    return
  }
  const method = request.method ?? "GET"
  upstream
    .request({
      path: path.slice(prefix.length),
      method,
      headers: {
        authorization,
        ...(request.headers["content-type"] === undefined ? {} : { "content-type": request.headers["content-type"] })
      },
      body: method === "GET" || method === "HEAD" ? null : request
    })
    .then(
      async (answer) => {
        const type = answer.headers["content-type"]
        response.writeHead(answer.statusCode, type === undefined ? {} : { "content-type": type })
        for await (const chunk of answer.body) response.write(chunk)
        response.end()
      },
      () => {
        response.writeHead(502).end()
      }
    )
}).listen(Number(process.env.PORT), "127.0.0.1")
