/**
 * The bootstrap step: tells the bootstrap server without etcd data of its own
 * whether this cluster never formed (found it) or formed before (join a
 * healthy server), after asking every other server. The node never decides
 * that by itself (images/k3s-node/datastore.sh): a bootstrap server that
 * founded a cluster on an empty volume while the others still ran the old one
 * would split the cluster in two. "Cannot tell" never founds.
 */
import { Machine } from "../contract/machines-api-types";
import { ask, writeFileOn } from "./exec";
import { s3CredentialsBeforeFirstStart } from "./s3-credentials";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import {
  ETCD_DATA_COMMAND,
  ETCD_READYZ_COMMAND,
  NODES_COMMAND,
  etcdReady,
  holdsEtcdData,
  waitNodeReady,
} from "./nodes";
import { poll } from "./poll";
import { DECISION_FILE, JOIN_TOKEN_FILE, SERVER_TOKEN_FILE } from "../contract/node-paths";
import { apiServerUrlOn, machineInternalName } from "../config/naming";

/** What one server answered; "unknown" when it could not be asked (yet). */
export interface ServerReport {
  readonly name: string;
  /** Whether it holds an etcd WAL. */
  readonly wal: "yes" | "no" | "unknown";
  /** `/readyz/etcd` through it: ok, answered otherwise (or no k3s), or not asked. */
  readonly etcd: "ok" | "not-ok" | "unknown";
}

export type BootstrapVerdict =
  | { readonly action: "member"; readonly why: string }
  | { readonly action: "found"; readonly why: string }
  | { readonly action: "join"; readonly via: string; readonly why: string }
  | { readonly action: "ask-again"; readonly why: string }
  | { readonly action: "stop"; readonly why: string };

/**
 * The decision, from the bootstrap server's own WAL and the other servers'
 * reports. Pure; the table is in README.md ("Losing a server's volume").
 */
export function bootstrapVerdict(
  self: ServerReport,
  others: readonly ServerReport[],
): BootstrapVerdict {
  if (self.wal === "yes") {
    return { action: "member", why: `${self.name} holds etcd data: it restarts its own member` };
  }
  if (self.wal === "unknown") {
    return { action: "ask-again", why: `${self.name} does not answer exec yet` };
  }
  const byName = [...others].sort((a, b) => a.name.localeCompare(b.name));
  const formed = byName.filter((o) => o.wal === "yes");
  const healthy = formed.find((o) => o.etcd === "ok");
  if (healthy) {
    return {
      action: "join",
      via: healthy.name,
      why:
        `${formed.map((o) => o.name).join(", ")} hold(s) etcd data, so this cluster formed ` +
        `before; ${self.name} has none (a new volume) and joins through ${healthy.name}`,
    };
  }
  const unasked = byName.filter(
    (o) => o.wal === "unknown" || (o.wal === "yes" && o.etcd === "unknown"),
  );
  if (unasked.length > 0) {
    return {
      action: "ask-again",
      why: `cannot tell yet whether this cluster formed: ${unasked.map((o) => o.name).join(", ")} not answering`,
    };
  }
  if (formed.length > 0) {
    return {
      action: "stop",
      why:
        `${formed.map((o) => o.name).join(", ")} hold(s) etcd data, so this cluster formed ` +
        `before, but none answers healthy (/readyz/etcd); ${self.name} has no etcd data, so it ` +
        `can neither join nor found (founding would start a second, empty cluster). It is told ` +
        `nothing and keeps waiting. Bring a server back (./k3s.sh --status clusters/<name>), ` +
        `then deploy again; if every server's data is lost, restore an etcd snapshot ` +
        `on one server with k3s server --cluster-reset --cluster-reset-restore-path`,
    };
  }
  return {
    action: "found",
    why:
      others.length === 0
        ? `no other server exists yet: ${self.name} founds the cluster`
        : `no server holds etcd data (${byName.map((o) => o.name).join(", ")} asked): ` +
          `${self.name} founds the cluster`,
  };
}

/** The decision file's content for the node (datastore.sh reads its first word). Pure. */
export function decisionText(v: BootstrapVerdict, joinUrl?: string): string {
  if (v.action === "found") return "found\n";
  if (v.action === "join" && joinUrl) return `join ${joinUrl}\n`;
  throw new Error(`no decision text for ${v.action}`);
}

async function report(
  api: MachinesApi,
  app: string,
  m: Machine,
  k3s: boolean,
): Promise<ServerReport> {
  const base = { name: m.name };
  if (m.state !== "started") return { ...base, wal: "unknown", etcd: "unknown" };
  const has = holdsEtcdData(await ask(api, app, m, ETCD_DATA_COMMAND));
  const wal = has === undefined ? "unknown" : has ? "yes" : "no";
  if (wal !== "yes") return { ...base, wal, etcd: "unknown" };
  if (!k3s) return { ...base, wal, etcd: "not-ok" };
  const h = await ask(api, app, m, ETCD_READYZ_COMMAND);
  if (!h.answered) return { ...base, wal, etcd: "unknown" };
  return { ...base, wal, etcd: h.exitCode === 0 && etcdReady(h.stdout) ? "ok" : "not-ok" };
}

export interface BootstrapOptions {
  /** The node image runs k3s: check etcd health, pass the token, wait for Ready. */
  readonly k3s: boolean;
  readonly timeoutSec: number;
  /** Where the etcd snapshots' S3 keys are read from (ops/s3-credentials.ts). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * How soon the servers are asked again while one does not answer yet: the
 * other servers start beside the bootstrap server (each as soon as its machine
 * exists), so they answer within seconds, and the decision that lets the
 * bootstrap server's k3s start waits for them. One list of the app and one
 * exec per server a round: within Fly's limits (1/s per app, per machine).
 */
export const ASK_AGAIN_MS = 1000;

/** Runs the bootstrap step (see the module comment). */
export async function bootstrapServer(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  log: Log,
  opts: BootstrapOptions,
): Promise<BootstrapVerdict> {
  const self = await api.findMachine(cpApp, bootstrap);
  const verdict = await poll(
    `${cpApp}/${self.name} and the other servers to answer whether this cluster formed`,
    opts.timeoutSec,
    async () => {
      const machines = await api.listMachines(cpApp);
      const me = machines.find((m) => m.id === self.id) ?? self;
      const others = machines.filter((m) => m.id !== self.id);
      const v = bootstrapVerdict(
        await report(api, cpApp, me, opts.k3s),
        await Promise.all(others.map((m) => report(api, cpApp, m, opts.k3s))),
      );
      if (v.action === "stop") throw new Error(`bootstrap of ${cpApp}/${self.name}: ${v.why}`);
      return v.action === "ask-again" ? undefined : v;
    },
    log,
    ASK_AGAIN_MS,
  );
  log(`bootstrap ${cpApp}/${self.name}: ${verdict.action}: ${verdict.why}`);
  if (verdict.action === "found" || verdict.action === "join") {
    await s3CredentialsBeforeFirstStart(api, cpApp, self, opts.env ?? process.env, log);
  }
  if (verdict.action === "found") {
    await writeFileOn(api, cpApp, self, DECISION_FILE, decisionText(verdict));
    log(`machine ${cpApp}/${self.name}: told to found the cluster (${DECISION_FILE}: found)`);
  } else if (verdict.action === "join") {
    const via = await api.findMachine(cpApp, verdict.via);
    const token = await api.exec(cpApp, via.id, ["cat", SERVER_TOKEN_FILE]);
    if (token.exit_code !== 0 || !token.stdout.trim()) {
      throw new Error(
        `${cpApp}/${via.name}: cannot read the cluster token: ${token.stderr.trim()}`,
      );
    }
    await writeFileOn(api, cpApp, self, JOIN_TOKEN_FILE, token.stdout.trim() + "\n");
    const url = apiServerUrlOn(`[${via.private_ip}]`);
    await writeFileOn(api, cpApp, self, DECISION_FILE, decisionText(verdict, url));
    log(`machine ${cpApp}/${self.name}: told to join ${url} (${via.name}) as a new etcd member`);
  }
  if (!opts.k3s) return verdict;
  const viewer = verdict.action === "join" ? verdict.via : self.id;
  await waitNodeReady(api, cpApp, viewer, cpApp, self.id, log, opts.timeoutSec);
  if (verdict.action === "join") await removeStaleServers(api, cpApp, viewer, log);
  return verdict;
}

interface NodeItems {
  items: { metadata: { name: string; labels?: Record<string, string> } }[];
}

/**
 * Control-plane nodes that are no machine of the app any more (replaced with
 * a lost volume), by name: the node name is the machine's `.internal` name,
 * stable across 6PN renumbering, so a renumbered server is never taken for
 * a stale one. Pure.
 */
export function staleServerNodes(
  nodes: NodeItems,
  cpApp: string,
  machineIds: readonly string[],
): string[] {
  const current = new Set(machineIds.map((id) => machineInternalName(cpApp, id)));
  return nodes.items
    .filter((n) => n.metadata.labels?.["node-role.kubernetes.io/control-plane"] === "true")
    .map((n) => n.metadata.name)
    .filter((name) => !current.has(name));
}

/**
 * Deletes the Node objects of servers that are gone: k3s's etcd member
 * controller removes a deleted etcd node's member (pkg/etcd/member_controller.go,
 * `onRemove` → `RemovePeer`), so the dead member no longer counts against
 * quorum when the next server restarts.
 */
export async function removeStaleServers(
  api: MachinesApi,
  cpApp: string,
  via: string,
  log: Log,
): Promise<void> {
  const server = await api.findMachine(cpApp, via);
  const list = await api.exec(cpApp, server.id, NODES_COMMAND);
  if (list.exit_code !== 0) {
    throw new Error(`${cpApp}/${server.name}: cannot list nodes: ${list.stderr.trim()}`);
  }
  const ids = (await api.listMachines(cpApp)).map((m) => m.id);
  for (const name of staleServerNodes(JSON.parse(list.stdout) as NodeItems, cpApp, ids)) {
    const r = await api.exec(cpApp, server.id, ["k3s", "kubectl", "delete", "node", name]);
    if (r.exit_code !== 0) {
      throw new Error(`${cpApp}/${server.name}: deleting node ${name}: ${r.stderr.trim()}`);
    }
    log(`node ${name} (a server whose machine is gone) deleted: k3s removes its etcd member`);
  }
}
