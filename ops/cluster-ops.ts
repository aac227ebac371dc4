/**
 * Cluster operations the Terraform provisioners run through the Machines API:
 * switch volume snapshots off, roll machine config under a proper lease, move
 * the join token node to node, wait for nodes, taint, fetch the kubeconfig.
 * No secret passes through an argument, an environment variable or a log line.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument, stringify } from "yaml";
import { controlPlaneAppName } from "../config/naming";
import { MACHINE_DOWN, stateIn } from "../contract/fly-states";
import { ROLLED_CONFIG_FIELDS, configMatches } from "../contract/machine-config";
import { Lease, Machine, MachineConfig } from "../contract/machines-api-types";
import {
  ADMIN_KUBECONFIG,
  ETCD_WAL_DIR,
  JOIN_TOKEN_FILE,
  SERVER_TOKEN_FILE,
} from "../contract/node-paths";
import { MachinesApi, leaseHeldUntil, showArgv } from "./machines-api";

export type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `intervalMs` until it returns a value, or fails after `timeoutSec`. */
export async function poll<T>(
  what: string,
  timeoutSec: number,
  probe: () => Promise<T | undefined>,
  log: Log,
  intervalMs = 3000,
): Promise<T> {
  const start = Date.now();
  let lastReport = start;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const elapsed = (Date.now() - start) / 1000;
    if (elapsed >= timeoutSec) {
      throw new Error(`timed out after ${timeoutSec}s waiting for ${what}`);
    }
    if (Date.now() - lastReport >= 15000) {
      log(`still waiting for ${what} (${Math.round(elapsed)}s)`);
      lastReport = Date.now();
    }
    await sleep(intervalMs);
  }
}

/** Turns scheduled snapshots off: Fly's create call cannot (the provider never sends the flag). */
export async function disableScheduledSnapshots(
  api: MachinesApi,
  app: string,
  volumeId: string,
  log: Log,
): Promise<void> {
  const v = await api.getVolume(app, volumeId);
  if (!v.auto_backup_enabled) {
    log(`volume ${app}/${volumeId}: scheduled snapshots already off`);
    return;
  }
  await api.updateVolume(app, volumeId, { auto_backup_enabled: false });
  log(`volume ${app}/${volumeId}: scheduled snapshots switched off`);
}

/**
 * Takes a lease on a machine; while another holder's lease is in force (Fly's
 * 409 `lease currently held by …, expires at …`, e.g. left by a roll step that
 * was killed, or by the provider's own update), waits until it expires and
 * tries again, for at most `maxWaitSec`.
 */
export async function acquireLeaseWhenFree(
  api: MachinesApi,
  app: string,
  machine: { id: string; name: string },
  ttlSec: number,
  description: string,
  log: Log,
  maxWaitSec = 900,
  now: () => number = Date.now,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<Lease> {
  const deadline = now() + maxWaitSec * 1000;
  for (;;) {
    try {
      return await api.acquireLease(app, machine.id, ttlSec, description);
    } catch (e) {
      const until = leaseHeldUntil(e);
      if (until === undefined || now() >= deadline) throw e;
      const ms = Math.min(Math.max(until - now(), 0) + 1000, Math.max(deadline - now(), 1000));
      log(
        `machine ${app}/${machine.name}: leased by someone else until ${new Date(until).toISOString()} ` +
          `(a killed or running step); waiting ${Math.ceil(ms / 1000)}s for the lease to expire`,
      );
      await wait(ms);
    }
  }
}

/**
 * Applies the managed fields of `desired` to a machine under a lease whose
 * nonce goes with every mutation (the Terraform provider takes a lease and then
 * omits the nonce, which Fly refuses), and starts it if it is not running (the
 * provider does not notice a machine that stopped). No-op when nothing changed.
 */
export async function rollMachine(
  api: MachinesApi,
  app: string,
  idOrName: string,
  desired: MachineConfig,
  log: Log,
): Promise<"unchanged" | "updated" | "started"> {
  const machine = await api.findMachine(app, idOrName);
  const matches = configMatches(machine.config, desired);
  const stopped = stateIn(MACHINE_DOWN, machine.state);
  if (matches && !stopped) {
    log(`machine ${app}/${machine.name}: config up to date`);
    return "unchanged";
  }
  const lease = await acquireLeaseWhenFree(api, app, machine, 120, "fly-k3s config roll", log);
  try {
    if (matches) {
      log(`machine ${app}/${machine.name}: ${machine.state}, starting it`);
      await api.startMachine(app, machine.id, lease);
      await api.waitForState(app, machine.id, "started", 300);
    } else {
      const next: MachineConfig = { ...machine.config };
      for (const f of ROLLED_CONFIG_FIELDS) {
        if (desired[f] !== undefined) (next as Record<string, unknown>)[f] = desired[f];
      }
      log(`machine ${app}/${machine.name}: updating config (restarts the machine)`);
      const updated = await api.updateMachine(app, machine.id, next, lease);
      await api.waitForState(app, machine.id, "started", 300, updated.instance_id);
    }
  } finally {
    await api.releaseLease(app, machine.id, lease).catch((e: Error) => {
      log(
        `machine ${app}/${machine.name}: lease release failed (${e.message}); it expires by itself`,
      );
    });
  }
  log(`machine ${app}/${machine.name}: ${matches ? "started" : "updated"}`);
  return matches ? "started" : "updated";
}

/** Runs a command and returns its stdout, failing with its stderr on a non-zero exit. */
async function run(
  api: MachinesApi,
  m: Machine,
  app: string,
  command: readonly string[],
  stdin?: string,
) {
  const r = await api.exec(app, m.id, command, { stdin });
  if (r.exit_code !== 0) {
    throw new Error(
      `${app}/${m.name}: \`${showArgv(command)}\` exited ${r.exit_code}: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

/**
 * Reads the cluster token from the bootstrap server and writes it onto a
 * joining node (mode 0600, on its volume), where the node's entrypoint picks
 * it up. The token travels in exec stdin/stdout only.
 */
export async function joinNode(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  const target = await api.findMachine(app, node);
  const token = await poll(
    `the cluster token on ${cpApp}/${server.name}`,
    timeoutSec,
    async () => {
      const r = await api.exec(cpApp, server.id, ["cat", SERVER_TOKEN_FILE]).catch(() => undefined);
      const t = r && r.exit_code === 0 ? r.stdout.trim() : "";
      return t ? t : undefined;
    },
    log,
  );
  const tmp = `${JOIN_TOKEN_FILE}.tmp`;
  // One argv element for the whole script: no word splitting of ours or Fly's
  // touches it; the paths carry no shell metacharacters (contract/node-paths.ts).
  await run(
    api,
    target,
    app,
    ["sh", "-c", `umask 077 && cat > ${tmp} && mv ${tmp} ${JOIN_TOKEN_FILE}`],
    token + "\n",
  );
  log(`machine ${app}/${target.name}: join token written`);
}

/**
 * The join step: writes the token onto `node`, then waits until the bootstrap
 * server sees it as a Ready node. The stack taints the control plane and lets
 * workers join only after every such step.
 */
export async function joinAndWaitReady(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<string> {
  await joinNode(api, cpApp, bootstrap, app, node, log, timeoutSec);
  return waitNodeReady(api, cpApp, bootstrap, app, node, log, timeoutSec);
}

/** A node list as `k3s kubectl get nodes -o json` prints it (the fields read). */
export interface NodeList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status: {
      addresses?: { type: string; address: string }[];
      conditions?: { type: string; status: string }[];
      nodeInfo?: { bootID?: string };
    };
  }[];
}

const NODES_COMMAND = ["k3s", "kubectl", "get", "nodes", "-o", "json"] as const;
/** Answers `ok` when this server's API server can read from etcd (a quorum read). */
export const ETCD_READYZ_COMMAND = ["k3s", "kubectl", "get", "--raw", "/readyz/etcd"] as const;
/** Exit 0: the volume holds etcd data; 1: it does not. */
export const ETCD_DATA_COMMAND = ["test", "-d", ETCD_WAL_DIR] as const;

/** The node whose first InternalIP is `ip`, if any. Pure. */
function nodeWithIp(nodes: NodeList, ip: string): NodeList["items"][number] | undefined {
  return nodes.items.find(
    (n) => n.status.addresses?.find((a) => a.type === "InternalIP")?.address === ip,
  );
}

/**
 * Name of the Ready node whose first InternalIP is `ip`, if any; with
 * `bootId`, only if the node reports that boot (`status.nodeInfo.bootID`), so
 * that a Ready condition left over from before a restart does not count. Pure.
 */
export function readyNodeWithIp(nodes: NodeList, ip: string, bootId?: string): string | undefined {
  const node = nodeWithIp(nodes, ip);
  const ready = node?.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  if (bootId !== undefined && node?.status.nodeInfo?.bootID !== bootId) return undefined;
  return ready ? node?.metadata.name : undefined;
}

/** Waits until the node running on machine `node` of `app` is Ready, as the bootstrap server sees it. */
export async function waitNodeReady(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
  bootId?: string,
): Promise<string> {
  const server = await api.findMachine(cpApp, bootstrap);
  const target = await api.findMachine(app, node);
  const name = await poll(
    `${app}/${target.name} (${target.private_ip}) to be a Ready node` +
      (bootId ? ` after its restart (boot ${bootId})` : ""),
    timeoutSec,
    async () => {
      const r = await api.exec(cpApp, server.id, NODES_COMMAND).catch(() => undefined);
      const nodes = r && r.exit_code === 0 ? parseNodeList(r.stdout) : undefined;
      return nodes && readyNodeWithIp(nodes, target.private_ip, bootId);
    },
    log,
  );
  log(`machine ${app}/${target.name}: node ${name} is Ready`);
  return name;
}

/** Where a node's kernel reports this boot's id (the kubelet reports the same as nodeInfo.bootID). */
export const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

/** What `rollNode` checks before it restarts a machine and waits for after. */
export interface RollReadiness {
  /** Control-plane app and the server whose view of the nodes counts. */
  readonly cpApp: string;
  readonly bootstrap: string;
  /**
   * A server: before restarting it, every other server must be healthy; after,
   * wait until its API server reports etcd healthy (quorum reads work).
   */
  readonly etcd: boolean;
  readonly timeoutSec: number;
}

/** The node list as the bootstrap server sees it; undefined when it cannot tell. */
async function nodeList(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
): Promise<NodeList | undefined> {
  const server = await api.findMachine(cpApp, bootstrap).catch(() => undefined);
  if (!server) return undefined;
  const r = await api.exec(cpApp, server.id, NODES_COMMAND).catch(() => undefined);
  return r && r.exit_code === 0 ? parseNodeList(r.stdout) : undefined;
}

/** A node list from kubectl's JSON; undefined when it is not one. Pure. */
function parseNodeList(stdout: string): NodeList | undefined {
  try {
    const parsed = JSON.parse(stdout) as Partial<NodeList> | null;
    return Array.isArray(parsed?.items) ? (parsed as NodeList) : undefined;
  } catch {
    return undefined;
  }
}

/** What one exec answered, or why the machine could not be asked. */
export type ExecAnswer =
  | {
      readonly answered: true;
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
    }
  | { readonly answered: false; readonly why: string };

export async function ask(
  api: MachinesApi,
  app: string,
  m: Machine,
  command: readonly string[],
): Promise<ExecAnswer> {
  try {
    const r = await api.exec(app, m.id, command);
    return { answered: true, exitCode: r.exit_code, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { answered: false, why: (e as Error).message };
  }
}

/** Whether `ETCD_DATA_COMMAND` said the volume holds etcd data; undefined when it cannot tell. Pure. */
export function holdsEtcdData(a: ExecAnswer | undefined): boolean | undefined {
  if (!a?.answered) return undefined;
  if (a.exitCode === 0) return true;
  // test(1) answers 1 for "no"; above 1 it did not run properly.
  return a.exitCode === 1 ? false : undefined;
}

/** True when `kubectl get --raw /readyz/etcd` answered that etcd is healthy. Pure. */
export function etcdReady(stdout: string): boolean {
  return stdout.trim() === "ok";
}

/** What the roll of one machine knows about it before restarting it. */
export interface RollFacts {
  /** A server (readiness.etcd), not an agent. */
  readonly server: boolean;
  readonly machine: { readonly name: string; readonly state: string; readonly private_ip: string };
  /** The node list as the bootstrap server sees it; undefined when it could not be fetched. */
  readonly nodes?: NodeList;
  /** Servers: `test -d <etcd WAL>` run on the machine (asked only when no node has its address). */
  readonly etcdData?: ExecAnswer;
}

/**
 * Whether the machine served before the roll: if so, a server's roll first
 * checks the other servers, and every roll waits for the node to be back.
 * Pure. The rule (fail closed for servers):
 * - agent: it is a Ready node by its 6PN address (first InternalIP). When the
 *   node list cannot be fetched, no: a worker's restart never touches etcd,
 *   and the caller reports that it cannot tell.
 * - server: yes when a node has its address, Ready or not (it joined, so it is
 *   or was an etcd member). Otherwise no only when it is shown to be brand
 *   new: it never booted (state `created`), or it answered that its volume
 *   holds no etcd write-ahead log (k3s restarts an etcd member exactly when
 *   that exists: images/k3s-node/datastore.sh), as a server waiting for its
 *   join step does. A server that cannot be asked (exec fails, machine
 *   stopped) and is not in the node list, or when the node list cannot be
 *   fetched, counts as one that served.
 */
export function servedBefore(f: RollFacts): boolean {
  const ip = f.machine.private_ip;
  if (!f.server) return f.nodes !== undefined && readyNodeWithIp(f.nodes, ip) !== undefined;
  if (f.nodes && nodeWithIp(f.nodes, ip)) return true;
  if (f.machine.state === "created") return false;
  return holdsEtcdData(f.etcdData) !== false;
}

/** A server machine of the control plane other than the one being rolled, as asked before the roll. */
export interface OtherServer {
  readonly name: string;
  readonly state: string;
  readonly private_ip: string;
  /** `test -d <etcd WAL>` on it; asked only when no node has its address. */
  readonly etcdData?: ExecAnswer;
  /** `/readyz/etcd` through it; asked when it counts for etcd's quorum. */
  readonly readyz?: ExecAnswer;
}

/** Whether another server counts for etcd's quorum: the same rule as `servedBefore`. Pure. */
function countsForQuorum(o: OtherServer, nodes: NodeList | undefined): boolean {
  return servedBefore({ server: true, machine: o, nodes, etcdData: o.etcdData });
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/**
 * Why restarting a server now could cost etcd its quorum: one line for each
 * other server machine that counts (by `servedBefore`'s rule: a server that
 * shows it has not joined yet does not) and is not both a Ready node, matched
 * by its current 6PN address, and healthy by `/readyz/etcd` through it; a
 * server that could not be asked, or a node list that could not be fetched,
 * is a reason too. Node objects that match no machine are not looked at (the
 * bootstrap step deletes a gone server's node: ops/bootstrap.ts).
 * Empty: the server may be restarted. Pure.
 */
export function rollPrecheck(
  nodes: NodeList | undefined,
  others: readonly OtherServer[],
  bootstrap: string,
): string[] {
  const reasons: string[] = [];
  for (const o of others) {
    if (!countsForQuorum(o, nodes)) continue;
    const problems: string[] = [];
    if (!nodes) {
      problems.push(`cannot tell whether it is a Ready node (no node list from ${bootstrap})`);
    } else if (!nodeWithIp(nodes, o.private_ip)) {
      problems.push("no node has its address");
    } else if (!readyNodeWithIp(nodes, o.private_ip)) {
      problems.push("its node is not Ready");
    }
    const r = o.readyz;
    if (!r || !r.answered) {
      problems.push(
        `could not be asked whether etcd is healthy (${r?.answered === false ? r.why : "not asked"})`,
      );
    } else if (r.exitCode !== 0 || !etcdReady(r.stdout)) {
      const said = firstLine(r.stdout) || firstLine(r.stderr);
      problems.push(
        `/readyz/etcd through it answered ${JSON.stringify(said)} (exit ${r.exitCode})`,
      );
    }
    if (problems.length > 0) {
      reasons.push(`${o.name} (${o.state}, ${o.private_ip}): ${problems.join(", ")}`);
    }
  }
  return reasons;
}

/** Asks every other server machine of the control plane what `rollPrecheck` needs. */
async function askOtherServers(
  api: MachinesApi,
  cpApp: string,
  self: Machine,
  nodes: NodeList | undefined,
): Promise<OtherServer[]> {
  const machines = (await api.listMachines(cpApp)).filter((m) => m.state !== "destroyed");
  const others: OtherServer[] = [];
  // One machine after the other: a handful of servers, in a predictable order.
  for (const m of machines.filter((x) => x.id !== self.id)) {
    const known = nodes !== undefined && nodeWithIp(nodes, m.private_ip) !== undefined;
    const base: OtherServer = {
      name: m.name,
      state: m.state,
      private_ip: m.private_ip,
      etcdData:
        !known && m.state !== "created" ? await ask(api, cpApp, m, ETCD_DATA_COMMAND) : undefined,
    };
    const readyz = countsForQuorum(base, nodes)
      ? await ask(api, cpApp, m, ETCD_READYZ_COMMAND)
      : undefined;
    others.push({ ...base, readyz });
  }
  return others;
}

/** `clusters/<name>` for a control-plane app, as `./k3s.sh` takes it. */
function clusterDir(cpApp: string): string {
  const cluster = cpApp.replace(/-cp$/, "");
  return controlPlaneAppName(cluster) === cpApp ? `clusters/${cluster}` : "clusters/<name>";
}

/**
 * Rolls one machine (`rollMachine`) safely. With `readiness`:
 * - Before restarting a running server that served (`servedBefore`), it
 *   requires every other server machine of the control plane to be a Ready
 *   node and healthy by `/readyz/etcd` through it (`rollPrecheck`). Anything
 *   it cannot tell stops the roll: restarting a server while another is down
 *   would cost etcd its quorum. Starting a stopped server takes no member
 *   away, so it is not checked; whether it served is asked once it runs.
 * - After restarting a machine that served, it waits until the node is Ready
 *   again in its new boot and, on a server, until etcd reports healthy
 *   through it; a timeout stops the roll. A brand-new machine is not waited
 *   for (its join step does that). Agents: a node list that cannot be
 *   fetched means no wait, and the log says so.
 * The stack chains the roll steps of an app, so a node that does not come
 * back stops the roll there: the nodes not yet rolled keep running their
 * previous config, and with three servers etcd keeps its quorum, so the
 * cluster keeps serving.
 */
export async function rollNode(
  api: MachinesApi,
  app: string,
  idOrName: string,
  desired: MachineConfig,
  log: Log,
  readiness?: RollReadiness,
): Promise<"unchanged" | "updated" | "started"> {
  if (!readiness) return rollMachine(api, app, idOrName, desired, log);
  const before = await api.findMachine(app, idOrName);
  const changes = !configMatches(before.config, desired);
  const stopped = stateIn(MACHINE_DOWN, before.state);
  // Nothing to restart: rollMachine only reports that.
  if (!changes && !stopped) return rollMachine(api, app, idOrName, desired, log);

  const { cpApp, bootstrap, etcd: server, timeoutSec } = readiness;
  const where = `${app}/${before.name}`;
  const nodes = await nodeList(api, cpApp, bootstrap);
  // A server that no node has the address of is asked whether its volume
  // holds etcd data; a stopped one only once the roll has started it.
  const askSelf =
    server && !(nodes && nodeWithIp(nodes, before.private_ip)) && before.state !== "created";
  const facts: RollFacts = {
    server,
    machine: before,
    nodes,
    etcdData: askSelf && !stopped ? await ask(api, app, before, ETCD_DATA_COMMAND) : undefined,
  };
  if (!server && !nodes) {
    log(
      `machine ${where}: cannot tell whether it was a Ready node (no node list from ` +
        `${cpApp}/${bootstrap}), so the roll does not wait for it; a worker's restart ` +
        `does not touch etcd`,
    );
  }

  // Restarting a running server is what can cost etcd its quorum; starting a
  // stopped one cannot.
  if (server && !stopped && servedBefore(facts)) {
    const others = await askOtherServers(api, cpApp, before, nodes).catch((e: Error) => {
      throw refuse(where, cpApp, [`the servers of ${cpApp} could not be listed (${e.message})`]);
    });
    const reasons = rollPrecheck(nodes, others, `${cpApp}/${bootstrap}`);
    if (reasons.length > 0) throw refuse(where, cpApp, reasons);
    const counted = others.filter((o) => o.readyz !== undefined).map((o) => o.name);
    log(
      `machine ${where}: other servers healthy (${counted.join(", ") || "none joined yet"}); ` +
        `restarting this one`,
    );
  }

  const result = await rollMachine(api, app, idOrName, desired, log);
  if (result === "unchanged") return result;
  const machine = await api.findMachine(app, idOrName);
  const served = servedBefore(
    askSelf && stopped
      ? { ...facts, etcdData: await ask(api, app, machine, ETCD_DATA_COMMAND) }
      : facts,
  );
  if (!served) {
    log(
      `machine ${app}/${machine.name}: ` +
        (server
          ? `brand new (never booted, or no node and no etcd data on its volume)`
          : `was not a Ready node before the roll (new or not joined yet)`) +
        `, so the roll does not wait for it; its join step does`,
    );
    return result;
  }
  const stop = (why: string) =>
    new Error(
      `roll stopped at ${app}/${machine.name}: ${why}. The machines not rolled yet keep their ` +
        `previous config, so the cluster keeps serving; look at this machine's log, fix the ` +
        `cause (a bad image or config: revert it), then deploy again`,
    );
  try {
    const bootId = await poll(
      `${app}/${machine.name} to answer exec after its restart`,
      timeoutSec,
      async () => {
        const r = await api.exec(app, machine.id, ["cat", BOOT_ID_FILE]).catch(() => undefined);
        return r && r.exit_code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      },
      log,
    );
    await waitNodeReady(api, cpApp, bootstrap, app, machine.id, log, timeoutSec, bootId);
    if (server) {
      await poll(
        `etcd to report healthy through ${app}/${machine.name}`,
        timeoutSec,
        async () => {
          const r = await api.exec(app, machine.id, ETCD_READYZ_COMMAND).catch(() => undefined);
          return r && r.exit_code === 0 && etcdReady(r.stdout) ? true : undefined;
        },
        log,
      );
      log(`machine ${app}/${machine.name}: etcd healthy`);
    }
  } catch (e) {
    throw stop((e as Error).message);
  }
  return result;
}

/** The error that stops a server's roll before its restart. */
function refuse(where: string, cpApp: string, reasons: readonly string[]): Error {
  return new Error(
    `roll not started at ${where}: cannot confirm that every other server is healthy: ` +
      `${reasons.join("; ")}. Restarting this server now could cost etcd its quorum. ` +
      `Look at the servers (./k3s.sh --status ${clusterDir(cpApp)}), bring the one(s) named ` +
      `back (Ready, and ok from k3s kubectl get --raw /readyz/etcd on it), then deploy again`,
  );
}

export const CONTROL_PLANE_TAINT = "CriticalAddonsOnly=true:NoExecute";

/** Taints every control-plane node so that only critical add-ons run there. */
export async function taintControlPlane(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  log: Log,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  await run(api, server, cpApp, [
    "k3s",
    "kubectl",
    "taint",
    "nodes",
    "-l",
    "node-role.kubernetes.io/control-plane=true",
    CONTROL_PLANE_TAINT,
    "--overwrite",
  ]);
  log(`control plane tainted ${CONTROL_PLANE_TAINT}`);
}

/**
 * Rewrites k3s's admin kubeconfig for use from outside: the server becomes
 * `server`, and cluster, user and context are named `name`. Pure.
 */
export function rewriteKubeconfig(text: string, name: string, server: string): string {
  const doc = parseDocument(text);
  const cfg = doc.toJS() as {
    clusters?: { name: string; cluster: Record<string, unknown> }[];
    users?: { name: string; user: Record<string, unknown> }[];
    contexts?: { name: string; context: Record<string, unknown> }[];
  };
  const cluster = cfg.clusters?.[0];
  const user = cfg.users?.[0];
  if (!cluster || !user) throw new Error("kubeconfig from the server has no cluster or user");
  const out = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name, cluster: { ...cluster.cluster, server } }],
    users: [{ name, user: user.user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  };
  return stringify(out);
}

/** Writes a file readable only by its owner, atomically (rename over the old one). */
export function writePrivateFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Fetches the admin kubeconfig from a server and writes it to `out` (0600). */
export async function fetchKubeconfig(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  name: string,
  server: string,
  out: string,
  log: Log,
): Promise<void> {
  const m = await api.findMachine(cpApp, bootstrap);
  const raw = await run(api, m, cpApp, ["cat", ADMIN_KUBECONFIG]);
  writePrivateFileAtomic(out, rewriteKubeconfig(raw, name, server));
  log(`kubeconfig written to ${out} (server ${server})`);
}
