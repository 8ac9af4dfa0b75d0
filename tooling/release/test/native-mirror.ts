/**
 * A loopback mirror of better-sqlite3's prebuilt binaries, serving the one the workspace install already compiled from
 * the same source. npm's install of the tarballs puts better-sqlite3 under each global package that depends on it; through
 * `npm_config_better_sqlite3_binary_host` (prebuild-install's documented mirror setting) each copy fetches that binary
 * instead of compiling again for about 80 s. A different version than the workspace's gets a 404, and
 * prebuild-install falls back to compiling, so the mirror can only make the install faster, never different.
 */
import { execFileSync } from "node:child_process"
import * as FileSystem from "node:fs"
import * as Http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { repository } from "./support.ts"

export interface NativeMirror {
  /** The environment that points prebuild-install at the mirror. */
  readonly env: Readonly<Record<string, string>>
  /** How many archives it served. */
  readonly served: () => number
  readonly close: () => Promise<void>
}

export const startNativeMirror = async (): Promise<NativeMirror> => {
  const fromSync = createRequire(Path.join(repository, "packages/sync/package.json"))
  const fromSqlite = createRequire(fromSync.resolve("@effect/sql-sqlite-node/package.json"))
  const packageDirectory = Path.dirname(fromSqlite.resolve("better-sqlite3/package.json"))
  const { version } = JSON.parse(FileSystem.readFileSync(Path.join(packageDirectory, "package.json"), "utf8")) as {
    readonly version: string
  }
  const staging = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-prebuilt-"))
  FileSystem.mkdirSync(Path.join(staging, "build/Release"), { recursive: true })
  FileSystem.copyFileSync(
    Path.join(packageDirectory, "build/Release/better_sqlite3.node"),
    Path.join(staging, "build/Release/better_sqlite3.node")
  )
  const archive = Path.join(staging, "prebuilt.tar.gz")
  execFileSync("tar", ["-czf", archive, "-C", staging, "build"])
  const expected = `/v${version}/better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  let served = 0
  const server = Http.createServer((request, response) => {
    if (request.url !== expected) {
      response.writeHead(404).end()
      return
    }
    served += 1
    response.writeHead(200, { "content-type": "application/gzip" })
    FileSystem.createReadStream(archive).pipe(response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    env: { npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}` },
    served: () => served,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      FileSystem.rmSync(staging, { recursive: true, force: true })
    }
  }
}
