/**
 * A loopback npm registry for the `@profilesync` scope only, serving the packed tarballs: npm pointed at it with
 * `@profilesync:registry` (npm's documented per-scope setting) resolves our packages from the tarballs the test packed,
 * never from the public registry, while every other dependency still comes from the configured registry. It answers
 * what npm asks of a registry to install: a package's document (its versions, each with the tarball's URL and
 * integrity), and the tarball.
 */
import { execFileSync } from "node:child_process"
import * as Crypto from "node:crypto"
import * as FileSystem from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"

export interface ScopedRegistry {
  readonly url: string
  /** The environment that sends npm to this registry for `@profilesync/*`. */
  readonly env: Readonly<Record<string, string>>
  /**
   * The packages npm asked about, in order. (npm may then take a tarball from its cache instead of downloading it,
   * when the cache holds one with the same integrity.)
   */
  readonly asked: () => ReadonlyArray<string>
  readonly close: () => Promise<void>
}

interface Published {
  readonly manifest: Record<string, unknown> & { readonly name: string; readonly version: string }
  readonly file: string
  readonly integrity: string
  readonly shasum: string
}

/** Serves every `profilesync-*.tgz` in `tarballs` under its package name. */
export const startScopedRegistry = async (tarballs: string): Promise<ScopedRegistry> => {
  const packages = new Map<string, Published>()
  for (const entry of FileSystem.readdirSync(tarballs).filter((name) => name.endsWith(".tgz"))) {
    const file = Path.join(tarballs, entry)
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", file, "package/package.json"], { encoding: "utf8" }))
    const bytes = FileSystem.readFileSync(file)
    packages.set(manifest.name, {
      manifest,
      file,
      integrity: `sha512-${Crypto.createHash("sha512").update(bytes).digest("base64")}`,
      shasum: Crypto.createHash("sha1").update(bytes).digest("hex")
    })
  }
  const asked: Array<string> = []
  let url = ""
  const server = Http.createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://registry").pathname).slice(1)
    const tarball = /^(@profilesync\/[^/]+)\/-\/[^/]+\.tgz$/.exec(path)
    if (tarball !== null) {
      const published = packages.get(tarball[1]!)
      if (published === undefined) return void response.writeHead(404).end()
      response.writeHead(200, { "content-type": "application/octet-stream" })
      FileSystem.createReadStream(published.file).pipe(response)
      return
    }
    asked.push(path)
    const published = packages.get(path)
    if (published === undefined) {
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Not found" }))
      return
    }
    const { name, version } = published.manifest
    const document = {
      name,
      "dist-tags": { latest: version },
      versions: {
        [version]: {
          ...published.manifest,
          dist: {
            tarball: `${url}/${name}/-/${Path.basename(published.file)}`,
            integrity: published.integrity,
            shasum: published.shasum
          }
        }
      }
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    env: { "npm_config_@profilesync:registry": `${url}/` },
    asked: () => [...asked],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
