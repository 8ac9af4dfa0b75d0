/**
 * @module
 * An in-process OTLP/HTTP receiver on a loopback port, for tests of what a process exports: it accepts
 * `POST /v1/traces` and `POST /v1/metrics` in OTLP's JSON encoding (what `@opentelemetry/exporter-*-otlp-http` send;
 * gzip allowed), flattens the spans with their resource and attributes, keeps the metric names, and records every
 * request's headers. A protobuf body is answered 415 and recorded as a problem, so a test sees why nothing arrived.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"

/** An OTLP attribute value, as decoded (`intValue` may come as a string for 64-bit values). */
export type AttributeValue = string | number | boolean | ReadonlyArray<unknown> | undefined

/** One exported span, flattened. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  /** `""` for a root span. */
  readonly parentSpanId: string
  readonly name: string
  /** OTLP's enum: 1 internal, 2 server, 3 client. */
  readonly kind: number
  readonly attributes: Readonly<Record<string, AttributeValue>>
  readonly resource: Readonly<Record<string, AttributeValue>>
  readonly traceState: string
  readonly statusCode: number
}

/** A running receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`: the value of `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string
  readonly spans: Array<ReceivedSpan>
  /** The names of the metrics received, with their resource's `service.name`. */
  readonly metrics: Array<{ readonly name: string; readonly service: AttributeValue; readonly body: unknown }>
  /** Every request's path and headers. */
  readonly requests: Array<{ readonly path: string; readonly headers: Http.IncomingHttpHeaders }>
  /** What could not be read (a protobuf body, bad JSON). */
  readonly problems: Array<string>
  readonly close: () => Promise<void>
}

type JsonAttribute = { readonly key: string; readonly value?: Record<string, unknown> }

const attributeValue = (value: Record<string, unknown> | undefined): AttributeValue => {
  if (value === undefined) return undefined
  if ("stringValue" in value) return value.stringValue as string
  if ("boolValue" in value) return value.boolValue as boolean
  if ("intValue" in value) return Number(value.intValue)
  if ("doubleValue" in value) return Number(value.doubleValue)
  if ("arrayValue" in value) {
    const values = (value.arrayValue as { values?: ReadonlyArray<Record<string, unknown>> }).values ?? []
    return values.map(attributeValue)
  }
  return JSON.stringify(value)
}

const attributesOf = (attributes: ReadonlyArray<JsonAttribute> | undefined): Record<string, AttributeValue> =>
  Object.fromEntries((attributes ?? []).map((attribute) => [attribute.key, attributeValue(attribute.value)]))

/** Starts the receiver on a free loopback port. */
export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const spans: Array<ReceivedSpan> = []
  const metrics: Array<{ name: string; service: AttributeValue; body: unknown }> = []
  const requests: Array<{ path: string; headers: Http.IncomingHttpHeaders }> = []
  const problems: Array<string> = []

  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const path = (request.url ?? "/").split("?")[0]!
      requests.push({ path, headers: request.headers })
      const contentType = request.headers["content-type"] ?? ""
      if (!contentType.includes("json")) {
        problems.push(`${path}: ${contentType} is not OTLP/JSON`)
        response.writeHead(415).end()
        return
      }
      let body: Record<string, unknown>
      try {
        const raw = Buffer.concat(chunks)
        const text = (request.headers["content-encoding"] === "gzip" ? Zlib.gunzipSync(raw) : raw).toString("utf8")
        body = JSON.parse(text) as Record<string, unknown>
      } catch (error) {
        problems.push(`${path}: ${String(error)}`)
        response.writeHead(400).end()
        return
      }
      if (path === "/v1/traces") {
        for (const resourceSpans of (body.resourceSpans ?? []) as ReadonlyArray<Record<string, unknown>>) {
          const resource = attributesOf(
            (resourceSpans.resource as { attributes?: ReadonlyArray<JsonAttribute> } | undefined)?.attributes
          )
          for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as ReadonlyArray<Record<string, unknown>>) {
            for (const span of (scopeSpans.spans ?? []) as ReadonlyArray<Record<string, unknown>>) {
              spans.push({
                traceId: String(span.traceId ?? ""),
                spanId: String(span.spanId ?? ""),
                parentSpanId: String(span.parentSpanId ?? ""),
                name: String(span.name ?? ""),
                kind: Number(span.kind ?? 0),
                attributes: attributesOf(span.attributes as ReadonlyArray<JsonAttribute> | undefined),
                resource,
                traceState: String(span.traceState ?? ""),
                statusCode: Number((span.status as { code?: unknown } | undefined)?.code ?? 0)
              })
            }
          }
        }
      } else if (path === "/v1/metrics") {
        for (const resourceMetrics of (body.resourceMetrics ?? []) as ReadonlyArray<Record<string, unknown>>) {
          const resource = attributesOf(
            (resourceMetrics.resource as { attributes?: ReadonlyArray<JsonAttribute> } | undefined)?.attributes
          )
          for (const scopeMetrics of (resourceMetrics.scopeMetrics ?? []) as ReadonlyArray<Record<string, unknown>>) {
            for (const metric of (scopeMetrics.metrics ?? []) as ReadonlyArray<Record<string, unknown>>) {
              metrics.push({ name: String(metric.name ?? ""), service: resource["service.name"], body: metric })
            }
          }
        }
      } else {
        problems.push(`${path}: not an OTLP path`)
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    requests,
    problems,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
