/**
 * The restore's decisions (pure): whether a SNAPSHOT argument is one k3s can
 * take, what the bootstrap server is told to restore (k3s's
 * `cluster-reset-restore-path`: a snapshot name it fetches from S3, or the
 * path of a file on the volume), which server restores and in which order the
 * others rejoin, why the cluster does not answer healthy (the restore refuses
 * a healthy one unless forced), and what each server is told. ops/restore.ts
 * asks the questions and acts on the answers.
 */
import { MACHINE_GONE, stateIn } from "../contract/fly-states";
import { Machine } from "../contract/machines-api-types";
import { ETCD_SNAPSHOT_DIR, REJOIN_FILE, RESTORE_FILE } from "../contract/node-paths";
import { ExecAnswer } from "./exec";
import { NodeList, etcdReady, nodeWithIp, readyNodeWithIp } from "./nodes";

/** A snapshot name as k3s makes them (`etcd-snapshot-<node>-<time>`, `on-demand-…`, `.zip`). */
const SNAPSHOT_NAME = /^[A-Za-z0-9._-]+$/;
/** An absolute path of such names (the node refuses anything else: render-config.sh). */
const SNAPSHOT_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

/** Why `snapshot` cannot be restored as given, or undefined when it can. Pure. */
export function snapshotProblem(snapshot: string): string | undefined {
  const parts = snapshot.split("/");
  const dots = parts.includes("..") || parts.includes(".");
  if (!dots && (SNAPSHOT_NAME.test(snapshot) || SNAPSHOT_PATH.test(snapshot))) return undefined;
  return (
    `--restore ${JSON.stringify(snapshot)}: give a snapshot name as k3s lists it ` +
    `(./k3s.sh --snapshots; letters, digits, ".", "_" and "-"), or the absolute path of a ` +
    `snapshot file on the bootstrap server's volume (such as ${ETCD_SNAPSHOT_DIR}/<name>)`
  );
}

/** Where the bootstrap server's k3s takes the snapshot from. */
export type RestoreSource =
  /** An absolute path, as given. */
  | { readonly kind: "path"; readonly path: string }
  /** A name found in k3s's snapshot directory on the bootstrap server's volume. */
  | { readonly kind: "local"; readonly name: string; readonly path: string }
  /** A name not on the volume: k3s downloads it with the etcd-s3 settings of its config. */
  | { readonly kind: "s3"; readonly name: string };

/**
 * The source of a valid `snapshot`: a path stays a path; a name is the file of
 * that name in k3s's snapshot directory when the bootstrap server has one
 * (`local`: faster, and needs no S3), otherwise S3 (k3s `pkg/etcd/etcd.go`
 * `Reset`: with etcd-s3 on it downloads the name, then restores the file). Pure.
 */
export function restoreSource(snapshot: string, onVolume: boolean): RestoreSource {
  if (snapshot.startsWith("/")) return { kind: "path", path: snapshot };
  if (onVolume) return { kind: "local", name: snapshot, path: `${ETCD_SNAPSHOT_DIR}/${snapshot}` };
  return { kind: "s3", name: snapshot };
}

/** The restore instruction's content: k3s's cluster-reset-restore-path (render-config.sh). Pure. */
export function restoreText(source: RestoreSource): string {
  return `${source.kind === "s3" ? source.name : source.path}\n`;
}

/** The source in words, for the log. Pure. */
export function describeSource(source: RestoreSource, server: string): string {
  switch (source.kind) {
    case "path":
      return `the file ${source.path} on ${server}'s volume (etcd-s3 is turned off for it)`;
    case "local":
      return `${source.path} on ${server}'s volume (a local snapshot; etcd-s3 is turned off for it)`;
    case "s3":
      return (
        `${source.name} from S3: it is not in ${ETCD_SNAPSHOT_DIR} on ${server}'s volume, so ` +
        `k3s fetches it with the etcd-s3 settings of its config`
      );
  }
}

/** The rejoin instruction's content (the node reads only that the file exists). Pure. */
export function rejoinText(bootstrap: string, snapshot: string): string {
  return `rejoin ${bootstrap}, restored from ${snapshot}\n`;
}

/** Which server restores, and the order in which the others rejoin it. */
export interface RestorePlan {
  readonly bootstrap: Machine;
  /** The other servers, by name: each is started (and waited for) before the next. */
  readonly others: readonly Machine[];
}

/**
 * The plan for a control plane's machines: the bootstrap server (the one the
 * others join, K3S_BOOTSTRAP_SERVER) restores; machines Fly is destroying or
 * has destroyed are left out. Throws when the bootstrap server is not there. Pure.
 */
export function restorePlan(
  machines: readonly Machine[],
  cpApp: string,
  bootstrap: string,
): RestorePlan {
  const live = machines.filter((m) => !stateIn(MACHINE_GONE, m.state));
  const self = live.find((m) => m.name === bootstrap || m.id === bootstrap);
  if (!self) {
    const names = live.map((m) => m.name).join(", ") || "none";
    throw new Error(
      `${cpApp} has no machine ${bootstrap} (the bootstrap server, which restores the snapshot; ` +
        `machines: ${names}): run ./k3s.sh -c first, which creates it`,
    );
  }
  const others = live.filter((m) => m.id !== self.id).sort((a, b) => a.name.localeCompare(b.name));
  return { bootstrap: self, others };
}

/** What the plan will do, one line a step, printed before the confirmation. Pure. */
export function planLines(
  plan: RestorePlan,
  cpApp: string,
  agentApps: readonly string[],
  snapshot: string,
): string[] {
  const b = plan.bootstrap.name;
  const others = plan.others.map((m) => m.name);
  const servers = [b, ...others].join(", ");
  return [
    `1. start any stopped server of ${cpApp} (exec needs a running machine); write ${RESTORE_FILE} ` +
      `(${snapshot}) on ${b}` +
      (others.length > 0 ? ` and ${REJOIN_FILE} on ${others.join(", ")}` : ""),
    `2. stop ${servers}`,
    `3. start ${b}: k3s restores ${snapshot} (cluster-reset) and runs as the only etcd member`,
    others.length > 0
      ? `4. start ${others.join(", then ")}, one at a time: each moves its etcd data aside and joins ${b}`
      : `4. no other server to rejoin`,
    agentApps.length > 0
      ? `5. restart the agents of ${agentApps.join(", ")}, one at a time`
      : "5. no node group: no agent to restart",
  ];
}

/** One server as asked before the restore: its state and `/readyz/etcd` through it. */
export interface ServerHealth {
  readonly name: string;
  readonly state: string;
  readonly private_ip: string;
  /** `/readyz/etcd` through it; asked only on a started server. */
  readonly readyz?: ExecAnswer;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/**
 * Why the cluster does not answer healthy: one reason per server that is not
 * started, not a Ready node by its 6PN address (in the node list `viewer`
 * gave), or not ok by `/readyz/etcd` through it; a node list that could not be
 * fetched is a reason too. Empty: healthy, and a restore would throw away a
 * working cluster's data. Pure.
 */
export function unhealthyReasons(
  nodes: NodeList | undefined,
  servers: readonly ServerHealth[],
  viewer: string,
): string[] {
  const reasons: string[] = [];
  if (!nodes) reasons.push(`no node list from ${viewer} (k3s kubectl get nodes)`);
  for (const s of servers) {
    const problems: string[] = [];
    if (s.state !== "started") problems.push(`machine ${s.state}`);
    if (nodes && !nodeWithIp(nodes, s.private_ip)) problems.push("no node has its address");
    else if (nodes && !readyNodeWithIp(nodes, s.private_ip)) problems.push("its node is not Ready");
    const r = s.readyz;
    if (s.state === "started" && (!r || !r.answered)) {
      problems.push(
        `/readyz/etcd could not be asked (${r?.answered === false ? r.why : "not asked"})`,
      );
    } else if (r?.answered && (r.exitCode !== 0 || !etcdReady(r.stdout))) {
      const said = firstLine(r.stdout) || firstLine(r.stderr);
      problems.push(`/readyz/etcd answered ${JSON.stringify(said)} (exit ${r.exitCode})`);
    }
    if (problems.length > 0) reasons.push(`${s.name}: ${problems.join(", ")}`);
  }
  return reasons;
}
