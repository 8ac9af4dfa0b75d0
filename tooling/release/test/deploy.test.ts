/**
 * The deployment examples in deploy/: the systemd units pass `systemd-analyze verify` without a single remark (in a
 * scratch root holding the system's own units and the bins where npm puts them), the Compose file and the Kubernetes
 * manifests keep the properties deploy/README.md promises, and the daemon configs they ship pass the real
 * `profilesync validate-config`.
 */
import * as FileSystem from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import * as Yaml from "yaml"
import { dockerfileStages, repository, runProcess } from "./support.ts"

const deploy = Path.join(repository, "deploy")
const scratch = FileSystem.mkdtempSync(Path.join(Os.tmpdir(), "profilesync-deploy-"))
afterAll(() => FileSystem.rmSync(scratch, { recursive: true, force: true }))

const released = (name: string) =>
  JSON.parse(FileSystem.readFileSync(Path.join(repository, name, "package.json"), "utf8")).version as string

const yamlDocuments = (file: string): ReadonlyArray<any> =>
  Yaml.parseAllDocuments(FileSystem.readFileSync(Path.join(deploy, file), "utf8")).map((document) => document.toJS())

/** A root for `systemd-analyze verify --root`: the system's units, ours, and stand-ins for the installed bins. */
const systemdRoot = (units: Readonly<Record<string, string>>): string => {
  const root = FileSystem.mkdtempSync(Path.join(scratch, "root-"))
  FileSystem.mkdirSync(Path.join(root, "usr/lib/systemd"), { recursive: true })
  FileSystem.cpSync("/usr/lib/systemd/system", Path.join(root, "usr/lib/systemd/system"), {
    recursive: true,
    verbatimSymlinks: true
  })
  FileSystem.mkdirSync(Path.join(root, "etc/systemd/system"), { recursive: true })
  for (const [name, text] of Object.entries(units))
    FileSystem.writeFileSync(Path.join(root, "etc/systemd/system", name), text)
  FileSystem.mkdirSync(Path.join(root, "usr/local/bin"), { recursive: true })
  for (const bin of ["profilesync", "profilesync-proxy"]) {
    FileSystem.writeFileSync(Path.join(root, "usr/local/bin", bin), "#!/bin/sh\n", { mode: 0o755 })
  }
  return root
}

const verify = (root: string, unit: string) =>
  runProcess("systemd-analyze", ["verify", `--root=${root}`, unit], { env: process.env })

describe("the systemd units", () => {
  const directory = Path.join(deploy, "systemd")
  const units = Object.fromEntries(
    FileSystem.readdirSync(directory).map((name) => [name, FileSystem.readFileSync(Path.join(directory, name), "utf8")])
  )

  it("are the proxy service, the daemon's service and its timer", () => {
    expect(Object.keys(units).sort()).toEqual(["profilesync-proxy.service", "profilesync.service", "profilesync.timer"])
    expect(units["profilesync-proxy.service"]).toMatch(/^ExecStart=\/usr\/local\/bin\/profilesync-proxy$/m)
    expect(units["profilesync.service"]).toMatch(/^ExecStart=\/usr\/local\/bin\/profilesync run /m)
    expect(units["profilesync.timer"]).toMatch(/^Unit=profilesync\.service$/m)
  })

  it.each(Object.keys(units))("%s passes systemd-analyze verify without a remark", async (unit) => {
    const result = await verify(systemdRoot(units), unit)
    expect(result.output).toBe("")
    expect(result.code).toBe(0)
  })

  it("a unit with a misspelt key does not pass (the check can fail)", async () => {
    const broken = {
      ...units,
      "profilesync.service": units["profilesync.service"]!.replace("KillSignal=", "KilSignal=")
    }
    const result = await verify(systemdRoot(broken), "profilesync.service")
    expect(result.output).toContain("Unknown key 'KilSignal'")
  })
})

describe("the Compose file", () => {
  const [compose] = yamlDocuments("compose.yaml")
  const stages = dockerfileStages()

  it("runs redis, postgres, the sandbox, two proxy replicas sharing one budget and the scheduled daemon", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["daemon", "postgres", "proxy", "redis", "sandbox"])
    const { proxy, daemon, sandbox } = compose.services
    expect(proxy.deploy.replicas).toBe(2)
    expect(proxy.environment).toMatchObject({ REDIS_URL: "redis://redis:6379", PROXY_REPLICAS: "2" })
    expect(daemon.command.slice(0, 1)).toEqual(["schedule"])
    for (const [service, target] of [
      [proxy, "proxy"],
      [daemon, "daemon"],
      [sandbox, "sandbox"]
    ] as const) {
      expect(service.build.target).toBe(target)
      expect(stages.has(target), target).toBe(true)
      expect(service.image).toBe(
        `profilesync/${target}:${released(target === "sandbox" ? "packages/sandbox" : `apps/${target}`)}`
      )
    }
    const config = Yaml.parse(FileSystem.readFileSync(Path.join(deploy, "compose/customers.yaml"), "utf8"))
    expect(config.state).toEqual({ postgres: { urlEnv: "PROFILESYNC_STATE_URL" } })
    expect(daemon.environment).toHaveProperty("PROFILESYNC_STATE_URL")
    expect(config.targets.ocamba.baseUrl).toBe("http://proxy:8787/ocamba/v1/hood")
  })
})

describe("the Kubernetes manifests", () => {
  const manifests = FileSystem.readdirSync(Path.join(deploy, "kubernetes")).flatMap((file) =>
    yamlDocuments(`kubernetes/${file}`)
  )
  const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind)

  it("run the proxy as a sidecar with probes on /readyz and /healthz and its tokens from the Secret", () => {
    const [deployment] = ofKind("Deployment").filter((manifest) => manifest.metadata.name === "my-service")
    const sidecar = deployment.spec.template.spec.initContainers.find((container: any) =>
      String(container.image).startsWith("profilesync/proxy:")
    )
    expect(sidecar.restartPolicy).toBe("Always")
    expect(sidecar.readinessProbe.httpGet.path).toBe("/readyz")
    expect(sidecar.livenessProbe.httpGet.path).toBe("/healthz")
    const environment = Object.fromEntries(sidecar.env.map((variable: any) => [variable.name, variable]))
    expect(environment.OCAMBA_TOKEN.valueFrom.secretKeyRef.name).toBe("profilesync")
    expect(environment.COPERNICA_TOKEN.valueFrom.secretKeyRef.name).toBe("profilesync")
    expect(environment.PROXY_REPLICAS.value).toBe(String(deployment.spec.replicas))
    expect(ofKind("Secret").map((secret) => secret.metadata.name)).toContain("profilesync")
  })

  it("run the daemon as a CronJob that never overlaps, with PostgreSQL state and the proxies' Redis", () => {
    const [cronJob] = ofKind("CronJob")
    expect(cronJob.spec.concurrencyPolicy).toBe("Forbid")
    const [container] = cronJob.spec.jobTemplate.spec.template.spec.containers
    expect(container.image).toBe(`profilesync/daemon:${released("apps/daemon")}`)
    const environment = Object.fromEntries(container.env.map((variable: any) => [variable.name, variable]))
    expect(environment.PROFILESYNC_STATE_URL.valueFrom.secretKeyRef.name).toBe("profilesync")
    expect(environment.REDIS_URL.value).toBe("redis://profilesync-redis:6379")
    const [configMap] = ofKind("ConfigMap")
    expect(Yaml.parse(configMap.data["customers.yaml"]).state).toEqual({
      postgres: { urlEnv: "PROFILESYNC_STATE_URL" }
    })
  })
})

describe("the daemon configs the examples ship", () => {
  const configMap = yamlDocuments("kubernetes/daemon-cronjob.yaml").find((manifest) => manifest.kind === "ConfigMap")
  const configs: ReadonlyArray<readonly [string, string]> = [
    ["compose", FileSystem.readFileSync(Path.join(deploy, "compose/customers.yaml"), "utf8")],
    ["kubernetes", configMap.data["customers.yaml"]]
  ]

  it.each(configs)("the %s one passes profilesync validate-config", async (name, text) => {
    const directory = Path.join(scratch, name)
    FileSystem.mkdirSync(directory)
    // Paths of the container, moved into the scratch directory.
    const config = Path.join(directory, "customers.yaml")
    FileSystem.writeFileSync(
      config,
      text
        .replaceAll("/etc/profilesync/", `${directory}/`)
        .replaceAll("/var/lib/profilesync/", `${directory}/`)
        .replaceAll("/tmp/", `${directory}/`)
    )
    FileSystem.copyFileSync(Path.join(deploy, "compose/profiles.csv"), Path.join(directory, "profiles.csv"))
    const result = await runProcess(
      process.execPath,
      [Path.join(repository, "apps/daemon/bin/profilesync.js"), "validate-config", "--config", config],
      {
        env: {
          PATH: process.env.PATH,
          HOME: directory,
          PROFILESYNC_LOG_FORMAT: "json",
          PROFILESYNC_STATE_URL: "postgres://profilesync@127.0.0.1:1/profilesync",
          SOURCE_DATABASE_URL: "postgres://reader@127.0.0.1:1/crm",
          OCAMBA_TOKEN: "token",
          COPERNICA_TOKEN: "token"
        },
        cwd: directory
      }
    )
    expect(result.output.includes("profilesync:"), result.output).toBe(false)
    expect(result.code, result.output).toBe(0)
  })
})
