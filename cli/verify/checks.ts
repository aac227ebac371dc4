/**
 * What `--verify` reports: the checks in their order, what one line says
 * (pass, fail, or a failure that is expected with this cluster's settings),
 * and what each failure means and what to do. The check-*.ts files decide
 * the lines from the facts run.ts gathered (parsed by parse.ts). Pure.
 */
import { PodFacts } from "./parse";

export type Status = "pass" | "expected" | "fail" | "skipped";

/** The checks, in the order they are reported. */
export const CHECKS = [
  "nodes",
  "etcd-members",
  "etcd-readyz",
  "pods-ipv6",
  "pods-ipv4",
  "dns",
  "service-ipv6",
  "service-ipv4",
  "volume",
  "tunnels",
] as const;
export type CheckId = (typeof CHECKS)[number];

/** Rows are the pods asking, columns the pods asked; `-` on the diagonal, `?` where a node has no pod. */
export interface Matrix {
  readonly labels: readonly string[];
  readonly rows: readonly (readonly ("ok" | "fail" | "-" | "?")[])[];
}

export interface VerifyLine {
  readonly check: CheckId;
  readonly status: Status;
  /** What was seen, one line. */
  readonly detail: string;
  /** With expected, fail and skipped: what it means and what to do. */
  readonly meaning?: string;
  readonly matrix?: Matrix;
}

/** A machine of the cluster as the Machines API lists it. */
export interface MachineFacts {
  readonly app: string;
  /** `ctrl-0`, `worker-ng-a-1`: unique in the cluster, used as its label. */
  readonly name: string;
  readonly id: string;
  readonly state: string;
  readonly privateIp: string;
  readonly server: boolean;
  /** The Kubernetes node name it registers as (config/naming.ts machineInternalName). */
  readonly node: string;
}

export type Family = "IPv6" | "IPv4";

/** Why a failure may be expected: IPv4 across nodes under flannel's vxlan backend. */
export const MEANINGS = {
  vxlanIpv4:
    "expected with vxlan: flannel's IPv4 VXLAN device tunnels over eth0's IPv4, which Fly does not " +
    "route between machines, so IPv4 between pods on different nodes is dropped (within a node and " +
    "to the internet it works). Use IPv6 between pods (Services and DNS are IPv6 first), or set " +
    "FLANNEL_BACKEND=wireguard to carry IPv4 across nodes too.",
  vxlanIpv4Others:
    "Between the nodes that have one, IPv4 failing is expected with vxlan (flannel's IPv4 VXLAN " +
    "device tunnels over eth0's IPv4, which Fly does not route between machines).",
  nodes:
    "a machine whose node is missing, NotReady or at another address is not serving pods. " +
    "./k3s.sh --status shows the machines; read the machine's log (fly logs -a APP -i ID, or " +
    "./k3s.sh -s locally). A node whose machine is gone stays NotReady until deleted " +
    "(k3s kubectl delete node NAME; for servers the deploy's bootstrap step does it).",
  etcdStale:
    "a server's 6PN address changed (Fly host migration) and its etcd member still advertises " +
    "the old one, so it cannot rejoin; the server refuses to start until the member's peer URL " +
    "is updated. Its log names the member and the etcdctl member update to run on a healthy " +
    "server (README, Renumbering). Quorum holds with 2 of 3 members: fix it before anything " +
    "else restarts.",
  etcdMembers:
    "etcd should hold exactly one started voting member per server. A missing or unstarted " +
    "member is a server that is down or still joining; a member of a machine that is gone " +
    "counts against quorum until its Node is deleted (k3s's member controller then removes it). " +
    "./k3s.sh -c repairs lost servers.",
  etcdReadyz:
    "the API server on that server cannot read through etcd: its member is down or quorum is " +
    "lost. With one server failing the cluster still serves; with two it does not. Read the " +
    "server's log; bring its machine back (./k3s.sh -c).",
  podsIpv6:
    "pod traffic between nodes over 6PN is dropped: see the tunnels line. wireguard needs UDP " +
    "51820 between the machines, vxlan UDP 8472 over IPv6.",
  podsMissing:
    "a node without a Ready verify pod can neither ask nor be asked: it is NotReady (see the " +
    "nodes line) or could not pull or start the pod (k3s kubectl -n fly-k3s-verify describe " +
    "pod, while --verify runs).",
  podsWireguardIpv4:
    "IPv4 between pods rides the same WireGuard tunnel as IPv6: if IPv6 passes, the node's " +
    "IPv4 pod route or flannel's IPv4 lease is missing; if it fails too, see the tunnels line.",
  dns:
    "kubernetes.default is answered by the cluster DNS (CoreDNS at CLUSTER_DNS); <cluster>-cp.internal " +
    "by Fly's resolver, which CoreDNS forwards to through the node's resolv.conf. Check the " +
    "coredns pods in kube-system and that the node resolves .internal names.",
  service:
    "the Service's ClusterIP did not reach its pod on another node: kube-proxy's rules, or the " +
    "pod network between the two nodes (see the pods and tunnels lines).",
  volume:
    "a local-path claim should keep its data on the node's Fly volume (k3s's default storage " +
    "path, <data-dir>/storage, with the data dir on the volume) and hand it to the next pod. " +
    "Check the local-path-provisioner pod in kube-system and the claim's events.",
  tunnelsWireguard:
    "flannel's WireGuard tunnel to those nodes carries nothing: a handshake older than 180 s is " +
    "dead (WireGuard's Reject-After-Time). Check that UDP 51820 passes between the machines and " +
    "that every node runs the same net-conf (README, Pod network); a node missing its device " +
    "is not running k3s.",
  tunnelsVxlan:
    "flannel has not programmed the VXLAN forwarding entries or routes for those nodes (it has " +
    "not seen their leases), or the node is not running k3s (no device). Check flannel in the " +
    "node's k3s log.",
  skipped: "not checked: an earlier step failed (see above).",
} as const;

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A pass when nothing is wrong, else a fail listing the problems, with what they mean. */
export function line(
  check: CheckId,
  problems: readonly string[],
  pass: string,
  meaning: string,
  extra: { matrix?: Matrix } = {},
): VerifyLine {
  return problems.length === 0
    ? { check, status: "pass", detail: pass, ...extra }
    : { check, status: "fail", detail: problems.join("; "), meaning, ...extra };
}

export function skipped(check: CheckId, why: string): VerifyLine {
  return { check, status: "skipped", detail: why, meaning: MEANINGS.skipped };
}

/** A node as the in-cluster checks see it: its label (machine name), node name and verify pod. */
export interface NodeSlot {
  readonly label: string;
  readonly node: string;
  readonly pod?: PodFacts;
}

/** 0 when every line passed (expected failures pass), 2 when any failed or was left unchecked. */
export function exitCodeFor(lines: readonly VerifyLine[]): 0 | 2 {
  return lines.every((l) => l.status === "pass" || l.status === "expected") ? 0 : 2;
}
