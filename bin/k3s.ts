/**
 * The fly-k3s command line (./k3s.sh launches it): validates the cluster
 * directory and the arguments before anything starts, chooses the target
 * (Fly.io or the local emulator), and runs the action. `./k3s.sh -h` lists
 * them (cli/options.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { ConfigError } from "../config/errors";
import { vmSizeName } from "../config/fly";
import { ClusterDefinition, NODE_GROUPS_FILE, bootstrapNodeId, loadCluster } from "../config/load";
import { buildTestImage } from "../emulator/test-image";
import {
  EMULATOR_TEST_IMAGE,
  apiServerUrl,
  controlPlaneAppName,
  controlPlaneMachineName,
  imageRunsK3s,
  machineInternalName,
  nodeGroupAppName,
  nodeGroupIdProblem,
} from "../config/naming";
import { LABEL_MACHINE, labelFilter } from "../contract/podman-labels";
import { fetchKubeconfig, taintControlPlane } from "../ops/cluster-ops";
import { addressChangeLine } from "../ops/deploy";
import { MachinesApi } from "../ops/machines-api";
import { withNodeGroup } from "../cli/node-groups";
import { Options, UsageError, parseOptions, usage } from "../cli/options";
import { preflightAction } from "../cli/preflight";
import { Stack } from "../cli/stack";
import { Target, chooseTarget } from "../cli/target";
import { ROOT, toolchain } from "../cli/toolchain";

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
const log = (line: string) => console.error(`[${elapsed()}] ${line}`);

/** A directory under clusters/, as a path relative to the checkout. */
function clusterDir(given: string): string {
  const abs = path.resolve(given);
  const rel = path.relative(path.join(ROOT, "clusters"), abs);
  if (!fs.existsSync(path.join(abs, "config")))
    throw new Error(`${given.replace(/\/+$/, "")}/config not found`);
  if (rel === "" || rel.startsWith("..") || rel.includes(path.sep)) {
    throw new Error(
      `${given} is not under ${ROOT}/clusters/: cluster directories live in clusters/<name>`,
    );
  }
  return path.join("clusters", rel);
}

function appFor(c: ClusterDefinition, dir: string, group: string): string {
  if (group === "cp") return controlPlaneAppName(c.config.clusterName);
  if (!c.nodeGroups.includes(group)) {
    throw new Error(
      `node group ${group} is not recorded in ${dir}/${NODE_GROUPS_FILE} (groups: ${c.nodeGroups.join(" ") || "none"})`,
    );
  }
  return nodeGroupAppName(c.config.clusterName, group);
}

interface Context {
  readonly opts: Options;
  readonly dir: string;
  readonly cluster: ClusterDefinition;
  readonly bootstrap: string;
  readonly target: Target;
  readonly api: MachinesApi;
}

function apps(c: ClusterDefinition): string[] {
  const name = c.config.clusterName;
  return [controlPlaneAppName(name), ...c.nodeGroups.map((g) => nodeGroupAppName(name, g))];
}

interface MachineStatus {
  app: string;
  name: string;
  id: string;
  state: string;
  zone: string;
  private_ip: string;
  image: string;
  size: string;
  node_name: string;
}

async function machineStatus(ctx: Context, only?: string[]): Promise<MachineStatus[]> {
  const rows: MachineStatus[] = [];
  for (const app of only ?? apps(ctx.cluster)) {
    const machines = await ctx.api.listMachines(app).catch((e: Error) => {
      if (/\b404\b/.test(e.message)) return [];
      throw e;
    });
    for (const m of machines.filter((x) => x.state !== "destroyed")) {
      const g = m.config.guest;
      rows.push({
        app,
        name: m.name,
        id: m.id,
        state: m.state,
        zone: m.config.env?.K3S_ZONE ?? "",
        private_ip: m.private_ip,
        image: m.config.image,
        size: g
          ? `${vmSizeName(g.cpu_kind, g.cpus) ?? `${g.cpu_kind} ${g.cpus} CPU`} ${g.memory_mb} MB`
          : "",
        node_name: machineInternalName(app, m.id),
      });
    }
  }
  return rows.sort((a, b) => a.app.localeCompare(b.app) || a.name.localeCompare(b.name));
}

function printTable(rows: Record<string, string>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  const table = [
    keys.map((k) => k.toUpperCase().replace(/_/g, " ")),
    ...rows.map((r) => keys.map((k) => r[k])),
  ];
  const widths = keys.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
}

async function confirm(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

async function deployCluster(ctx: Context, stack: Stack): Promise<number> {
  const { config } = ctx.cluster;
  if (ctx.target.kind === "local" && config.nodeImage === EMULATOR_TEST_IMAGE) {
    log(`building the local Fly's test image ${EMULATOR_TEST_IMAGE} (cached)`);
    buildTestImage();
  }
  await stack.prepare();
  const r = await stack.deploy();
  if (r.status !== 0) {
    log(
      `deploy failed (exit ${r.status}); re-run the same command to resume: what was created is in the state`,
    );
    return 1;
  }
  const rows = await machineStatus(ctx);
  const running = rows.filter((m) => m.state === "started").length;
  log(
    `cluster ${config.clusterName}: ${running} of ${rows.length} machines started on ${ctx.target.kind === "fly" ? "Fly.io" : "the local Fly emulator"}`,
  );
  for (const rep of r.repairs) log(`repaired ${rep.address} (${rep.reason})`);
  for (const c of r.renumbered) log(addressChangeLine(c));
  if (imageRunsK3s(config.nodeImage)) {
    log(`cluster ${config.clusterName} is up; ./k3s.sh -k ${ctx.dir} writes the kubeconfig`);
  } else {
    log(
      `no Kubernetes is running: the node image ${config.nodeImage} is the local Fly's test image, which holds no k3s ` +
        `(k3s cannot be downloaded on this machine), so the join, taint and kubeconfig steps were left out. ` +
        `Set NODE_IMAGE in ${ctx.dir}/config to an image built from images/k3s-node to run them.`,
    );
  }
  return 0;
}

/** Runs the action; the stack runs' pacer stops at the end, whatever happens. */
async function act(ctx: Context): Promise<number> {
  const stacks: Stack[] = [];
  const newStack = () => {
    const s = new Stack(ctx.cluster.config, toolchain(), ctx.target, log);
    stacks.push(s);
    return s;
  };
  try {
    return await actOn(ctx, newStack);
  } finally {
    for (const s of stacks) await s.close();
  }
}

async function actOn(ctx: Context, newStack: () => Stack): Promise<number> {
  const { opts, cluster } = ctx;
  const name = cluster.config.clusterName;
  switch (opts.action) {
    case "create":
    case "add":
      return deployCluster(ctx, newStack());
    case "plan": {
      const stack = newStack();
      await stack.prepare();
      const { changes, repairs } = await stack.plan();
      for (const c of changes) console.log(c);
      for (const r of repairs) console.log(`repair ${r.address}: ${r.reason}`);
      if (changes.length + repairs.length === 0)
        console.log(`no changes: cluster ${name} matches its config`);
      return changes.length + repairs.length === 0 ? 0 : 2;
    }
    case "drift": {
      const stack = newStack();
      await stack.prepare();
      const lines = await stack.drift();
      for (const l of lines) console.log(l);
      if (lines.length === 0)
        console.log(`no drift: Fly matches the config and state of cluster ${name}`);
      return lines.length === 0 ? 0 : 2;
    }
    case "destroy": {
      const stack = newStack();
      await stack.prepare();
      const before = await stack.resources();
      if (before.length === 0) {
        console.log(
          `nothing is left of cluster ${name} on this target (no resources in ${stack.stateLocation})`,
        );
        return 0;
      }
      if (!opts.yes) {
        if (!process.stdin.isTTY)
          throw new Error(
            "--destroy asks for confirmation: give --yes to destroy without a terminal",
          );
        const answer = await confirm(
          `destroy cluster ${name} (${ctx.target.kind}): every app, machine and volume, and their data? Type its name: `,
        );
        if (answer.trim() !== name) {
          console.error("not destroyed");
          return 1;
        }
      }
      const r = await stack.destroy();
      if (r.status !== 0) return 1;
      const count = (t: string) => before.filter((a) => a.startsWith(`${t}.`)).length;
      console.log(
        `destroyed cluster ${name}: ${count("fly_app")} apps, ${count("fly_machine")} machines, ${count("fly_volume")} volumes`,
      );
      // A local state file is removed; a remote one is left empty.
      for (const f of [stack.stateFile, `${stack.stateFile}.backup`]) fs.rmSync(f, { force: true });
      return 0;
    }
    case "status":
    case "list": {
      const rows = await machineStatus(
        ctx,
        opts.group ? [appFor(cluster, ctx.dir, opts.group)] : undefined,
      );
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(rows as unknown as Record<string, string>[]);
      return 0;
    }
    case "kubeconfig": {
      const out = path.join(process.env.HOME ?? "", ".kube", name);
      await fetchKubeconfig(
        ctx.api,
        controlPlaneAppName(name),
        ctx.bootstrap,
        name,
        apiServerUrl(name),
        out,
        log,
      );
      console.log(`KUBECONFIG=${out} kubectl get nodes`);
      return 0;
    }
    case "taint":
      await taintControlPlane(ctx.api, controlPlaneAppName(name), ctx.bootstrap, log);
      return 0;
    case "shell": {
      const app = appFor(cluster, ctx.dir, opts.group ?? "cp");
      const wanted = process.env.MACHINE;
      if (ctx.target.kind === "fly") {
        const r = spawnSync(
          "fly",
          ["ssh", "console", "-a", app, ...(wanted ? ["--machine", wanted] : [])],
          { stdio: "inherit" },
        );
        if (r.error) throw new Error("-s needs flyctl (fly) on PATH for Fly.io");
        return r.status ?? 1;
      }
      const machines = await ctx.api.listMachines(app);
      const m = machines.find((x) => !wanted || x.name === wanted || x.id === wanted);
      if (!m) throw new Error(`no machine ${wanted ?? "at all"} in app ${app}`);
      const ps = spawnSync(
        "podman",
        ["ps", "--filter", labelFilter(LABEL_MACHINE, m.id), "--format", "{{.Names}}"],
        { encoding: "utf8" },
      );
      const container = ps.stdout.split("\n")[0];
      if (!container) throw new Error(`machine ${m.id} of ${app} has no running container`);
      return (
        spawnSync("podman", ["exec", "-it", container, "/bin/sh"], { stdio: "inherit" }).status ?? 1
      );
    }
    default:
      throw new UsageError(usage());
  }
}

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts.help) {
    process.stdout.write(usage());
    return 0;
  }
  // Everything that can be refused is refused before anything starts.
  const dir = clusterDir(opts.clusterDir as string);
  if (opts.action === "add") {
    const problem = nodeGroupIdProblem(opts.group as string);
    if (problem) throw new Error(problem);
  }
  let cluster = loadCluster(path.join(ROOT, dir), dir);
  for (const w of cluster.warnings) console.error(`warning: ${w}`);
  const bootstrap = controlPlaneMachineName(bootstrapNodeId());
  if ((opts.action === "list" || opts.action === "shell") && opts.group)
    appFor(cluster, dir, opts.group);
  // On Fly, a config that can never work is refused before any file, request or tool.
  await preflightAction(opts.action, cluster, dir, log);

  if (opts.action === "add") {
    const file = path.join(ROOT, dir, NODE_GROUPS_FILE);
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const next = withNodeGroup(text, opts.group as string);
    if (next === text) log(`node group ${opts.group} is already recorded; deploying`);
    else {
      fs.writeFileSync(file, next);
      log(`recorded node group ${opts.group} in ${dir}/${NODE_GROUPS_FILE}`);
    }
    cluster = loadCluster(path.join(ROOT, dir), dir);
  }

  const target = await chooseTarget(log);
  const api = new MachinesApi({ baseUrl: target.apiUrl, token: target.token });
  return act({ opts, dir, cluster, bootstrap, target, api });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    if (e instanceof UsageError) {
      console.error(e.message);
      process.exitCode = 2;
    } else {
      console.error(e instanceof ConfigError ? e.message : `error: ${e.message}`);
      process.exitCode = 1;
    }
  },
);
