/**
 * The cluster's nodes as a server sees them: the node list (`k3s kubectl get
 * nodes`), which node is Ready by its 6PN address, and etcd's health and data
 * on a server. The parsing is pure; the waits ask through exec.
 */
import { ETCD_WAL_DIR } from "../contract/node-paths";
import { ExecAnswer } from "./exec";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { poll } from "./poll";

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

export const NODES_COMMAND = ["k3s", "kubectl", "get", "nodes", "-o", "json"] as const;
/** Answers `ok` when this server's API server can read from etcd (a quorum read). */
export const ETCD_READYZ_COMMAND = ["k3s", "kubectl", "get", "--raw", "/readyz/etcd"] as const;
/** Exit 0: the volume holds etcd data; 1: it does not. */
export const ETCD_DATA_COMMAND = ["test", "-d", ETCD_WAL_DIR] as const;

/** The node whose first InternalIP is `ip`, if any. Pure. */
export function nodeWithIp(nodes: NodeList, ip: string): NodeList["items"][number] | undefined {
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

/** A node list from kubectl's JSON; undefined when it is not one. Pure. */
function parseNodeList(stdout: string): NodeList | undefined {
  try {
    const parsed = JSON.parse(stdout) as Partial<NodeList> | null;
    return Array.isArray(parsed?.items) ? (parsed as NodeList) : undefined;
  } catch {
    return undefined;
  }
}

/** The node list as the bootstrap server sees it; undefined when it cannot tell. */
export async function nodeList(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
): Promise<NodeList | undefined> {
  const server = await api.findMachine(cpApp, bootstrap).catch(() => undefined);
  if (!server) return undefined;
  const r = await api.exec(cpApp, server.id, NODES_COMMAND).catch(() => undefined);
  return r && r.exit_code === 0 ? parseNodeList(r.stdout) : undefined;
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
