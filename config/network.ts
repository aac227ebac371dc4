/**
 * Address-plan checks that k3s, kube-apiserver or kube-controller-manager would
 * otherwise fail at boot (or that leave a cluster that starts but cannot route).
 * Pure: takes validated ranges, returns errors (networkProblems) and warnings
 * (networkWarnings) keyed by config KEY.
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
 * - A service range may lie inside the pod range of its family. k3s passes the service
 *   ranges to kube-controller-manager as --service-cluster-ip-range (k3s PR 5894, 2022;
 *   pkg/daemons/control/server.go controllerManager), whose node IPAM marks every node
 *   subnet that holds service addresses as used before it hands out any
 *   (pkg/controller/nodeipam/ipam/range_allocator.go filterOutServiceRange →
 *   cidrset.Occupy), so no node, and so no pod, ever gets an address in the service
 *   range, which is what kube-apiserver's flag help asks ("must not overlap with any
 *   IP ranges assigned to nodes or pods"). kube-proxy rewrites service addresses
 *   before routing, and flannel routes only the node subnets handed out. kops
 *   dropped the same "must not overlap" validation as a regression (kubernetes/kops
 *   PR 16344), and k3s's own dual-stack docs and tests used this layout until 2023
 *   (k3s issue 8911; the fix changed the example, not k3s). What is fatal: a
 *   service range holding the whole pod range (every node subnet is reserved:
 *   "there are no remaining CIDRs left to allocate", cidrset.AllocateNext), or one
 *   that leaves fewer free node subnets than the cluster has nodes (see
 *   serviceOverlap). Anything else is a warning naming the reserved subnets.
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

/** A service range's place in the pod range of its family, as the node IPAM sees it. */
interface ServiceOverlap {
  /** True when no node, or too few nodes, would get a pod subnet. */
  readonly fatal: boolean;
  readonly message: string;
}

/**
 * What kube-controller-manager's node IPAM makes of a service range that overlaps
 * the pod range: it occupies every node subnet from the one holding the service
 * range's first address to the one holding its last (cidrset
 * getBeginingAndEndIndices; a range at least as large as the pod range occupies
 * them all). CIDR blocks never overlap partly: two aligned blocks are either
 * disjoint or one holds the other, and the schema refuses host bits, so the cases
 * are the service range holding the pod range (fatal), or lying inside it and
 * reserving one node subnet (a /112 in a /56) or, when it is larger than a node
 * subnet (an IPv4 /20 in a /16), every node subnet it spans. Both inside cases are
 * treated alike: valid while enough node subnets are left for the cluster.
 */
function serviceOverlap(svc: Range, pod: Range, minimumNodes: number): ServiceOverlap | undefined {
  if (!overlaps(svc, pod)) return undefined;
  const fam = label(pod.family);
  const service = `${fam} service range ${svc.text}`;
  const podName = `${fam} pod range ${pod.text} (CLUSTER_CIDR)`;
  if (svc.prefix <= pod.prefix) {
    const how = svc.prefix === pod.prefix ? "is the same range as the" : "holds the whole";
    return {
      fatal: true,
      message: `${service} ${how} ${podName}; kube-controller-manager reserves every node subnet that holds service addresses, so no node gets a pod subnet ("no remaining CIDRs left to allocate"); pick a service range outside CLUSTER_CIDR`,
    };
  }
  // A pod range that is itself wrong is reported on CLUSTER_CIDR; fixing it changes
  // which node subnets the service range takes.
  if (podRangeProblems(pod, minimumNodes).length > 0) return undefined;

  const nodeMask = NODE_MASK[pod.family];
  const shift = BigInt(pod.bits - nodeMask);
  const subnet = (index: bigint) =>
    `${fromBig(pod.first + (index << shift), pod.family)}/${nodeMask}`;
  const total = 1n << BigInt(nodeMask - pod.prefix);
  const firstIndex = (svc.first - pod.first) >> shift;
  const lastIndex = (svc.last - pod.first) >> shift;
  const reserved = lastIndex - firstIndex + 1n;
  const left = total - reserved;
  const what =
    reserved === 1n
      ? `the node subnet ${subnet(firstIndex)} that holds it`
      : `the ${reserved} node subnets it spans, ${subnet(firstIndex)} to ${subnet(lastIndex)}`;
  const head = `${service} lies inside the ${podName}; kube-controller-manager reserves ${what}`;
  if (left < BigInt(minimumNodes)) {
    return {
      fatal: true,
      message: `${head}, leaving room for ${left} nodes (one /${nodeMask} each), but the cluster has at least ${minimumNodes} (3 servers and NODE_GROUP_SIZE workers); pick a service range outside CLUSTER_CIDR or a larger pod range`,
    };
  }
  const them = reserved === 1n ? "that subnet" : "them";
  return {
    fatal: false,
    message: `${head}, so no node gets ${them} (${left} of ${total} node subnets left); pick a service range outside CLUSTER_CIDR to keep them all`,
  };
}

/** The network address + 10 (the conventional cluster DNS address), if the range holds it. */
export function tenthAddress(cidr: string): string | undefined {
  const r = range(cidr);
  return r.last - r.first >= 10n ? fromBig(r.first + 10n, r.family) : undefined;
}

/** Every address-plan error, in key order CLUSTER_CIDR, SERVICE_CIDR, CLUSTER_DNS. */
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
    const overlap = serviceOverlap(svc, pod, input.minimumNodes);
    if (overlap?.fatal) add("SERVICE_CIDR", [overlap.message]);
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

/** The address plan's warnings: valid, but worth knowing (see serviceOverlap). */
export function networkWarnings(
  input: Pick<NetworkInput, "clusterCidr" | "serviceCidr" | "minimumNodes">,
): NetworkProblem[] {
  const families: Family[] = ["ipv6", "ipv4"];
  return families.flatMap((family) => {
    const svc = range(input.serviceCidr[family]);
    const pod = range(input.clusterCidr[family]);
    const overlap = serviceOverlap(svc, pod, input.minimumNodes);
    return overlap && !overlap.fatal
      ? [{ key: "SERVICE_CIDR" as const, message: overlap.message }]
      : [];
  });
}
