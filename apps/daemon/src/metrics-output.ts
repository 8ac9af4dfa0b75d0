/**
 * @module
 * Where the run metrics ({@link RunMetrics}) go: a Prometheus textfile rewritten after every run (`--metrics-textfile`,
 * replaced atomically by a rename, for node_exporter's textfile collector) and, for `schedule`, a `/metrics`
 * endpoint on an opt-in port (`--metrics-port`, bound to 127.0.0.1 unless `--metrics-host` says otherwise).
 */
import * as FileSystem from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"
import * as Options from "@effect/cli/Options"
import { type Sync, SyncState } from "@profilesync/sync"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { CliFailure, ExitCode } from "./exit-code.ts"
import { RunMetrics } from "./run-metrics.ts"
import * as Telemetry from "./telemetry.ts"

/**
 * `--metrics-textfile`: write the run metrics to this file after every run; default `$PROFILESYNC_METRICS_TEXTFILE`.
 *
 * @since 0.2.0
 * @category options
 */
export const textfileOption = Options.text("metrics-textfile").pipe(
  Options.withDescription(
    "Write the run metrics in Prometheus' text format to this file after every run, replacing it atomically " +
      "(for node_exporter's textfile collector: name it *.prom; default $PROFILESYNC_METRICS_TEXTFILE)."
  ),
  Options.withFallbackConfig(Config.string("PROFILESYNC_METRICS_TEXTFILE")),
  Options.optional
)

/**
 * `--metrics-port`: serve `/metrics` on this port while `schedule` runs; default `$PROFILESYNC_METRICS_PORT`, else none.
 *
 * @since 0.2.0
 * @category options
 */
export const portOption = Options.integer("metrics-port").pipe(
  Options.withDescription(
    "Serve the run metrics at http://HOST:PORT/metrics while the schedule runs (default $PROFILESYNC_METRICS_PORT; " +
      "none: no endpoint)."
  ),
  Options.withFallbackConfig(Config.integer("PROFILESYNC_METRICS_PORT")),
  Options.optional
)

/**
 * `--metrics-host`: the address of the `/metrics` endpoint; default 127.0.0.1.
 *
 * @since 0.2.0
 * @category options
 */
export const hostOption = Options.text("metrics-host").pipe(
  Options.withDescription("The address the metrics endpoint binds to (default 127.0.0.1)."),
  Options.withDefault("127.0.0.1")
)

/**
 * What the command line asked for.
 *
 * @since 0.2.0
 * @category models
 */
export interface MetricsSettings {
  readonly textfile: Option.Option<string>
  readonly port?: Option.Option<number> | undefined
  readonly host?: string | undefined
}

/**
 * Records runs and publishes them.
 *
 * @since 0.2.0
 * @category models
 */
export interface MetricsRecorder {
  /** Counts a run's outcome, reads the sync's open dead letters, and rewrites the textfile (if any). */
  readonly observe: (
    sync: string
  ) => <R>(
    run: Effect.Effect<Sync.RunReport, Sync.SyncError, R>
  ) => Effect.Effect<Sync.RunReport, Sync.SyncError, R | SyncState.SyncState>
}

// Dead letters are counted by listing them, per target; past this many the gauge says this many.
const deadLetterCountLimit = 10_000

const writeAtomically = (file: string, text: string) =>
  Effect.try({
    try: () => {
      // The temporary name does not end in `.prom`, so the textfile collector never reads a half-written file.
      const temporary = Path.join(Path.dirname(file), `.${Path.basename(file)}.${process.pid}.tmp`)
      FileSystem.writeFileSync(temporary, text, { mode: 0o644 })
      FileSystem.renameSync(temporary, file)
    },
    catch: (error) => error
  }).pipe(
    Effect.catchAll((error) =>
      Effect.logWarning("metrics textfile not written").pipe(
        Effect.annotateLogs({ file, detail: error instanceof Error ? error.message : String(error) })
      )
    )
  )

const serve = (host: string, port: number, render: () => string) =>
  Effect.acquireRelease(
    Effect.async<Http.Server, CliFailure>((resume) => {
      const server = Http.createServer((request, response) => {
        const path = (request.url ?? "/").split("?")[0]
        if (path !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
          response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n")
          return
        }
        const body = render()
        response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" })
        response.end(request.method === "HEAD" ? undefined : body)
      })
      server.once("error", (error) =>
        resume(
          Effect.fail(
            new CliFailure({
              exitCode: ExitCode.configError,
              message: `--metrics-port ${port}: cannot listen on ${host}:${port}: ${error.message}`
            })
          )
        )
      )
      server.listen(port, host, () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  ).pipe(
    Effect.tap((server) => {
      const address = server.address()
      const bound = typeof address === "object" && address !== null ? address.port : port
      return Effect.logInfo("metrics endpoint listening").pipe(
        Effect.annotateLogs({ url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}/metrics` })
      )
    })
  )

/**
 * A sync whose runs are counted, with the targets it runs.
 *
 * @since 0.2.0
 * @category models
 */
export interface ObservedSync {
  readonly name: string
  readonly targets: ReadonlyArray<string>
}

/**
 * Starts the metrics of one or more syncs (one file and one endpoint for all of them, labelled by sync): loads the
 * counters of an existing textfile, declares every sync's series at zero, writes the textfile at once, and serves
 * `/metrics` when a port is given (closed with the scope).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  syncs: ReadonlyArray<ObservedSync>,
  settings: MetricsSettings
): Effect.Effect<MetricsRecorder, CliFailure, Scope.Scope> =>
  Effect.gen(function* () {
    const metrics = new RunMetrics()
    const textfile = settings.textfile
    if (Option.isSome(textfile) && FileSystem.existsSync(textfile.value)) {
      yield* Effect.try(() => metrics.load(FileSystem.readFileSync(textfile.value, "utf8"))).pipe(
        Effect.catchAll(() => Effect.logWarning("metrics textfile unreadable; counting from zero"))
      )
    }
    for (const sync of syncs) metrics.declare(sync.name, sync.targets)
    const publish = Option.match(textfile, {
      onNone: () => Effect.void,
      onSome: (file) => Effect.suspend(() => writeAtomically(file, metrics.render()))
    })
    yield* publish
    const port = settings.port ?? Option.none()
    if (Option.isSome(port)) yield* serve(settings.host ?? "127.0.0.1", port.value, () => metrics.render())

    const targetsOf = new Map(syncs.map((sync) => [sync.name, sync.targets]))
    const readDeadLetters = (sync: string) =>
      Effect.gen(function* () {
        const state = yield* SyncState.SyncState
        const byTarget: Record<string, number> = {}
        for (const target of targetsOf.get(sync) ?? []) {
          const letters = yield* state.deadLetters(sync, { target, limit: deadLetterCountLimit })
          byTarget[target] = letters.length
        }
        metrics.setDeadLetters(sync, byTarget)
      }).pipe(
        Effect.catchAll((error) =>
          Effect.logWarning("dead letters not counted for the metrics").pipe(
            Effect.annotateLogs({ sync, detail: error.message })
          )
        )
      )

    const observe: MetricsRecorder["observe"] = (sync) => (run) =>
      run.pipe(
        Effect.tap((report) =>
          report.dryRun
            ? Effect.void
            : Effect.zipRight(
                Effect.sync(() => metrics.recordReport(report)),
                Telemetry.recordRun(report)
              )
        ),
        Effect.tapError((error) =>
          Effect.sync(() => {
            // Another process running this sync is not a run of this one.
            if (error.reason._tag === "Locked") return
            if (error.report === undefined) metrics.recordFailure(sync, new Date())
            else if (!error.report.dryRun) metrics.recordReport(error.report)
          }).pipe(
            Effect.zipRight(
              error.reason._tag === "Locked" || error.report === undefined || error.report.dryRun
                ? Effect.void
                : Telemetry.recordRun(error.report)
            )
          )
        ),
        Effect.ensuring(Effect.zipRight(readDeadLetters(sync), publish))
      )
    return { observe }
  })
