/**
 * The roll's decisions, from what was asked before it (pure): whether a
 * machine served (so the roll checks first and waits after), and why
 * restarting a server now could cost etcd its quorum. ops/roll.ts asks the
 * questions and acts on the answers.
 */
import { ExecAnswer } from "./exec";
import { NodeList, etcdReady, holdsEtcdData, nodeWithIp, readyNodeWithIp } from "./nodes";

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
export function countsForQuorum(o: OtherServer, nodes: NodeList | undefined): boolean {
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
