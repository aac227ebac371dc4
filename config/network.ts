/**
 * Address-plan checks that k3s, kube-apiserver or kube-controller-manager would
 * otherwise fail at boot (or that leave a cluster that starts but cannot route).
 * Pure: takes validated ranges, returns problems keyed by config KEY.
 *
 * Sources (Kubernetes' and k3s's own validation):
 * - kube-controller-manager node IPAM: each node gets a /64 (IPv6) or /24 (IPv4) out
 *   of the cluster range (--node-cidr-mask-size-ipv6=64, -ipv4=24, the defaults k3s
 *   keeps); the cluster range's mask must not be longer than the node mask
 *   ("Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to
 *   --node-cidr-mask-size", pkg/controller/nodeipam/node_ipam_controller.go), and for
 *   IPv6 the node mask may be at most 16 bits longer than the cluster mask
 *   (clusterSubnetMaxDiff = 16, pkg/controller/nodeipam/ipam/cidrset/cidr_set.go:
 *   "the subnet mask for IPv6 cluster cidr needs to be >= 48").
 * - kube-apiserver: the service range must hold at least 8 addresses ("the service
 *   cluster IP range must be at least 8 IP addresses"), and its first address after
 *   the network address is the `kubernetes` service's ClusterIP
 *   (GetIndexedIP(range, 1); pkg/controlplane/apiserver/options ServiceIPRange).
 *   The network address itself is never allocated (ipallocator).
 * - kube-apiserver: a service range may have at most 20 host bits (IPv6 /108 or
 *   longer, IPv4 /12 or longer: "specified --service-cluster-ip-range is too large;
 *   for 128-bit addresses, the mask must be >= 108") unless both the
 *   MultiCIDRServiceAllocator and DisableAllocatorDualWrite gates are on
 *   (cmd/kube-apiserver/app/options/validation.go validateClusterIPFlags). Both are
 *   on by default from Kubernetes 1.34 (MultiCIDRServiceAllocator GA 1.33,
 *   DisableAllocatorDualWrite GA 1.34, kubernetes/website feature-gate pages).
 * - Pod and service ranges of one family must not overlap: kube-proxy routes the
 *   service range and flannel the pod range on every node; the node IPAM only marks
 *   the overlap as used (a service range holding the whole pod range leaves "no
 *   remaining CIDRs", node_ipam_controller_test.go).
 * - Fly's private network is fdaa::/16 (6PN, shared/reference/fly-platform.md §1):
 *   a pod or service range inside it would shadow other machines' addresses.
 */
import * as ipaddr from "ipaddr.js";
import type { DualStackCidr } from "./schema";

/** Default node pod-subnet masks of kube-controller-manager (k3s keeps them). */
export const NODE_MASK = { ipv6: 64, ipv4: 24 } as const;
/** clusterSubnetMaxDiff of the node IPAM (IPv6 only). */
export const MAX_IPV6_NODE_BITS = 16;
/** Fewest addresses kube-apiserver accepts in a service range. */
export const MIN_SERVICE_ADDRESSES = 8;
/** Most host bits of a service range before both allocator gates are on by default. */
export const MAX_SERVICE_HOST_BITS = 20;
/** First Kubernetes minor without the 20-bit service range cap by default. */
export const UNCAPPED_SERVICE_RANGE_MINOR = 34;
/** Fly's 6PN private network. */
export const FLY_6PN = "fdaa::/16";

type Family = "ipv6" | "ipv4";

export interface NetworkInput {
  readonly clusterCidr: DualStackCidr;
  readonly serviceCidr: DualStackCidr;
  readonly clusterDns: string;
  /** Kubernetes minor of K3S_VERSION, when it parsed. */
  readonly kubernetesMinor: number | undefined;
  /** Nodes the cluster has at least: the servers plus one node group. */
  readonly minimumNodes: number;
}

export interface NetworkProblem {
  readonly key: "CLUSTER_CIDR" | "SERVICE_CIDR" | "CLUSTER_DNS";
  readonly message: string;
}

interface Range {
  readonly text: string;
  readonly family: Family;
  readonly bits: number;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

const label = (f: Family) => (f === "ipv6" ? "IPv6" : "IPv4");

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function fromBig(n: bigint, family: Family): string {
  const length = family === "ipv6" ? 16 : 4;
  const bytes: number[] = [];
  for (let i = 0; i < length; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function range(text: string): Range {
  const [addr, prefix] = ipaddr.parseCIDR(text);
  const family: Family = addr.kind() === "ipv6" ? "ipv6" : "ipv4";
  const bits = family === "ipv6" ? 128 : 32;
  const first = toBig(addr);
  const last = first + (1n << BigInt(bits - prefix)) - 1n;
  return { text, family, bits, prefix, first, last };
}

const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;

/** 2^n as a readable count. */
const count = (n: number) => (n <= 20 ? String(2 ** n) : `2^${n}`);

function podRangeProblems(pod: Range, minimumNodes: number): string[] {
  const nodeMask = NODE_MASK[pod.family];
  const name = `${label(pod.family)} pod range ${pod.text}`;
  const flag = `node-cidr-mask-size-${pod.family}=${nodeMask}`;
  const example = pod.family === "ipv6" ? "a /56 holds 256 nodes" : "a /16 holds 256 nodes";
  if (pod.prefix >= nodeMask) {
    const size = pod.prefix === nodeMask ? "the same size as" : "smaller than";
    return [
      `${name} is ${size} one node's pod subnet (/${nodeMask}: k3s's controller manager gives each node a /${nodeMask}, ${flag}), so ${pod.prefix === nodeMask ? "only one node fits" : "no node fits"}; use a range shorter than /${nodeMask} (${example})`,
    ];
  }
  const nodeBits = nodeMask - pod.prefix;
  if (pod.family === "ipv6" && nodeBits > MAX_IPV6_NODE_BITS) {
    return [
      `${name} is too large: kube-controller-manager allows at most ${MAX_IPV6_NODE_BITS} bits between the cluster range and the /${nodeMask} node subnets (got ${nodeBits}) and fails to start; use /${nodeMask - MAX_IPV6_NODE_BITS} or longer (${example})`,
    ];
  }
  if (nodeBits < 31 && 2 ** nodeBits < minimumNodes) {
    return [
      `${name} has room for ${count(nodeBits)} nodes (one /${nodeMask} each), but the cluster has at least ${minimumNodes} (3 servers and NODE_GROUP_SIZE workers); use a range shorter than /${pod.prefix} (${example})`,
    ];
  }
  return [];
}

function serviceRangeProblems(svc: Range, kubernetesMinor: number | undefined): string[] {
  const name = `${label(svc.family)} service range ${svc.text}`;
  const hostBits = svc.bits - svc.prefix;
  if (hostBits < Math.log2(MIN_SERVICE_ADDRESSES)) {
    return [
      `${name} holds ${2 ** hostBits} addresses; kube-apiserver needs at least ${MIN_SERVICE_ADDRESSES} (/${svc.bits - 3} or shorter)`,
    ];
  }
  if (
    kubernetesMinor !== undefined &&
    kubernetesMinor < UNCAPPED_SERVICE_RANGE_MINOR &&
    hostBits > MAX_SERVICE_HOST_BITS
  ) {
    return [
      `${name} is too large for Kubernetes 1.${kubernetesMinor}: kube-apiserver before 1.${UNCAPPED_SERVICE_RANGE_MINOR} refuses more than 2^${MAX_SERVICE_HOST_BITS} service addresses (mask /${svc.bits - MAX_SERVICE_HOST_BITS} or longer); use a smaller range such as ${svc.family === "ipv6" ? "/112" : "/16"}`,
    ];
  }
  return [];
}

/** The network address + 10 (the conventional cluster DNS address), if the range holds it. */
export function tenthAddress(cidr: string): string | undefined {
  const r = range(cidr);
  return r.last - r.first >= 10n ? fromBig(r.first + 10n, r.family) : undefined;
}

/** Every address-plan problem, in key order CLUSTER_CIDR, SERVICE_CIDR, CLUSTER_DNS. */
export function networkProblems(input: NetworkInput): NetworkProblem[] {
  const problems: NetworkProblem[] = [];
  const add = (key: NetworkProblem["key"], messages: string[]) =>
    messages.forEach((message) => problems.push({ key, message }));
  const fly = range(FLY_6PN);

  const families: Family[] = ["ipv6", "ipv4"];
  for (const family of families) {
    const pod = range(input.clusterCidr[family]);
    add("CLUSTER_CIDR", podRangeProblems(pod, input.minimumNodes));
    if (family === "ipv6" && overlaps(pod, fly)) {
      add("CLUSTER_CIDR", [
        `IPv6 pod range ${pod.text} overlaps Fly's private network ${FLY_6PN} (6PN), which carries the node addresses; use a range outside it, such as a ULA under fd00::/8 other than fdaa::/16`,
      ]);
    }
  }
  for (const family of families) {
    const svc = range(input.serviceCidr[family]);
    const pod = range(input.clusterCidr[family]);
    add("SERVICE_CIDR", serviceRangeProblems(svc, input.kubernetesMinor));
    if (overlaps(svc, pod)) {
      add("SERVICE_CIDR", [
        `${label(family)} service range ${svc.text} overlaps the ${label(family)} pod range ${pod.text} (CLUSTER_CIDR); pod and service ranges must be disjoint`,
      ]);
    }
    if (family === "ipv6" && overlaps(svc, fly)) {
      add("SERVICE_CIDR", [
        `IPv6 service range ${svc.text} overlaps Fly's private network ${FLY_6PN} (6PN), which carries the node addresses; use a range outside it`,
      ]);
    }
  }

  const svc6 = range(input.serviceCidr.ipv6);
  if (ipaddr.IPv6.isValid(input.clusterDns)) {
    const dns = toBig(ipaddr.IPv6.parse(input.clusterDns));
    const tenth = tenthAddress(input.serviceCidr.ipv6);
    const hint = tenth ? `; use another address in the range, such as ${tenth}` : "";
    if (dns === svc6.first) {
      add("CLUSTER_DNS", [
        `${input.clusterDns} is the network address of the IPv6 service range ${svc6.text}, which is never given to a service${hint}`,
      ]);
    } else if (dns === svc6.first + 1n) {
      add("CLUSTER_DNS", [
        `${input.clusterDns} is the first address of the IPv6 service range ${svc6.text}; kube-apiserver gives it to the kubernetes service${hint}`,
      ]);
    }
  }
  return problems;
}
