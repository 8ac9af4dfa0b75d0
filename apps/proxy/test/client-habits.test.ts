/**
 * @module
 * Real clients' habits, through the proxy and directly against the sandbox, with client code no one here wrote:
 * PHP's `http_build_query` and its http stream wrapper (`php-cli`, installed by `scripts/install.sh`), curl with
 * `--http1.1` and absolute-form request lines (`--request-target`), and a raw socket that half-closes. Whatever the
 * vendor accepts must pass the proxy, and the sandbox must answer it as the vendor does.
 */
import { execFile } from "node:child_process"
import { connect } from "node:net"
import { promisify } from "node:util"
import type { Sandbox } from "@profilesync/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sandboxEnvironment, startTestProxy, startTestSandbox, type TestProxy } from "./support/proxy.ts"

const run = promisify(execFile)

let sandbox: Sandbox
let proxy: TestProxy
/** The paths the sandbox was asked for, as it logged them. */
const sandboxPaths: Array<string> = []

beforeAll(async () => {
  sandbox = await startTestSandbox({
    log: (_line, entry) => {
      sandboxPaths.push(entry.path)
    },
    // These tests are about habits, not limits: the calls made straight to the sandbox spend no budget of the proxy's.
    ocamba: { rateLimits: { windows: [] } },
    copernica: {
      databases: [
        {
          name: "Customers",
          fields: [
            { name: "Email", type: "email" },
            { name: "Firstname", type: "text" }
          ],
          profiles: [
            { fields: { Email: "john@example.com", Firstname: "John" } },
            { fields: { Email: "jane@example.com", Firstname: "Jane" } }
          ]
        }
      ]
    }
  })
  proxy = await startTestProxy(sandboxEnvironment(sandbox))
})
afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

/** The two ways in: the proxy (which holds the credentials) and the sandbox itself (the caller sends them). */
const routes = () => [
  {
    name: "proxy",
    copernica: `${proxy.url}/copernica/v3/`,
    ocamba: `${proxy.url}/ocamba/v1/hood`,
    copernicaToken: {} as Record<string, string>,
    ocambaHeaders: [] as Array<string>
  },
  {
    name: "sandbox",
    copernica: `${sandbox.copernicaBaseUrl}/`,
    ocamba: sandbox.ocambaBaseUrl,
    copernicaToken: { access_token: "copernica-sandbox-token" } as Record<string, string>,
    ocambaHeaders: ["-H", "Authorization: Bearer ocamba-sandbox-token"]
  }
]

interface PhpAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * Sends a request the way a PHP script does: the query and the form body built by `http_build_query`, sent by PHP's
 * http stream wrapper (as the official CopernicaRestAPI helper's users and many scripts do).
 */
const php = async (
  method: string,
  url: string,
  query: Record<string, unknown>,
  form?: Record<string, unknown>
): Promise<PhpAnswer> => {
  const script = `
    [$method, $url, $query, $form] = [$argv[1], $argv[2], json_decode($argv[3], true), json_decode($argv[4], true)];
    $options = ['method' => $method, 'ignore_errors' => true, 'protocol_version' => 1.1,
                'header' => "Connection: close\\r\\n"];
    if ($form !== null) {
      $options['header'] .= "Content-Type: application/x-www-form-urlencoded\\r\\n";
      $options['content'] = http_build_query($form);
    }
    $target = $url . (count($query) > 0 ? '?' . http_build_query($query) : '');
    $body = file_get_contents($target, false, stream_context_create(['http' => $options]));
    echo json_encode(['target' => $target, 'headers' => $http_response_header, 'body' => $body]);
  `
  const { stdout } = await run("php", ["-r", script, method, url, JSON.stringify(query), JSON.stringify(form ?? null)])
  const parsed = JSON.parse(stdout) as { headers: Array<string>; body: string }
  const [statusLine = "", ...lines] = parsed.headers
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: parsed.body }
}

interface CurlAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** curl with `--http1.1`, its head and body read back. */
const curl = async (args: ReadonlyArray<string>): Promise<CurlAnswer> => {
  const { stdout } = await run("curl", ["--http1.1", "--silent", "--include", "--max-time", "20", ...args])
  const split = stdout.indexOf("\r\n\r\n")
  const head = split === -1 ? stdout : stdout.slice(0, split)
  const [statusLine = "", ...lines] = head.split("\r\n")
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(":")
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: split === -1 ? "" : stdout.slice(split + 4) }
}

describe.each(["proxy", "sandbox"])("through the %s", (routeName) => {
  const route = () => routes().find((candidate) => candidate.name === routeName)!

  it("PHP's http_build_query list filter (fields%5B0%5D=) filters as the live API does", async () => {
    const answer = await php("GET", `${route().copernica}database/1/profiles`, {
      ...route().copernicaToken,
      fields: ["Firstname==John"]
    })
    expect(answer.status).toBe(200)
    const page = JSON.parse(answer.body) as { data: Array<{ fields: { Email: string } }> }
    expect(page.data.map((profile) => profile.fields.Email)).toEqual(["john@example.com"])
  })

  it("a filter on an unknown field, or with a space before the operator, is ignored as the live API does", async () => {
    const all = await php("GET", `${route().copernica}database/1/profiles`, route().copernicaToken)
    const everyone = (JSON.parse(all.body) as { data: Array<unknown> }).data.length
    for (const condition of ["Nickname==John", "Firstname ==John"]) {
      const answer = await php("GET", `${route().copernica}database/1/profiles`, {
        ...route().copernicaToken,
        fields: [condition]
      })
      expect(answer.status).toBe(200)
      expect((JSON.parse(answer.body) as { data: Array<unknown> }).data).toHaveLength(everyone)
    }
  })

  it("a PHP form body with PHP's booleans (1, 0) creates an import read as the vendor reads them", async () => {
    const answer = await php("POST", `${route().copernica}imports/`, route().copernicaToken, {
      database: 1,
      source: [{ Email: `php-${routeName}@example.com`, Firstname: "Php" }],
      action: "update or add",
      keyFields: ["Email"],
      rebuild: true,
      followups: false,
      autostart: true
    })
    expect(answer.status).toBe(201)
    // Copernica's 201 has no body; nothing may label it text/plain on the way.
    expect(answer.headers["content-type"]).toBeUndefined()
    const id = answer.headers["x-created"]!
    const job = sandbox.state.copernica.account("copernica-account-1").imports.get(Number(id))
    expect(job).toMatchObject({ rebuild: true, followups: false, autostart: true })
    const location = answer.headers["x-location"]!
    expect(location).toBe(`${route().copernica}import/${id}`)
    // The location is followable by the caller: through the proxy it stays on the proxy.
    const followed = await php("GET", location, route().copernicaToken)
    expect(followed.status).toBe(200)
    expect(JSON.parse(followed.body)).toMatchObject({ ID: id })
  })

  it("serves every Copernica path with a trailing slash (curl --http1.1)", async () => {
    const token = route().name === "sandbox" ? "?access_token=copernica-sandbox-token" : ""
    for (const path of ["databases/", "database/1/profiles/", "database/1/fields/"]) {
      const answer = await curl([`${route().copernica}${path}${token}`])
      expect(answer.status, path).toBe(200)
    }
  })

  it("answers HEAD where GET is served, without a body", async () => {
    const answer = await curl(["--head", ...route().ocambaHeaders, `${route().ocamba}/profile-properties`])
    expect(answer.status).toBe(200)
    expect(answer.body).toBe("")
  })

  it("answers OPTIONS on a path that exists with 405 and Allow, in Ocamba's error shape", async () => {
    const answer = await curl([
      "--request",
      "OPTIONS",
      ...route().ocambaHeaders,
      `${route().ocamba}/profile-properties`
    ])
    expect(answer.status).toBe(405)
    expect(answer.headers.allow?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"])
    expect(JSON.parse(answer.body)).toMatchObject({ code: 405 })
  })

  it("answers OPTIONS and a wrong method on a Copernica path with 400 Invalid method and Allow, as the live API does", async () => {
    // rmuit/copernica-api `tests/ApiBehaviorTest.php`: a known path with a method it does not serve is 400
    // "Invalid method" (GET database/ID/field/1, DELETE profile/ID/subprofiles/ID), never 405.
    const token = route().name === "sandbox" ? "?access_token=copernica-sandbox-token" : ""
    for (const method of ["OPTIONS", "DELETE", "PUT"]) {
      const answer = await curl(["--request", method, `${route().copernica}databases${token}`])
      expect(answer.status, method).toBe(400)
      expect(answer.headers.allow?.split(", ").sort(), method).toEqual(["GET", "HEAD"])
      expect(JSON.parse(answer.body), method).toEqual({ error: { message: "Invalid method" } })
    }
    const head = await curl(["--head", `${route().copernica}database/1/profiles/${token}`])
    expect(head.status).toBe(200)
    expect(head.body).toBe("")
  })

  it("ignores path segments after database/ID/profiles (PHP), as the live API does", async () => {
    // rmuit/copernica-api `tests/ApiBehaviorTest.php`, `testProfileCrud`: GET database/ID/profiles/bogus/path lists.
    const answer = await php("GET", `${route().copernica}database/1/profiles/bogus/path`, {
      ...route().copernicaToken,
      fields: ["Firstname==Jane"]
    })
    expect(answer.status).toBe(200)
    const page = JSON.parse(answer.body) as { data: Array<{ fields: { Email: string } }> }
    expect(page.data.map((profile) => profile.fields.Email)).toEqual(["jane@example.com"])
    // The proxy forwards the path without them, and says what it dropped.
    if (routeName === "proxy") expect(answer.headers["x-profilesync-dropped-path"]).toBe("/bogus/path")
  })

  it("accepts an absolute-form request line (curl --request-target), whose authority never picks the upstream", async () => {
    const label = `absolute_${routeName}`
    const path = routeName === "proxy" ? "/ocamba/v1/hood/profile-properties" : "/v1/hood/profile-properties"
    const base = new URL(route().ocamba)
    const answer = await curl([
      "--request",
      "POST",
      "--request-target",
      `http://elsewhere.invalid${path}`,
      ...route().ocambaHeaders,
      "-H",
      "Content-Type: application/json",
      "--data",
      JSON.stringify({ label }),
      base.origin
    ])
    expect(answer.status).toBe(201)
    expect(sandbox.state.ocamba.account("ocamba-account-1").findPropertyByLabel(label)).toBeDefined()
  })

  it("answers PATCH with 204 and the Content-Type the vendor page shows", async () => {
    const label = `patched_${routeName}`
    const created = await curl([
      ...route().ocambaHeaders,
      "-H",
      "Content-Type: application/json",
      "--data",
      JSON.stringify({ label }),
      `${route().ocamba}/profile-properties`
    ])
    expect(created.status).toBe(201)
    const { id } = JSON.parse(created.body) as { id: string }
    const patched = await curl([
      "--request",
      "PATCH",
      ...route().ocambaHeaders,
      "-H",
      "Content-Type: application/json",
      "--data",
      JSON.stringify({ example: "x" }),
      `${route().ocamba}/profile-properties/${id}`
    ])
    expect(patched.status).toBe(204)
    expect(patched.headers["content-type"]).toBe("application/json")
  })

  it("answers a caller that half-closes its socket after a complete request", async () => {
    const label = `half_closed_${routeName}`
    const path = routeName === "proxy" ? "/ocamba/v1/hood/profile-properties" : "/v1/hood/profile-properties"
    const { hostname, port } = new URL(route().ocamba)
    const body = JSON.stringify({ label })
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.end(
          [
            `POST ${path} HTTP/1.1`,
            `Host: ${hostname}:${port}`,
            "Authorization: Bearer ocamba-sandbox-token",
            "Content-Type: application/json",
            `Content-Length: ${Buffer.byteLength(body)}`,
            "",
            body
          ].join("\r\n")
        )
      })
      const chunks: Array<Buffer> = []
      socket.setTimeout(20_000, () => socket.destroy(new Error("no answer")))
      socket.on("data", (chunk: Buffer) => chunks.push(chunk))
      socket.on("error", reject)
      socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
    })
    expect(answer).toMatch(/^HTTP\/1\.1 201 /)
    expect(answer).toContain(label)
  })
})

describe("the proxy alone", () => {
  it("rewrites X-location to PUBLIC_BASE_URL when one is configured", async () => {
    const behind = await startTestProxy({
      ...sandboxEnvironment(sandbox),
      PUBLIC_BASE_URL: "https://sync.example.com/edge/"
    })
    try {
      const answer = await fetch(`${behind.url}/copernica/v3/imports`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ database: 1, source: [{ Email: "public@example.com" }] })
      })
      expect(answer.status).toBe(201)
      const id = answer.headers.get("x-created")
      expect(answer.headers.get("x-location")).toBe(`https://sync.example.com/edge/copernica/v3/import/${id}`)
    } finally {
      await behind.close()
    }
  })

  it("drops the path segments Copernica ignores, and says so in a header and the access log", async () => {
    const answer = await curl([`${proxy.url}/copernica/v3/database/1/profiles/ignored/segments?limit=1`])
    expect(answer.status).toBe(200)
    expect(answer.headers["x-profilesync-dropped-path"]).toBe("/ignored/segments")
    const line = proxy.logs.find((entry) => entry.msg === "request" && String(entry.path).includes("/ignored/segments"))
    expect(line?.droppedPath).toBe("/ignored/segments")
    // The vendor was asked for the list itself: the segments never left the proxy.
    expect(sandboxPaths.some((path) => path.startsWith("/v3/database/1/profiles?"))).toBe(true)
    expect(sandboxPaths.filter((path) => path.includes("ignored"))).toEqual([])
  })

  it("drops the query parameters Copernica ignores, and says so in a header and the access log", async () => {
    const answer = await curl([`${proxy.url}/copernica/v3/databases?foo=1&limit=10&bar=2`])
    expect(answer.status).toBe(200)
    expect(answer.headers["x-profilesync-dropped-query"]).toBe("foo, bar")
    const line = proxy.logs.find((entry) => entry.msg === "request" && String(entry.path).includes("foo=1"))
    expect(line?.droppedQuery).toEqual(["foo", "bar"])
    const request = sandbox.counters()
    expect(JSON.stringify(request)).not.toContain("foo=1")
  })

  it("logs the vendor's outcome and id for a caller whose socket is fully gone once the write was sent", async () => {
    const label = "gone_caller"
    sandbox.setFaults({ latencyMilliseconds: 300 })
    try {
      const { hostname, port } = new URL(proxy.url)
      const body = JSON.stringify({ label })
      const before = sandbox.counters().requests
      const logged = proxy.logs.length
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            [
              "POST /ocamba/v1/hood/profile-properties HTTP/1.1",
              `Host: ${hostname}:${port}`,
              "Content-Type: application/json",
              `Content-Length: ${Buffer.byteLength(body)}`,
              "",
              body
            ].join("\r\n")
          )
          // Gone once the sandbox has the request (it is then waiting out the injected latency).
          const waitForUpstream = setInterval(() => {
            if (sandbox.counters().requests > before) {
              clearInterval(waitForUpstream)
              // A reset, not a FIN: a FIN is a half-close, and a half-closed caller is still answered.
              socket.resetAndDestroy()
              resolve()
            }
          }, 5)
        })
      })
      const line = await waitFor(() =>
        proxy.logs
          .slice(logged)
          .find(
            (entry) =>
              entry.msg === "request" &&
              entry.operation === "createProfileProperty" &&
              entry.upstreamStatus === 201 &&
              entry.vendorId !== undefined
          )
      )
      const created = sandbox.state.ocamba.account("ocamba-account-1").findPropertyByLabel(label)
      expect(created).toBeDefined()
      expect(line.vendorId).toBe(created!.id)
    } finally {
      sandbox.setFaults({ latencyMilliseconds: 0 })
    }
  })
})

const waitFor = async <A>(probe: () => A | undefined): Promise<A> => {
  for (let tries = 0; tries < 400; tries++) {
    const found = probe()
    if (found !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`the awaited state never came: ${JSON.stringify(proxy.logs.slice(-2))}`)
}
