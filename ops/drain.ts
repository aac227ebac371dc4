/**
 * Cordon, drain, uncordon and delete a Kubernetes node, through the Machines
 * API's exec on a server (`k3s kubectl ...`, as ops/nodes.ts asks for the node
 * list). kubectl drain evicts through the Eviction API, so PodDisruptionBudgets
 * are respected: an eviction a budget forbids is answered 429 and kubectl
 * retries it until its --timeout (kubernetes/kubectl pkg/drain/drain.go,
 * `evictPods`).
 *
 * Fly's exec is not for long commands: users report HTTP 408
 * `deadline_exceeded` past about 30 s, and the client sends `timeout: 30`
 * (ops/machines-api.ts). So a drain is a series of short calls, each
 * `kubectl drain --timeout=20s`, repeated until one exits 0 or the drain's own
 * deadline passes. kubectl drain may be re-run: it cordons again (a no-op) and
 * evicts what is left. Detaching it in the server and polling would outlive a
 * server restart, and leave a process to stop and a log to read back.
 *
 * Building the argv and reading kubectl's answers is pure (tested directly);
 * `drainNode` and the roll's pair `drainForRoll` / `uncordonAfterRoll` act.
 */
import { setTimeout } from "node:timers/promises";
import { Machine } from "../contract/machines-api-types";
import { ExecAnswer, ask } from "./exec";
import { Log } from "./log";
import { MachinesApi, showArgv } from "./machines-api";
import { NodeList, readyNodeWithIp } from "./nodes";

/** kubectl drain's --timeout for one call: within Fly's exec limit (about 30 s) with room to start. */
export const DRAIN_CALL_TIMEOUT_SEC = 20;
/** Pause between two drain calls. */
const PAUSE_MS = 3000;

const kubectl = (...args: string[]): string[] => ["k3s", "kubectl", ...args];

export const cordonArgv = (node: string): string[] => kubectl("cordon", node);
export const uncordonArgv = (node: string): string[] => kubectl("uncordon", node);
/** Deletes a node object; one already gone counts as deleted. */
export const deleteNodeArgv = (node: string): string[] =>
  kubectl("delete", "node", node, "--ignore-not-found");

/**
 * One `kubectl drain` call (pure). Pods a DaemonSet manages stay (they would
 * be recreated at once); emptyDir data is lost, as it is with any restart of
 * a Fly machine (the root filesystem is rebuilt). Pods no controller manages
 * are not forced: kubectl refuses, and the operator decides. On a node that is
 * not Ready its kubelet cannot confirm that a pod ended, so drain stops
 * waiting for pods deleted more than a few seconds ago
 * (`--skip-wait-for-delete-timeout`); their objects go when the node's does.
 */
export function drainArgv(
  node: string,
  opts: { readonly timeoutSec: number; readonly nodeReady: boolean },
): string[] {
  return kubectl(
    "drain",
    node,
    "--ignore-daemonsets",
    "--delete-emptydir-data",
    `--timeout=${opts.timeoutSec}s`,
    ...(opts.nodeReady ? [] : ["--skip-wait-for-delete-timeout=5"]),
  );
}

/** What one drain call says. */
export type DrainOutcome =
  | { readonly kind: "drained" }
  /** No such node: nothing to drain. */
  | { readonly kind: "gone" }
  /** kubectl refuses (pods it will not evict without --force): another call says the same. */
  | { readonly kind: "refused"; readonly why: string }
  /** Not done yet (timeout, a PodDisruptionBudget, exec failed): call again while time is left. */
  | { readonly kind: "again"; readonly why: string; readonly blockedByBudget: readonly string[] };

/** Pods an eviction was refused for by a PodDisruptionBudget, as `namespace/name`. Pure. */
export function podsBlockedByBudget(output: string): string[] {
  const blocked = new Set<string>();
  for (const line of output.split("\n")) {
    if (!/disruption budget/i.test(line)) continue;
    const m = /pods?\/"?([^"\s]+)"? -n "?([^"\s]+)"?/.exec(line);
    if (m) blocked.add(`${m[2]}/${m[1]}`);
  }
  return [...blocked].sort();
}

/** The lines of kubectl's error output that say why, shortened for one message. Pure. */
function why(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^evicting pod /.test(l));
  const error = lines.filter((l) => /^error/i.test(l));
  return (error.length > 0 ? error : lines).slice(-2).join("; ").slice(0, 400) || "no output";
}

/** Reads one `kubectl drain` call's answer. Pure. */
export function drainOutcome(a: ExecAnswer): DrainOutcome {
  if (!a.answered) {
    return { kind: "again", why: `exec failed (${a.why})`, blockedByBudget: [] };
  }
  if (a.exitCode === 0) return { kind: "drained" };
  const out = `${a.stderr}\n${a.stdout}`;
  if (/\bnodes? "[^"]+" not found/.test(out)) return { kind: "gone" };
  // kubectl's filters (pkg/drain/filters.go): "cannot delete Pods that declare
  // no controller (use --force to override)", "... with local storage", ...
  if (/cannot delete /.test(out)) return { kind: "refused", why: why(a.stderr || a.stdout) };
  return {
    kind: "again",
    why: why(a.stderr || a.stdout),
    blockedByBudget: podsBlockedByBudget(out),
  };
}

/** `text` ending with a full stop, to go on with another sentence. Pure. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** A server machine whose `k3s kubectl` answers, and its app. */
export interface KubectlServer {
  readonly app: string;
  readonly machine: Machine;
}

/** Runs `k3s kubectl` argv on the server; throws with what it said when it fails. */
export async function kubectlOn(s: KubectlServer, api: MachinesApi, argv: string[]): Promise<void> {
  const a = await ask(api, s.app, s.machine, argv);
  if (a.answered && a.exitCode === 0) return;
  const said = a.answered ? `exited ${a.exitCode}: ${why(a.stderr || a.stdout)}` : a.why;
  throw new Error(`\`${showArgv(argv)}\` on ${s.app}/${s.machine.name} failed: ${said}`);
}

/** Why a drain did not finish, with what to do, in the operator's words. Pure. */
export function drainFailure(node: string, outcome: DrainOutcome, timeoutSec: number): string {
  if (outcome.kind === "refused") {
    return (
      `kubectl refused to drain node ${node}: ${outcome.why}. Pods that no controller manages ` +
      `would be lost, not moved: move or delete them (k3s kubectl delete pod -n NAMESPACE NAME ` +
      `on a server)`
    );
  }
  const blocked =
    outcome.kind === "again" && outcome.blockedByBudget.length > 0
      ? ` PodDisruptionBudgets refused to evict ${outcome.blockedByBudget.join(", ")}: ` +
        `see which (k3s kubectl get pdb -A on a server: ALLOWED DISRUPTIONS 0 blocks), then ` +
        `scale the workload up or relax the budget.`
      : ` A PodDisruptionBudget that allows no disruption blocks a drain for good: ` +
        `k3s kubectl get pdb -A on a server shows ALLOWED DISRUPTIONS.`;
  const last = outcome.kind === "again" ? ` (last answer: ${outcome.why})` : "";
  return `node ${node} was not drained in ${timeoutSec}s${last}.${blocked}`;
}

/**
 * Drains `node` through `server`: short kubectl drain calls (see the module
 * comment) until one succeeds or `timeoutSec` passes. Throws `drainFailure`'s
 * message when it does not finish; answers false when there is no such node.
 */
export async function drainNode(
  api: MachinesApi,
  server: KubectlServer,
  node: string,
  opts: { readonly timeoutSec: number; readonly nodeReady: boolean },
  log: Log,
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => setTimeout(ms),
): Promise<boolean> {
  const deadline = now() + opts.timeoutSec * 1000;
  for (let call = 1; ; call++) {
    const left = Math.ceil((deadline - now()) / 1000);
    const timeoutSec = Math.max(1, Math.min(DRAIN_CALL_TIMEOUT_SEC, left));
    const argv = drainArgv(node, { timeoutSec, nodeReady: opts.nodeReady });
    const outcome = drainOutcome(await ask(api, server.app, server.machine, argv));
    if (outcome.kind === "drained") {
      log(`node ${node}: drained`);
      return true;
    }
    if (outcome.kind === "gone") {
      log(`node ${node}: no such node, nothing to drain`);
      return false;
    }
    if (outcome.kind === "refused" || now() >= deadline) {
      throw new Error(drainFailure(node, outcome, opts.timeoutSec));
    }
    log(`node ${node}: not drained yet (call ${call}: ${outcome.why}); draining again`);
    // A call that failed at once (exec refused) is not repeated in a tight loop.
    await sleep(Math.min(PAUSE_MS, Math.max(0, deadline - now())));
  }
}

/** What the roll needs to know to drain an agent: the server that answers for the nodes. */
export interface RollDrainContext {
  readonly cpApp: string;
  readonly bootstrap: string;
  readonly timeoutSec: number;
}

/**
 * Before the roll restarts an agent for a config change: when it is a Ready
 * node, cordon and drain it, and answer its node name (uncordon it with
 * `uncordonAfterRoll` once it is Ready again). Answers undefined when there is
 * nothing to drain. A drain that does not finish uncordons the node again (it
 * was not restarted and keeps serving on its previous config) and throws the
 * error that stops the roll.
 */
export async function drainForRoll(
  api: MachinesApi,
  ctx: RollDrainContext,
  app: string,
  machine: Machine,
  nodes: NodeList | undefined,
  log: Log,
): Promise<string | undefined> {
  const node = nodes && readyNodeWithIp(nodes, machine.private_ip);
  if (!node) return undefined;
  const server = { app: ctx.cpApp, machine: await api.findMachine(ctx.cpApp, ctx.bootstrap) };
  log(
    `machine ${app}/${machine.name}: draining node ${node} before its restart (cordon, then ` +
      `evict its pods, respecting PodDisruptionBudgets); it is uncordoned once Ready again`,
  );
  try {
    await kubectlOn(server, api, cordonArgv(node));
    await drainNode(api, server, node, { timeoutSec: ctx.timeoutSec, nodeReady: true }, log);
  } catch (e) {
    const back = await kubectlOn(server, api, uncordonArgv(node)).then(
      () => `node ${node} was uncordoned again`,
      (u: Error) => `uncordoning node ${node} failed too (${u.message}): run it by hand`,
    );
    const why = sentence((e as Error).message);
    throw new Error(
      `roll stopped at ${app}/${machine.name} before its restart: ${why} ` +
        `The machine was not restarted and ${back}, so it keeps serving on its previous ` +
        `config, as do the machines not rolled yet; deploy again once the drain can finish`,
      { cause: e },
    );
  }
  return node;
}

/** After the roll: the drained node is Ready again, so it may take pods again. */
export async function uncordonAfterRoll(
  api: MachinesApi,
  ctx: RollDrainContext,
  node: string,
  log: Log,
): Promise<void> {
  const server = { app: ctx.cpApp, machine: await api.findMachine(ctx.cpApp, ctx.bootstrap) };
  await kubectlOn(server, api, uncordonArgv(node));
  log(`node ${node}: uncordoned`);
}

/** What the roll's stop message adds when it had drained the node. Pure. */
export function stillCordoned(node: string | undefined): string {
  return node === undefined
    ? ""
    : `; node ${node} stays cordoned: once it is Ready, run k3s kubectl uncordon ${node} on a server`;
}
