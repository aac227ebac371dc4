/**
 * Podman driver. It shells out to the `podman` CLI (execFile, never a shell):
 * Debian's podman 4.3 has no socket service running by default, the CLI needs
 * no daemon and no extra client library, and every call is one readable argv.
 * Every call reads the project's podman settings from the cache
 * (contract/podman-conf.ts), never from a file it wrote under /etc.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cachePath, cacheRoot } from "../contract/cache-layout";
import { PODMAN_CONF_TEXT, podmanConfEnv } from "../contract/podman-conf";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class PodmanError extends Error {
  constructor(
    readonly args: string[],
    readonly result: RunResult,
  ) {
    // Only the subcommand: arguments can carry machine config values.
    super(`podman ${args[0] ?? ""} failed (exit ${result.code}): ${result.stderr.trim()}`);
    this.name = "PodmanError";
  }
}

export interface ContainerSpec {
  name: string;
  hostname: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  network: string;
  ip6: string;
  dns: string;
  addHosts: Record<string, string>;
  cpus: number;
  memoryMb: number;
  restart: string;
  stopSignal: string;
  stopTimeoutSec: number;
  entrypoint?: string[];
  cmd?: string[];
  volumes: { source: string; target: string }[];
  extraArgs: readonly string[];
}

export interface ContainerInfo {
  name: string;
  state: string;
  exitCode: number;
  labels: Record<string, string>;
}

/** The project's podman settings file in the cache, written when missing or stale. */
function podmanConfFile(env: NodeJS.ProcessEnv): string {
  const file = cachePath(cacheRoot(env, homedir()), "PODMAN_CONF", (v) => v);
  if (!existsSync(file) || readFileSync(file, "utf8") !== PODMAN_CONF_TEXT) {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, PODMAN_CONF_TEXT, { mode: 0o644 });
    renameSync(tmp, file);
  }
  return file;
}

const confEnvs = new Map<string, Record<string, string>>();

/**
 * The environment every podman call gets: CONTAINERS_CONF_OVERRIDE (podman
 * >= 4.5) or CONTAINERS_CONF naming the project's settings file. Asks podman
 * its version once per binary; {} when podman does not answer (the call then
 * fails with podman's own error).
 */
export function podmanEnv(
  bin: string = process.env.FLY_EMULATOR_PODMAN || "podman",
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const known = confEnvs.get(bin);
  if (known) return known;
  let version: string;
  try {
    version = execFileSync(bin, ["version", "--format", "{{.Client.Version}}"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 20_000,
    }).trim();
  } catch {
    return {};
  }
  const out = podmanConfEnv(version, podmanConfFile(env));
  confEnvs.set(bin, out);
  return out;
}

export class Podman {
  constructor(readonly bin: string = process.env.FLY_EMULATOR_PODMAN || "podman") {}

  run(args: string[], timeoutMs = 120_000, stdin?: string): Promise<RunResult> {
    const env = { ...process.env, ...podmanEnv(this.bin) };
    return new Promise((resolve) => {
      let timedOut = false;
      const child = execFile(
        this.bin,
        args,
        { maxBuffer: 64 * 1024 * 1024, encoding: "utf8", env },
        (err, stdout, stderr) => {
          clearTimeout(timer);
          let code = 0;
          if (err) {
            const e = err as NodeJS.ErrnoException & { code?: unknown };
            code = typeof e.code === "number" ? e.code : 127;
            if (e.code === "ENOENT") stderr = `${this.bin}: not found`;
          }
          // podman forwards our SIGTERM and may still exit 0: the flag decides.
          resolve({ code: timedOut && code === 0 ? 124 : code, stdout, stderr, timedOut });
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(stdin ?? "");
    });
  }

  async must(args: string[], timeoutMs?: number): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) throw new PodmanError(args, r);
    return r.stdout;
  }

  async available(): Promise<boolean> {
    return (await this.run(["version", "--format", "{{.Client.Version}}"], 20_000)).code === 0;
  }

  async imageDigest(
    ref: string,
  ): Promise<{ digest: string; labels: Record<string, string> } | undefined> {
    const r = await this.run(["image", "inspect", "--format", "json", ref]);
    if (r.code !== 0) return undefined;
    const [info] = JSON.parse(r.stdout) as {
      Digest?: string;
      Labels?: Record<string, string> | null;
    }[];
    return { digest: info?.Digest ?? "", labels: info?.Labels ?? {} };
  }

  async networkExists(name: string): Promise<boolean> {
    return (await this.run(["network", "exists", name])).code === 0;
  }

  async networkCreate(opts: {
    name: string;
    v6Subnet: string;
    v6Gateway: string;
    v4Subnet: string;
    mtu: number;
    labels: Record<string, string>;
  }): Promise<void> {
    const args = ["network", "create", "--ipv6"];
    args.push("--subnet", opts.v6Subnet, "--gateway", opts.v6Gateway, "--subnet", opts.v4Subnet);
    args.push("-o", `mtu=${opts.mtu}`);
    for (const [k, v] of Object.entries(opts.labels)) args.push("--label", `${k}=${v}`);
    args.push(opts.name);
    await this.must(args);
  }

  /** Subnets of every podman network on the host, to avoid reusing one. */
  async networkSubnets(): Promise<string[]> {
    const r = await this.run(["network", "ls", "--format", "json"]);
    if (r.code !== 0) return [];
    const nets = JSON.parse(r.stdout || "[]") as { subnets?: { subnet: string }[] | null }[];
    return nets.flatMap((n) => (n.subnets ?? []).map((s) => s.subnet));
  }

  /** Name and subnets of every network carrying `label`. */
  async networksByLabel(label: string): Promise<{ name: string; subnets: string[] }[]> {
    const r = await this.run(["network", "ls", "--filter", `label=${label}`, "--format", "json"]);
    if (r.code !== 0) return [];
    const nets = JSON.parse(r.stdout || "[]") as {
      name: string;
      subnets?: { subnet: string }[] | null;
    }[];
    return nets.map((n) => ({ name: n.name, subnets: (n.subnets ?? []).map((x) => x.subnet) }));
  }

  async listByLabel(kind: "network" | "volume", label: string): Promise<string[]> {
    const r = await this.run([kind, "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"]);
    return r.code === 0 ? r.stdout.split("\n").filter(Boolean) : [];
  }

  async volumeCreate(name: string, labels: Record<string, string>): Promise<void> {
    if ((await this.run(["volume", "exists", name])).code === 0) return;
    const args = ["volume", "create"];
    for (const [k, v] of Object.entries(labels)) args.push("--label", `${k}=${v}`);
    await this.must([...args, name]);
  }

  async remove(kind: "network" | "volume", name: string): Promise<void> {
    await this.run([kind, "rm", "-f", name]);
  }

  async containerCreate(spec: ContainerSpec): Promise<void> {
    const a = ["create", "--name", spec.name, "--hostname", spec.hostname];
    for (const [k, v] of Object.entries(spec.labels)) a.push("--label", `${k}=${v}`);
    a.push("--privileged", "--tmpfs", "/run");
    a.push("--network", spec.network, "--ip6", spec.ip6, "--dns", spec.dns);
    for (const [h, ip] of Object.entries(spec.addHosts)) a.push("--add-host", `${h}:${ip}`);
    a.push("--cpus", String(spec.cpus), "--memory", `${spec.memoryMb}m`);
    a.push("--restart", spec.restart);
    a.push("--stop-signal", spec.stopSignal, "--stop-timeout", String(spec.stopTimeoutSec));
    for (const v of spec.volumes) a.push("--volume", `${v.source}:${v.target}`);
    // Environment (app secrets included) goes through a 0600 file, not argv,
    // where every local user could read it.
    const envDir = mkdtempSync(join(tmpdir(), "flyemu-env-"));
    const envFile = join(envDir, "env");
    try {
      const lines = Object.entries(spec.env).map(([k, v]) => {
        if (/[\r\n]/.test(v)) throw new Error(`env ${k}: values with newlines are not supported`);
        return `${k}=${v}`;
      });
      writeFileSync(envFile, lines.join("\n") + "\n", { mode: 0o600 });
      a.push("--env-file", envFile);
      if (spec.entrypoint) a.push("--entrypoint", JSON.stringify(spec.entrypoint));
      a.push(...spec.extraArgs);
      a.push(spec.image, ...(spec.cmd ?? []));
      await this.must(a);
    } finally {
      rmSync(envDir, { recursive: true, force: true });
    }
  }

  async copyInto(container: string, hostPath: string, guestPath: string): Promise<void> {
    await this.must(["cp", hostPath, `${container}:${guestPath}`]);
  }

  async start(name: string): Promise<void> {
    await this.must(["start", name]);
  }

  async stop(name: string, timeoutSec: number): Promise<void> {
    await this.must(["stop", "-t", String(timeoutSec), name], (timeoutSec + 60) * 1000);
  }

  async pause(name: string): Promise<void> {
    await this.must(["pause", name]);
  }

  async unpause(name: string): Promise<void> {
    await this.must(["unpause", name]);
  }

  async removeContainer(name: string): Promise<void> {
    await this.run(["rm", "-f", "-t", "0", "--volumes=false", name]);
  }

  /** Run argv in the container; `stdin`, when given, is fed to it (podman exec -i). */
  async exec(name: string, argv: string[], timeoutMs: number, stdin?: string): Promise<RunResult> {
    const flags = stdin === undefined ? [] : ["--interactive"];
    return this.run(["exec", ...flags, name, ...argv], timeoutMs, stdin);
  }

  async containers(label: string): Promise<ContainerInfo[]> {
    const r = await this.run(["ps", "-a", "--filter", `label=${label}`, "--format", "json"]);
    if (r.code !== 0) throw new PodmanError(["ps"], r);
    const list = JSON.parse(r.stdout || "[]") as {
      Names?: string[];
      State?: string;
      ExitCode?: number;
      Labels?: Record<string, string> | null;
    }[];
    return list.map((c) => ({
      name: c.Names?.[0] ?? "",
      state: c.State ?? "unknown",
      exitCode: c.ExitCode ?? 0,
      labels: c.Labels ?? {},
    }));
  }
}
