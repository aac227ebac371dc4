/**
 * What the create benchmark and the reliability scenarios share: a local Fly
 * started in this process with the settings a run asks for, `./k3s.sh` run
 * against it exactly as an operator runs it (optionally killed with SIGKILL
 * at a given moment), scratch clusters under clusters/, and the check for
 * what Fly holds outside the Terraform state.
 */
import { EMULATOR_LOG_FILE, endpointLines } from "../contract/emulator-endpoint";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunningEmulator, resetEmulator, startEmulator } from "../emulator";
import type { Settings } from "../emulator/context";
import { buildTestImage, EMULATOR_TEST_IMAGE } from "../emulator/test-image";
import { ROOT, toolchain } from "../cli/toolchain";
import { stateFileFor } from "../config/state";
import { MachinesApi } from "../ops/machines-api";

/** Scratch clusters made by bench/ and bench/reliability/ start with this (and are removed after). */
export const SCRATCH_PREFIX = "zz-";

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Each line of its output (stdout and stderr), with the seconds since the start it arrived at. */
  readonly lines: readonly TimedLine[];
}

export interface TimedLine {
  readonly at: number;
  readonly text: string;
}

export interface LocalFly {
  readonly emu: RunningEmulator;
  readonly api: MachinesApi;
  /** Environment for ./k3s.sh: the local target is this emulator; state in a scratch dir. */
  readonly env: Record<string, string>;
  readonly work: string;
  close(): Promise<void>;
}

/** Starts a local Fly in this process and points ./k3s.sh at it (through its state dir's log). */
export async function startLocalFly(settings: Partial<Settings> = {}): Promise<LocalFly> {
  toolchain(); // fails early, saying to run npm run setup
  buildTestImage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-bench-"));
  const stateDir = path.join(work, "emulator");
  const emu = await startEmulator({ port: 0, stateDir, settings });
  // cli/target.ts finds a running emulator by the URL and token in its log.
  fs.writeFileSync(path.join(stateDir, EMULATOR_LOG_FILE), endpointLines(emu), { mode: 0o600 });
  const env = { ...process.env } as Record<string, string>;
  delete env.FLY_API_TOKEN;
  delete env.FLY_API_URL;
  Object.assign(env, {
    FLY_K3S_EMULATOR_DIR: stateDir,
    FLY_K3S_STATE_DIR: path.join(work, "state"),
  });
  return {
    emu,
    api: new MachinesApi({ baseUrl: emu.url, token: emu.token }),
    env,
    work,
    async close() {
      await emu.close();
      await resetEmulator(stateDir);
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

export interface ScratchCluster {
  readonly name: string;
  /** `clusters/<name>` as ./k3s.sh takes it. */
  readonly dir: string;
  remove(): void;
}

/** A cluster of 3 servers and one node group of `workers`, on the emulator's test image. */
export function scratchCluster(name: string, workers: number): ScratchCluster {
  const dir = path.join(ROOT, "clusters", `${SCRATCH_PREFIX}${name}`);
  const clusterName = `${SCRATCH_PREFIX}${name}`;
  fs.mkdirSync(dir, { recursive: true });
  const local = fs.readFileSync(path.join(ROOT, "clusters/local/config"), "utf8");
  const config = local
    .replace(/^CLUSTER_NAME=.*$/m, `CLUSTER_NAME=${clusterName}`)
    .replace(/^NODE_GROUP_SIZE=.*$/m, `NODE_GROUP_SIZE=${workers}`)
    .replace(/^NODE_IMAGE=.*$/m, `NODE_IMAGE=${EMULATOR_TEST_IMAGE}`);
  fs.writeFileSync(path.join(dir, "config"), config);
  fs.writeFileSync(path.join(dir, "node-groups"), "0\n");
  return {
    name: clusterName,
    dir: path.relative(ROOT, dir),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface K3sOptions {
  /** SIGKILL the whole process group (the CLI, tofu, providers, steps) after this many ms. */
  readonly killAfterMs?: number;
  /** Copy its output to this process's stderr. @default false */
  readonly echo?: boolean;
}

/** Runs ./k3s.sh in a process group of its own; resolves when it ends (or is killed). */
export function k3s(fly: LocalFly, args: string[], opts: K3sOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, "k3s.sh"), args, {
      cwd: ROOT,
      env: fly.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const lines: TimedLine[] = [];
    const partial = { out: "", err: "" };
    const timed = (which: "out" | "err", d: Buffer) => {
      const text = partial[which] + d.toString();
      const parts = text.split("\n");
      partial[which] = parts.pop() ?? "";
      const at = (Date.now() - t0) / 1000;
      for (const p of parts) lines.push({ at, text: p });
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      timed("out", d);
      if (opts.echo) process.stderr.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      timed("err", d);
      if (opts.echo) process.stderr.write(d);
    });
    const timer =
      opts.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              process.kill(-(child.pid as number), "SIGKILL");
            } catch {
              // already ended
            }
          }, opts.killAfterMs);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - t0) / 1000, lines });
    });
  });
}

/** The cluster's local state file (the scratch state dir, local target). */
export function stateFile(fly: LocalFly, cluster: string): string {
  return stateFileFor(cluster, { ...fly.env, FLY_K3S_TARGET: "local" });
}

interface TfState {
  resources?: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
}

/**
 * The state file parsed, or throws saying it is corrupt; undefined when there
 * is none. An empty file is none too, as OpenTofu reads it: its local backend
 * creates the file empty when it takes its lock on a stack without state, and
 * writes it first when it persists (at the end of an apply shorter than its
 * 20 s persist interval), so a run killed before that leaves it empty.
 */
export function readState(file: string): TfState | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as TfState;
  } catch (e) {
    throw new Error(`state file ${file} is corrupt: ${(e as Error).message}`, { cause: e });
  }
}

export interface Audit {
  /** Live machines and volumes on Fly that the state does not hold. */
  readonly orphans: string[];
  /** Machine names held by more than one live machine of an app. */
  readonly duplicates: string[];
  /** Machines in the state that are not started. */
  readonly notStarted: string[];
  readonly machines: number;
  readonly volumes: number;
}

const DEAD_MACHINE = new Set(["destroyed", "destroying"]);
const DEAD_VOLUME = new Set(["destroyed", "pending_destroy", "scheduling_destroy"]);

/** Compares what Fly holds in the cluster's apps with the cluster's state. */
export async function audit(fly: LocalFly, cluster: string): Promise<Audit> {
  const state = readState(stateFile(fly, cluster)) ?? {};
  const ids = (type: string) =>
    new Set(
      (state.resources ?? [])
        .filter((r) => r.type === type)
        .flatMap((r) => r.instances.map((i) => String(i.attributes.id))),
    );
  const inStateMachines = ids("fly_machine");
  const inStateVolumes = ids("fly_volume");
  const { apps } = await fly.api.request<{ apps: { name: string }[] }>(
    "GET",
    "/apps?org_slug=personal",
  );
  const orphans: string[] = [];
  const duplicates: string[] = [];
  const notStarted: string[] = [];
  let machines = 0;
  let volumes = 0;
  for (const { name: app } of apps.filter((a) => a.name.startsWith(cluster))) {
    const ms = await fly.api.request<{ id: string; name: string; state: string }[]>(
      "GET",
      `/apps/${app}/machines`,
    );
    const live = ms.filter((m) => !DEAD_MACHINE.has(m.state));
    machines += live.length;
    const seen = new Set<string>();
    for (const m of live) {
      if (!inStateMachines.has(m.id)) orphans.push(`machine ${app}/${m.name} (${m.id})`);
      if (seen.has(m.name)) duplicates.push(`${app}/${m.name}`);
      seen.add(m.name);
      if (inStateMachines.has(m.id) && m.state !== "started") {
        notStarted.push(`${app}/${m.name} is ${m.state}`);
      }
    }
    const vs = await fly.api.request<{ id: string; name: string; state: string }[]>(
      "GET",
      `/apps/${app}/volumes`,
    );
    const liveVolumes = vs.filter((v) => !DEAD_VOLUME.has(v.state));
    volumes += liveVolumes.length;
    for (const v of liveVolumes) {
      if (!inStateVolumes.has(v.id)) orphans.push(`volume ${app}/${v.name} (${v.id})`);
    }
  }
  return { orphans, duplicates, notStarted, machines, volumes };
}

/** Milliseconds since `t0`, as seconds with one decimal. */
export const since = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/** A fixed-width text table. Pure. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.slice(1).map(line),
  ].join("\n");
}
