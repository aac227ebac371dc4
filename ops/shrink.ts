/**
 * Before a deploy's apply destroys workers (NODE_GROUP_SIZE lowered, a node
 * group removed: ops/shrink-plan.ts finds them), their Kubernetes nodes go
 * first: every one of them is cordoned (so that pods evicted from one do not
 * land on another that goes too), then drained one at a time, highest index
 * first (ops/drain.ts: the Eviction API, so PodDisruptionBudgets hold), then
 * its node object is deleted. A drain that does not finish stops the deploy
 * before the apply, so nothing is destroyed; the nodes stay cordoned.
 * With an image without k3s there is no node: the log says so.
 */
import { DEFAULT_TIMEOUT_SEC } from "../contract/fly-machines-call";
import { ShowState } from "../contract/tofu-state";
import { Declared } from "./declared";
import {
  KubectlServer,
  cordonArgv,
  deleteNodeArgv,
  drainNode,
  kubectlOn,
  sentence,
  uncordonArgv,
} from "./drain";
import { Log } from "./log";
import { MachinesApi, showArgv } from "./machines-api";
import { NodeList, nodeList } from "./nodes";
import { GoingWorker, goingLine, goingNode, goingWorkers, stateServers } from "./shrink-plan";

export interface ShrinkOptions {
  /** Longest drain of one node. @default DEFAULT_TIMEOUT_SEC */
  readonly timeoutSec?: number;
}

/** The first server of the state that is started and answers the node list, with it. */
async function answeringServer(
  api: MachinesApi,
  show: ShowState,
): Promise<{ server: KubectlServer; nodes: NodeList } | undefined> {
  for (const s of stateServers(show)) {
    const machine = await api.getMachine(s.app, s.id).catch(() => undefined);
    if (machine?.state !== "started") continue;
    const nodes = await nodeList(api, s.app, s.id);
    if (nodes) return { server: { app: s.app, machine }, nodes };
  }
  return undefined;
}

/**
 * Drains and deletes the nodes of the workers the apply is about to destroy
 * (see the module comment). Throws, saying what to do, when it cannot.
 */
export async function drainGoingWorkers(
  api: MachinesApi,
  show: ShowState,
  declared: Declared,
  log: Log,
  opts: ShrinkOptions = {},
): Promise<void> {
  const going = goingWorkers(show, declared);
  if (going.length === 0) return;
  for (const w of going) log(goingLine(w));
  for (const w of going.filter((x) => !x.runsK3s)) {
    log(`machine ${w.name}: its image ${w.image} runs no k3s, so there is no node to drain`);
  }
  const k3s = going.filter((w) => w.runsK3s);
  if (k3s.length === 0) return;

  const names = k3s.map((w) => w.name).join(", ");
  const found = await answeringServer(api, show);
  if (!found) {
    throw new Error(
      `not applying: ${names} would be destroyed without a drain, and no server of the ` +
        `control plane answers k3s kubectl get nodes. Bring the control plane back ` +
        `(./k3s.sh --status shows the machines), then deploy again; nothing was destroyed`,
    );
  }
  const { server, nodes } = found;
  const targets: { w: GoingWorker; node: string; ready: boolean }[] = [];
  for (const w of k3s) {
    const n = goingNode(nodes, w);
    if (n) targets.push({ w, node: n.name, ready: n.ready });
    else log(`machine ${w.name}: no Kubernetes node has its address or name, nothing to drain`);
  }
  try {
    for (const t of targets) await kubectlOn(server, api, cordonArgv(t.node));
    if (targets.length > 0) {
      log(`cordoned ${targets.map((t) => t.node).join(", ")}: no new pods land on them`);
    }
    for (const t of targets) {
      log(`machine ${t.w.name}: draining node ${t.node} before it is destroyed`);
      const timeoutSec = opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
      await drainNode(api, server, t.node, { timeoutSec, nodeReady: t.ready }, log);
    }
    for (const t of targets) {
      await kubectlOn(server, api, deleteNodeArgv(t.node));
      log(`node ${t.node} deleted`);
    }
  } catch (e) {
    const keep = targets.map((t) => showArgv(uncordonArgv(t.node))).join("; ");
    throw new Error(
      `not applying: ${sentence((e as Error).message)} Nothing was destroyed; the nodes ` +
        `that go stay cordoned. Deploy again once the drain can finish; to keep them instead, ` +
        `restore NODE_GROUP_SIZE (or the node group), deploy, then run on a server: ${keep}`,
      { cause: e },
    );
  }
}

/**
 * The deploy's hook: `drainGoingWorkers` on the refreshed state; answers the
 * message that stops the deploy before its apply (also logged), or undefined.
 */
export async function drainBeforeApply(
  adopt: { readonly api: MachinesApi; readonly declared: Declared },
  refreshed: ShowState,
  log: Log,
): Promise<string | undefined> {
  try {
    await drainGoingWorkers(adopt.api, refreshed, adopt.declared, log);
    return undefined;
  } catch (e) {
    log((e as Error).message);
    return (e as Error).message;
  }
}
