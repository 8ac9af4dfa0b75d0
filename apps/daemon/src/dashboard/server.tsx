/**
 * @module
 * The dashboard's HTTP server: the routes of its pages (each at a stable URL, so an alert can link to it), the CSV of
 * a run's rejects, the access check, and the headers every response carries (a strict Content-Security-Policy, no
 * caching, no referrer). Only GET and HEAD are served, and POST to the login form: nothing on it writes.
 */
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createAdaptorServer } from "@hono/node-server"
import { Redact } from "@profilesync/core"
import * as Effect from "effect/Effect"
import { type Context, Hono } from "hono"
import { stream } from "hono/streaming"
import { logIn, requireAccess } from "./access.ts"
import { icon, stylesheet } from "./assets.ts"
import type { Masker } from "./mask.ts"
import type { PageContext, SyncInfo } from "./pages/context.ts"
import { DeadLettersPage } from "./pages/dead-letters.tsx"
import { urls } from "./pages/format.ts"
import { HistoryPage } from "./pages/history.tsx"
import { OverviewPage, type OverviewRow } from "./pages/overview.tsx"
import { noField, RunPage } from "./pages/run.tsx"
import { LoginPage, MessagePage } from "./pages/simple.tsx"
import { SyncPage } from "./pages/sync.tsx"
import * as Queries from "./queries.ts"
import type { References } from "./reference.ts"
import type { StoreReader } from "./store.ts"

/**
 * What the server serves.
 *
 * @since 0.1.0
 * @category models
 */
export interface DashboardSettings {
  readonly host: string
  readonly port: number
  readonly token: string | undefined
  readonly masker: Masker
  readonly references: References
  readonly syncs: ReadonlyArray<SyncInfo>
  readonly readers: ReadonlyMap<string, StoreReader>
  /** Where problems are logged (never shown on a page). */
  readonly logError: (message: string) => void
}

/**
 * The Content-Security-Policy of every response: no script at all, styles and images only from the dashboard.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
  "base-uri 'none'"

class PageProblem extends Error {
  constructor(
    readonly status: 404 | 503,
    readonly title: string,
    override readonly message: string
  ) {
    super(message)
  }
}

const parsePage = (value: string | undefined): number => {
  const page = Number(value ?? 0)
  return Number.isSafeInteger(page) && page >= 0 ? page : 0
}

const document = (element: unknown): string => `<!DOCTYPE html>${String(element)}`

/** The CSV cell: quoted, with a `'` in front of what a spreadsheet would run as a formula (OWASP "CSV Injection"). */
const csvCell = (value: string | number | null): string => {
  const text = value === null ? "" : String(value)
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replaceAll('"', '""')}"` : safe
}

/**
 * The dashboard as a Hono app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeApp = (settings: DashboardSettings): Hono => {
  const context: PageContext = { masker: settings.masker, references: settings.references, syncs: settings.syncs }
  const showValues = settings.masker.showValues
  const app = new Hono()

  app.use(async (c, next) => {
    await next()
    c.header("Content-Security-Policy", contentSecurityPolicy)
    c.header("X-Content-Type-Options", "nosniff")
    c.header("Referrer-Policy", "no-referrer")
    c.header("X-Frame-Options", "DENY")
    c.header("Cross-Origin-Opener-Policy", "same-origin")
    c.header("Cache-Control", "no-store")
  })
  app.use(async (c, next) => {
    const method = c.req.method
    if (method === "GET" || method === "HEAD" || (method === "POST" && c.req.path === "/login")) return next()
    c.header("Allow", "GET, HEAD")
    return c.text("The dashboard only reads.", 405)
  })
  app.use(
    requireAccess({
      host: settings.host,
      token: settings.token,
      onDenied: (c) => c.html(document(<LoginPage failed={false} />), 401)
    })
  )

  app.get("/assets/style.css", (c) => c.body(stylesheet, 200, { "Content-Type": "text/css; charset=utf-8" }))
  app.get("/assets/icon.svg", (c) => c.body(icon, 200, { "Content-Type": "image/svg+xml" }))
  app.get("/favicon.ico", (c) => c.redirect("/assets/icon.svg", 301))
  app.get("/login", (c) => c.html(document(<LoginPage failed={false} />)))
  app.post("/login", async (c) => {
    const body = await c.req.parseBody()
    if (logIn(c, settings.token, body.token)) return c.redirect("/", 303)
    return c.html(document(<LoginPage failed />), 401)
  })

  const syncNamed = (name: string): SyncInfo => {
    const sync = settings.syncs.find((candidate) => candidate.name === name)
    if (sync === undefined) throw new PageProblem(404, "No such sync", "This dashboard serves no sync by that name.")
    return sync
  }

  // The store's reads, or the page that says why there are none.
  const queriesOf = async (sync: SyncInfo): Promise<Queries.Queries | "empty"> => {
    const reader = settings.readers.get(sync.name)!
    const status = await Effect.runPromise(Effect.either(reader.status))
    if (status._tag === "Left") {
      settings.logError(`dashboard: ${sync.name}: ${Redact.text(status.left.message)}`)
      throw new PageProblem(
        503,
        "State store unavailable",
        `The state store of ${sync.name} could not be read; the dashboard's log says why.`
      )
    }
    const store = status.right
    if (store._tag === "Empty") return "empty"
    if (store._tag === "Outdated") {
      throw new PageProblem(
        503,
        "State store not migrated yet",
        `The state store of ${sync.name} has schema version ${store.version}; the next run of the sync migrates it.`
      )
    }
    return Queries.make(store.sql, store.dialect)
  }

  const read = async <A,>(sync: SyncInfo, query: Effect.Effect<A, unknown>): Promise<A> => {
    const result = await Effect.runPromise(Effect.either(query))
    if (result._tag === "Right") return result.right
    const error = result.left
    settings.logError(`dashboard: ${sync.name}: ${Redact.text(error instanceof Error ? error.message : String(error))}`)
    throw new PageProblem(
      503,
      "State store unavailable",
      `The state store of ${sync.name} could not be read; the dashboard's log says why.`
    )
  }

  app.onError((error, c) => {
    if (error instanceof PageProblem) {
      return c.html(
        document(<MessagePage title={error.title} message={error.message} showValues={showValues} />),
        error.status
      )
    }
    settings.logError(
      `dashboard: ${Redact.text(error instanceof Error ? (error.stack ?? error.message) : String(error))}`
    )
    return c.html(
      document(
        <MessagePage title="Something went wrong" message="The dashboard's log says what." showValues={showValues} />
      ),
      500
    )
  })
  app.notFound((c) =>
    c.html(
      document(<MessagePage title="Not found" message="There is no page at this address." showValues={showValues} />),
      404
    )
  )

  app.get("/", async (c) => {
    const rows: Array<OverviewRow> = []
    for (const sync of settings.syncs) {
      try {
        const queries = await queriesOf(sync)
        rows.push({
          sync,
          state:
            queries === "empty"
              ? { lastRun: undefined, lastFinished: undefined, lock: undefined, rowsPerTarget: {}, openDeadLetters: {} }
              : await read(sync, queries.overview(sync.name))
        })
      } catch (error) {
        if (!(error instanceof PageProblem)) throw error
        rows.push({ sync, state: { unavailable: error.message } })
      }
    }
    return c.html(document(<OverviewPage context={context} rows={rows} />))
  })

  app.get("/syncs/:sync", async (c) => {
    const sync = syncNamed(c.req.param("sync"))
    const page = parsePage(c.req.query("page"))
    const queries = await queriesOf(sync)
    const { total, runs } =
      queries === "empty" ? { total: 0, runs: [] } : await read(sync, queries.runs(sync.name, page))
    return c.html(document(<SyncPage context={context} sync={sync} page={page} total={total} runs={runs} />))
  })

  const rejectFilter = (c: Context): Queries.RejectFilter => {
    const code = c.req.query("code")
    const field = c.req.query("field")
    return {
      ...(code === undefined || code === "" ? {} : { code }),
      ...(field === undefined || field === "" ? {} : { field: field === noField ? null : field })
    }
  }

  /** `?after=N` or `?before=N`: where a page of rejects starts; neither is the first page. */
  const rejectCursor = (c: Context): Queries.RejectCursor => {
    const position = (name: string): number | undefined => {
      const text = c.req.query(name)
      return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined
    }
    const before = position("before")
    if (before !== undefined) return { direction: "before", position: before }
    return { direction: "after", position: position("after") ?? -1 }
  }

  const runNamed = async (c: Context) => {
    const sync = syncNamed(c.req.param("sync")!)
    const queries = await queriesOf(sync)
    const run = queries === "empty" ? undefined : await read(sync, queries.run(sync.name, c.req.param("run")!))
    if (queries === "empty" || run === undefined) {
      throw new PageProblem(404, "No such run", `The state store of ${sync.name} holds no run with that id.`)
    }
    return { sync, queries, run }
  }

  app.get("/syncs/:sync/runs/:run", async (c) => {
    const { sync, queries, run } = await runNamed(c)
    const filter = rejectFilter(c)
    const cursor = rejectCursor(c)
    const jobsPage = parsePage(c.req.query("jobs"))
    const [jobs, groups, page] = await read(
      sync,
      Effect.all([
        queries.jobs(run.id, jobsPage),
        queries.rejectGroups(run.id),
        // One row more than a page tells whether there is another page in the direction read.
        queries.rejects(run.id, filter, cursor, Queries.pageSize + 1)
      ])
    )
    const more = page.length > Queries.pageSize
    const rejects = cursor.direction === "after" ? page.slice(0, Queries.pageSize) : page.slice(-Queries.pageSize)
    return c.html(
      document(
        <RunPage
          context={context}
          sync={sync}
          run={run}
          jobs={jobs}
          jobsPage={jobsPage}
          groups={groups}
          filter={filter}
          rejects={rejects}
          cursor={cursor}
          hasPrevious={cursor.direction === "after" ? cursor.position >= 0 : more}
          hasNext={cursor.direction === "after" ? more : true}
        />
      )
    )
  })

  app.get("/syncs/:sync/runs/:run/rejects.csv", async (c) => {
    const { sync, queries, run } = await runNamed(c)
    const filter = rejectFilter(c)
    const masker = settings.masker
    c.header("Content-Type", "text/csv; charset=utf-8")
    c.header(
      "Content-Disposition",
      `attachment; filename="rejects-${sync.name.replace(/[^\w.-]/g, "_")}-${run.id}.csv"`
    )
    return stream(c, async (output) => {
      await output.write("row,line,key,code,field,column,value,reason,targets\r\n")
      let after = -1
      for (;;) {
        const page = await read(sync, queries.rejects(run.id, filter, { direction: "after", position: after }, 1000))
        if (page.length === 0) break
        const lines = page.map(
          (reject) =>
            `${[
              reject.row,
              reject.line,
              reject.key === null ? null : masker.value(reject.key),
              reject.code,
              reject.field,
              reject.column,
              masker.value(reject.value),
              masker.text(reject.reason),
              reject.targets.join(" ")
            ]
              .map(csvCell)
              .join(",")}\r\n`
        )
        await output.write(lines.join(""))
        after = page.at(-1)!.position
      }
    })
  })

  app.get("/syncs/:sync/dead-letters", async (c) => {
    const sync = syncNamed(c.req.param("sync"))
    const requested = c.req.query("target")
    const target = requested !== undefined && sync.targets.includes(requested) ? requested : undefined
    const page = parsePage(c.req.query("page"))
    const queries = await queriesOf(sync)
    const { total, letters } =
      queries === "empty" ? { total: 0, letters: [] } : await read(sync, queries.deadLetters(sync.name, target, page))
    return c.html(
      document(
        <DeadLettersPage context={context} sync={sync} target={target} page={page} total={total} letters={letters} />
      )
    )
  })

  app.get("/syncs/:sync/history", async (c) => {
    const sync = syncNamed(c.req.param("sync"))
    const reference = c.req.query("ref")
    const typed = c.req.query("key")
    const key = reference !== undefined ? settings.references.open(reference) : typed === "" ? undefined : typed
    if (key === undefined) {
      const problem =
        reference === undefined ? undefined : "That link has expired (the dashboard restarted): type the key instead."
      return c.html(
        document(<HistoryPage context={context} sync={sync} recordKey={undefined} view={undefined} problem={problem} />)
      )
    }
    const page = parsePage(c.req.query("page"))
    const queries = await queriesOf(sync)
    const view =
      queries === "empty"
        ? { states: [], entries: [], page, morePages: false, rejects: [], deadLetters: [] }
        : await read(sync, queries.history(sync.name, key, page))
    // Other pages are reached the way this one was: by the key's reference, or by the key typed in.
    const pageLink = (to: number) =>
      urls.history(
        sync.name,
        reference !== undefined ? { ref: reference, page: String(to) } : { key, page: String(to) }
      )
    return c.html(
      document(<HistoryPage context={context} sync={sync} recordKey={key} view={view} pageLink={pageLink} />)
    )
  })

  return app
}

/**
 * Starts serving the dashboard; resolves with its URL once it listens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = async (
  settings: DashboardSettings
): Promise<{ readonly url: string; readonly server: Server }> => {
  const app = makeApp(settings)
  const server = createAdaptorServer({ fetch: app.fetch, hostname: settings.host }) as Server
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host
  return { url: `http://${host}:${port}/`, server }
}
