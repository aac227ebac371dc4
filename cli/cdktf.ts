/**
 * `npm run cdktf -- <command>` (bin/cdktf.ts). `deploy` (and its alias
 * `apply`) and `destroy` are not cdktf's own apply and destroy: they run the
 * stack runs of ./k3s.sh -c and -d (cli/stack.ts: synth, init, then
 * ops/deploy.ts or ops/destroy.ts) on the stacks they name, so a CI job
 * cancelled mid-apply is resumed by the next run exactly as -c resumes: what
 * it left outside the state is adopted, what Fly lost is repaired, a failed
 * apply is tried again, and what the steps changed is recorded. Every other
 * command goes to the cdktf CLI, its `init` given the state file the stack
 * does not name (cli/stack.ts, `stackInitEnv`).
 */
import * as path from "path";
import { ClusterDefinition, bootstrapNodeId, findClusterDirs, loadCluster } from "../config/load";
import { EMULATOR_TEST_IMAGE, controlPlaneMachineName, stackName } from "../config/naming";
import { buildTestImage } from "../emulator/test-image";
import { Log } from "../ops/log";
import { MachinesApi } from "../ops/machines-api";
import { DEPLOY_FAILED, Stack, deployReport } from "./stack";
import { Upgrade } from "../config/upgrade";
import { upgradeAllowed } from "./upgrade";
import { Target, chooseTarget } from "./target";
import { snapshotBeforeUpgrade } from "./verbs/snapshot";
import { ROOT, toolchain } from "./toolchain";

/** The commands run through cli/stack.ts instead of cdktf, and what each does. */
export const STACK_COMMANDS = {
  deploy: "deploy",
  apply: "deploy",
  destroy: "destroy",
} as const;

export type StackCommand = (typeof STACK_COMMANDS)[keyof typeof STACK_COMMANDS];

/**
 * The options `npm run cdktf -- deploy|destroy` takes. cdktf's other options
 * (--parallelism, --var, --outputs-file, ...) would mean something else here,
 * so they are refused rather than ignored.
 */
export const STACK_COMMAND_FLAGS = {
  "--auto-approve": "required: the run applies (or destroys) without asking, as ./k3s.sh -c does",
  "--skip-synth": "use the stack already in cdktf.out/stacks/<stack>, wherever it was synthesized",
  "--no-color": "accepted; the output has no colour",
} as const;

export interface StackCommandArgs {
  readonly command: StackCommand;
  /** Stack names (= cluster names), in the order given. */
  readonly stacks: string[];
  readonly skipSynth: boolean;
}

/** `args[0]` when it is a command cli/stack.ts runs, else undefined. Pure. */
export function stackCommandOf(args: readonly string[]): StackCommand | undefined {
  const c = args[0] ?? "";
  return Object.hasOwn(STACK_COMMANDS, c)
    ? STACK_COMMANDS[c as keyof typeof STACK_COMMANDS]
    : undefined;
}

/**
 * Parses `deploy|apply|destroy [stack... | '*'] --auto-approve [--skip-synth]`
 * against the clusters there are. Throws, saying what is wrong and what to
 * write, on anything else. Pure.
 */
export function parseStackCommand(
  args: readonly string[],
  clusters: readonly string[],
): StackCommandArgs {
  const command = stackCommandOf(args);
  if (!command) throw new Error(`not a stack command: ${args[0] ?? "(none)"}`);
  const flags = new Set<string>();
  const named: string[] = [];
  for (const a of args.slice(1)) {
    if (a.startsWith("-")) {
      const flag = a.split("=")[0];
      if (!Object.hasOwn(STACK_COMMAND_FLAGS, flag)) {
        throw new Error(
          `npm run cdktf -- ${args[0]} runs the ${command} of ./k3s.sh ${command === "deploy" ? "-c" : "-d"} (cli/stack.ts), ` +
            `which takes ${Object.keys(STACK_COMMAND_FLAGS).join(", ")} (got ${a}); leave ${a} out`,
        );
      }
      flags.add(flag);
    } else named.push(a);
  }
  const list = clusters.join(", ") || "none: no clusters/*/config";
  let stacks: string[];
  if (named.includes("*")) stacks = [...clusters];
  else if (named.length > 0) {
    const unknown = named.filter((n) => !clusters.map(stackName).includes(n));
    if (unknown.length > 0) {
      throw new Error(
        `no stack ${unknown.join(", ")} (stacks: ${list}); a stack is named after its cluster's CLUSTER_NAME`,
      );
    }
    stacks = [...new Set(named)];
  } else if (clusters.length === 1) stacks = [...clusters];
  else {
    throw new Error(
      `name the stack to ${command} (stacks: ${list}), e.g. npm run cdktf -- ${args[0]} ${clusters[0] ?? "<stack>"} --auto-approve`,
    );
  }
  if (!flags.has("--auto-approve")) {
    throw new Error(
      `npm run cdktf -- ${args[0]} does not ask before it ${command === "deploy" ? "applies" : "destroys"}: ` +
        `give --auto-approve (see the changes first with npm run cdktf -- diff ${stacks[0]})`,
    );
  }
  return { command, stacks, skipSynth: flags.has("--skip-synth") };
}

/** Every cluster of the checkout; throws the config errors when one does not load (synth would refuse too). */
function clusters(): ClusterDefinition[] {
  return findClusterDirs(ROOT).map((dir) => loadCluster(path.join(ROOT, dir), dir));
}

/**
 * `npm run cdktf -- deploy|apply|destroy ...`: the named stacks, one after the
 * other, through cli/stack.ts. Answers the exit code.
 */
export async function runStackCommand(args: readonly string[], log: Log): Promise<number> {
  const all = clusters();
  const parsed = parseStackCommand(
    args,
    all.map((c) => c.config.clusterName),
  );
  const tools = toolchain();
  const target = await chooseTarget(log);
  // main.ts synthesizes every stack at once: the first stack's run does it.
  let synth = !parsed.skipSynth;
  for (const name of parsed.stacks) {
    const cluster = all.find((c) => stackName(c.config.clusterName) === name) as ClusterDefinition;
    const stack = new Stack(cluster.config, tools, target, log);
    try {
      const run = parsed.command === "deploy" ? deployStack : destroyStack;
      const code = await run(stack, cluster, { synth, target, log });
      synth = false;
      if (code !== 0) return code;
    } finally {
      await stack.close();
    }
  }
  return 0;
}

interface RunOptions {
  readonly synth: boolean;
  readonly target: Target;
  readonly log: Log;
}

async function deployStack(stack: Stack, c: ClusterDefinition, o: RunOptions): Promise<number> {
  const { log } = o;
  if (o.target.kind === "local" && c.config.nodeImage === EMULATOR_TEST_IMAGE) {
    log(`building the local Fly's test image ${EMULATOR_TEST_IMAGE} (cached)`);
    buildTestImage();
  }
  await stack.prepare({ synth: o.synth });
  const shown = path.relative(ROOT, c.configFile);
  // As -c: a K3S_VERSION change rolls only after a fresh etcd snapshot.
  const api = new MachinesApi({ baseUrl: o.target.apiUrl, token: o.target.token });
  const snapshotFirst = (u: Upgrade) =>
    snapshotBeforeUpgrade(
      {
        cluster: c,
        bootstrap: controlPlaneMachineName(bootstrapNodeId()),
        log,
        api: () => Promise.resolve(api),
        dir: path.relative(ROOT, path.dirname(c.configFile)),
      },
      u,
    );
  if (!(await upgradeAllowed((a) => stack.tofu(a), c, shown, log, snapshotFirst))) return 1;
  const r = await stack.deploy();
  if (r.status !== 0) {
    log(`deploy of stack ${stack.name} failed (exit ${r.status}); ${DEPLOY_FAILED}`);
    return 1;
  }
  for (const line of deployReport(r)) log(line);
  const out = await stack.tofu(["output", "-no-color"]);
  console.log(`${stack.name}\n${out.stdout.replace(/^(?=.)/gm, "  ")}`);
  log(`deployed stack ${stack.name} (state: ${stack.stateLocation})`);
  return 0;
}

async function destroyStack(stack: Stack, c: ClusterDefinition, o: RunOptions): Promise<number> {
  const { log } = o;
  await stack.prepare({ synth: o.synth });
  const before = await stack.resources();
  if (before.length === 0) {
    log(`nothing is left of stack ${stack.name} (no resources in ${stack.stateLocation})`);
    return 0;
  }
  const r = await stack.destroy();
  if (r.status !== 0) {
    log(`destroy of stack ${stack.name} failed (exit ${r.status}); re-run the same command`);
    return 1;
  }
  const count = (t: string) => before.filter((a) => a.startsWith(`${t}.`)).length;
  log(
    `destroyed stack ${stack.name}: ${count("fly_app")} apps, ${count("fly_machine")} machines, ${count("fly_volume")} volumes (cluster ${c.config.clusterName})`,
  );
  return 0;
}
