/**
 * -r GROUP: removes node group GROUP, after the confirmation -d asks for.
 * The removal is a deploy (ops/deploy.ts) of the stack synthesized without
 * the group, in a scratch directory, while clusters/<name>/node-groups still
 * records it: the deploy drains every node of the group, highest index first,
 * and deletes the node objects (ops/shrink.ts; only when the image runs k3s),
 * then its apply destroys the group's machines, volumes and app. Only once
 * that succeeded is the group's line removed; a failed run leaves the line,
 * and running -r again finishes the removal.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CONFIG_FILE, ClusterDefinition, NODE_GROUPS_FILE } from "../../config/load";
import { EMULATOR_TEST_IMAGE, imageRunsK3s, nodeGroupAppName } from "../../config/naming";
import { ShowState } from "../../contract/tofu-state";
import { buildTestImage } from "../../emulator/test-image";
import { Log } from "../../ops/log";
import {
  countsLine,
  groupResourceCount,
  groupResources,
  removalFailed,
  unknownGroup,
} from "../../ops/remove-group";
import { noKubernetes } from "../no-kubernetes";
import { withoutNodeGroup } from "../node-groups";
import { Stack, deployReport } from "../stack";
import { Target } from "../target";
import { ROOT, Toolchain, toolchain } from "../toolchain";
import { upgradeAllowed } from "../upgrade";
import { VerbContext } from "./context";
import { ask } from "../ask";

/** One removal: the cluster, the group, and what it runs with (tests give a scratch root). */
export interface RemoveGroupRun {
  /** The directory holding `dir`. */
  readonly root: string;
  /** `clusters/<name>`, as given. */
  readonly dir: string;
  readonly cluster: ClusterDefinition;
  readonly group: string;
  /** --yes: do not ask. */
  readonly yes: boolean;
  readonly log: Log;
  readonly target: () => Promise<Target>;
  readonly tools: () => Toolchain;
  /** What is printed on stdout. @default console.log */
  readonly print?: (line: string) => void;
  /** Asks a question on the terminal; undefined when there is none. */
  readonly ask?: (question: string) => Promise<string>;
}

export async function remove(ctx: VerbContext): Promise<number> {
  return removeNodeGroup({
    root: ROOT,
    dir: ctx.dir,
    cluster: ctx.cluster,
    group: ctx.opts.group as string,
    yes: ctx.opts.yes,
    log: ctx.log,
    target: () => ctx.target(),
    tools: () => toolchain(),
    ask: process.stdin.isTTY ? ask : undefined,
  });
}

/** Removes node group `run.group` (see the module comment); answers the exit code. */
export async function removeNodeGroup(run: RemoveGroupRun): Promise<number> {
  const { cluster, dir, group, log } = run;
  const print = run.print ?? ((line: string) => console.log(line));
  const name = cluster.config.clusterName;
  const groupsFile = path.join(run.root, dir, NODE_GROUPS_FILE);
  if (!cluster.nodeGroups.includes(group)) {
    log(unknownGroup(group, cluster.nodeGroups, path.join(dir, NODE_GROUPS_FILE)));
    return 1;
  }
  // Refused before anything starts, as nobody could answer.
  if (!run.yes && !run.ask) {
    throw new Error("-r asks for confirmation: give --yes to remove without a terminal");
  }
  const target = await run.target();
  const app = nodeGroupAppName(name, group);
  // The stack without the group, synthesized aside: node-groups keeps the
  // group until the deploy has removed it.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-remove-"));
  const scratchDir = path.join(scratch, "clusters", path.basename(dir));
  fs.mkdirSync(scratchDir, { recursive: true });
  fs.copyFileSync(cluster.configFile, path.join(scratchDir, CONFIG_FILE));
  const groupsText = fs.existsSync(groupsFile) ? fs.readFileSync(groupsFile, "utf8") : "";
  fs.writeFileSync(path.join(scratchDir, NODE_GROUPS_FILE), withoutNodeGroup(groupsText, group));
  const stack = new Stack(cluster.config, run.tools(), target, log, scratch);
  try {
    if (target.kind === "local" && cluster.config.nodeImage === EMULATOR_TEST_IMAGE) {
      log(`building the local Fly's test image ${EMULATOR_TEST_IMAGE} (cached)`);
      buildTestImage();
    }
    log(`synthesizing cluster ${name} without node group ${group}`);
    await stack.prepare();
    const state = async () => {
      const r = await stack.tofu(["show", "-json", "-no-color"]);
      if (r.status !== 0) throw new Error(`tofu show failed:\n${r.stderr.trim()}`);
      return JSON.parse(r.stdout) as ShowState;
    };
    const before = groupResources(await state(), app);
    const dropLine = () =>
      fs.writeFileSync(groupsFile, withoutNodeGroup(fs.readFileSync(groupsFile, "utf8"), group));
    if (groupResourceCount(before) === 0) {
      dropLine();
      print(
        `removed node group ${group} of cluster ${name}: nothing of app ${app} was left on ` +
          `this target (${stack.stateLocation}); ${dir}/${NODE_GROUPS_FILE} no longer lists it`,
      );
      return 0;
    }
    if (!run.yes && run.ask) {
      const answer = await run.ask(
        `remove node group ${group} of cluster ${name} (${target.kind}): drain its nodes, then ` +
          `destroy app ${app} (${countsLine(before)}) and their data? Type the cluster's name: `,
      );
      if (answer.trim() !== name) {
        console.error("not removed");
        return 1;
      }
    }
    if (!imageRunsK3s(cluster.config.nodeImage)) {
      log(
        noKubernetes(
          cluster.config.nodeImage,
          dir,
          "there are no nodes to drain or delete: only the group's Fly resources go",
        ),
      );
    }
    if (!(await upgradeAllowed((a) => stack.tofu(a), cluster, path.join(dir, CONFIG_FILE), log))) {
      return 1;
    }
    const r = await stack.deploy();
    if (r.status !== 0) {
      log(`removing node group ${group} failed (exit ${r.status}); ${removalFailed(group, dir)}`);
      return 1;
    }
    const left = groupResources(await state(), app);
    if (groupResourceCount(left) > 0) {
      log(
        `the deploy left ${countsLine(left)} of app ${app} in the state; ` +
          removalFailed(group, dir),
      );
      return 1;
    }
    dropLine();
    for (const line of deployReport(r)) log(line);
    print(
      `removed node group ${group} of cluster ${name}: ${countsLine(before)}; ` +
        `${dir}/${NODE_GROUPS_FILE} no longer lists it`,
    );
    return 0;
  } finally {
    await stack.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
